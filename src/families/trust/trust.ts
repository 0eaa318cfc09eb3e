import { displayName, type ManifestSet, type Resource } from "../../core/resource.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { flag, isRecord, list, record, spec, text, texts, valueAt, type JsonRecord } from "../../core/json-access.js";
import {
  canonical,
  durationMs,
  formatDuration,
  leafChanges,
  sameValue,
  setChange,
  show,
  sortedSet,
  describeLeafChanges,
} from "../../core/canonical-values.js";
import { byKind } from "../../core/by-kind.js";
import { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext, ResourceDetector } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";
import type { FieldPath } from "../../core/finding.js";
import { GATEWAY_API_GROUP } from "../../core/gateway-api-group.js";
import { surelyCovers } from "../../core/host-match.js";
import { DEFAULT_ROOT_NAMESPACE } from "../../core/mesh-config.js";

/**
 * cert-manager (research §1.5): which CA signs a certificate, what it may sign, and which names it
 * covers. A different issuer, CA or signing capability is trust.changed; names no longer covered
 * make TLS handshakes for them fail where the certificate is served, which DESIGN §5 files under
 * listener.changed (hostnames a listener serves); renewal cadence and key settings are
 * resource.changed with a medium floor. Gateway `certificateRefs`, Istio `credentialName` and
 * BackendTLSPolicy are judged by the Gateway API and Istio detectors.
 */

const GROUP = "cert-manager.io";
// ---------------------------------------------------------------------------------------------
// Issuer and ClusterIssuer

const ISSUER_TYPES = ["acme", "ca", "vault", "venafi", "selfSigned"] as const;

/** Fields of each issuer type that decide the chain of trust; any other field is operational. */
const TRUST_FIELDS: Readonly<Record<(typeof ISSUER_TYPES)[number], readonly string[]>> = {
  acme: ["server", "caBundle", "preferredChain"],
  ca: ["secretName"],
  vault: ["server", "path", "namespace", "caBundle", "caBundleSecretRef"],
  venafi: ["zone", "tpp.url", "tpp.caBundle", "tpp.caBundleSecretRef", "cloud.url"],
  selfSigned: [],
};

const issuerType = (resource: Resource | undefined) => ISSUER_TYPES.find((type) => isRecord(spec(resource)[type]));

const describeIssuer = (resource: Resource | undefined): string => {
  const type = issuerType(resource);
  if (!type) return "(none)";
  const block = record(spec(resource)[type]);
  const anchor = {
    acme: text(block.server),
    ca: text(block.secretName),
    vault: text(block.server),
    venafi: text(block.zone),
    selfSigned: undefined,
  }[type];
  return anchor ? `${type} ${anchor}` : type;
};

const issuer = (change: ResourceChange, out: DetectionList): void => {
  if (!change.base || !change.head) return;
  const before = issuerType(change.base);
  const after = issuerType(change.head);
  if (before !== after) {
    out.add({
      class: "trust.changed",
      summary: `issuer ${describeIssuer(change.base)} → ${describeIssuer(change.head)}: every Certificate it signs gets another CA and chain`,
      side: "head",
      path: ["spec", after ?? before ?? ""],
      before: describeIssuer(change.base),
      after: describeIssuer(change.head),
    });
    return;
  }
  if (!after) return;
  const trustFields = new Set(TRUST_FIELDS[after]);
  const changes = leafChanges(spec(change.base)[after], spec(change.head)[after]);
  const trust = changes.filter((leaf) => trustFields.has(leaf.path.join(".")) || trustFields.has(leaf.path[0] ?? ""));
  for (const leaf of trust) {
    out.add({
      class: "trust.changed",
      summary: `${after}.${leaf.path.join(".")} ${show(leaf.before)} → ${show(leaf.after)}: certificates it signs chain to another CA`,
      side: "head",
      path: ["spec", after, ...leaf.path],
      before: leaf.before,
      after: leaf.after,
    });
  }
  const skipVerify = (resource: Resource) => flag(record(spec(resource)[after]).skipTLSVerify) ?? false;
  if (skipVerify(change.head) && !skipVerify(change.base)) {
    out.add({
      class: "mtls.weakened",
      summary: `${after}.skipTLSVerify true: cert-manager no longer verifies the CA server it gets certificates from`,
      side: "head",
      path: ["spec", after, "skipTLSVerify"],
      before: false,
      after: true,
    });
  }
  // The ACME account's contact address changes nothing about issuance.
  const operational = changes.filter(
    (leaf) => !trust.includes(leaf) && leaf.path[0] !== "skipTLSVerify" && !(after === "acme" && leaf.path[0] === "email"),
  );
  if (operational.length > 0) {
    out.add({
      class: "resource.changed",
      summary: `${after} ${describeLeafChanges(operational)}: how certificates are requested or renewed changes (a broken solver or auth stops renewals)`,
      side: "head",
      path: ["spec", after, ...(operational[0]?.path ?? [])],
      before: operational.map((leaf) => leaf.before),
      after: operational.map((leaf) => leaf.after),
      riskFloor: "medium",
    });
  }
};

