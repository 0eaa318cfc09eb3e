import { isRecord, list, record, text, type JsonRecord } from "../core/json-access.js";
import { canonical } from "../core/canonical-values.js";
import { isManifestPath, type SourceFile } from "../manifests/load-manifests.js";
import { deliveryDepth, fluxKustomizations, someDeliveryFileSays, type FluxKustomization } from "./flux-kustomizations.js";
import { configData, readsAt, type ConfigData, type SitesOf } from "./release-values.js";
import { textsOf, treePlacement } from "./render-plan.js";
import type { RenderFailure } from "./render-result.js";
import { fileSites } from "../core/gitops-delivery.js";
import type { Topology } from "../policy/policy-schema.js";
import { isKustomizationFile } from "../core/kustomization-files.js";
import { kustomizationFileIn, kustomizeReading } from "./kustomize-tree.js";
import { deliveryAppliers, kustomizationsOf } from "../model/applied-files.js";
import { defaultYamlLimits, loadAllAsGoYaml, loadAsGoYaml } from "../manifests/yaml-documents.js";
import * as jsyaml from "js-yaml";
import { fluxBuildFolderName, fluxBuildText, type FluxKustomizationRef } from "../core/flux-build-output.js";
import { posix } from "node:path";
import { patchesReleaseOperationOnly } from "./release-operation.js";
import { namesTraffic } from "./traffic-names.js";
import { deliveredFile } from "./flux-target-namespace.js";
import { realPaths, type RepositoryLink } from "../core/repository-links.js";

/**
 * Flux's post-build variable substitution (kustomize-controller `spec.postBuild`): Flux replaces
 * `${var}` in what a Kustomization applies with its `substitute` values and the ConfigMaps and
 * Secrets `substituteFrom` names. A value changed there changes every document that uses it: an
 * Istio chart version bumped in a ConfigMap upgrades the mesh (stefanprodan/gitops-istio 5c2a3a13,
 * fe4d441e, e53470d0 passed as a ConfigMap edit), a backend name moves a route. So the review reads
 * delivered files as Flux applies them. Pure: the tree's texts in, the substituted texts out.
 */

