import { posix } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { namedKinds } from "../core/named-kinds.js";
import { isKustomizationFile } from "../core/kustomization-files.js";
import { list, record, text } from "../core/json-access.js";
import { TRUST_KINDS, TRUST_MARKS } from "../families/index.js";
import { folderOf, normalize, readKustomization } from "./kustomize-tree.js";
import type { TreeTexts } from "./render-plan.js";

/** The kustomization fields that rewrite only the resources their entries target. */
const TARGETED = new Set(["patches", "patchesJson6902", "patchesStrategicMerge"]);

/**
 * The trust kinds (Family.trustKinds) an unrendered root's change may rewrite, sorted; none when it
 * reaches none. What a change reaches: a kustomization whose only changed fields are patches, the
 * kinds those patch entries target or their patch files name; a patch file, the kinds it names or
 * the entries reading it target; a manifest, its own kinds. Any other changed input (a
 * replacement's source, a generator literal, commonAnnotations, a component added, a Flux
 * Kustomization's substitute or patches, a release's values) may reach whatever the root builds: every
 * kind its inputs name, at either side. So does a patch that names no kind. Changed lines carrying
 * a trust mark (Family.trustMarks: a cert-manager issuer annotation, by commonAnnotations on a
 * Gateway) reach trust too, named as written. Called for roots the PR changes only.
 */
export function unrenderedTrust(inputs: readonly string[], base: TreeTexts, head: TreeTexts): string[] {
  const changed = inputs.filter((input) => base.get(input) !== head.get(input));
  const reached = new Set<string>();
  // A root the PR changes while none of its files changed is built otherwise: its Flux Kustomization's substitute or patches, its delivery.
  let everything = changed.length === 0;
  for (const input of changed) {
    if (isKustomizationFile(input) && fetchesOnlyMoved(input, base, head)) continue;
    const kinds = isKustomizationFile(input)
      ? patchedKinds(input, base, head)
      : releases(input, base, head)
        ? undefined
        : orElse(kindsOf(input, base, head), () => targetsOfPatchFile(input, inputs, base, head));
    if (kinds === undefined || kinds.length === 0) everything = true;
    else for (const kind of kinds) reached.add(kind);
  }
  if (everything) for (const input of inputs) for (const kind of kindsOf(input, base, head)) reached.add(kind);
  const marked = changed.flatMap((input) => marksIn(changedLines(base.get(input), head.get(input))));
  return [...new Set([...[...reached].filter((kind) => TRUST_KINDS.has(kind)), ...marked])].sort();
}

/** The lines one side has and the other lacks. */
function changedLines(before = "", after = ""): string {
  const [was, is] = [new Set(before.split("\n")), new Set(after.split("\n"))];
  return [...[...was].filter((line) => !is.has(line)), ...[...is].filter((line) => !was.has(line))].join("\n");
}

/** The trust marks (cert-manager's issuer annotations) a text carries, as written. */
const GLOBAL_MARKS = TRUST_MARKS.map((mark) => new RegExp(mark.source, `${mark.flags.replace("g", "")}g`));
const marksIn = (text: string): string[] => GLOBAL_MARKS.flatMap((mark) => text.match(mark) ?? []);

/**
 * A release's file (a HelmRelease's or Application's values) changes whatever its chart renders. A
 * Flux Kustomization's file is read by its own kinds: what its postBuild or patches change is the
 * build it delivers, another root, changed with none of its own files (above).
 */
const RELEASE = /\bkind:\s*["']?(?:HelmRelease|Application)\b/;
const releases = (path: string, base: TreeTexts, head: TreeTexts): boolean =>
  RELEASE.test(base.get(path) ?? "") || RELEASE.test(head.get(path) ?? "");

const orElse = (kinds: string[], otherwise: () => string[]): string[] => (kinds.length > 0 ? kinds : otherwise());

/** The kinds the kustomization entries reading a patch file (a JSON 6902 one names none itself) target. */
function targetsOfPatchFile(file: string, inputs: readonly string[], base: TreeTexts, head: TreeTexts): string[] {
  return inputs
    .filter(isKustomizationFile)
    .flatMap((kustomization) =>
      [readKustomization(base.get(kustomization)), readKustomization(head.get(kustomization))].flatMap((fields) =>
        [...TARGETED].flatMap((field) =>
          list(record(fields)[field]).flatMap((entry) =>
            entryFile(kustomization, entry) === file ? namedKinds(JSON.stringify(record(entry).target ?? {})) : [],
          ),
        ),
      ),
    );
}

/** The patch file an entry reads, by repository path. */
const entryFile = (kustomization: string, entry: unknown): string | undefined => {
  const file = typeof entry === "string" && !entry.includes("\n") ? entry : text(record(entry).path);
  return file === undefined ? undefined : normalize(posix.join(folderOf(kustomization), file));
};

const kindsOf = (path: string, base: TreeTexts, head: TreeTexts): string[] => [
  ...namedKinds(base.get(path) ?? ""),
  ...namedKinds(head.get(path) ?? ""),
];

/**
 * Whether a kustomization changed only what it fetches from outside: a `helmCharts` entry's version
 * (the same chart, repository and values), or a remote resource (a URL) swapped for another. What
 * comes from there is unknown either way ("cannot be rendered offline" says so), and it rewrites
 * none of the root's own files: Renovate's chart bumps (vehagn/homelab's authelia and
 * cert-manager roots, theepicsaxguy/homelab's cilium and argocd) were floored critical only because
 * their roots hold a Certificate or an Issuer beside the chart. Values, a local resource or any other
 * field changed: reached as before.
 */
function fetchesOnlyMoved(path: string, base: TreeTexts, head: TreeTexts): boolean {
  const [before, after] = [record(readKustomization(base.get(path))), record(readKustomization(head.get(path)))];
  const differing = differingFields(before, after);
  if (differing.length === 0 || differing.some((field) => field !== "helmCharts" && field !== "resources")) return false;
  const unversioned = (entries: unknown) => list(entries).map((entry) => ({ ...record(entry), version: undefined }));
  const local = (entries: unknown) => list(entries).filter((entry) => typeof entry !== "string" || !entry.includes("://"));
  return (
    isDeepStrictEqual(unversioned(before.helmCharts), unversioned(after.helmCharts)) &&
    isDeepStrictEqual(local(before.resources), local(after.resources))
  );
}

/** The fields two readings of a kustomization set differently. */
function differingFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const fields = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...fields].filter((field) => !isDeepStrictEqual(before[field], after[field]));
}

/** The kinds a kustomization's changed patch entries reach; undefined when a field besides patches changed. */
function patchedKinds(path: string, base: TreeTexts, head: TreeTexts): string[] | undefined {
  const [before, after] = [readKustomization(base.get(path)), readKustomization(head.get(path))];
  if (before === undefined || after === undefined) return undefined;
  const differing = differingFields(record(before), record(after));
  if (differing.some((field) => !TARGETED.has(field))) return undefined;
  const kinds: string[] = [];
  for (const field of differing) {
    const [was, is] = [list(record(before)[field]), list(record(after)[field])];
    const entries = [
      ...was.filter((entry) => !is.some((other) => isDeepStrictEqual(other, entry))),
      ...is.filter((entry) => !was.some((other) => isDeepStrictEqual(other, entry))),
    ];
    for (const entry of entries) {
      const file = entryFile(path, entry);
      const named = [...namedKinds(JSON.stringify(entry)), ...(file === undefined ? [] : kindsOf(file, base, head))];
      if (named.length === 0) return undefined;
      kinds.push(...named);
    }
  }
  return kinds;
}