/** Certificates of a tree signed by the issuer, and Gateways that ask cert-manager for it by annotation. */
const issuerUsers = (set: ManifestSet, issuerResource: Resource): string[] => {
  const cluster = issuerResource.id.kind === "ClusterIssuer";
  const users: string[] = [];
  for (const resource of set.resources.values()) {
    const sameScope = cluster || resource.id.namespace === issuerResource.id.namespace;
    if (resource.id.group === GROUP && resource.id.kind === "Certificate") {
      const ref = issuerRef(resource);
      if (ref.name === issuerResource.id.name && ref.kind === issuerResource.id.kind && ref.group === GROUP && sameScope)
        users.push(displayName(resource.id));
    } else if (resource.annotations[cluster ? CLUSTER_ISSUER_ANNOTATION : ISSUER_ANNOTATION] === issuerResource.id.name && sameScope) {
      users.push(displayName(resource.id));
    }
  }
  return users.sort();
};

const issuerRemoved = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  if (!change.base || change.head) return;
  const users = issuerUsers(context.head, change.base);
  if (users.length === 0) return;
  out.add({
    class: "reference.broken",
    summary: `removed while ${users.join(", ")} still ${users.length === 1 ? "uses" : "use"} it: their certificates stop renewing and expire`,
    side: "base",
    path: ["spec"],
    before: { users },
  });
};

// ---------------------------------------------------------------------------------------------
// Certificate

const issuerRef = (resource: Resource | undefined) => {
  const ref = record(spec(resource).issuerRef);
  return { name: text(ref.name) ?? "", kind: text(ref.kind) ?? "Issuer", group: text(ref.group) ?? GROUP };
};

/**
 * The CA an issuerRef resolves to in a tree: the issuer's type, the fields that decide its chain and,
 * for ACME, the account it orders with; an Issuer reads its Secrets from its own namespace. Undefined
 * where the tree does not hold the issuer (or it is another group's), so only its name can tell.
 */
function signingCa(tree: ManifestSet, namespace: string, ref: ReturnType<typeof issuerRef>): string | undefined {
  if (ref.group !== GROUP) return undefined;
  for (const resource of resourcesOfKind(tree, ref.kind)) {
    const { id } = resource;
    if (id.group !== GROUP || id.name !== ref.name || (ref.kind === "Issuer" && id.namespace !== namespace)) continue;
    const type = issuerType(resource);
    if (!type) return undefined;
    const block = record(spec(resource)[type]);
    const fields = TRUST_FIELDS[type].map((field) => valueAt(block, field.split(".")));
    const account = type === "acme" ? text(record(block.privateKeySecretRef).name) : undefined;
    return canonical({ type, fields, account, scope: ref.kind === "Issuer" ? namespace : null });
  }
  return undefined;
}

const showRef = (ref: ReturnType<typeof issuerRef>): string => `${ref.kind}${ref.group === GROUP ? "" : `.${ref.group}`} ${ref.name}`;