// `$${var}` is Flux's escape for a literal `${var}`; `${var:=default}` and `${var:-default}` fall
// back when the variable is unset or empty, `${var=default}` and `${var-default}` when unset. A
// default is itself expanded (`${CLIENT_ID:-"${APP}"}`), as Flux's envsubst parses it.
const NAME = /[_a-zA-Z][_a-zA-Z0-9]*/y;
const OPERATOR = /:?[=-]/y;
const DISABLED = /kustomize\.toolkit\.fluxcd\.io\/substitute["']?\s*:\s*["']?disabled/;

/**
 * `text` with its variables replaced as Flux replaces them. Flux replaces an undefined variable
 * without a default by nothing; when a source of values is not in the repository (a Secret kept
 * in the cluster, an encrypted one), the variables it may hold are unknown and left as written.
 */
export function substituteVariables(text: string, variables: ReadonlyMap<string, string>, complete: boolean): string {
  // A large value used many times would multiply a file past any bound (and past what a string can
  // hold): the result stops growing at the loader's bound, which then refuses the file by name.
  let length = text.length;
  const bounded = (written: number, value: string) => {
    length += value.length - written;
    return length > defaultYamlLimits.maxFileBytes ? "" : value;
  };
  const substituted = expand(text, variables, complete, bounded);
  return substituted + (length > defaultYamlLimits.maxFileBytes ? "#".repeat(defaultYamlLimits.maxFileBytes + 1) : "");
}

function expand(
  text: string,
  variables: ReadonlyMap<string, string>,
  complete: boolean,
  emit: (written: number, value: string) => string = (_, value) => value,
): string {
  let out = "";
  let from = 0;
  for (let at = text.indexOf("$"); at !== -1;) {
    const found = expression(text, at, variables, complete);
    if (!found) {
      at = text.indexOf("$", at + 1);
      continue;
    }
    out += text.slice(from, at) + emit(found.end - at, found.value);
    from = found.end;
    at = text.indexOf("$", from);
  }
  return out + text.slice(from);
}

/** The variable expression at `start` (a `$`): where it ends and what it becomes; undefined when there is none. */
function expression(
  text: string,
  start: number,
  variables: ReadonlyMap<string, string>,
  complete: boolean,
): { readonly end: number; readonly value: string } | undefined {
  const escaped = text[start + 1] === "$";
  const open = start + (escaped ? 2 : 1);
  if (text[open] !== "{") return undefined;
  NAME.lastIndex = open + 1;
  const name = NAME.exec(text)?.[0];
  if (name === undefined) return undefined;
  let at = open + 1 + name.length;
  OPERATOR.lastIndex = at;
  const operator = OPERATOR.exec(text)?.[0];
  const fallbackAt = (at += operator?.length ?? 0);
  // The closing brace, past the expressions nested in a default.
  for (let depth = 0; at < text.length; at++) {
    if (text[at] === "}" && depth-- === 0) break;
    if (text[at] === "{" && text[at - 1] === "$") depth++;
    else if (text[at] !== "}" && operator === undefined) return undefined;
  }
  if (at >= text.length) return undefined;
  const end = at + 1;
  if (escaped) return { end, value: text.slice(start + 1, end) };
  const value = variables.get(name);
  if (value !== undefined && !(operator?.startsWith(":") && value === "")) return { end, value };
  if (operator !== undefined) return { end, value: expand(text.slice(fallbackAt, at), variables, complete) };
  return { end, value: complete ? "" : text.slice(start, end) };
}

/** What one Kustomization substitutes: its variables, and whether they are all known (see substituteVariables). */
export interface PostBuild {
  readonly variables: ReadonlyMap<string, string>;
  readonly complete: boolean;
  /** The files of the ConfigMaps and Secrets its variables come from: a finding on what it substitutes points at the one the PR changed. */
  readonly sources: readonly string[];
}

/**
 * A tree's ConfigMaps and Secrets and where it applies each file (a Kustomization reads the copy
 * applied on its own cluster: release-values.ts definitionsAt), read once a Kustomization substitutes.
 */
type Sources = () => { readonly index: ConfigData; readonly sitesOf: SitesOf };

const sourcesOf = (files: readonly SourceFile[], topology: Topology, links: readonly RepositoryLink[]): Sources => {
  let read: ReturnType<Sources> | undefined;
  return () => (read ??= { index: configData(files), sitesOf: fileSites(treePlacement(files, topology, links)) });
};

const NO_SOURCES: ReturnType<Sources> = { index: new Map(), sitesOf: () => [] };

/**
 * A `substituteFrom` source whose variables one Kustomization cannot know where it is applied: read
 * two ways there (SourceRead `apart`), or generated from what the review cannot read (`why`: an env
 * file kustomize refuses, a file the repository lacks). An encrypted one is the cluster's, left as written.
 */
export interface SourceConflict {
  readonly by: FluxKustomizationRef;
  /** `<kind> <name>`, as `substituteFrom` names it. */
  readonly source: string;
  /** The copies' files, or the generator's kustomization and sources. */
  readonly files: readonly string[];
  readonly why?: string;
  /**
   * Encrypted (SOPS), which Flux decrypts in the cluster: the variables it may hold that the traffic
   * files its Kustomization applies still hold once substituted (`${STABLE_WEIGHT}` in a route).
   */
  readonly sealed?: { readonly variables: readonly string[] };
}

/**
 * What one Kustomization substitutes at the sites it is applied at: one PostBuild where they read
 * its sources alike (`sites`, two or more, kept for the other side to split it where that one reads
 * them apart), else one for each site (`by.site`). One Kustomization in a base every cluster's
 * folder lists, each cluster with its own `cluster-vars`, substitutes each cluster's values there:
 * read as one, it left their variables as written, and b's `WEIGHT_V2` 10 → 100 passed.
 */
interface PostBuilds {
  readonly at: readonly { readonly by: FluxKustomizationRef; readonly postBuild: PostBuild; readonly sites?: readonly string[] }[];
  readonly conflicts: readonly SourceConflict[];
}

/**
 * The Kustomization's `postBuild`, read against the tree's ConfigMaps and Secrets; undefined when it
 * has none. Where a patch of the Kustomization delivering it could not be applied, it may name more
 * sources than it shows: its variables are not all known.
 */
function postBuildsOf(
  { resource, unknownPatches }: FluxKustomization,
  sources: Sources,
  postBuild: JsonRecord,
  /** Whether the Kustomization applying it substituted its `postBuild` with variables all known: else one left holding a `${VAR}` is unknown. */
  inheritedKnown: boolean,
): PostBuilds | undefined {
  if (Object.keys(postBuild).length === 0) return undefined;
  const by: FluxKustomizationRef = { file: resource.source.file, namespace: resource.id.namespace, name: resource.id.name };
  // Only sources differ by site: a Kustomization substituting none is read once, without the tree's placement.
  const from = list(postBuild.substituteFrom);
  const { index, sitesOf } = from.length > 0 ? sources() : NO_SOURCES;
  const placed = sitesOf(by.file);
  const sites = placed.length > 0 ? placed : [undefined];
  const reads = from.map((entry) => {
    const [kind, name] = [text(record(entry).kind) ?? "", text(record(entry).name) ?? ""];
    return { source: `${kind} ${name}`, bySite: readsAt(index, kind, name, by.namespace, { file: by.file, sitesOf }) };
  });
  const conflicts: SourceConflict[] = [];
  const at = sites.map((site, position) => {
    const there: FluxKustomizationRef = site === undefined ? by : { ...by, site };
    // Later sources override earlier ones, and `substitute` overrides them all.
    const variables = new Map<string, string>();
    const files: string[] = [];
    let complete = !unknownPatches && inheritedKnown;
    for (const { source, bySite } of reads) {
      const { read } = bySite[position]!;
      if ("data" in read) {
        for (const [variable, value] of read.data) variables.set(variable, value);
        files.push(...read.files);
        continue;
      }
      complete = false;
      if (read.unknown === "apart") conflicts.push({ by: there, source, files: read.files });
      else if (read.unknown === "unheld")
        conflicts.push({
          by: there,
          source,
          files: read.files,
          ...(read.why === undefined ? { sealed: { variables: [] } } : { why: read.why }),
        });
    }
    for (const [variable, value] of Object.entries(record(postBuild.substitute)))
      if (
        typeof value === "number" ||
        typeof value === "boolean" ||
        (typeof value === "string" && (inheritedKnown || !value.includes("${")))
      )
        variables.set(variable, String(value));
    return { by: there, postBuild: { variables, complete, sources: [...new Set(files)].sort() } };
  });
  const keys = new Set(at.map(({ postBuild }) => postBuildKey(postBuild)));
  if (keys.size > 1) return { at, conflicts };
  const one: PostBuild = { ...at[0]!.postBuild, sources: [...new Set(at.flatMap(({ postBuild }) => postBuild.sources))].sort() };
  return { at: [{ by, postBuild: one, ...(placed.length > 1 ? { sites: placed } : {}) }], conflicts };
}

/**
 * Each Kustomization's PostBuilds (postBuildsOf), its `postBuild` first substituted as Flux applies
 * its file: the Kustomization that delivers that file substitutes it like any other it applies, so a
 * cluster's `CLUSTER_CANARY` in its apps Kustomization's `postBuild.substitute` becomes each app's
 * `CANARY_WEIGHT` (read as written, the parent's value 10 → 90 moved no route: one low line). The
 * deepest Kustomization reading the file applies it (patchedByParents); several of them substituting
 * it differently, or variables they cannot know, leave the ones it names unknown.
 */
function postBuildReader(
  kustomizations: readonly FluxKustomization[],
  sources: Sources,
): (kustomization: FluxKustomization) => PostBuilds | undefined {
  const done = new Map<FluxKustomization, PostBuilds | undefined>();
  const visiting = new Set<FluxKustomization>();
  const read = (kustomization: FluxKustomization): PostBuilds | undefined => {
    if (done.has(kustomization)) return done.get(kustomization);
    const written = record(record(kustomization.resource.body.spec).postBuild);
    let postBuild = written;
    let known = true;
    if (!visiting.has(kustomization) && JSON.stringify(written).includes("${")) {
      visiting.add(kustomization);
      const file = kustomization.resource.source.file;
      const readers = kustomizations.filter((other) => other !== kustomization && other.delivery.destinationOf(file));
      const deepest = Math.max(...readers.map(({ delivery }) => deliveryDepth(delivery)));
      const parents = readers.filter(({ delivery }) => deliveryDepth(delivery) === deepest).flatMap((parent) => read(parent)?.at ?? []);
      const ways = new Set(parents.map(({ postBuild: parent }) => postBuildKey(parent)));
      if (ways.size > 1) known = false;
      else if (parents.length > 0) {
        const { variables, complete } = parents[0]!.postBuild;
        postBuild = substitutedStrings(written, (value) => substituteVariables(value, variables, complete)) as JsonRecord;
        known = complete;
      }
      visiting.delete(kustomization);
    }
    const postBuilds = postBuildsOf(kustomization, sources, postBuild, known);
    done.set(kustomization, postBuilds);
    return postBuilds;
  };
  return read;
}

/** A JSON value with each string in it replaced as `replace` says. */
const substitutedStrings = (value: unknown, replace: (text: string) => string): unknown =>
  typeof value === "string"
    ? replace(value)
    : Array.isArray(value)
      ? value.map((item) => substitutedStrings(item, replace))
      : isRecord(value)
        ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitutedStrings(item, replace)]))
        : value;

