import type { Check } from "../../core/by-kind.js";
import type { DetectionList } from "../../core/detection-list.js";
import { list, numeric, record, text, type JsonRecord } from "../../core/json-access.js";
import type { FieldPath } from "../../core/finding.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { TRAEFIK_SERVICE_DEPTH, traefikObject } from "./objects.js";
import { DEFAULT_TLS_FLOOR, tlsVersion, tlsVersionRank, weakenedCiphers } from "../../core/tls-versions.js";

/**
 * TLS on either side of Traefik: a ServersTransport's (and ServersTransportTCP's) check of the
 * backends' certificates, a TLSOption's versions, ciphers and client certificates for the routers
 * naming it.
 */

const skipsVerification = (resource: Resource | undefined, at: FieldPath): boolean =>
  at.reduce<unknown>((value, step) => record(value)[step], resource?.body) === true;

const INSECURE = {
  ServersTransport: ["spec", "insecureSkipVerify"],
  ServersTransportTCP: ["spec", "tls", "insecureSkipVerify"],
} as const satisfies Readonly<Record<string, FieldPath>>;

/** How Traefik reaches one Service: whether over TLS (`scheme`, as written or defaulted) and, so, whether it verifies the backend's certificate (undefined: not known). */
export interface BackendTransport {
  readonly scheme: string;
  readonly encrypted: boolean;
  readonly verifies: boolean | undefined;
  /** The ServersTransport it names, as written; none: Traefik's default one. */
  readonly transport: string | undefined;
}

type TransportKind = keyof typeof INSECURE;

/** A ServersTransport a service names: by name in its namespace, or by its provider name `<namespace>-<name>@kubernetescrd`. */
function serversTransportOf(set: ManifestSet, kind: TransportKind, name: string, namespace: string): Resource | undefined {
  if (!name.includes("@")) return traefikObject(set, kind, namespace, name);
  return resourcesOfKind(set, kind).find((one) => `${one.id.namespace}-${one.id.name}@kubernetescrd` === name);
}

/**
 * A Service entry as Traefik dials it. HTTP: `scheme`, by default https for port 443 or a port
 * named `https…` and http otherwise (h2c is cleartext too); TCP (IngressRouteTCP): TLS when `tls`
 * is true. Over TLS, the ServersTransport (ServersTransportTCP) it names checks the backend's
 * certificate unless it sets insecureSkipVerify (one the tree does not hold: unknown), and
 * Traefik's default transport does (its static setting is outside the repository).
 */
function backendTransport(entry: JsonRecord, namespace: string, set: ManifestSet, tcp = false): BackendTransport {
  const port = numeric(entry.port) ?? text(entry.port);
  const scheme = tcp
    ? entry.tls === true
      ? "tls"
      : "plain TCP"
    : (text(entry.scheme) ?? (port === 443 || (typeof port === "string" && port.startsWith("https")) ? "https" : "http"));
  const kind: TransportKind = tcp ? "ServersTransportTCP" : "ServersTransport";
  const transport = text(entry.serversTransport);
  const named = transport === undefined ? undefined : serversTransportOf(set, kind, transport, text(entry.namespace) ?? namespace);
  const verifies = transport === undefined ? true : named ? !skipsVerification(named, INSECURE[kind]) : undefined;
  return { scheme, encrypted: scheme === "https" || scheme === "tls", verifies, transport };
}

/** A Kubernetes Service some service reference reaches, as Traefik dials it. */
interface Dialled {
  readonly how: BackendTransport;
  /** The reference in the resource judged that reaches it. */
  readonly path: FieldPath;
  /** The TraefikService it is reached through, none when the resource names it itself. */
  readonly via: string | undefined;
}

/** A service reference of the resource judged, where it is written. */
export interface ServiceReference {
  readonly entry: JsonRecord;
  readonly path: FieldPath;
  readonly mirror?: true;
}