/** cert-manager's default key usages. */
const DEFAULT_USAGES = ["digital signature", "key encipherment"];

interface Capability {
  readonly field: string;
  readonly read: (spec: JsonRecord) => unknown;
  readonly effect: (before: unknown, after: unknown) => string;
}

const CAPABILITIES: readonly Capability[] = [
  {
    field: "isCA",
    read: (fields) => flag(fields.isCA) ?? false,
    effect: (_before, after) =>
      after
        ? "the certificate becomes a CA: whoever holds its key can mint certificates"
        : "the certificate stops being a CA: certificates it signed no longer validate after renewal",
  },
  {
    field: "usages",
    read: (fields) => (fields.usages === undefined ? DEFAULT_USAGES : sortedSet(texts(fields.usages))),
    effect: (before, after) => {
      const gained = setChange(before as string[], after as string[]).added;
      return gained.some((usage) => usage === "cert sign" || usage === "crl sign")
        ? "the key may now sign certificates"
        : "what the key may be used for changes (clients or servers may reject it)";
    },
  },
  { field: "nameConstraints", read: (fields) => fields.nameConstraints, effect: () => "the names this CA may sign for change" },
];

/** Names the certificate covers; removing one fails the TLS handshake for it wherever the certificate is served. */
const NAME_FIELDS = ["dnsNames", "ipAddresses", "uris", "emailAddresses"] as const;

const names = (fields: JsonRecord): string[] => sortedSet(NAME_FIELDS.flatMap((field) => texts(fields[field])));

/** Renewal cadence and key settings: medium, as a certificate that renews late or with a new key type surprises clients. */
/** cert-manager's default lifetime of an issued certificate (90 days); an ACME issuer's own wins. */
const DEFAULT_DURATION_MS = 2160 * 3_600_000;
const durationOf = (certificate: Record<string, unknown>): number => durationMs(certificate.duration) ?? DEFAULT_DURATION_MS;
const written = (value: unknown): unknown => (durationMs(value) === undefined ? value : formatDuration(durationMs(value) ?? 0));

/**
 * How a Certificate renews and what key it holds, each as cert-manager reads it with its defaults
 * (a duration of 90 days, renewal at a third of it left, RSA 2048), so writing a default out is
 * no change.
 */
const RENEWAL_FIELDS: readonly {
  readonly path: FieldPath;
  readonly normal: (value: unknown, certificate: Record<string, unknown>) => unknown;
}[] = [
  { path: ["duration"], normal: (value, certificate) => (value === undefined ? formatDuration(durationOf(certificate)) : written(value)) },
  {
    path: ["renewBefore"],
    normal: (value, certificate) =>
      value === undefined && certificate.renewBeforePercentage === undefined ? formatDuration(durationOf(certificate) / 3) : written(value),
  },
  { path: ["renewBeforePercentage"], normal: (value) => value },
  { path: ["privateKey", "rotationPolicy"], normal: (value) => text(value) ?? "Always" },
  { path: ["privateKey", "algorithm"], normal: (value) => text(value) ?? "RSA" },
  {
    path: ["privateKey", "size"],
    normal: (value, certificate) => value ?? { RSA: 2048, ECDSA: 256 }[text(record(certificate.privateKey).algorithm) ?? "RSA"] ?? value,
  },
  { path: ["privateKey", "encoding"], normal: (value) => text(value) ?? "PKCS1" },
];

/** Listeners of a tree that serve the Secret: Gateway API `certificateRefs`, Istio `credentialName`. */
const secretReaders = (set: ManifestSet, namespace: string, secret: string): string[] => {
  const readers: string[] = [];
  for (const resource of set.resources.values()) {
    const fields = spec(resource);
    if (resource.id.group === GATEWAY_API_GROUP && (resource.id.kind === "Gateway" || resource.id.kind.endsWith("ListenerSet"))) {
      const serves = list(fields.listeners).some((listener) =>
        list(record(record(listener).tls).certificateRefs).some(
          (ref) => text(record(ref).name) === secret && (text(record(ref).namespace) ?? resource.id.namespace) === namespace,
        ),
      );
      if (serves) readers.push(displayName(resource.id));
    } else if (resource.id.group === "networking.istio.io" && resource.id.kind === "Gateway") {
      // credentialName names a Secret in the gateway workload's namespace, which the resource does not say: match by name.
      const serves = list(fields.servers).some((server) => {
        const tls = record(record(server).tls);
        return text(tls.credentialName) === secret || texts(tls.credentialNames).includes(secret);
      });
      if (serves) readers.push(displayName(resource.id));
    }
  }
  return readers.sort();
};