/** What a PostBuild substitutes by: its variables by name and whether they are all known. */
const postBuildKey = (postBuild: PostBuild): string => canonical({ variables: sortedVariables(postBuild), complete: postBuild.complete });

const refKey = ({ file, namespace, name }: FluxKustomizationRef): string => `${namespace}/${name} in ${file}`;

/** The Kustomizations a side substitutes apart per site. */
const splitIn = (entries: Iterable<{ readonly by?: FluxKustomizationRef }>): Set<string> =>
  new Set([...entries].flatMap(({ by }) => (by?.site === undefined ? [] : [refKey(by)])));

/**
 * Entries of a Kustomization its sites read alike, one for each site where the other side reads
 * them apart (`split`): each site's copy is then one file at base and head (b's values made to
 * differ from a's compare b's copy with b's, not with the one both read before).
 */
function perSite<T extends { readonly by?: FluxKustomizationRef; readonly sites?: readonly string[] }>(
  entries: readonly T[],
  split: ReadonlySet<string>,
): T[] {
  return entries.flatMap((entry) => {
    const { by, sites } = entry;
    return by && by.site === undefined && sites && split.has(refKey(by))
      ? sites.map((site) => ({ ...entry, by: { ...by, site } }))
      : [entry];
  });
}

/** A file as one Kustomization applying it substitutes it. */
export interface SubstitutedBy {
  readonly by: FluxKustomizationRef;
  readonly text: string;
  /** The files its variables come from (PostBuild.sources). */
  readonly sources: readonly string[];
  /** Its Kustomization's sites, where they substitute alike (PostBuilds). */
  readonly sites?: readonly string[];
}

