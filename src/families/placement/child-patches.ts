import { isRecord, record, text } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import type { DetectorContext } from "../../core/detector.js";
import type { Delivery } from "../../core/gitops-delivery.js";
import { FLUX_KUSTOMIZE } from "../../core/flux-groups.js";
import { readersOf } from "../../core/kustomize-inclusion.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { treeFolders } from "../../core/tree-folders.js";
import { KUSTOMIZE_GROUP, mentionsTraffic } from "./kustomize.js";

/**
 * A Flux Kustomization's `spec.patches` entry aimed at the Flux Kustomizations it delivers (its
 * children) rewrites those objects, not traffic config: what it changes lands in traffic config only
 * through what a child builds. eks-multi-cluster-gitops 581eebfb39 patched `crossplane-aws-provider`
 * with a nested patch of a crossplane ControllerConfig's IRSA annotation and a `postBuild`
 * ConfigMap, and read high as "rewriting traffic config": that child builds a crossplane Provider
 * and nothing else. Such an entry can reach traffic config when its patch names a traffic kind or
 * group itself (a nested patch of an HTTPRoute), when it sets what a child builds (`path`,
 * `sourceRef`, `components`: the folder it would build is another), or when a child it may select
 * builds traffic config or cannot be told (its folder outside the tree, no child found): then a
 * substitution, a target namespace or a nested patch of it rewrites that config.
 */

/** The `spec` fields that choose what a Flux Kustomization builds (`*`: the whole object or spec written). */
const BUILD_FIELDS = new Set(["path", "sourceRef", "components", "*"]);

/** Whether a kustomize target selects Flux Kustomizations (the group may be left out; no other kind of that name is applied). */
export const selectsFluxKustomizations = (target: Readonly<Record<string, unknown>>): boolean =>
  text(target.kind) === "Kustomization" && (text(target.group) ?? FLUX_KUSTOMIZE) === FLUX_KUSTOMIZE;

/**
 * Whether an entry (a `target` and an inline `patch`) aimed at Flux Kustomizations may rewrite
 * traffic config: on the tree `set`, whose `delivery` is the patching Kustomization's.
 */
export function childPatchReachesTraffic(
  entry: unknown,
  set: ManifestSet,
  delivery: Delivery | undefined,
  context: DetectorContext,
): boolean {
  const written = writtenFields(text(record(entry).patch), context.readYaml);
  if (!written || written.some(({ field, value }) => BUILD_FIELDS.has(field) || mentions(value, context.trafficKinds))) return true;
  const target = record(record(entry).target);
  const children = delivery
    ? resourcesOfKind(set, "Kustomization").filter(
        (child) => child.id.group === FLUX_KUSTOMIZE && delivery.destinationOf(child.source.file) !== undefined && selects(target, child),
      )
    : [];
  return children.length === 0 || children.some((child) => buildsTraffic(child, set, context));
}

/**
 * The top-level `spec` fields a patch writes, with what it writes there (`*` for the whole object or
 * spec; metadata as `metadata`): JSON 6902 operations by their paths (a `move` or `copy` by its source
 * too), a strategic merge by its `spec`. Undefined for a patch that does not read as either.
 */
function writtenFields(patch: string | undefined, readYaml: DetectorContext["readYaml"]): { field: string; value: unknown }[] | undefined {
  const value = patch === undefined ? undefined : readYaml(patch);
  if (Array.isArray(value))
    return value.flatMap((operation) =>
      [record(operation).path, record(operation).from].flatMap((pointer) => {
        if (pointer === undefined) return [];
        const [, top, field] = (text(pointer) ?? "").split("/");
        if (top === "metadata" || top === "status") return [{ field: top, value: record(operation).value }];
        return [{ field: top === "spec" && field !== undefined ? field : "*", value: record(operation).value }];
      }),
    );
  if (!isRecord(value)) return undefined;
  return Object.entries(record(value.spec)).map(([field, written]) => ({ field, value: written }));
}

/** Whether a written value names a traffic kind or group: in its structure, or in the text of a nested patch. */
const mentions = (value: unknown, kinds: DetectorContext["trafficKinds"]): boolean =>
  mentionsTraffic(JSON.stringify(value) ?? "", kinds) || stringsOf(value).some((written) => mentionsTraffic(written, kinds));

const stringsOf = (value: unknown): string[] =>
  typeof value === "string"
    ? [value]
    : Array.isArray(value)
      ? value.flatMap(stringsOf)
      : isRecord(value)
        ? Object.values(value).flatMap(stringsOf)
        : [];

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
  return matches(text(target.name), child.id.name) && matches(text(target.namespace), child.id.namespace);
}

const built = new WeakMap<Resource, boolean>();

/**
 * Whether a Flux Kustomization builds traffic config in this tree: any object read (not only for
 * context, not a kustomize build file) that its folder holds or its folder's kustomizations include,
 * GitOps objects among them (what they deliver moves with them), or a traffic file there that does
 * not read. One whose folder the tree does not hold may build anything.
 */
function buildsTraffic(child: Resource, set: ManifestSet, context: DetectorContext): boolean {
  let found = built.get(child);
  if (found !== undefined) return found;
  const delivery = context.deliveryOf(child, set);
  const folders = delivery?.paths ?? [];
  const builds = (file: string) => readersOf(file, set.includedBy).some((reader) => delivery?.destinationOf(reader) !== undefined);
  found =
    !delivery ||
    folders.some((folder) => folder !== "" && !treeFolders(set.files).has(folder)) ||
    [...set.resources.values()].some(
      (other) => other !== child && other.id.group !== KUSTOMIZE_GROUP && !context.readForContext(other) && builds(other.source.file),
    ) ||
    set.invalid.some(({ file }) => builds(file));
  built.set(child, found);
  return found;
}