/** istiod's plug-in CA: the Secret, in its own namespace, it signs workload certificates with (Istio's "plug in CA certificates" guide). */
const ISTIO_CA_SECRET = "cacerts";

/**
 * What signs with the Secret as its CA: cert-manager CA issuers (`spec.ca.secretName`; a
 * ClusterIssuer's Secret lives in cert-manager's cluster resource namespace, so it is matched by
 * name), and istiod when it is `cacerts` in Istio's namespace. Once a CA no longer renewed expires,
 * every certificate it signed stops validating (istio-on-eks: the Certificate issuing `cacerts`
 * removed passed as low in the mutation sweep).
 */
const secretSigners = (set: ManifestSet, namespace: string, secret: string, context: DetectorContext): string[] => {
  const signers: string[] = [];
  for (const resource of set.resources.values()) {
    if (resource.id.group !== GROUP || text(record(spec(resource).ca).secretName) !== secret) continue;
    if (resource.id.kind === "ClusterIssuer" || (resource.id.kind === "Issuer" && resource.id.namespace === namespace))
      signers.push(displayName(resource.id));
  }
  const istio = new Set([DEFAULT_ROOT_NAMESPACE, context.meshRootNamespace(set) ?? DEFAULT_ROOT_NAMESPACE]);
  if (secret === ISTIO_CA_SECRET && istio.has(namespace)) signers.push("istiod (the mesh's CA)");
  return signers.sort();
};

/** What a Secret no longer renewed breaks: listeners serving it, CAs signing with it; undefined for nothing the tree shows. */
const unrenewed = (set: ManifestSet, namespace: string, secret: string, context: DetectorContext): string | undefined => {
  const readers = secretReaders(set, namespace, secret);
  const signers = secretSigners(set, namespace, secret, context);
  const parts = [
    ...(readers.length > 0 ? [`${readers.join(", ")} still serve${readers.length === 1 ? "s" : ""} it until it expires`] : []),
    ...(signers.length > 0
      ? [`${signers.join(", ")} still sign${signers.length === 1 ? "s" : ""} with it: once it expires, what it signed stops validating`]
      : []),
  ];
  return parts.length > 0 ? parts.join("; ") : undefined;
};

/** The other Certificates of a tree that write a Secret: cert-manager lets one own it, so what is served may come from any of them. */
const secretWriters = (set: ManifestSet, namespace: string, secret: string, self: Resource): Resource[] =>
  [...set.resources.values()].filter(
    (other) =>
      other.id.group === GROUP &&
      other.id.kind === "Certificate" &&
      other.id.namespace === namespace &&
      other.key !== self.key &&
      text(spec(other).secretName) === secret,
  );

/** `Certificate infra/api (ClusterIssuer letsencrypt)`, each writer with its issuer. */
const describeWriters = (writers: readonly Resource[]): string =>
  writers.map((writer) => `${displayName(writer.id)} (${showRef(issuerRef(writer))})`).join(", ");

