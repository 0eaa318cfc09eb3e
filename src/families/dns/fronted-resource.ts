import { DetectionList } from "../../core/detection-list.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import type { DetectorContext, ResourceDetector } from "../../core/detector.js";
import { optionalRecord, spec, stringMap, text, type JsonRecord } from "../../core/json-access.js";
import { selects } from "../../core/label-selector.js";
import { canonical, show, sortedSet } from "../../core/canonical-values.js";
import type { ManifestSet, Resource } from "../../core/resource.js";

/**
 * What a k8gb Gslb fronts: the object its `resourceRef` resolves to, as k8gb resolves it
 * (controllers/refresolver): by name (in the ref's namespace, else the Gslb's), else by label
 * selector in the Gslb's namespace; the legacy `resourceRef.ingress` selector (k8gb < 0.14) selects
 * Ingresses. A ref written another way that resolves to the same object fronts the same thing, and
 * the apiVersion names no object (DESIGN §4) — but k8gb resolves each kind under fixed apiVersions
 * only, and serves a Gslb only while exactly one object answers.
 */

export interface FrontedRef {
  readonly kind: string | undefined;
  readonly apiVersion: string | undefined;
  readonly namespace: string;
  readonly name?: string;
  readonly selector?: JsonRecord;
}

/** A Gslb's resourceRef; undefined for one without (it fronts its embedded `spec.ingress`). */
export function frontedRef(gslb: Resource): FrontedRef | undefined {
  const ref = optionalRecord(spec(gslb).resourceRef);
  if (!ref) return undefined;
  const legacy = optionalRecord(ref.ingress);
  if (legacy) return { kind: "Ingress", apiVersion: undefined, namespace: gslb.id.namespace, selector: legacy };
  const [kind, apiVersion, name] = [text(ref.kind), text(ref.apiVersion), text(ref.name)];
  if (name) return { kind, apiVersion, namespace: text(ref.namespace) ?? gslb.id.namespace, name };
  const selected = ref.matchLabels !== undefined || ref.matchExpressions !== undefined;
  return {
    kind,
    apiVersion,
    namespace: gslb.id.namespace,
    ...(selected ? { selector: { matchLabels: ref.matchLabels, matchExpressions: ref.matchExpressions } } : {}),
  };
}

/** What the ref names, without its apiVersion: two refs of one written identity name the same objects in any tree. */
export const refIdentity = (ref: FrontedRef | undefined): string =>
  canonical(ref && { kind: ref.kind, namespace: ref.namespace, name: ref.name, selector: ref.selector });

/** `Ingress shop`, `Ingress {app=shop}`. */
export const describeRef = (ref: FrontedRef): string => {
  const labels = stringMap(ref.selector?.matchLabels);
  const selected = Object.keys(labels).length > 0 ? show(labels) : ref.selector ? "(selected by matchExpressions)" : "(unnamed)";
  return `${ref.kind ?? "resource"} ${ref.name ?? selected}`;
};

const GATEWAY_API = "gateway.networking.k8s.io/";
/** The apiVersions k8gb resolves each kind under (v0.21 refresolver.New); any other is refused. */
const RESOLVED_AS: Readonly<Record<string, readonly string[]>> = {
  Ingress: ["networking.k8s.io/v1"],
  VirtualService: ["networking.istio.io/v1beta1", "networking.istio.io/v1"],
  Service: ["v1"],
  HTTPRoute: [`${GATEWAY_API}v1`],
  GRPCRoute: [`${GATEWAY_API}v1`],
  TCPRoute: [`${GATEWAY_API}v1alpha2`],
  UDPRoute: [`${GATEWAY_API}v1alpha2`],
  TLSRoute: [`${GATEWAY_API}v1`, `${GATEWAY_API}v1alpha2`, `${GATEWAY_API}v1alpha3`],
};

/** Why k8gb refuses to resolve the ref's kind under its apiVersion; undefined when it resolves it (the legacy form has none). */
export function refusedApiVersion(ref: FrontedRef | undefined): string | undefined {
  if (!ref?.kind || (ref.apiVersion === undefined && ref.selector && ref.kind === "Ingress")) return undefined;
  const accepted = RESOLVED_AS[ref.kind];
  if (accepted?.includes(ref.apiVersion ?? "")) return undefined;
  return accepted
    ? `k8gb resolves ${ref.kind} only as ${accepted.join(" or ")}`
    : `k8gb resolves no ${ref.kind} (${Object.keys(RESOLVED_AS).join(", ")} only)`;
}

/** What each Gslb of a tree resolves to, asked once a tree: every change of a fronted kind asks again. */
const frontedOf = new WeakMap<ManifestSet, WeakMap<Resource, readonly string[]>>();