/**
 * What Flux's substitution makes of a tree's files. `texts`: the files it changes, by path, where
 * every Kustomization applying them substitutes them alike. `apart`: the files Kustomizations
 * substitute differently, as each does — each cluster's own variables over one folder without a
 * kustomization (Flux generates one for each Kustomization): read with the first Kustomization's,
 * sgp's `MTLS_MODE: PERMISSIVE` passed as jkt's STRICT and jkt's was said of both clusters. `each`:
 * any file as each Kustomization applying it substitutes it, for the other side of a change to keep
 * apart what this one does (settledSubstitutions).
 */
export interface FluxSubstitutions {
  readonly texts: ReadonlyMap<string, string>;
  readonly apart: ReadonlyMap<string, readonly SubstitutedBy[]>;
  readonly each: (path: string) => readonly SubstitutedBy[];
  /** The sources a Kustomization reads two ways where it is applied: its variables there are unknown (conflictFailures). */
  readonly conflicts: readonly SourceConflict[];
}

const NO_SUBSTITUTIONS: FluxSubstitutions = { texts: new Map(), apart: new Map(), each: () => [], conflicts: [] };

/**
 * The files Flux's substitution changes: those a substituting Kustomization's build reads. A file
 * its path holds beside a kustomization that neither lists it nor reads it otherwise (a patch, a
 * generator's input) is in no build, and is read as written: samip5/k8s-cluster 71b69b843c dropped
 * the Kustomization delivering overlays/media, whose github/ingress.yaml no kustomization lists, and
 * the file read substituted at base and raw at head was a critical certificate change. A kustomize
 * input (a patch, a generator's file) is one text whichever build reads it: each build's own output
 * is substituted after it runs.
 */
