import { displayName, mayShareCluster, type ManifestSet, type Resource } from "../../core/resource.js";
import { copiesNamed } from "../../core/copies-named.js";
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
  type LeafChange,
} from "../../core/canonical-values.js";
import { byKind } from "../../core/by-kind.js";
import { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext, ResourceDetector } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";
import type { FieldPath } from "../../core/finding.js";
import { surelyCovers } from "../../core/host-match.js";
import { DEFAULT_ROOT_NAMESPACE } from "../../core/mesh-config.js";
import { nearestAll } from "../../core/nearest-definition.js";
import { usageVerdicts, usagesOf } from "./certificate-usages.js";

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

/**
 * The account an issuer asks its CA with, which is part of which CA signs where the server alone
 * does not tell: ACME's account key, and Venafi's credentials — the API key picks the Venafi Cloud
 * tenant, whose zones and CAs are its own (every tenant has a zone `Default`), as the TPP
 * credentials pick what of the instance may be asked. Changing it in place is operational (a
 * rotated key), but two issuers asking with other accounts are not one CA.
 */
const ACCOUNT_FIELDS: Readonly<Partial<Record<(typeof ISSUER_TYPES)[number], readonly string[]>>> = {
  acme: ["privateKeySecretRef.name"],
  venafi: ["cloud.apiTokenSecretRef.name", "tpp.credentialsRef.name"],
};

/**
 * Whether a trust or account field is unset as cert-manager reads it: each is a Go string or []byte
 * (or a pointer, which YAML's null leaves nil), so `preferredChain: ""` asks for no chain, as
 * leaving it out does (cert-manager selects an alternative chain only for a non-empty name):
 * carpenike/k8s-gitops fc42b14d81 dropped `preferredChain: ""` moving its issuer and read as
 * another CA.
 */
const unsetField = (value: unknown): boolean => value === undefined || value === null || value === "";

const fieldsAt = (block: JsonRecord, fields: readonly string[] = []): unknown[] =>
  fields.map((field) => {
    const value = valueAt(block, field.split("."));
    return unsetField(value) ? undefined : value;
  });

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
  // A field names a block as well as a value (`tpp.caBundleSecretRef` holds `name`, `key`).
  const isTrustField = (leaf: LeafChange) => leaf.path.some((_, end) => trustFields.has(leaf.path.slice(0, end + 1).join(".")));
  const changes = leafChanges(spec(change.base)[after], spec(change.head)[after]).filter(
    (leaf) => !(isTrustField(leaf) && unsetField(leaf.before) && unsetField(leaf.after)),
  );
  const trust = changes.filter(isTrustField);
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

/**
 * Certificates of a tree signed by the issuer, and the Ingresses, Gateways and ListenerSets whose
 * annotations ask cert-manager's certificate shim for it (shimIssuer) for the Secrets they serve.
 */
