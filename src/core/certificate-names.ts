import { FILLED_IN } from "./declared-services.js";
import { spec, text, texts } from "./json-access.js";
import type { ManifestSet } from "./resource.js";
import { resourcesOfKind } from "./resources-of-kind.js";

/** `namespace/secret` → the names its certificates are issued for; null where one of them cannot be read. */
type NamesIndex = ReadonlyMap<string, readonly string[] | null>;

const indexOf = new WeakMap<ManifestSet, NamesIndex>();

/**
 * The host names a TLS Secret's certificate answers for, as the tree's cert-manager Certificates
 * writing it say (`dnsNames` and `commonName`, in lower case; several writers, all of their names):
 * the SNI a listener serving the Secret matches. Undefined where no Certificate of the tree writes the Secret
 * (it is made elsewhere) or one writes a name a template or Flux variable fills in (`*.${SECRET_DOMAIN}`), so nothing is claimed about
 * what it does not show.
 */
export function certificateNames(tree: ManifestSet, namespace: string, secret: string): readonly string[] | undefined {
  let index = indexOf.get(tree);
  if (!index) {
    const found = new Map<string, string[] | null>();
    for (const certificate of resourcesOfKind(tree, "Certificate")) {
      if (certificate.id.group !== "cert-manager.io") continue;
      const fields = spec(certificate);
      const key = `${certificate.id.namespace}/${text(fields.secretName) ?? ""}`;
      // TLS clients match names without regard to case (RFC 6125 §6.4.1): `admin.Chestr.dev` is under `*.chestr.dev`.
      const names = [...texts(fields.dnsNames), ...(text(fields.commonName) ? [text(fields.commonName)!] : [])].map((name) =>
        name.toLowerCase(),
      );
      const known = found.get(key);
      found.set(key, known === null || names.some((name) => FILLED_IN.test(name)) ? null : [...new Set([...(known ?? []), ...names])]);
    }
    indexOf.set(tree, (index = found));
  }
  const names = index.get(`${namespace}/${secret}`);
  return names && names.length > 0 ? names : undefined;
}