export function fluxSubstitutions(
  files: readonly SourceFile[],
  topology: Topology,
  links: readonly RepositoryLink[] = [],
): FluxSubstitutions {
  if (!someDeliveryFileSays(files, "postBuild")) return NO_SUBSTITUTIONS;
  const sources = sourcesOf(files, topology, links);
  const conflicts: SourceConflict[] = [];
  const kustomizations = fluxKustomizations(files, topology, links);
  const postBuildsOf = postBuildReader(kustomizations, sources);
  const substituting = kustomizations.flatMap((kustomization) => {
    const postBuilds = postBuildsOf(kustomization);
    conflicts.push(...(postBuilds?.conflicts ?? []));
    return (postBuilds?.at ?? []).map((at) => ({ ...at, delivery: kustomization.delivery }));
  });
  if (substituting.length === 0) return NO_SUBSTITUTIONS;
  const { includedBy, inputs } = kustomizeReading(files, links);
  const appliers = deliveryAppliers(kustomizationsOf(files.map((file) => file.path)), includedBy);
  const applying = (path: string) => {
    const applies = inputs.has(path) ? () => true : appliers(path);
    return substituting.filter(({ delivery }) => delivery.destinationOf(path) && applies(delivery));
  };
  const texts = new Map<string, string>();
  const apart = new Map<string, readonly SubstitutedBy[]>();
  // The variables each Kustomization leaves in the traffic files it applies, its path's or those its
  // build accumulates from elsewhere (`../base`): what an encrypted source may set there.
  const left = new Map<string, Set<string>>();
  const leaves = (file: SourceFile) => {
    if (!namesTraffic(file.text)) return;
    const applies = appliers(file.path);
    for (const { by, postBuild, delivery } of substituting) {
      if (!applies(delivery)) continue;
      const names = left.get(canonical(by)) ?? left.set(canonical(by), new Set()).get(canonical(by))!;
      for (const [, name] of substituteVariables(file.text, postBuild.variables, postBuild.complete).matchAll(VARIABLE)) names.add(name!);
    }
  };
  // A file that opts out is applied as written by each: kept apart on the other side, it is here too.
  const eachOf = (file: SourceFile): readonly SubstitutedBy[] => {
    const disabled = DISABLED.test(file.text);
    return applying(file.path).map(({ by, postBuild, sites }) => ({
      by,
      text: disabled ? file.text : substituteVariables(file.text, postBuild.variables, postBuild.complete),
      sources: postBuild.sources,
      ...(sites ? { sites } : {}),
    }));
  };
  for (const file of files) {
    // Flux substitutes the build's output, so a kustomization file itself is not substituted.
    if (!isManifestPath(file.path) || !file.text.includes("${") || isKustomizationFile(file.path)) continue;
    leaves(file);
    const each = eachOf(file);
    if (each.length === 0) continue;
    if (!inputs.has(file.path) && each.some(({ text }) => text !== each[0]!.text)) {
      apart.set(file.path, each);
      continue;
    }
    // A kustomize input is one text: where a source is unknown to the first, a later Kustomization may know it.
    let text = each[0]!.text;
    if (each.length > 1 && inputs.has(file.path)) {
      text = file.text;
      for (const { postBuild } of applying(file.path))
        if (text.includes("${")) text = substituteVariables(text, postBuild.variables, postBuild.complete);
    }
    if (text !== file.text) texts.set(file.path, text);
  }
  const byPath = new Map(files.map((file) => [file.path, file]));
  const each = (path: string) => {
    const file = byPath.get(path);
    return file === undefined || inputs.has(path) || isKustomizationFile(path) || !isManifestPath(path) ? [] : eachOf(file);
  };
  const judged = conflicts.map((conflict) =>
    conflict.sealed ? { ...conflict, sealed: { variables: [...(left.get(canonical(conflict.by)) ?? [])].sort() } } : conflict,
  );
  return { texts, apart, each, conflicts: judged };
}

