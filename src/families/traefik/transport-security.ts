import type { Check } from "../../core/by-kind.js";
import type { DetectionList } from "../../core/detection-list.js";
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
const versionOf = (spec: JsonRecord): string => tlsVersion(text(spec.minVersion)) ?? DEFAULT_TLS_FLOOR;
const ciphersOf = (spec: JsonRecord): string[] | undefined => {
  const ciphers = list(spec.cipherSuites).flatMap((cipher) => (text(cipher) ? [text(cipher)!] : []));
  return ciphers.length > 0 ? ciphers : undefined;
};

/**
 * What routers meeting `now`'s TLS options instead of `was`'s accept (an empty spec: Traefik's
 * defaults, TLS 1.2 and no client certificate): older versions, weak ciphers, clients without a
 * verified certificate (mtls.weakened), other client CAs (trust.changed). `at`: where the
 * findings point, and `what` what they say changed (the TLSOption edited, a route's options swapped).
 */
export function tlsOptionChanges(out: DetectionList, was: JsonRecord, now: JsonRecord, at: { path?: FieldPath; what?: string } = {}): void {
  const point = (path: FieldPath) => at.path ?? path;
  const said = (summary: string) => (at.what ? `${at.what}: ${summary}` : summary);
  const [version, nowVersion] = [versionOf(was), versionOf(now)];
  if (tlsVersionRank(nowVersion) < tlsVersionRank(version)) {
    const weakened = tlsVersionRank(nowVersion) < tlsVersionRank(DEFAULT_TLS_FLOOR);
    out.add({
      class: weakened ? "mtls.weakened" : "resource.changed",
      summary: said(`minVersion ${version} → ${nowVersion}: clients may connect with TLS ${nowVersion}`),
      side: "head",
      path: point(["spec", "minVersion"]),
      before: version,
      after: nowVersion,
      ...(weakened ? {} : { riskFloor: "medium" as const }),
    });
  }
  const ciphers = weakenedCiphers(ciphersOf(was), ciphersOf(now));
  if (ciphers)
    out.add({
      class: "mtls.weakened",
      summary: said(`cipherSuites: ${ciphers}`),
      side: "head",
      path: point(["spec", "cipherSuites"]),
      before: ciphersOf(was) ?? null,
      after: ciphersOf(now) ?? null,
    });
  const [auth, nowAuth] = [record(was.clientAuth), record(now.clientAuth)];
  const [type, nowType] = [text(auth.clientAuthType) ?? "NoClientCert", text(nowAuth.clientAuthType) ?? "NoClientCert"];
  if (CLIENT_AUTH.indexOf(nowType) < CLIENT_AUTH.indexOf(type))
    out.add({
      class: "mtls.weakened",
      summary: said(`clientAuth.clientAuthType ${type} → ${nowType}: clients without a verified certificate are admitted`),
      side: "head",
      path: point(["spec", "clientAuth", "clientAuthType"]),
      before: type,
      after: nowType,
    });
  const [secrets, nowSecrets] = [list(auth.secretNames).map(String).sort(), list(nowAuth.secretNames).map(String).sort()];
  if (secrets.length > 0 && nowSecrets.length > 0 && secrets.join() !== nowSecrets.join())
    out.add({
      class: "trust.changed",
      summary: said(
        `clientAuth.secretNames ${secrets.join(", ")} → ${nowSecrets.join(", ")}: client certificates are verified against other CAs`,
      ),
      side: "head",
      path: point(["spec", "clientAuth", "secretNames"]),
      before: secrets,
      after: nowSecrets,
    });
}

/**
 * A TLSOption edited in place, as the routers naming it meet it; the `default` one (Traefik's for
 * every router naming none) deleted, as those routers meeting Traefik's own defaults.
 */
export const tlsOptionChecks: Check = (change, out) => {
  if (!change.base) return;
  if (change.head) tlsOptionChanges(out, record(change.base.body.spec), record(change.head.body.spec));
  else if (change.base.id.name === "default")
    tlsOptionChanges(
      out,
      record(change.base.body.spec),
      {},
      { path: ["spec"], what: "removed: every router naming no TLS options meets Traefik's defaults" },
    );
};

/**
 * The TLS options a router meets: the TLSOption it names (`tls.options`), where the tree holds it;
 * naming none, the tree's `default` TLSOption, else Traefik's defaults (an empty spec); undefined
 * where it names one the tree does not hold.
 */
export function tlsOptionsOf(set: ManifestSet, named: { namespace: string; name: string } | undefined): JsonRecord | undefined {
  if (named) {
    const found = traefikObject(set, "TLSOption", named.namespace, named.name);
    return found && record(found.body.spec);
  }
  const fallback = resourcesOfKind(set, "TLSOption").find((one) => one.id.name === "default");
  return record(fallback?.body.spec);
}