/** A TraefikService's own references: its weighted services, its mirroring's main service and its mirrors (copies of the requests). */
export const traefikServiceEntries = (spec: JsonRecord): ServiceReference[] => {
  const mirroring = record(spec.mirroring);
  return [
    ...list(record(spec.weighted).services).map((item, index) => ({ entry: record(item), path: ["spec", "weighted", "services", index] })),
    ...(text(mirroring.name) ? [{ entry: mirroring, path: ["spec", "mirroring"] }] : []),
    ...list(mirroring.mirrors).map((item, index) => ({
      entry: record(item),
      path: ["spec", "mirroring", "mirrors", index],
      mirror: true as const,
    })),
  ];
};

/** How well a Service is dialled, weakest first: in the clear, over TLS without verification, with it not known, verified. */
const strength = (how: BackendTransport): number => (!how.encrypted ? 0 : how.verifies === false ? 1 : how.verifies === undefined ? 2 : 3);

/**
 * Every Kubernetes Service `entries` reach, by `namespace/name:port` (a mirror's `mirror …`):
 * those they name, and those of the TraefikServices they name that the tree holds, however deep
 * (TRAEFIK_SERVICE_DEPTH); one reached several ways, as the weakest dials it.
 */
export function dialledServices(
  entries: readonly ServiceReference[],
  namespace: string,
  set: ManifestSet,
  tcp = false,
): Map<string, Dialled> {
  const found = new Map<string, Dialled>();
  const visit = (items: readonly ServiceReference[], at: string, via: string | undefined, from: FieldPath | undefined, depth: number) => {
    for (const { entry, path, mirror } of items) {
      const name = text(entry.name) ?? "?";
      const where = text(entry.namespace) ?? at;
      const point = from ?? path;
      if (text(entry.kind) === "TraefikService") {
        const service =
          name.includes("@") || depth >= TRAEFIK_SERVICE_DEPTH ? undefined : traefikObject(set, "TraefikService", where, name);
        if (service) visit(traefikServiceEntries(record(service.body.spec)), where, via ?? `${where}/${name}`, point, depth + 1);
        continue;
      }
      const key = `${mirror ? "mirror " : ""}${where}/${name}:${String(entry.port ?? "")}`;
      const dialled = { how: backendTransport(entry, where, set, tcp), path: point, via };
      const known = found.get(key);
      if (!known || strength(dialled.how) < strength(known.how)) found.set(key, dialled);
    }
  };
  visit(entries, namespace, undefined, undefined, 0);
  return found;
}

/**
 * TLS to a backend given up: a Service dialled over TLS (https, or a TCP service's `tls`) now in
 * the clear, or through a ServersTransport the tree holds with insecureSkipVerify where it was
 * verified: anyone on the path to the pod may read or answer in its place (mtls.weakened, as
 * ingress-nginx's `backend-protocol` no longer HTTPS is). A Service reached through the same
 * TraefikService on both sides is that TraefikService's to judge, where it changed.
 */
export function backendTlsLosses(
  out: DetectionList,
  was: ReadonlyMap<string, Dialled>,
  now: ReadonlyMap<string, Dialled>,
  what: string,
): void {
  for (const [key, before] of was) {
    const after = now.get(key);
    if (!after || !before.how.encrypted || (before.via !== undefined && before.via === after.via)) continue;
    const service = `${what}${after.via ? `TraefikService ${after.via}: ` : ""}service ${key}`;
    if (!after.how.encrypted)
      out.add({
        class: "mtls.weakened",
        summary: `${service} dialled over ${before.how.scheme} → ${after.how.scheme}: requests reach the backend unencrypted`,
        side: "head",
        path: after.path,
        before: before.how.scheme,
        after: after.how.scheme,
      });
    else if (before.how.verifies !== false && after.how.verifies === false)
      out.add({
        class: "mtls.weakened",
        summary: `${service} serversTransport ${before.how.transport ?? "(default)"} → ${after.how.transport}, which sets insecureSkipVerify: the backend's certificate is no longer verified`,
        side: "head",
        path: after.path,
        before: before.how.transport ?? null,
        after: after.how.transport ?? null,
      });
  }
}

/** insecureSkipVerify turned on: Traefik no longer checks the certificates of the backends it sends to (DESIGN §5 mtls.weakened). */
export const backendVerification: Check = (change, out) => {
  const path = INSECURE[(change.head ?? change.base)!.id.kind as TransportKind];
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
