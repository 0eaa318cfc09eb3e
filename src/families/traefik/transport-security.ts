import type { Check } from "../../core/by-kind.js";
import { list, numeric, record, text, type JsonRecord } from "../../core/json-access.js";
import type { FieldPath } from "../../core/finding.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { traefikObject } from "./objects.js";
import { DEFAULT_TLS_FLOOR, tlsVersion, tlsVersionRank, weakenedCiphers } from "../../core/tls-versions.js";

/**
 * TLS on either side of Traefik: a ServersTransport's (and ServersTransportTCP's) check of the
 * backends' certificates, a TLSOption's versions, ciphers and client certificates for the routers
 * naming it.
 */

const skipsVerification = (resource: Resource | undefined, at: FieldPath): boolean =>
  at.reduce<unknown>((value, step) => record(value)[step], resource?.body) === true;

const INSECURE: Readonly<Record<string, FieldPath>> = {
  ServersTransport: ["spec", "insecureSkipVerify"],
  ServersTransportTCP: ["spec", "tls", "insecureSkipVerify"],
};

/** How Traefik reaches one Service of a route: its scheme and, over https, whether it verifies the backend's certificate (undefined: not known). */
export interface BackendTransport {
  readonly scheme: string;
  readonly verifies: boolean | undefined;
  /** The ServersTransport it names, as written; none: Traefik's default one. */
  readonly transport: string | undefined;
}

/** A ServersTransport a service names: by name in the route's namespace, or by its provider name `<namespace>-<name>@kubernetescrd`. */
function serversTransportOf(set: ManifestSet, name: string, namespace: string): Resource | undefined {
  if (!name.includes("@")) return traefikObject(set, "ServersTransport", namespace, name);
  return resourcesOfKind(set, "ServersTransport").find((one) => `${one.id.namespace}-${one.id.name}@kubernetescrd` === name);
}

/**
 * A route's Service entry as Traefik dials it: `scheme`, by default https for port 443 or a port
 * named `https…` and http otherwise; over https, the ServersTransport it names checks the backend's
 * certificate unless it sets insecureSkipVerify (one the tree does not hold: unknown), and
 * Traefik's default transport does (its static setting is outside the repository).
 */
export function backendTransport(entry: JsonRecord, namespace: string, set: ManifestSet): BackendTransport {
  const port = numeric(entry.port) ?? text(entry.port);
  const scheme = text(entry.scheme) ?? (port === 443 || (typeof port === "string" && port.startsWith("https")) ? "https" : "http");
  const transport = text(entry.serversTransport);
  const named = transport === undefined ? undefined : serversTransportOf(set, transport, text(entry.namespace) ?? namespace);
  const verifies = transport === undefined ? true : named ? !skipsVerification(named, INSECURE.ServersTransport!) : undefined;
  return { scheme, verifies, transport };
}

/** insecureSkipVerify turned on: Traefik no longer checks the certificates of the backends it sends to (DESIGN §5 mtls.weakened). */
export const backendVerification: Check = (change, out) => {
  const path = INSECURE[(change.head ?? change.base)!.id.kind]!;
  if (!change.head || !skipsVerification(change.head, path) || (change.base && skipsVerification(change.base, path))) return;
  out.add({
    class: "mtls.weakened",
    summary: `insecureSkipVerify true: the backends' certificates are no longer verified${change.base ? "" : " for the services naming it"}`,
    side: "head",
    path,
    before: change.base ? false : null,
    after: true,
  });
};

/** Client certificate policies, weakest first (Go's tls.ClientAuthType, as Traefik names them). */
const CLIENT_AUTH = ["NoClientCert", "RequestClientCert", "RequireAnyClientCert", "VerifyClientCertIfGiven", "RequireAndVerifyClientCert"];
/** Traefik's own default floor is TLS 1.2. */
const versionOf = (resource: Resource): string => tlsVersion(text(record(resource.body.spec).minVersion)) ?? DEFAULT_TLS_FLOOR;
const ciphersOf = (resource: Resource): string[] | undefined => {
  const ciphers = list(record(resource.body.spec).cipherSuites).flatMap((cipher) => (text(cipher) ? [text(cipher)!] : []));
  return ciphers.length > 0 ? ciphers : undefined;
};
const clientAuthOf = (resource: Resource) => record(record(resource.body.spec).clientAuth);

export const tlsOptionChecks: Check = (change, out) => {
  if (!change.base || !change.head) return;
  const [was, now] = [versionOf(change.base), versionOf(change.head)];
  if (tlsVersionRank(now) < tlsVersionRank(was)) {
    const weakened = tlsVersionRank(now) < tlsVersionRank(DEFAULT_TLS_FLOOR);
    out.add({
      class: weakened ? "mtls.weakened" : "resource.changed",
      summary: `minVersion ${was} → ${now}: clients may connect with TLS ${now}`,
      side: "head",
      path: ["spec", "minVersion"],
      before: was,
      after: now,
      ...(weakened ? {} : { riskFloor: "medium" as const }),
    });
  }
  const ciphers = weakenedCiphers(ciphersOf(change.base), ciphersOf(change.head));
  if (ciphers)
    out.add({
      class: "mtls.weakened",
      summary: `cipherSuites: ${ciphers}`,
      side: "head",
      path: ["spec", "cipherSuites"],
      before: ciphersOf(change.base) ?? null,
      after: ciphersOf(change.head) ?? null,
    });
  const [auth, nowAuth] = [clientAuthOf(change.base), clientAuthOf(change.head)];
  const [type, nowType] = [text(auth.clientAuthType) ?? "NoClientCert", text(nowAuth.clientAuthType) ?? "NoClientCert"];
  if (CLIENT_AUTH.indexOf(nowType) < CLIENT_AUTH.indexOf(type))
    out.add({
      class: "mtls.weakened",
      summary: `clientAuth.clientAuthType ${type} → ${nowType}: clients without a verified certificate are admitted`,
      side: "head",
      path: ["spec", "clientAuth", "clientAuthType"],
      before: type,
      after: nowType,
    });
  const [secrets, nowSecrets] = [list(auth.secretNames).map(String).sort(), list(nowAuth.secretNames).map(String).sort()];
  if (secrets.length > 0 && nowSecrets.length > 0 && secrets.join() !== nowSecrets.join())
    out.add({
      class: "trust.changed",
      summary: `clientAuth.secretNames ${secrets.join(", ")} → ${nowSecrets.join(", ")}: client certificates are verified against other CAs`,
      side: "head",
      path: ["spec", "clientAuth", "secretNames"],
      before: secrets,
      after: nowSecrets,
    });
};
