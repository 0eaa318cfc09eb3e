import { record, text, type JsonRecord } from "../../core/json-access.js";
import { displayName, type Resource } from "../../core/resource.js";
import type { DetectorContext } from "../../core/detector.js";
import type { Detection } from "../../core/finding.js";
import { FLUX_KUSTOMIZE } from "../../core/flux-groups.js";
import { sameValue } from "../../core/canonical-values.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { treeFolders } from "../../core/tree-folders.js";

/**
 * A Flux Kustomization's `spec.patches` entry aimed at the Flux Kustomizations it delivers (its
 * children) rewrites those objects, not traffic config: Flux applies each child as patched, so the
 * entry is judged as the same edit written on the child would be. eks-multi-cluster-gitops
 * 581eebfb39 patched `crossplane-aws-provider` with a nested patch of a crossplane ControllerConfig
 * and a `postBuild` ConfigMap, and read high as "rewriting traffic config": that child, as patched,
 * moves, renames or suspends nothing. Retargeting a child that builds a Deployment and a ClusterIP
 * Service (`targetNamespace: shop → shop-v2`, the Service an HTTPRoute sends to) read low, since
 * only what the tree reads as traffic config counted; written on the child it is high, and so it is
 * now. What a child's substitutions, labels, namespace and nested patches do to its files the review
 * already reads with the patches applied (render/flux-kustomizations.ts); its placement detectors
 * judge the rest here.
 */

/** Whether a kustomize target selects Flux Kustomizations (the group may be left out; no other kind of that name is applied). */
export const selectsFluxKustomizations = (target: Readonly<Record<string, unknown>>): boolean =>
  text(target.kind) === "Kustomization" && (text(target.group) ?? FLUX_KUSTOMIZE) === FLUX_KUSTOMIZE;

/** What a change of a Kustomization's `spec.patches` does to the Kustomizations it delivers. */
export interface ChildPatching {
  /** Each child as the patches before and after make it, judged as that edit written on it. */
  readonly detections: readonly Detection[];
  /** Why what it does to them cannot be told: a child or patch the review cannot read. */
  readonly unknown: readonly string[];
}

/**
 * The children of `patching` (its head version) that the changed entries aimed at Flux
 * Kustomizations may select, each patched by the entries `before` and by those `after`, and judged
 * by `judge` (the placement detector) as that change: the head's child both times, so an edit
 * the PR writes on the child itself is judged there, once.
 */
export function childPatching(
  patching: Resource,
  before: readonly unknown[],
  after: readonly unknown[],
  changed: readonly unknown[],
  context: DetectorContext,
  judge: (base: Resource, head: Resource) => readonly Detection[],
): ChildPatching {
  const delivery = context.deliveryOf(patching, context.head);
  const targets = changed.map((entry) => record(record(entry).target));
  const children = delivery
    ? resourcesOfKind(context.head, "Kustomization").filter(
        (child) =>
          child.id.group === FLUX_KUSTOMIZE &&
          child.key !== patching.key &&
          delivery.destinationOf(child.source.file) !== undefined &&
          targets.some((target) => selects(target, child)),
      )
    : [];
  if (children.length === 0)
    return { detections: [], unknown: ["they select no Kustomization it delivers in this tree, so what they rewrite is not read here"] };
  const detections: Detection[] = [];
  const unknown: string[] = [];
  for (const child of children) {
    const [was, now] = [patchedBy(child.body, before, context), patchedBy(child.body, after, context)];
    if (!was || !now) {
      unknown.push(
        `what they make of ${displayName(child.id)} cannot be told (a patch kustomize would refuse or this review cannot apply)`,
      );
      continue;
    }
    if (sameValue(was, now)) continue;
    const [base, head] = [
      { ...child, body: was },
      { ...child, body: now },
    ];
    if (!builtHere(base, context) || !builtHere(head, context)) {
      unknown.push(`${displayName(child.id)} builds from a folder this tree does not hold`);
      continue;
    }
    detections.push(...judge(base, head));
  }
  return { detections, unknown };
}

/** An object with every entry of a `patches` list applied in order; undefined where one cannot be. */
function patchedBy(object: JsonRecord, entries: readonly unknown[], context: DetectorContext): JsonRecord | undefined {
  let patched: JsonRecord | undefined = object;
  for (const entry of entries) patched = patched && context.patchedObject(patched, entry);
  return patched;
}

/** Whether a kustomize target's name and namespace (anchored regular expressions, as kustomize reads them) select this object. */
function selects(target: Readonly<Record<string, unknown>>, child: Resource): boolean {
  const matches = (pattern: string | undefined, value: string) => {
    if (pattern === undefined) return true;
    try {
      return new RegExp(`^(?:${pattern})$`).test(value);
    } catch {
      // kustomize refuses it; the review cannot tell what it meant to select.
      return true;
    }
  };
  return (
    selectsFluxKustomizations(target) && matches(text(target.name), child.id.name) && matches(text(target.namespace), child.id.namespace)
  );
}

/** Whether the tree holds what a Flux Kustomization builds: it delivers, and from folders of this tree. */
function builtHere(child: Resource, context: DetectorContext): boolean {
  const delivery = context.deliveryOf(child, context.head);
  const folders = treeFolders(context.head.files);
  return delivery !== undefined && delivery.paths.every((folder) => folder === "" || folders.has(folder));
}