const issuerUsers = (set: ManifestSet, issuerResource: Resource): string[] => {
  const { id } = issuerResource;
  const signs = (ref: IssuerRef, namespace: string) =>
    ref.name === id.name && ref.kind === id.kind && ref.group === GROUP && (id.kind === "ClusterIssuer" || namespace === id.namespace);
  const users: string[] = [];
  for (const resource of resourcesOfKind(set, "Certificate"))
    if (resource.id.group === GROUP && signs(issuerRef(resource), resource.id.namespace)) users.push(displayName(resource.id));
  for (const resource of shimmedResources(set)) {
    const ref = shimIssuer(resource);
    if (ref && signs(ref, resource.id.namespace) && servedSecrets(resource).length > 0) users.push(displayName(resource.id));
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
// Issuer references: a Certificate's issuerRef, and the certificate shim's annotations

/** An issuer as cert-manager resolves a reference to it; a name of "" is the controller's default issuer (`--default-issuer-name`). */
interface IssuerRef {
  readonly name: string;
  readonly kind: string;
  readonly group: string;
}

const issuerRef = (resource: Resource | undefined): IssuerRef => {
  const ref = record(spec(resource).issuerRef);
  return { name: text(ref.name) ?? "", kind: text(ref.kind) ?? "Issuer", group: text(ref.group) ?? GROUP };
};

/** An issuer reference and the object making it: a Certificate, or an object the certificate shim reads. */
interface Referrer {
  readonly resource: Resource;
  readonly ref: IssuerRef;
}

const referrer = (resource: Resource, ref: IssuerRef = issuerRef(resource)): Referrer => ({ resource, ref });

/**
 * The issuers of a tree a reference may mean where its referrer applies. One name is often defined
 * once per cluster folder with another CA in each (clusters/dev's ClusterIssuer letsencrypt on ACME
 * staging, clusters/prod's on production): those placed on the referrer's cluster, else those placed
 * nowhere known; of them, the ones nearest the referrer's file, as core/nearest-definition.ts picks a
 * definition (all of them where none is nearer). An Issuer is its namespace's own.
 */
function issuersFor(tree: ManifestSet, { resource: from, ref }: Referrer): Resource[] {
  const named = resourcesOfKind(tree, ref.kind).filter(
    ({ id }) => id.group === GROUP && id.name === ref.name && (ref.kind !== "Issuer" || id.namespace === from.id.namespace),
  );
  const placed = named.filter((issuer) => mayShareCluster(issuer, from));
  const sameCluster = from.cluster === undefined ? [] : placed.filter((issuer) => issuer.cluster === from.cluster);
  const candidates = (sameCluster.length > 0 ? sameCluster : placed).map((issuer) => ({ file: issuer.source.file, issuer }));
  return nearestAll(candidates, from.source.file).map(({ issuer }) => issuer);
}

/** The CA an issuer signs with: its type, the fields that decide its chain and the account it asks with; an Issuer reads its Secrets from its own namespace. */
const caOf = (issuer: Resource): string | undefined => {
  const type = issuerType(issuer);
  if (!type) return undefined;
  const block = record(spec(issuer)[type]);
  return canonical({
    type,
    fields: fieldsAt(block, TRUST_FIELDS[type]),
    account: fieldsAt(block, ACCOUNT_FIELDS[type]),
    scope: issuer.id.kind === "Issuer" ? issuer.id.namespace : null,
  });
};

/**
 * The CA a reference resolves to in a tree: the one every issuer it may mean there (issuersFor)
 * signs with. Undefined where the tree does not hold the issuer (or it is another group's), so only
 * its name can tell, or where the issuers it may mean sign with different CAs.
 */
function signingCa(tree: ManifestSet, referrer: Referrer): string | undefined {
  if (referrer.ref.group !== GROUP) return undefined;
  const cas = new Set(issuersFor(tree, referrer).map(caOf));
  return cas.size === 1 ? [...cas][0] : undefined;
}

/**
 * Whether a reference read in the base and one read in the head sign with one CA: the same issuer,
 * or issuers both trees hold that resolve to one CA — an issuer renamed with the references
 * following it (eg-course 650a2bb: ClusterIssuer selfsigned → self-signed, its Gateway's
 * `cert-manager.io/cluster-issuer` with it, had read as another CA).
 */
const sameSigner = (context: DetectorContext, before: Referrer, after: Referrer): boolean => {
  if (sameValue(before.ref, after.ref)) return true;
  const ca = signingCa(context.base, before);
  return ca !== undefined && ca === signingCa(context.head, after);
};

const showRef = (ref: IssuerRef): string =>
  ref.name === "" ? "cert-manager's default issuer" : `${ref.kind}${ref.group === GROUP ? "" : `.${ref.group}`} ${ref.name}`;

const ISSUER_ANNOTATION = "cert-manager.io/issuer";
const CLUSTER_ISSUER_ANNOTATION = "cert-manager.io/cluster-issuer";
const ISSUER_KIND_ANNOTATION = "cert-manager.io/issuer-kind";
const ISSUER_GROUP_ANNOTATION = "cert-manager.io/issuer-group";
/** cert-manager's default `--auto-certificate-annotations`, honoured on Ingresses only. */
const TLS_ACME_ANNOTATION = "kubernetes.io/tls-acme";
/** What Go's strconv.ParseBool reads as true, as the shim parses `kubernetes.io/tls-acme`. */
const GO_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);

/**
 * The objects cert-manager's certificate shim makes Certificates for: Ingresses, Gateway API
 * Gateways and ListenerSets (cert-manager 1.20), by the family that read them.
 */
const isShimmed = ({ family, id }: Resource): boolean =>
  (family === "ingress" && id.kind === "Ingress") ||
  (family === "gateway-api" && (id.kind === "Gateway" || id.kind.endsWith("ListenerSet")));

const shimmedResources = (set: ManifestSet): Resource[] =>
  ["Ingress", "Gateway", "ListenerSet", "XListenerSet"].flatMap((kind) => resourcesOfKind(set, kind)).filter(isShimmed);

/**
 * The issuer cert-manager's certificate shim orders an object's certificates from, as its
 * issuerForIngressLike reads the annotations: `cluster-issuer` over `issuer`, `issuer-kind` and
 * `issuer-group` over either; `kubernetes.io/tls-acme: "true"` alone on an Ingress asks for the
 * controller's default issuer, which no tree shows. Undefined where the shim leaves the object
 * alone: nothing asks, or the annotations contradict each other (both names, or `cluster-issuer`
 * with a kind or group).
 */
const shimIssuer = (resource: Resource): IssuerRef | undefined => {
  const annotations = resource.annotations;
  const cluster = annotations[CLUSTER_ISSUER_ANNOTATION];
  const namespaced = annotations[ISSUER_ANNOTATION];
  const kind = annotations[ISSUER_KIND_ANNOTATION];
  const group = annotations[ISSUER_GROUP_ANNOTATION];
  const auto = resource.id.kind === "Ingress" && GO_TRUE.has(annotations[TLS_ACME_ANNOTATION] ?? "");
  if (cluster === undefined && namespaced === undefined && !auto) return undefined;
  if (cluster !== undefined && (namespaced !== undefined || kind !== undefined || group !== undefined)) return undefined;
  if (cluster !== undefined) return { name: cluster, kind: "ClusterIssuer", group: GROUP };
  if (namespaced !== undefined) return { name: namespaced, kind: kind ?? "Issuer", group: group ?? GROUP };
  return { name: "", kind: kind ?? "", group: group ?? "" };
};

interface SecretRef {
  readonly namespace: string;
  readonly name: string;
}

/**
 * The TLS Secrets an object serves and the shim issues into: an Ingress's `spec.tls` entries, a
 * Gateway's or ListenerSet's listeners' `certificateRefs`; an Istio Gateway's `credentialName`, in
 * the gateway workload's namespace, which the resource does not say, by name in any.
 */
const servedSecrets = (resource: Resource): SecretRef[] => {
  const { namespace } = resource.id;
  const fields = spec(resource);
  const named = (name: string | undefined, inNamespace = namespace): SecretRef[] => (name ? [{ namespace: inNamespace, name }] : []);
  if (resource.id.group === "networking.istio.io")
    return list(fields.servers).flatMap((server) => {
      const tls = record(record(server).tls);
      return [text(tls.credentialName), ...texts(tls.credentialNames)].flatMap((name) => named(name, "*"));
    });
  if (resource.id.kind === "Ingress") return list(fields.tls).flatMap((entry) => named(text(record(entry).secretName)));
  return list(fields.listeners).flatMap((listener) =>
    list(record(record(listener).tls).certificateRefs).flatMap((ref) =>
      named(text(record(ref).name), text(record(ref).namespace) ?? namespace),
    ),
  );
};

const showSecrets = (resource: Resource, secrets: readonly SecretRef[]): string =>
  `Secret${secrets.length === 1 ? "" : "s"} ${sortedSet(
    secrets.map(({ namespace, name }) => (namespace === resource.id.namespace ? name : `${namespace}/${name}`)),
  ).join(", ")}`;

// ---------------------------------------------------------------------------------------------
// Certificate

interface Capability {
  readonly field: string;
  readonly read: (spec: JsonRecord) => unknown;
  readonly effect: (before: unknown, after: unknown) => string;
}

/** What a CA is (usages are judged usage by usage, certificate-usages.ts). */
const CAPABILITIES: readonly Capability[] = [
  {
    field: "isCA",
    read: (fields) => flag(fields.isCA) ?? false,
    effect: (_before, after) =>
      after
        ? "the certificate becomes a CA: whoever holds its key can mint certificates"
        : "the certificate stops being a CA: certificates it signed no longer validate after renewal",
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

/**
 * What of a tree serves the Secret: Ingresses, Gateway API Gateways and ListenerSets, Istio Gateways
 * (servedSecrets), but those matched by name in any namespace that `readElsewhere` says read it elsewhere.
 */
const secretReaders = (
  set: ManifestSet,
  namespace: string,
  secret: string,
  readElsewhere: (gateway: Resource) => boolean = () => false,
): string[] => {
  const istioGateways = resourcesOfKind(set, "Gateway").filter((resource) => resource.id.group === "networking.istio.io");
  const readers = [...shimmedResources(set), ...istioGateways].filter((resource) =>
    servedSecrets(resource).some(
      (ref) => ref.name === secret && (ref.namespace === namespace || (ref.namespace === "*" && !readElsewhere(resource))),
    ),
  );
  return copiesNamed(readers).sort();
};

/**
 * Whether a Certificate of the tree writes an Istio Gateway's `credentialName` Secret in each
 * namespace its gateway workload may run in, where the proxy reads it (Istio's Gateway reference:
 * the Secret must be in the workload's namespace): the Gateway's own, or the mesh root's, where
 * istio-ingressgateway runs by default (a Gateway in an application's namespace selecting it).
 * Such a Gateway still serves a renewed Secret whatever another namespace's Certificate does
 * (flux2-kustomize-gitops-demo 9a2f850bab: the Certificate moved from cert-manager to istio-system,
 * beside its Gateway, was high as a Secret no longer renewed that the Gateway serves).
 */
const renewedWhereRead = (set: ManifestSet, gateway: Resource, secret: string, context: DetectorContext): boolean =>
  [gateway.id.namespace, DEFAULT_ROOT_NAMESPACE, context.meshRootNamespace(set) ?? DEFAULT_ROOT_NAMESPACE].every(
    (namespace) => secretWriters(set, namespace, secret).length > 0,
  );

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
  const readers = secretReaders(set, namespace, secret, (gateway) => renewedWhereRead(set, gateway, secret, context));
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
const secretWriters = (set: ManifestSet, namespace: string, secret: string, self?: Resource): readonly Resource[] =>
  resourcesOfKind(set, "Certificate").filter(
    (other) =>
      other.id.group === GROUP && other.id.namespace === namespace && other.key !== self?.key && text(spec(other).secretName) === secret,
  );

/** `Certificate infra/api (ClusterIssuer letsencrypt)`, each writer with its issuer. */
const describeWriters = (writers: readonly Resource[]): string =>
  [...new Set(writers.map((writer) => `${displayName(writer.id)} (${showRef(issuerRef(writer))})`))].join(", ");

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
      (other) => context.head.resources.has(other.key) && !sameSigner(context, referrer(other), referrer(change.head, ref)),
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
      const other = successors.filter((successor) => !sameSigner(context, referrer(change.base, ref), referrer(successor)));
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
  if (!sameSigner(context, referrer(change.base), referrer(change.head))) {
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
  // A CA on both sides: cert-manager gives it `cert sign` however its usages read. One that becomes
  // or stops being a CA is judged by isCA above, its usages as written.
  const ca = (flag(was.isCA) ?? false) && (flag(now.isCA) ?? false);
  const usages = { before: usagesOf(was.usages, ca), after: usagesOf(now.usages, ca) };
  if (!sameValue(usages.before, usages.after)) {
    for (const verdict of usageVerdicts(usages.before, usages.after, text(record(now.privateKey).algorithm) ?? "RSA", ca))
      out.add({
        class: verdict.class,
        summary: `usages ${show(usages.before)} → ${show(usages.after)}: ${verdict.effect}`,
        side: "head",
        path: ["spec", "usages"],
        before: usages.before,
        after: usages.after,
        ...(verdict.riskFloor ? { riskFloor: verdict.riskFloor } : {}),
      });
  }

  const covered = setChange(names(was), names(now));
  const commonName = { before: text(was.commonName), after: text(now.commonName) };
  const lostCommonName =
    commonName.before !== undefined && commonName.before !== commonName.after && !names(now).includes(commonName.before);
  // A name a wildcard of the new ones matches (one label, as TLS clients match them) is still covered;
  // a bare `*` matches no name in a TLS client (a wildcard is only the left-most label of a longer
  // name there), whatever it takes in a route.
  const stillCovered = (name: string) => names(now).some((pattern) => pattern !== "*" && surelyCovers(pattern, name));
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

/**
 * cert-manager's certificate shim (ingress-shim, gateway-shim) keeps a Certificate for each TLS
 * Secret an annotated Ingress, Gateway or ListenerSet serves, from the issuer its annotations name
 * (shimIssuer). Another issuer that resolves to another CA re-issues what the object serves from
 * that CA (an Ingress moved from ClusterIssuer letsencrypt-prod to internal-ca had read as a low
 * annotation edit: public clients get a private CA's certificate). Annotations that start asking
 * hand those Secrets to cert-manager, replacing what was there (written by hand, or by a
 * Certificate of another CA). Annotations that stop asking leave the Certificates the shim made
 * renewing from the old issuer — the shim returns before it cleans up (cert-manager#4212) — but no
 * longer following the object's TLS hosts and Secrets. An object serving no TLS gets no Certificate.
 */
export const issuerAnnotationDetector: ResourceDetector = (change, context) => {
  const { base, head } = change;
  if (!base || !head || !isShimmed(head)) return [];
  const before = shimIssuer(base);
  const after = shimIssuer(head);
  const { kind } = head.id;
  if (before && after && sameSigner(context, referrer(base, before), referrer(head, after))) return [];
  const out = new DetectionList(change);
  if (!after) {
    const secrets = before ? servedSecrets(base) : [];
    if (before && secrets.length > 0)
      out.add({
        class: "resource.changed",
        summary: `cert-manager issuer annotations no longer ask for ${showRef(before)}: the Certificates it made for ${showSecrets(base, secrets)} stay and renew from it, but no longer follow this ${kind}'s TLS hosts and Secrets`,
        side: "base",
        path: ["metadata", "annotations"],
        before,
        riskFloor: "medium",
      });
    return out.detections;
  }
  // Newly asking: a Secret a Certificate of the base already wrote from that CA is signed as before.
  const secrets = before
    ? servedSecrets(head)
    : servedSecrets(head).filter(
        (ref) =>
          !secretWriters(context.base, ref.namespace, ref.name, head).some((writer) =>
            sameSigner(context, referrer(writer), referrer(head, after)),
          ),
      );
  if (secrets.length === 0) return [];
  const served = showSecrets(head, secrets);
  out.add({
    class: "trust.changed",
    summary: before
      ? `cert-manager issuer ${showRef(before)} → ${showRef(after)}: ${served} it serves ${secrets.length === 1 ? "is" : "are"} issued by another CA`
      : `cert-manager issuer annotations now ask for ${showRef(after)}: it issues ${served} this ${kind} serves, replacing what was there (written by hand, or from another CA) with a certificate its CA signs`,
    side: "head",
    path: ["metadata", "annotations"],
    ...(before ? { before } : {}),
    after,
  });
  return out.detections;
};