/** A variable Flux substitutes, not escaped (`$${VAR}` is written as `${VAR}`). */
const VARIABLE = /(?<!\$)\$\{([_a-zA-Z][_a-zA-Z0-9]*)/g;

/**
 * Each side's substitutions as the review reads them: a file either side's Kustomizations substitute
 * differently is kept apart on both (one copy for each Kustomization applying it there), so that each
 * copy is the same file at base and head — a cluster's Kustomization added for the folder adds its
 * copy beside the others', as a Flux build of its own does (settledBuilds).
 */
export function settledSubstitutions(base: FluxSubstitutions, head: FluxSubstitutions): [FluxSubstitutions, FluxSubstitutions] {
  const paths = new Set([...base.apart.keys(), ...head.apart.keys()]);
  if (paths.size === 0) return [base, head];
  const split = splitIn([...base.apart.values(), ...head.apart.values()].flat());
  const settled = (side: FluxSubstitutions): FluxSubstitutions => ({
    texts: new Map([...side.texts].filter(([path]) => !paths.has(path))),
    apart: new Map(
      [...paths].flatMap((path) => {
        const each = perSite(side.apart.get(path) ?? side.each(path), split);
        return each.length > 0 ? [[path, each] as const] : [];
      }),
    ),
    each: side.each,
    conflicts: side.conflicts,
  });
  return [settled(base), settled(head)];
}

/**
 * The sources whose variables a Kustomization cannot know (FluxSubstitutions.conflicts) whose files
 * the PR changes, as renders that cannot be done: high, never silent. Two copies read two ways apply
 * one object on that cluster and fight over it (a `common` Kustomization delivering
 * common/cluster-vars.yaml to every cluster, b's own clusters/b/cluster-vars.yaml beside it): the
 * variables stay as written on both sides, and b's `WEIGHT_V1: 100 → 0` passed as no change. So did
 * an input of a generated source the review cannot read.
 */
export function conflictFailures(
  base: readonly SourceFile[],
  head: readonly SourceFile[],
  sides: readonly [FluxSubstitutions, FluxSubstitutions],
): RenderFailure[] {
  const [was, is] = [textsOf(base), textsOf(head)];
  // Every app's Kustomization on that cluster reads the one source: one finding for them all.
  const groups = new Map<string, { readonly conflict: SourceConflict; readonly changed: readonly string[]; readonly by: Set<string> }>();
  for (const conflict of sides.flatMap((side) => side.conflicts)) {
    const changed = conflict.files.filter(
      (file) => was.get(file) !== is.get(file) && (conflict.why !== undefined || !sameSourceData(conflict.source, file, was, is)),
    );
    if (changed.length === 0) continue;
    if (conflict.sealed && !changed.some((file) => sealedChangeReaches(was.get(file), is.get(file), conflict.sealed!.variables))) continue;
    const key = canonical([conflict.source, conflict.files, conflict.by.site]);
    const group = groups.get(key) ?? { conflict, changed, by: new Set<string>() };
    groups.set(key, group);
    group.by.add(refKey(conflict.by));
  }
  return [...groups.values()].map(({ conflict: { by, source, files, why, sealed }, changed, by: readers }) => ({
    id: `flux substitution for ${fluxBuildText(by)}`,
    origin: by.file,
    inputs: [...changed, by.file],
    reason: `Flux Kustomization ${fluxBuildText(by)}${readers.size > 1 ? ` (and ${readers.size - 1} more there)` : ""} reads ${source} ${
      sealed
        ? `encrypted, which the traffic config it applies reads through ${sealed.variables.map((name) => `\${${name}}`).join(", ")}: the value is not readable offline, so what the change of ${changed.join(" and ")} does to that traffic config is not reviewed here`
        : `${why === undefined ? `differently: ${files.join(" and ")} both apply it there with different data` : `from a kustomize generator whose data the review cannot read (${why})`}, so its variables there are unknown, and so is what the change of ${changed.join(" and ")} makes of them`
    }`,
    gates: true,
  }));
}

/**
 * Whether a file's documents of a `substituteFrom` source (`<kind> <name>`) say the same at base and
 * head: their namespace and data (`data`, `stringData`, `binaryData`, and whether SOPS seals them),
 * which are all Flux reads of them. A label or annotation edited beside them (d2-fleet 69ea71fc03:
 * `reconcile.fluxcd.io/watch` added to every cluster's flux-runtime-info) substitutes what it did.
 * A kustomization or a generator's input is read as text: what it generates is another matter.
 */
function sameSourceData(source: string, file: string, was: ReadonlyMap<string, string>, is: ReadonlyMap<string, string>): boolean {
  const [before, after] = [was.get(file), is.get(file)];
  if (before === undefined || after === undefined || !isManifestPath(file) || isKustomizationFile(file)) return false;
  const [kind, name] = source.split(" ");
  const read = (text: string): string | undefined => {
    try {
      return canonical(
        loadAllAsGoYaml(text)
          .filter(isRecord)
          .filter((document) => document.kind === kind && record(document.metadata).name === name)
          .map(({ metadata, data, stringData, binaryData, sops }) => ({
            namespace: record(metadata).namespace,
            data,
            stringData,
            binaryData,
            sealed: sops !== undefined,
          })),
      );
    } catch {
      return undefined;
    }
  };
  const known = read(before);
  return known !== undefined && known === read(after);
}

/** An encrypted value as SOPS writes it, by its key (a YAML `data`/`stringData` entry, an env file's line). */
const SEALED_ENTRY = /^[ \t]*([-._a-zA-Z0-9]+)[ \t]*[:=][ \t]*["']?(ENC\[[^\]]*\])/gm;

/**
 * Whether an encrypted source's edit may change a variable the traffic config reads: a key among
 * them whose ciphertext changed, was added or removed. SOPS keeps an unchanged value's ciphertext
 * on edit, so a rotated password beside the domain changes only its own line (and the file's mac).
 * A text whose keys cannot be read (encrypted whole) may change any of them.
 */
function sealedChangeReaches(before: string | undefined, after: string | undefined, variables: readonly string[]): boolean {
  if (variables.length === 0) return false;
  const entries = (text: string | undefined) => new Map([...(text ?? "").matchAll(SEALED_ENTRY)].map(([, key, value]) => [key!, value!]));
  const [was, is] = [entries(before), entries(after)];
  if (was.size === 0 && is.size === 0) return true;
  return variables.some((name) => was.get(name) !== is.get(name));
}

/** Where a file kept apart is read as one Kustomization substitutes it: beside it, in that Kustomization's own build folder. */
export const substitutedCopy = (path: string, by: FluxKustomizationRef): string =>
  posix.join(posix.dirname(path), fluxBuildFolderName(by), posix.basename(path));

/**
 * Why a `${VAR}` a file still holds once substituted may stand for a value the tree does not show:
 * `unheld-source`, a Flux Kustomization applying it substitutes from a ConfigMap or Secret the tree
 * does not hold (gavinmcfall/home-ops's SOPS-encrypted cluster-secrets), or may through a patch its
 * parent gives it that could not be applied; `undelivered`, no Flux Kustomization of the tree applies
 * it (an app repository, whose fleet repository's Kustomization substitutes it, or none does).
 * Undefined where each Kustomization applying it substitutes nothing (Flux applies the `${VAR}` as
 * written: no `postBuild`) or only what the tree holds (then the `${VAR}` left is an escaped `$${VAR}`).
 */
export type UnknownValues = "unheld-source" | "undelivered";

export function unknownValuesOf(
  files: readonly SourceFile[],
  topology: Topology,
  includedBy: ReadonlyMap<string, readonly string[]>,
  links: readonly RepositoryLink[] = [],
): (path: string) => UnknownValues | undefined {
  const sources = sourcesOf(files, topology, links);
  const all = fluxKustomizations(files, topology, links);
  const postBuildsOf = postBuildReader(all, sources);
  const kustomizations = all.map((kustomization) => ({
    delivery: kustomization.delivery,
    unheld: kustomization.unknownPatches === true || !!postBuildsOf(kustomization)?.at.some(({ postBuild }) => !postBuild.complete),
  }));
  const appliers = deliveryAppliers(kustomizationsOf(files.map((file) => file.path)), includedBy);
  return (path) => {
    const applies = appliers(deliveredFile(path));
    const applying = kustomizations.filter(({ delivery }) => applies(delivery));
    if (applying.length === 0) return "undelivered";
    return applying.some(({ unheld }) => unheld) ? "unheld-source" : undefined;
  };
}

/**
 * How Flux builds a Kustomization whose path holds a kustomization: it adds `spec.components` to
 * that kustomization's own, runs kustomize, and substitutes the output. Patches there match the
 * documents as written, `${APP}-postgres` in a shared component as in the patch; substituting
 * the files first named them apart and the build failed (mirceanton/home-ops: a cnpg component
 * patched by each app). The render applies these to the root of that kustomization.
 */
export interface FluxBuild {
  readonly components: readonly string[];
  /** `spec.patches` (inline patch and target), which Flux appends to the kustomization's own. */
  readonly patches: readonly unknown[];
  /** `spec.targetNamespace`, which Flux sets as the kustomization's `namespace`. */
  readonly namespace?: string;
  readonly postBuild?: PostBuild;
  /**
   * The Kustomization this build is, where Kustomizations build the path differently (each
   * cluster's own variables over one shared overlay): it is rendered once for each, and lands on
   * that one's clusters only (core/flux-build-output.ts). Absent where every one builds it alike.
   */
  readonly by?: FluxKustomizationRef;
  /** Its Kustomization's sites, where they substitute alike (PostBuilds). */
  readonly sites?: readonly string[];
}

/**
 * The Flux builds of a tree, by the path of the kustomization each builds: one for each
 * Kustomization naming the path, which it is (FluxBuild.by); settledBuilds makes them one where
 * they are alike. Patches are per cluster more often than anything else (the staging Kustomization
 * patches what production applies as written, fluxcd/flux2-kustomize-helm-example): they are
 * applied only where every Kustomization building the path applies the same, else the path is read
 * unpatched and the placement detector judges a patch change on its own.
 */
export function fluxBuilds(
  files: readonly SourceFile[],
  topology: Topology,
  links: readonly RepositoryLink[] = [],
): ReadonlyMap<string, readonly FluxBuild[]> {
  const builds = new Map<string, FluxBuild[]>();
  if (!someDeliveryFileSays(files, "postBuild", "components:", "targetNamespace", "patches:")) return builds;
  const paths = new Set(files.map((file) => file.path));
  const real = realPaths(links);
  const kustomizations = fluxKustomizations(files, topology, links);
  const postBuildsOf = postBuildReader(kustomizations, sourcesOf(files, topology, links));
  const building = kustomizations.flatMap((flux) => {
    const spec = record(flux.resource.body.spec);
    if ((text(record(spec.sourceRef).kind) ?? "GitRepository") !== "GitRepository") return [];
    // Flux builds the folder its path leads to through the tree's links.
    const kustomization = kustomizationFileIn(real(flux.delivery.paths[0] ?? ""), paths);
    // A patch of how Flux installs HelmReleases renders nothing else: no build of it is another.
    const patches = list(spec.patches).filter((patch) => isRecord(patch) && !patchesReleaseOperationOnly(patch));
    return kustomization === undefined ? [] : [{ flux, spec, kustomization, patches }];
  });
  const patchings = new Map<string, Set<string>>();
  for (const { kustomization, patches } of building) {
    const seen = patchings.get(kustomization) ?? new Set<string>();
    patchings.set(kustomization, seen.add(canonical(patches)));
  }
  for (const { flux, spec, kustomization, patches: own } of building) {
    const { resource } = flux;
    const components = list(spec.components).flatMap((entry) => (typeof entry === "string" ? [entry] : []));
    const patches = patchings.get(kustomization)!.size === 1 ? own : [];
    const namespace = text(spec.targetNamespace);
    const common = { components, patches, ...(namespace !== undefined ? { namespace } : {}) };
    const by: FluxKustomizationRef = { file: resource.source.file, namespace: resource.id.namespace, name: resource.id.name };
    const postBuilds = postBuildsOf(flux)?.at ?? [{ by }];
    const made: FluxBuild[] = postBuilds.map((at) => ({ ...common, ...at }));
    builds.set(kustomization, [...(builds.get(kustomization) ?? []), ...made]);
  }
  return builds;
}

/**
 * Each side's builds of a path as the render renders them: one, as every Kustomization builds it,
 * where they build it alike on both sides (none where that adds nothing), else one for each
 * Kustomization on both sides (each cluster's own variables over one shared overlay: the first
 * Kustomization deciding read prod-ap's variables into prod-us's routes), so that a build is the
 * same root at base and head (a second cluster's Kustomization added for an overlay leaves the
 * first's build where it was, and adds its own).
 */
export function settledBuilds(
  base: ReadonlyMap<string, readonly FluxBuild[]>,
  head: ReadonlyMap<string, readonly FluxBuild[]>,
): [ReadonlyMap<string, readonly FluxBuild[]>, ReadonlyMap<string, readonly FluxBuild[]>] {
  const split = splitIn([...base.values(), ...head.values()].flat());
  const bySite = (side: ReadonlyMap<string, readonly FluxBuild[]>) =>
    split.size === 0 ? side : new Map([...side].map(([kustomization, all]) => [kustomization, perSite(all, split)]));
  const [sitedBase, sitedHead] = [bySite(base), bySite(head)];
  const differ = (builds: readonly FluxBuild[] | undefined) => new Set((builds ?? []).map(buildKey)).size > 1;
  const settled = (side: ReadonlyMap<string, readonly FluxBuild[]>, other: ReadonlyMap<string, readonly FluxBuild[]>) =>
    new Map(
      [...side].flatMap(([kustomization, all]): [string, readonly FluxBuild[]][] => {
        if (differ(all) || differ(other.get(kustomization))) return [[kustomization, all]];
        const { by: _one, sites: _sites, ...one } = all[0]!;
        return isEmptyBuild(one) ? [] : [[kustomization, [one]]];
      }),
    );
  return [settled(sitedBase, sitedHead), settled(sitedHead, sitedBase)];
}

/** What a build renders by: all but the Kustomization it is. */
const buildKey = ({ components, patches, namespace, postBuild }: FluxBuild): string =>
  canonical({ components, patches, namespace, postBuild: postBuild && postBuildKey(postBuild) });

/** A build's variables by name: one run, one render key, whatever order the sources gave them in. */
export const sortedVariables = (postBuild: PostBuild): (readonly [string, string])[] =>
  [...postBuild.variables].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

const isEmptyBuild = (build: FluxBuild): boolean =>
  build.components.length === 0 && build.patches.length === 0 && build.namespace === undefined && !build.postBuild;

/** A rendered build substituted as Flux substitutes it: each document, unless it opts out. */
export const substituteBuild = (output: string, { variables, complete }: Pick<PostBuild, "variables" | "complete">): string =>
  output
    .split(/^---$/m)
    .map((document) => (DISABLED.test(document) ? document : substituteVariables(document, variables, complete)))
    .join("---");

/**
 * A kustomization as Flux writes it before building: the build's components and patches after its
 * own (a weight patched in the Flux Kustomization moves traffic as one patched in the folder does),
 * and its target namespace in place of the kustomization's (so a HelmRelease in the output installs
 * there, and a document naming another namespace is moved, as Flux moves it).
 */
export function builtKustomization(kustomization: string, build: FluxBuild): string {
  if (build.components.length === 0 && build.patches.length === 0 && build.namespace === undefined) return kustomization;
  let fields: unknown;
  try {
    // Flux reads an empty file as a kustomization of no fields (carpenike/k8s-gitops: pinchflat's).
    fields = kustomization.replace(/^\s*#.*$/gm, "").trim() === "" ? {} : loadAsGoYaml(kustomization);
  } catch {
    // Unreadable, it is kustomize's to refuse, as written.
    return kustomization;
  }
  if (!isRecord(fields)) return kustomization;
  return jsyaml.dump({
    ...fields,
    ...(build.components.length > 0 ? { components: [...list(fields.components), ...build.components] } : {}),
    ...(build.patches.length > 0 ? { patches: [...list(fields.patches), ...build.patches] } : {}),
    ...(build.namespace !== undefined ? { namespace: build.namespace } : {}),
  });
}
