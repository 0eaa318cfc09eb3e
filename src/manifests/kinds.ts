import type * as z from "zod";
import { groupOf } from "../core/api-group.js";
import type { KubeObject } from "../core/kube-object.js";
import type { Family, Resource } from "../core/resource.js";
import { FAMILIES, type FieldPattern, type KindTrait } from "../families/index.js";

/**
 * The traffic kinds (DESIGN §4): (group, kind) → family, scope and schema, read off the table of
 * families (src/families/index.ts). A kind not in it is not traffic config and is ignored.
 */

export interface KindSpec {
  /**
   * The group and kind as the table spells them: every resource of the kind holds these two strings
   * rather than copies of what its document says (equal by lookup), 80,000 resources a tree in a large fleet.
   */
  readonly group: string;
  readonly kind: string;
  readonly family: Family;
  /** False for cluster-scoped kinds, whose namespace is "" whatever the document says. */
  readonly namespaced: boolean;
  readonly schema: z.ZodType<KubeObject>;
  /** The kind's own fields hold `{{ }}` placeholders (ApplicationSet templates): not an unrendered chart. */
  readonly ownTemplates: boolean;
  /**
   * A document may leave out its name: `istioctl install -f` reads an IstioOperator without
   * metadata (Istio's multicluster guides write them so). Such a document is named by its file.
   */
  readonly fileNamed: boolean;
  /** Read only for what other kinds need (a Namespace's labels): an unreadable one is not read, and never gates. */
  readonly context: boolean;
  /** A tool's own file, never sent to the API server (kustomize's): its name is no Kubernetes name. */
  readonly toolFile: boolean;
  /** Its fields that hold another tool's data (Family.dataFields): a `{{ }}` there is no unrendered template. */
  readonly dataFields: readonly FieldPattern[];
}

const table = FAMILIES.flatMap(({ name, kinds, dataFields = {} }) =>
  kinds.map(([groups, rows]) => [name, groups, rows, dataFields] as const),
);

const registry = new Map<string, KindSpec>(
  table.flatMap(([family, groups, kinds, dataFields]) =>
    groups.flatMap((group) =>
      kinds.map(([kind, schema, trait]) => {
        const traits: readonly KindTrait[] = trait === undefined ? [] : typeof trait === "string" ? [trait] : trait;
        return [
          `${group}/${kind}`,
          {
            group,
            kind,
            family,
            namespaced: !traits.includes("cluster-scoped"),
            schema,
            ownTemplates: traits.includes("own-templates"),
            fileNamed: traits.includes("file-named"),
            toolFile: traits.includes("tool-file"),
            context: traits.includes("context"),
            dataFields: dataFields[kind] ?? [],
          },
        ] as const;
      }),
    ),
  ),
);

export const trafficGroups: ReadonlySet<string> = new Set(table.flatMap(([, groups]) => groups));

/** Kind names of any traffic group: enough to recognise a template whose apiVersion is templated. */
export const trafficKindNames: ReadonlySet<string> = new Set(table.flatMap(([, , kinds]) => kinds.map(([kind]) => kind)));

export const kindSpec = (group: string, kind: string): KindSpec | undefined => registry.get(`${group}/${kind}`);

/** A kind as a near miss reads it: its case, surrounding spaces and a plural ending left out (`HTTPRoutes`, `virtualservice`, `"HTTPRoute "`). */
const kindStem = (kind: string): string =>
  kind
    .trim()
    .toLowerCase()
    .replace(/ies$/, "y")
    .replace(/(?:ss|x|ch|sh)es$|([^s])s$/, (ending, last?: string) => last ?? ending.slice(0, -2));

/** Each traffic group's kinds by stem: what a kind the group does not define was likely meant as. */
const kindsByStem = new Map<string, string>(
  table.flatMap(([, groups, kinds]) => groups.flatMap((group) => kinds.map(([kind]) => [`${group}/${kindStem(kind)}`, kind] as const))),
);

/**
 * The traffic kind of `group` that `kind`, which the group does not define, misspells (another case,
 * a plural, spaces): kubectl and Flux refuse such a document, so the object it means is neither
 * removed nor replaced. A kind of the group the review does not model (Istio's Sidecar) is none.
 */