const certificate = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  const namespace = (change.head ?? change.base)?.id.namespace ?? "";
  if (!change.base && change.head) {
    if (flag(spec(change.head).isCA)) {
      out.add({
        class: "trust.changed",
        summary: `added as a CA (isCA: true) signed by ${showRef(issuerRef(change.head))}: whoever holds its key can mint certificates`,
        side: "head",
        path: ["spec", "isCA"],
        after: true,
      });
    }
    // Written into a Secret another Certificate of the base wrote, by another issuer: what is served
    // there may now chain to this one's CA (cert-manager picks one owner; older releases loop).
    const secret = text(spec(change.head).secretName) ?? "";
    const ref = issuerRef(change.head);
    // One the PR removes is judged as handing the Secret over (below); one kept now shares it.
    const others = secretWriters(context.base, namespace, secret, change.head).filter(
      (other) => context.head.resources.has(other.key) && !sameValue(issuerRef(other), ref),
    );
    const readers = others.length > 0 ? secretReaders(context.head, namespace, secret) : [];
    if (others.length > 0)
      out.add({
        class: "trust.changed",
        summary: `added, writing Secret ${secret} that ${describeWriters(others)} already writes${
          readers.length > 0 ? `, served by ${readers.join(", ")}` : ""
        }: the certificate there may now be signed by ${showRef(ref)}`,
        side: "head",
        path: ["spec", "secretName"],
        after: { secret, issuer: ref },
      });
    return;
  }
  if (change.base && !change.head) {
    const secret = text(spec(change.base).secretName) ?? "";
    // Another Certificate writes the Secret at head: it is still renewed, by that one's issuer.
    const successors = secretWriters(context.head, namespace, secret, change.base);
    if (successors.length > 0) {
      const ref = issuerRef(change.base);
      const other = successors.filter((successor) => !sameValue(issuerRef(successor), ref));
      if (other.length > 0)
        out.add({
          class: "trust.changed",
          summary: `removed: Secret ${secret} is now issued by ${describeWriters(other)} (was ${showRef(ref)}): the certificate served there is signed by another CA on its next issuance`,
          side: "base",
          path: ["spec", "issuerRef"],
          before: { secret, issuer: ref },
        });
      return;
    }
    const broken = unrenewed(context.head, namespace, secret, context);
    if (broken) {
      out.add({
        class: "reference.broken",
        summary: `removed: Secret ${secret} is no longer renewed, and ${broken}`,
        side: "base",
        path: ["spec", "secretName"],
        before: { secret, broken },
      });
    }
    return;
  }
  if (!change.base || !change.head) return;
  const was = spec(change.base);
  const now = spec(change.head);

  const refBefore = issuerRef(change.base);
  const refAfter = issuerRef(change.head);
  // An issuer renamed with the same spec, and the reference following it, is still the same CA.
  const caBefore = signingCa(context.base, change.base.id.namespace, refBefore);
  const sameCa = caBefore !== undefined && caBefore === signingCa(context.head, change.head.id.namespace, refAfter);
  if (!sameValue(refBefore, refAfter) && !sameCa) {
    out.add({
      class: "trust.changed",
      summary: `issuerRef ${showRef(refBefore)} → ${showRef(refAfter)}: the certificate is signed by another CA on its next issuance`,
      side: "head",
      path: ["spec", "issuerRef"],
      before: refBefore,
      after: refAfter,
    });
  }
  for (const capability of CAPABILITIES) {
    const before = capability.read(was);
    const after = capability.read(now);
    if (sameValue(before, after)) continue;
    out.add({
      class: "trust.changed",
      summary: `${capability.field} ${show(before)} → ${show(after)}: ${capability.effect(before, after)}`,
      side: "head",
      path: ["spec", capability.field],
      before,
      after,
    });
  }

  const covered = setChange(names(was), names(now));
  const commonName = { before: text(was.commonName), after: text(now.commonName) };
  const lostCommonName =
    commonName.before !== undefined && commonName.before !== commonName.after && !names(now).includes(commonName.before);
  // A name a wildcard of the new ones matches (one label, as TLS clients match them) is still covered.
  const stillCovered = (name: string) => names(now).some((pattern) => surelyCovers(pattern, name));
  const removed = sortedSet([...covered.removed, ...(lostCommonName && commonName.before ? [commonName.before] : [])]).filter(
    (name) => !stillCovered(name),
  );
  if (removed.length > 0) {
    const readers = secretReaders(context.head, namespace, text(now.secretName) ?? "");
    out.add({
      class: "listener.changed",
      summary: `no longer covers ${removed.join(", ")}: TLS handshakes for ${removed.length === 1 ? "it" : "them"} fail where the certificate is served${readers.length > 0 ? ` (${readers.join(", ")})` : ""}`,
      side: "head",
      path: ["spec", NAME_FIELDS.find((field) => !sameValue(was[field], now[field])) ?? "commonName"],
      before: names(was),
      after: names(now),
    });
  }
  if (covered.added.length > 0) {
    out.add({
      class: "resource.changed",
      summary: `now also covers ${covered.added.join(", ")}`,
      side: "head",
      path: ["spec", NAME_FIELDS.find((field) => !sameValue(was[field], now[field])) ?? "dnsNames"],
      before: names(was),
      after: names(now),
      riskFloor: "medium",
    });
  }

  const secretBefore = text(was.secretName) ?? "";
  const secretAfter = text(now.secretName) ?? "";
  if (secretBefore !== secretAfter) {
    const broken = unrenewed(context.head, namespace, secretBefore, context);
    out.add({
      class: broken ? "reference.broken" : "resource.changed",
      summary: `secretName ${secretBefore} → ${secretAfter}: ${broken ? `${secretBefore} is no longer renewed, and ${broken}` : `whatever reads ${secretBefore} stops getting renewals`}`,
      side: "head",
      path: ["spec", "secretName"],
      before: secretBefore,
      after: secretAfter,
      ...(broken ? {} : { riskFloor: "medium-high" as const }),
    });
  }

  const [before, after] = [
    (field: (typeof RENEWAL_FIELDS)[number]) => field.normal(valueAt(was, field.path), was),
    (field: (typeof RENEWAL_FIELDS)[number]) => field.normal(valueAt(now, field.path), now),
  ];
  const renewal = RENEWAL_FIELDS.filter((field) => !sameValue(before(field), after(field)));
  if (renewal.length > 0) {
    const described = renewal.map((field) => `${field.path.join(".")} ${show(before(field))} → ${show(after(field))}`).join(", ");
    out.add({
      class: "resource.changed",
      summary: `${described}: renewal cadence or key changes`,
      side: "head",
      path: ["spec", ...(renewal[0]?.path ?? [])],
      before: renewal.map(before),
      after: renewal.map(after),
      riskFloor: "medium",
    });
  }
};