/** The objects of a tree a Gslb's ref resolves to, as `Kind namespace/name` (the same object declared in two places is one). */
export function frontedIn(gslb: Resource, tree: ManifestSet): readonly string[] {
  let known = frontedOf.get(tree);
  if (!known) frontedOf.set(tree, (known = new WeakMap()));
  let fronted = known.get(gslb);
  if (!fronted) known.set(gslb, (fronted = resolveFronted(gslb, tree)));
  return fronted;
}

function resolveFronted(gslb: Resource, tree: ManifestSet): string[] {
  const ref = frontedRef(gslb);
  if (!ref?.kind) return [];
  const { name, selector } = ref;
  return sortedSet(
    resourcesOfKind(tree, ref.kind)
      .filter(
        (object) =>
          object.id.namespace === ref.namespace &&
          (name !== undefined ? object.id.name === name : selector !== undefined && selects(selector, object.labels)),
      )
      .map(objectLabel),
  );
}

const objectLabel = (object: Resource): string => `${object.id.kind} ${object.id.namespace}/${object.id.name}`;

/** The Gslbs of the head tree whose resourceRef the PR leaves as written: a change of what they front is judged here, not by the Gslb's own check. */
const keptOf = new WeakMap<ManifestSet, { readonly base: ManifestSet; readonly kept: readonly { base: Resource; head: Resource }[] }>();
const keptGslbs = (context: DetectorContext): readonly { readonly base: Resource; readonly head: Resource }[] => {
  // Asked on every change of a fronted kind: worked out once a pair of trees.
  const known = keptOf.get(context.head);
  if (known?.base === context.base) return known.kept;
  const kept = resourcesOfKind(context.head, "Gslb").flatMap((head) => {
    const base = head.family === "dns" ? context.base.resources.get(head.key) : undefined;
    return base && refIdentity(frontedRef(base)) === refIdentity(frontedRef(head)) ? [{ base, head }] : [];
  });
  keptOf.set(context.head, { base: context.base, kept });
  return kept;
};

const hostsOf = (object: Resource, tree: ManifestSet, context: DetectorContext): string =>
  sortedSet(context.routeRules(object, tree).flatMap((rule) => (rule.host === "*" ? [] : [rule.host]))).join(", ") || "its hosts";

/**
 * An object a Gslb fronts, removed, renamed or relabelled out of its selector, or one relabelled
 * into it, while the Gslb stays: k8gb's global name now fronts another object (route.removed on the
 * one it leaves, route.added on the one it takes), or none — k8gb finds nothing to serve the global
 * name from, and its DNS records stop answering — or more than one, which k8gb refuses
 * (reference.broken). Run on the fronted kinds' changes (`detectsOn`).
 */
export const frontedResourceChanged: ResourceDetector = (change, context) => {
  const subject = (change.head ?? change.base) as Resource;
  const label = objectLabel(subject);
  const out = new DetectionList(change);
  for (const gslb of keptGslbs(context)) {
    const before = frontedIn(gslb.base, context.base);
    const after = frontedIn(gslb.head, context.head);
    const [was, now] = [before.includes(label), after.includes(label)];
    if (was === now) continue;
    const name = `Gslb ${gslb.head.id.namespace}/${gslb.head.id.name}`;
    const ref = describeRef(frontedRef(gslb.head) as FrontedRef);
    const others = after.filter((other) => other !== label);
    if (was && after.length === 0) {
      out.add({
        class: "reference.broken",
        summary: change.head
          ? `no longer selected by ${name} (resourceRef ${ref}), which now selects nothing: k8gb finds nothing to serve the global name from, and its DNS records stop answering`
          : `removed while ${name} still fronts it (resourceRef): k8gb finds nothing to serve the global name from, and its DNS records stop answering`,
        side: change.head ? "head" : "base",
        path: change.head ? ["metadata", "labels"] : ["metadata", "name"],
        before: [name],
      });
    } else if (now && after.length > 1) {
      out.add({
        class: "reference.broken",
        summary: `now also selected by ${name} (resourceRef ${ref}) besides ${others.join(", ")}: k8gb requires exactly one and stops reconciling the Gslb, so its DNS records no longer follow cluster health`,
        side: "head",
        path: ["metadata", "labels"],
        after,
      });
    } else if (was) {
      out.add({
        class: "route.removed",
        summary: `no longer fronted by ${name} (resourceRef ${ref} now resolves to ${others.join(", ")}): k8gb stops answering DNS for ${hostsOf(subject, context.base, context)} across clusters`,
        side: change.head ? "head" : "base",
        path: change.head ? ["metadata", "labels"] : ["metadata", "name"],
        before,
        after,
      });
    } else {
      out.add({
        class: "route.added",
        summary: `now fronted by ${name} (resourceRef ${ref}${before.length > 0 ? `, was ${before.join(", ")}` : ""}): k8gb answers DNS for ${hostsOf(subject, context.head, context)} across clusters`,
        side: "head",
        path: ["metadata", "labels"],
        before,
        after,
      });
    }
  }
  return out.detections;
};