export const nearKind = (group: string, kind: string): string | undefined =>
  kindSpec(group, kind) ? undefined : kindsByStem.get(`${group}/${kindStem(kind)}`);

/** Kinds that are traffic config only when their text says so (a labelled Namespace, an ExternalName Service, an Istio chart's HelmRelease). */
const textKinds = FAMILIES.flatMap(({ name, textKinds = [] }) =>
  textKinds.map(({ group = "", kind, when, schema, namespaced, context = false }) => ({
    group,
    kind,
    when,
    spec: {
      group,
      kind,
      family: name,
      namespaced,
      schema,
      ownTemplates: false,
      fileNamed: false,
      toolFile: false,
      context,
      dataFields: [],
    } satisfies KindSpec,
  })),
);

/**
 * The kinds of every group the families read that an API server serves, by group, text kinds too
 * (a core Service, a Flux HelmRelease); not kustomize's own files, which are never sent to one.
 */
export const servedKinds: ReadonlyMap<string, readonly string[]> = (() => {
  const served = new Map<string, Set<string>>();
  for (const { group, kind, toolFile } of [...registry.values(), ...textKinds.map(({ spec }) => spec)])
    if (!toolFile) served.set(group, (served.get(group) ?? new Set()).add(kind));
  return new Map([...served].map(([group, kinds]) => [group, [...kinds].sort()]));
})();

/** Whether a document's text shows what makes some text kind traffic config (the loader's triage asks before parsing). */
export const mayBeTextKind = (text: string): boolean => textKinds.some((candidate) => candidate.when.test(text));

/**
 * The kind of one document, judged by its text as well: a Namespace is traffic config only when it
 * carries Istio ambient or topology labels, a Service only when it is `type: ExternalName` (its
 * traffic leaves the cluster), and a Flux HelmRelease only when it installs an Istio chart, so
 * every other Namespace, Service and release stays ignored. `text` is the document's text, or,
 * once parsed, its label keys, `type:` and `chart:` lines (load-manifests.ts).
 */
export const kindSpecFor = (group: string, kind: string, text: string): KindSpec | undefined => {
  const spec = kindSpec(group, kind);
  if (spec) return spec;
  return textKinds.find((candidate) => candidate.group === group && candidate.kind === kind && candidate.when.test(text))?.spec;
};

/** The text kind of `group/kind` a family reads: that of a document its tree gave a family (a HelmRelease of a chartRef). */
export const textKindOf = (group: string, kind: string, family: string): KindSpec | undefined =>
  textKinds.find((candidate) => candidate.group === group && candidate.kind === kind && candidate.spec.family === family)?.spec;

/** Whether a resource is read only for what other kinds need (a Namespace's labels), not as traffic config of its own. */
export const readForContext = (resource: Resource): boolean =>
  kindSpecFor(resource.id.group, resource.id.kind, resource.source.text)?.context === true;

/**
 * One string for each apiVersion, for every document that spells it. Bounded, and built from the
 * table's group and a short version, never kept from a document: a string sliced from a file's
 * text would hold the whole text for the life of the process.
 */
const apiVersions = new Map<string, string>();
const MOST_API_VERSIONS = 256;
const VERSION = /^v\d+(?:(?:alpha|beta)\d+)?$/;

export function canonicalApiVersion(spec: KindSpec, apiVersion: string): string {
  const known = apiVersions.get(apiVersion);
  if (known !== undefined) return known;
  const version = spec.group ? apiVersion.slice(spec.group.length + 1) : apiVersion;
  if (apiVersions.size >= MOST_API_VERSIONS || groupOf(apiVersion) !== spec.group || !VERSION.test(version)) return apiVersion;
  const canonical = spec.group ? `${spec.group}/${version}` : version;
  apiVersions.set(canonical, canonical);
  return canonical;
}

/** Istio Helm values files are read as one pseudo-resource per file (DESIGN §4, mesh level). */
export { istioValuesKind } from "../families/index.js";