// ---------------------------------------------------------------------------------------------

export const trustDetector = byKind(
  {
    Issuer: [issuer, issuerRemoved],
    ClusterIssuer: [issuer, issuerRemoved],
    Certificate: [certificate],
  },
  (id) => id.group === GROUP,
);

const ISSUER_ANNOTATION = "cert-manager.io/issuer";
const CLUSTER_ISSUER_ANNOTATION = "cert-manager.io/cluster-issuer";

/**
 * cert-manager's gateway-shim issues the certificates of a Gateway's listeners from the issuer its
 * annotations name: changing or removing them changes who signs what the Gateway serves.
 */
export const issuerAnnotationDetector: ResourceDetector = (change) => {
  if (!change.base || !change.head) return [];
  const view = (resource: Resource) => ({
    issuer: resource.annotations[ISSUER_ANNOTATION],
    clusterIssuer: resource.annotations[CLUSTER_ISSUER_ANNOTATION],
    kind: resource.annotations["cert-manager.io/issuer-kind"],
    group: resource.annotations["cert-manager.io/issuer-group"],
  });
  const before = view(change.base);
  const after = view(change.head);
  if (sameValue(before, after)) return [];
  const out = new DetectionList(change);
  const dropped = Object.values(after).every((value) => value === undefined);
  out.add({
    class: "trust.changed",
    summary: `cert-manager issuer annotations ${show(before)} → ${show(after)}: ${dropped ? "cert-manager stops issuing its listeners' certificates, which expire" : "its listeners' certificates are issued by another CA"}`,
    side: "head",
    path: ["metadata", "annotations"],
    before,
    after,
  });
  return out.detections;
};
