import { posix } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { kindsIn, namedKinds } from "../core/named-kinds.js";
import { inlinePatch, isKustomizationFile } from "../core/kustomization-files.js";
import { isRecord, list, record, text } from "../core/json-access.js";
import type { FieldPath } from "../core/finding.js";
import {
  ANY_SEGMENT,
  below,
  chartTrust,
  differingPaths,
  leafPaths,
  operationsPaths,
  trustFieldsReached,
  type ChartChange,
} from "../core/trust-reach.js";
import { TRUST, TRUST_MARKS } from "../families/index.js";
import { loadAllAsGoYaml, loadAsGoYaml, readingDuplicates } from "../manifests/yaml-documents.js";
import {
  folderOf,
  insideFolder,
  kustomizationOf,
  kustomizeClosure,
  normalize,
  readKustomization,
  REMOTE,
  treeOf,
  valuesFilesOfChart,
  type Tree,
} from "./kustomize-tree.js";
import { replacementsOf } from "./kustomize-replacements.js";
import type { TreeTexts } from "./render-plan.js";
import { definesIn, inTemplates, linesWhere, readsValues, templateWrites, usedDefines, type TemplateWrite } from "./template-reach.js";

/** The kustomization fields that rewrite only the resources their entries target. */
const TARGETED = new Set(["patches", "patchesJson6902", "patchesStrategicMerge"]);

/**
 * What an unrendered root's change may rewrite of trust, sorted; none when it reaches none: the
 * trust kinds (Family.trustKinds) it reaches, the trust fields it writes (`Gateway
 * spec.listeners.*.tls`, Family.trustFields), what of a chart's values it changes that a family
 * names (`chart cert-manager`, `values ingress.tls`), and the trust marks its changed lines carry.
 * What a change reaches: a kustomization, field by field (kustomizationReach): its patches, the
 * kinds they target and the fields they write there (a Flux Kustomization's patches are written
 * into the kustomization it builds); its charts (helmCharts), what those charts render, unknown:
 * their values' trust keys, or all of a trust controller's; the entries its lists gain or lose,
 * what they list; changed otherwise (a generator literal, commonAnnotations), whatever it builds
 * itself, its own subtree, not the objects its root holds beside it. A chart's values file or a
 * release (HelmRelease, Application), its own kinds and what its chart renders, as above, plus the
 * kinds of the local charts among the inputs; a patch file or manifest, the kinds it names or the
 * entries reading it target, and the fields that differ, and what the values it changes are
 * carried into (carriedReach: a replacement's or var's targets, a Flux variable's users). Any other
 * changed input (a generator's env file) may reach whatever the root builds: every kind its inputs
 * name, at either side; so does a root changed with none of its files (a Flux Kustomization's
 * substitute, or its patches where several build the root), and a patch that names no kind. Called
 * for roots the PR changes only.
 */
export function unrenderedTrust(inputs: readonly string[], base: TreeTexts, head: TreeTexts): string[] {
  const changed = inputs.filter((input) => base.get(input) !== head.get(input));
  const sides: Sides = { inputs, base, head };
  const reached = new Set<string>();
  const trust = new Set<string>();
  // A root the PR changes while none of its files changed is built otherwise: its Flux Kustomization's substitute or patches, its delivery.
  let everything = changed.length === 0;
  for (const input of changed) {
    const reach = reachOf(input, sides);
    if (reach === undefined) everything = true;
    else {
      for (const kind of reach.kinds) reached.add(kind);
      for (const label of reach.trust) trust.add(label);
    }
  }
  if (everything) for (const input of inputs) for (const kind of kindsOf(input, base, head)) reached.add(kind);
  const marked = changed.flatMap((input) => marksIn(changedLines(base.get(input), head.get(input))));
  return [...new Set([...[...reached].filter((kind) => TRUST.kinds.has(kind)), ...trust, ...marked])].sort();
}

interface Sides {
  readonly inputs: readonly string[];
  readonly base: TreeTexts;
  readonly head: TreeTexts;
}

/** What one changed input reaches: kinds, and trust already named; undefined for whatever the root builds. */
interface Reach {
  readonly kinds: readonly string[];
  readonly trust: readonly string[];
}

function reachOf(input: string, sides: Sides): Reach | undefined {
  const { inputs, base, head } = sides;
  if (isKustomizationFile(input)) return kustomizationReach(input, sides) ?? builtBy(input, sides);
  const chart = chartOf(input, inputs);
  if (chart !== undefined && renderedFrom(chart, input)) return chartFileReach(chart, input, sides);
  const charts = chartsReading(input, sides);
  if (charts.length > 0)
    return installReach(valuesChange(charts, parsed(base.get(input)), parsed(head.get(input))), () => kindsOf(input, base, head), sides);
  const carried = () => carriedReach(fileWrites(base.get(input), head.get(input)), sides);
  if (releases(input, base, head)) return joined([releaseReach(input, sides), carried()]);
  const kinds = orElse(kindsOf(input, base, head), () => targetsOfPatchFile(input, inputs, base, head));
  if (kinds.length === 0) return undefined;
  return joined([{ kinds, trust: trustFieldsWritten(base.get(input), head.get(input), kinds) }, carried()]);
}

const NOTHING: Reach = { kinds: [], trust: [] };

const merged = (reaches: readonly Reach[]): Reach => ({
  kinds: reaches.flatMap((reach) => reach.kinds),
  trust: reaches.flatMap((reach) => reach.trust),
});

/** Reaches together; undefined where one may reach whatever the root builds. */
function joined(reaches: readonly (Reach | undefined)[]): Reach | undefined {
  const known = reaches.filter((reach): reach is Reach => reach !== undefined);
  return known.length < reaches.length ? undefined : merged(known);
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
 * A release's file (a HelmRelease's or Application's values) changes what its chart renders. A
 * Flux Kustomization's file is read by its own kinds: what its postBuild or patches change is the
 * build it delivers, another root, changed with none of its own files (above).
 */
const RELEASE = /\bkind:\s*["']?(?:HelmRelease|Application)\b/;
const RELEASE_KINDS = new Set(["HelmRelease", "Application"]);
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
            entryFile(kustomization, entry) === file ? (targetKinds(record(entry).target) ?? []) : [],
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

/** The fields two readings of a kustomization set differently. */
function differingFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const fields = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...fields].filter((field) => !isDeepStrictEqual(before[field], after[field]));
}

/**
 * A kustomization changed field by field: what each changed field reaches (its patches, its charts,
 * the entries it lists), together; undefined where one may reach whatever it builds (builtBy).
 */
function kustomizationReach(path: string, sides: Sides): Reach | undefined {
  const [read, wrote] = [readKustomization(sides.base.get(path)), readKustomization(sides.head.get(path))];
  if (read === undefined || wrote === undefined) return undefined;
  const [before, after] = [record(read), record(wrote)];
  return joined(
    differingFields(before, after).map((field) => {
      const change: FieldChange = { path, was: list(before[field]), is: list(after[field]) };
      return TARGETED.has(field)
        ? patchesReach(change, sides)
        : field === "helmCharts"
          ? chartsReach(change, sides)
          : LISTING.has(field)
            ? listedReach(change, field === "components", sides)
            : undefined;
    }),
  );
}

/** One list field of a kustomization, base → head. */
interface FieldChange {
  readonly path: string;
  readonly was: readonly unknown[];
  readonly is: readonly unknown[];
}

/** The entries one side of a list field has and the other lacks, with the side that has them. */
const entriesChanged = ({ was, is }: FieldChange): [unknown, "base" | "head"][] => [
  ...was.filter((entry) => !is.some((other) => isDeepStrictEqual(other, entry))).map((entry): [unknown, "base"] => [entry, "base"]),
  ...is.filter((entry) => !was.some((other) => isDeepStrictEqual(other, entry))).map((entry): [unknown, "head"] => [entry, "head"]),
];

/**
 * A kustomization's charts (`helmCharts`) changed: what those charts render. A version or
 * repository bumped fetches another chart, unknown either way ("cannot be rendered offline" says
 * so), and rewrites none of the root's own files (Renovate's bumps in vehagn/homelab's authelia and
 * cert-manager roots, which hold a Certificate or an Issuer beside the chart); values reach what
 * the chart renders (chartTrust), not those files either.
 */
function chartsReach({ path, was, is }: FieldChange, sides: Sides): Reach {
  const folder = folderOf(path);
  const key = (entry: unknown) => `${text(record(entry).name)}\0${text(record(entry).releaseName)}`;
  const keys = [...new Set([...was, ...is].map(key))];
  const reaches = keys.flatMap((name) => {
    const [from, to] = [was.find((entry) => key(entry) === name), is.find((entry) => key(entry) === name)];
    if (isDeepStrictEqual(from, to)) return [];
    const files = (entry: unknown, side: TreeTexts) =>
      valuesFilesOfChart(entry).map((file) => parsed(side.get(normalize(posix.join(folder, file)))));
    const [valuesBefore, valuesAfter] = [files(from, sides.base), files(to, sides.head)];
    const change = chartChange([from, to].flatMap(chartNames), from, to, HELM_CHARTS);
    const unread = [...valuesBefore, ...valuesAfter].includes(UNREAD);
    // Its values files, in order, as one more layer of values: what differs in any of them.
    const layered = differingPaths(valuesBefore, valuesAfter).map((path) => path.slice(1));
    return [
      installReach(
        { ...change, values: [...change.values, ...layered], rest: change.rest || unread },
        () => [...kindsAlong(from, to, differingPaths(from, to)), ...kindsAlong(valuesBefore, valuesAfter, layered)],
        sides,
      ),
    ];
  });
  return merged(reaches);
}

/** Where a chart's install writes its values, and what of it only says where the chart is fetched from. */
interface InstallLayout {
  readonly values: readonly FieldPath[];
  readonly fetched: readonly FieldPath[];
}

const HELM_CHARTS: InstallLayout = {
  values: [["valuesInline"]],
  fetched: [["version"], ["repo"], ["valuesFile"], ["additionalValuesFiles"]],
};

/** A HelmRelease's or an Argo CD Application's (its `helm.values` string read as the document it is). */
const RELEASE_LAYOUT: InstallLayout = {
  values: [
    ["spec", "values"],
    ["spec", "source", "helm", "valuesObject"],
    ["spec", "source", "helm", "values"],
    ["spec", "sources", ANY_SEGMENT, "helm", "valuesObject"],
    ["spec", "sources", ANY_SEGMENT, "helm", "values"],
  ],
  // Not the release's namespace (a trust controller installed elsewhere), nor `chartRef`, whose
  // name picks another OCIRepository and so maybe another chart.
  fetched: [
    ["metadata", "labels"],
    ["metadata", "annotations"],
    ["spec", "chart", "spec", "version"],
    ["spec", "chart", "spec", "sourceRef"],
    ["spec", "source", "targetRevision"],
    ["spec", "source", "repoURL"],
    ["spec", "sources", ANY_SEGMENT, "targetRevision"],
    ["spec", "sources", ANY_SEGMENT, "repoURL"],
  ],
};

/** What changed of one install, base → head, by its layout. */
function chartChange(charts: readonly string[], before: unknown, after: unknown, layout: InstallLayout): ChartChange {
  const values: FieldPath[] = [];
  let rest = false;
  for (const path of differingPaths(before, after)) {
    const value = layout.values.map((root) => below(path, root)).find((inside) => inside !== undefined);
    if (value !== undefined) values.push(value);
    else if (!layout.fetched.some((root) => below(path, root) !== undefined)) rest = true;
  }
  return { charts: [...new Set(charts)], values, rest };
}

/** The names a chart may go by: its own, and its release's (a HelmRelease named cert-manager whose chartRef names an OCIRepository). */
const chartNames = (entry: unknown): string[] => {
  const fields = record(entry);
  const spec = record(fields.spec);
  return [
    text(fields.name),
    text(fields.releaseName),
    text(record(fields.metadata).name),
    text(spec.releaseName),
    text(record(record(spec.chart).spec).chart)
      ?.split("/")
      .pop(),
    text(record(spec.chartRef).name),
    text(record(spec.source).chart),
    ...list(spec.sources).map((source) => text(record(source).chart)),
  ].filter((name): name is string => name !== undefined && name !== "");
};

/** The charts (by name) whose `helmCharts` entry, in a kustomization of the root, reads `file` as its values at either side. */
function chartsReading(file: string, { inputs, base, head }: Sides): string[] {
  return inputs.filter(isKustomizationFile).flatMap((kustomization) =>
    [base, head].flatMap((side) =>
      list(readKustomization(side.get(kustomization))?.helmCharts)
        .filter((entry) => valuesFilesOfChart(entry).some((values) => normalize(posix.join(folderOf(kustomization), values)) === file))
        .flatMap(chartNames),
    ),
  );
}

/** What changed of a chart's values file: its values, all of it where a side cannot be read. */
function valuesChange(charts: readonly string[], before: unknown, after: unknown): ChartChange {
  const unread = before === UNREAD || after === UNREAD;
  return { charts, values: unread ? [] : differingPaths(before, after), rest: unread };
}

/**
 * What an install's change reaches: nothing where only where its chart is fetched from changed (a
 * version bumped); else what its chart renders: its trust (chartTrust), the kinds its values spell
 * out, and the kinds of the local charts among the root's inputs.
 */
function installReach(change: ChartChange, spelled: () => string[], sides: Sides): Reach {
  if (change.values.length === 0 && !change.rest) return NOTHING;
  return merged([{ kinds: spelled(), trust: chartTrust(TRUST, change) }, localChartReach(change, sides)]);
}

/**
 * A release's file: each install (HelmRelease, Application) that changed reaches what its chart
 * renders (installReach); another document beside it, its own kinds and the trust fields it
 * writes. Undefined where a side cannot be read.
 */
function releaseReach(file: string, sides: Sides): Reach | undefined {
  const pairs = pairedDocuments(sides.base.get(file), sides.head.get(file));
  if (pairs === undefined) return undefined;
  const reaches = pairs.map(([before, after]): Reach => {
    const kind = text(record(before ?? after).kind) ?? "";
    if (!RELEASE_KINDS.has(kind)) {
      const paths = differingPaths(before, after);
      return {
        kinds: paths.length > 0 ? kindsIn([before, after]) : [],
        trust: trustFieldsReached(TRUST, [kind], paths),
      };
    }
    const [was, is] = [valuesRead(before), valuesRead(after)];
    const change = chartChange([before, after].flatMap(chartNames), was, is, RELEASE_LAYOUT);
    return installReach(change, () => kindsAlong(was, is, differingPaths(was, is)), sides);
  });
  return merged(reaches);
}

/** An Application's `helm.values` strings read as the documents they are, so that what differs in them is a values path. */
function valuesRead(document: unknown): unknown {
  const spec = record(record(document).spec);
  if (spec.source === undefined && spec.sources === undefined) return document;
  const read = (source: unknown) => {
    const helm = record(record(source).helm);
    return typeof helm.values === "string" ? { ...record(source), helm: { ...helm, values: parsed(helm.values) } } : source;
  };
  return {
    ...record(document),
    spec: { ...spec, source: read(spec.source), ...(spec.sources === undefined ? {} : { sources: list(spec.sources).map(read) }) },
  };
}

/** The folders of the charts among a root's inputs (a folder holding a Chart.yaml), deepest first. */
const chartFolders = (inputs: readonly string[]): string[] =>
  inputs
    .filter((input) => posix.basename(input) === "Chart.yaml")
    .map(folderOf)
    .sort((a, b) => b.length - a.length);

/** The chart a file of the root belongs to: the deepest chart folder holding it. */
const chartOf = (input: string, inputs: readonly string[]): string | undefined =>
  chartFolders(inputs).find((chart) => insideFolder(chart)(input));

/**
 * What a release's values reach of the local charts among the root's inputs (a HelmRelease or an
 * undeployed chart's own values.yaml): in each outermost chart, the templates reading what changed
 * (chartReading); all of them where the values cannot be read.
 */
function localChartReach(change: ChartChange, sides: Sides): Reach {
  const charts = chartFolders(sides.inputs);
  const outermost = charts.filter((chart) => !charts.some((other) => other !== chart && insideFolder(other)(chart)));
  return merged(outermost.map((chart) => chartReading(chart, change.rest ? undefined : change.values, sides)));
}

/** The files of a chart among the root's inputs, its nested charts' included. */
const chartFiles = (chart: string, { inputs }: Sides): string[] => inputs.filter(insideFolder(chart));

/** Its templates and helpers, not its nested charts'. */
const templatesOf = (chart: string, sides: Sides): string[] =>
  chartFiles(chart, sides).filter((file) => inTemplates(chart, file) && chartOf(file, sides.inputs) === chart);

/** Whether helm renders manifests from a template (not a `_` helper, nor the notes). */
const emits = (file: string): boolean => !posix.basename(file).startsWith("_") && posix.basename(file) !== "NOTES.txt";

/** What writes lines where they are reach: their kinds, and the trust fields of those kinds on their way. */
const writesReach = (writes: readonly TemplateWrite[]): Reach => ({
  kinds: writes.flatMap((write) => write.kinds),
  trust: writes.flatMap((write) => trustFieldsReached(TRUST, write.kinds, [write.path])),
});

/**
 * What changed values of a chart reach: the lines of its templates that read them (readsValues) or
 * render a values string (`tpl`), or use a named template doing so, at either side, where they write; its nested charts, whatever
 * they render, since their values come from under their name, an alias or `global`. Every kind its
 * templates name where what changed is unknown.
 */
function chartReading(chart: string, paths: readonly FieldPath[] | undefined, sides: Sides): Reach {
  const nested = chartFiles(chart, sides).filter((file) => chartOf(file, sides.inputs) !== chart);
  const nestedKinds = nested.flatMap((file) => kindsOf(file, sides.base, sides.head));
  const templates = templatesOf(chart, sides);
  if (paths === undefined)
    return { kinds: [...nestedKinds, ...templates.flatMap((file) => kindsOf(file, sides.base, sides.head))], trust: [] };
  // `tpl` renders a values string that may read any other value.
  const reading = (text: string) => readsValues(text, paths) || /\btpl\b/.test(text);
  const defines = definesReached(templates, sides, (_, body) => reading(body));
  const writes = templates
    .filter(emits)
    .flatMap((file) =>
      [sides.base.get(file), sides.head.get(file)].flatMap((text) =>
        text === undefined ? [] : linesWhere(text, (line) => reading(line) || usedDefines(line).some((name) => defines.has(name))),
      ),
    );
  return merged([{ kinds: nestedKinds, trust: [] }, writesReach(writes)]);
}

/**
 * The named templates of a chart's templates and helpers that `changed` picks at either side, and
 * those using one of them, transitively: what a line including any of them may write.
 */
function definesReached(templates: readonly string[], sides: Sides, changed: (name: string, body: string) => boolean): Set<string> {
  const bodies = [sides.base, sides.head].flatMap((side) =>
    templates.flatMap((file) => [...definesIn(side.get(file) ?? "")].map(([name, body]) => ({ name, body }))),
  );
  const reached = new Set(bodies.filter(({ name, body }) => changed(name, body)).map(({ name }) => name));
  for (let grown = true; grown;) {
    grown = false;
    for (const { name, body } of bodies)
      if (!reached.has(name) && usedDefines(body).some((used) => reached.has(used))) {
        reached.add(name);
        grown = true;
      }
  }
  return reached;
}

/**
 * Whether a chart's file is one helm renders from as a chart's: its templates and helpers, its
 * values files, and what a template may read through `.Files`; not its Chart.yaml nor its `crds/`
 * (manifests as written), read as any other file.
 */
const renderedFrom = (chart: string, file: string): boolean => {
  const own = file.slice(chart === "" ? 0 : chart.length + 1);
  return own !== "Chart.yaml" && !own.startsWith("crds/");
};

/**
 * What a chart's own file reaches of what it renders: a template's changed lines where they write
 * (templateWrites), and the lines using a named template it changes; a values file, what its
 * changed keys reach (installReach, as a release's values do); any other file (a README, a
 * values schema), nothing, unless a template reads files (`.Files`): then whatever the chart builds.
 */
function chartFileReach(chart: string, file: string, sides: Sides): Reach | undefined {
  const [before, after] = [sides.base.get(file), sides.head.get(file)];
  const templates = templatesOf(chart, sides);
  if (inTemplates(chart, file)) {
    const own = (side: TreeTexts) => definesIn(side.get(file) ?? "");
    const [was, is] = [own(sides.base), own(sides.head)];
    const changed = definesReached(templates, sides, (name) => (was.has(name) || is.has(name)) && was.get(name) !== is.get(name));
    const users = templates
      .filter(emits)
      .flatMap((template) =>
        [sides.base.get(template), sides.head.get(template)].flatMap((text) =>
          text === undefined ? [] : linesWhere(text, (line) => usedDefines(line).some((name) => changed.has(name))),
        ),
      );
    return writesReach([...(emits(file) ? templateWrites(before, after) : []), ...users]);
  }
  if (/^values[^/]*\.ya?ml$/.test(posix.basename(file)) && folderOf(file) === chart) {
    const [was, is] = [parsed(before), parsed(after)];
    const change = valuesChange(chartNamesOf(chart, sides), was, is);
    return installReach(change, () => (change.rest ? kindsOf(file, sides.base, sides.head) : kindsAlong(was, is, change.values)), sides);
  }
  const readsFiles = templates.some((template) => [sides.base, sides.head].some((side) => /\.Files\b/.test(side.get(template) ?? "")));
  return readsFiles ? undefined : NOTHING;
}

/** A chart's names: its folder's, and the `name` its Chart.yaml gives at either side. */
const chartNamesOf = (chart: string, sides: Sides): string[] => {
  const file = posix.join(chart, "Chart.yaml");
  return [posix.basename(chart), ...[sides.base, sides.head].flatMap((side) => chartNames(parsed(side.get(file))))].filter(
    (name) => name !== "",
  );
};

/**
 * The kinds a value spells along the paths that differ: the `kind` of each object on a path's way
 * (an issuerRef's `kind: ClusterIssuer` beside the `name` changed), and those below where it ends
 * (an object added to `extraObjects`), at either side; not those of values the change leaves alone.
 */
function kindsAlong(before: unknown, after: unknown, paths: readonly FieldPath[]): string[] {
  return paths.flatMap((path) =>
    [before, after].flatMap((side) => {
      const kinds: string[] = [];
      let node = side;
      for (const segment of path) {
        if (isRecord(node) && typeof node.kind === "string") kinds.push(...namedKinds(`kind: ${node.kind}`));
        node = isRecord(node) ? node[segment] : Array.isArray(node) ? node[Number(segment)] : undefined;
      }
      return [...kinds, ...kindsIn(node)];
    }),
  );
}

/**
 * A kustomization's patch entries changed: the kinds each entry added or removed reaches, the trust
 * fields it writes, and what the values it writes are carried into (a patch of a replacement's
 * source); undefined where one may reach any kind.
 */
function patchesReach(change: FieldChange, sides: Sides): Reach | undefined {
  const { base, head } = sides;
  return joined(
    entriesChanged(change).map(([entry, side]) => {
      const file = entryFile(change.path, entry);
      const named = patchedKinds(entry, file, base, head);
      if (named === undefined || named.length === 0) return undefined;
      const patch = file === undefined ? inlinePatch(entry) : (side === "base" ? base : head).get(file);
      const own: Reach = { kinds: named, trust: trustFieldsWritten(undefined, patch, named) };
      return joined([own, carriedReach(patchWrites(patch, record(entry).target), sides)]);
    }),
  );
}

/**
 * The kinds a patch entry rewrites: its target's kind (kustomize applies the patch to what the
 * target selects, whatever kind the patch itself says); with no target, the kinds its patch names,
 * inline or in its file (a strategic-merge patch names its own target). Undefined where its target
 * selects by other fields or by a pattern: any kind.
 */
function patchedKinds(entry: unknown, file: string | undefined, base: TreeTexts, head: TreeTexts): string[] | undefined {
  const target = record(entry).target;
  if (target !== undefined) return targetKinds(target);
  const inline = inlinePatch(entry);
  return inline !== undefined ? namedKinds(inline) : file !== undefined ? kindsOf(file, base, head) : undefined;
}

/** A patch target's kind, where it names one (kustomize reads a target's kind as a regular expression). */
const targetKinds = (target: unknown): string[] | undefined => {
  const kind = text(record(target).kind);
  return kind !== undefined && /^[A-Za-z]+$/.test(kind) ? [kind] : undefined;
};

/** The kustomization fields that list what it builds: resources (files, folders, remote bases) and components. */
const LISTING = new Set(["resources", "bases", "components"]);

/**
 * Entries added to or removed from a kustomization's lists: what they list, as if added or removed
 * (a file's change, a folder's own kinds), not what the root holds beside them (a Gatekeeper
 * Constraint and its `resources:` line added to a root whose remote component keeps it offline,
 * beside a STRICT PeerAuthentication: GoogleCloudPlatform/anthos-config-management-samples
 * ae665b59b5). A remote resource added, removed or swapped fetches what is unknown either way and
 * rewrites none of the root's own files. Undefined, for whatever the kustomization builds, where
 * entries may act on other objects: a component remote, or a local one doing more than adding
 * resources (a Component's patches act on all that includes it); and a local entry in a root where
 * a kustomization carries values between objects (replacements, vars, transformers), which may
 * read from what it lists. A remote component's replacement or var the review cannot see reads
 * exactly one source object, so an object added cannot become one without failing the build, nor
 * one removed stop being one without failing it.
 */
function listedReach(change: FieldChange, components: boolean, sides: Sides): Reach | undefined {
  // Read as strings: the kustomization's schema lists them so.
  const entries = entriesChanged(change).map(([entry, side]) => [String(entry), side] as const);
  const local = entries.filter(([entry]) => !REMOTE.test(entry));
  if (components && local.length < entries.length) return undefined;
  if (local.length > 0 && sides.inputs.some(carrying(sides))) return undefined;
  return joined(local.map(([entry, side]) => entryReach(normalize(posix.join(folderOf(change.path), entry)), side, components, sides)));
}

/**
 * What one entry listed at one side only (base: removed; head: added) lists: a file, its change as
 * if added or removed there; a folder, the kinds of what it builds (builtBy's reading), unless it
 * is a Component doing more than adding resources. Undefined for one naming nothing the root reads.
 */
function entryReach(target: string, side: "base" | "head", component: boolean, sides: Sides): Reach | undefined {
  const texts = sides[side];
  if (texts.has(target)) return listedFileReach(target, side, sides);
  const tree = sideTree(sides.inputs, texts);
  const kustomization = tree.kustomizationIn(target);
  if (kustomization === undefined) return undefined;
  if (component && Object.keys(kustomizationOf(tree, kustomization)).some((field) => !COMPONENT_ADDING.has(field))) return undefined;
  return { kinds: ownFiles(tree, target).flatMap((file) => namedKinds(texts.get(file) ?? "")), trust: [] };
}

/** The fields of a Component that only adds resources to what includes it. */
const COMPONENT_ADDING = new Set(["apiVersion", "kind", "metadata", "resources"]);

/**
 * A file listed at one side only: its change as if it were added (or removed) there, whatever it
 * held at the other side, with the trust marks it carries.
 */
function listedFileReach(file: string, side: "base" | "head", sides: Sides): Reach | undefined {
  // A kustomization listed as a resource file is read by nothing here (and read as added, it would list itself again).
  if (isKustomizationFile(file)) return undefined;
  const absent = new Map(sides[side === "base" ? "head" : "base"]);
  absent.delete(file);
  const reach = reachOf(file, side === "base" ? { ...sides, head: absent } : { ...sides, base: absent });
  return reach && { kinds: reach.kinds, trust: [...reach.trust, ...marksIn(sides[side].get(file) ?? "")] };
}

/**
 * What a kustomization changed otherwise builds: the kinds of its own subtree (its closure), at
 * either side, not the objects its root holds beside it (theepicsaxguy/homelab fc8b48e181: a network
 * policy added to a namespace's kustomization, in a root holding the gateway's Certificate). A
 * Component acts on what includes it, and another kustomization of the root that carries values
 * between objects (replacements, vars, plugins) may carry its into any: undefined for those.
 */
function builtBy(path: string, sides: Sides): Reach | undefined {
  const kinds: string[] = [];
  for (const side of [sides.base, sides.head]) {
    const tree = sideTree(sides.inputs, side);
    if (kustomizationOf(tree, path).kind === "Component") return undefined;
    const own = new Set(ownFiles(tree, folderOf(path)));
    if (sides.inputs.some((input) => !own.has(input) && carrying(sides)(input))) return undefined;
    for (const file of own) kinds.push(...namedKinds(side.get(file) ?? ""));
  }
  return { kinds, trust: [] };
}

/** One side of a root's inputs as a tree. */
const sideTree = (inputs: readonly string[], side: TreeTexts) =>
  treeOf(inputs.flatMap((input) => (side.has(input) ? [{ path: input, text: side.get(input)! }] : [])));

/** The files a kustomization's folder builds from: its closure's folders and the files it names. */
function ownFiles(tree: Tree, folder: string): string[] {
  const closure = kustomizeClosure(tree, folder);
  return [...new Set([...closure.folders.flatMap(tree.filesUnder), ...closure.files])];
}

/** Whether an input is a kustomization carrying values between objects, at either side. */
const carrying =
  ({ base, head }: Sides) =>
  (input: string): boolean =>
    isKustomizationFile(input) &&
    [base, head].some((side) => CARRYING.some((field) => field in record(readKustomization(side.get(input)))));

/** The kustomization fields that copy what one object says into others. */
const CARRYING = ["replacements", "vars", "transformers"];

/** A side that cannot be read: its whole content may have changed. */
const UNREAD = Symbol("unread");

/**
 * The value of a key a mapping writes twice (go-yaml refuses the text): unknown, and unlike any
 * other, its own included, so that the key reads as written at both sides and nothing else of the
 * text does (readingDuplicates).
 */
const duplicated = (): unknown => Symbol("written twice");

/** A document's text parsed: undefined where absent, UNREAD where unreadable. */
function parsed(source: string | undefined): unknown {
  if (source === undefined) return undefined;
  try {
    return readingDuplicates(source, loadAsGoYaml, duplicated);
  } catch {
    return UNREAD;
  }
}

/**
 * A text's documents, parsed (none where absent); undefined where unreadable, and where a document
 * writes its kind, apiVersion, metadata or name twice: what it is, and what it patches, is unknown.
 */
function documents(source: string | undefined): unknown[] | undefined {
  if (source === undefined) return [];
  try {
    const read = (readingDuplicates(source, loadAllAsGoYaml, duplicated) as unknown[]).filter(
      (document) => document !== null && document !== undefined,
    );
    const unnamed = (document: unknown) =>
      [record(document).kind, record(document).apiVersion, record(document).metadata, record(record(document).metadata).name].some(
        (field) => typeof field === "symbol",
      );
    return read.some(unnamed) ? undefined : read;
  } catch {
    return undefined;
  }
}

/** The documents of two sides of a file, paired by kind and name; undefined where a side cannot be read. */
function pairedDocuments(before: string | undefined, after: string | undefined): [unknown, unknown][] | undefined {
  const [was, is] = [documents(before), documents(after)];
  if (was === undefined || is === undefined) return undefined;
  const key = (document: unknown) => `${text(record(document).kind)}/${text(record(record(document).metadata).name)}`;
  return [...new Set([...was, ...is].map(key))].map((name) => [
    was.find((document) => key(document) === name),
    is.find((document) => key(document) === name),
  ]);
}

/**
 * The trust fields a patch's or manifest's text writes that differ between two sides: its JSON 6902
 * operations' on `targets` (the kinds the entries reading it target), else each of its documents'
 * (strategic-merge patches, objects) on its own kind, where the two sides' differ.
 */
function trustFieldsWritten(before: string | undefined, after: string | undefined, targets: readonly string[]): string[] {
  const operations = (source: string | undefined) => {
    const [first, ...others] = documents(source) ?? [];
    return others.length === 0 && Array.isArray(first) ? first : undefined;
  };
  const [was, is] = [operations(before), operations(after)];
  if (was !== undefined || is !== undefined) return trustFieldsReached(TRUST, targets, operationsPaths(was ?? [], is ?? []));
  const pairs = pairedDocuments(before, after);
  // Unreadable, it may write any of them (the empty path lies on every field's way).
  if (pairs === undefined) return trustFieldsReached(TRUST, targets, [[]]);
  return pairs.flatMap(([from, to]) => trustFieldsReached(TRUST, [text(record(from ?? to).kind) ?? ""], differingPaths(from, to)));
}

/** What a change writes of one object: the object as either side has it (its kind and name), and the paths that differ. */
interface Write {
  readonly objects: readonly unknown[];
  readonly paths: readonly FieldPath[];
}

/** A manifest's writes, document by document; undefined where a side cannot be read. */
function fileWrites(before: string | undefined, after: string | undefined): Write[] | undefined {
  return pairedDocuments(before, after)?.map(([from, to]) => ({ objects: [from, to], paths: differingPaths(from, to) }));
}

/**
 * A patch's writes: a JSON 6902 patch's operations on what its target selects; each document of a
 * strategic-merge one on its own object and on the target, every field it sets but the ones naming
 * the object (a patch cannot rename what it patches). Undefined where it cannot be read.
 */
function patchWrites(patch: string | undefined, target: unknown): Write[] | undefined {
  const read = documents(patch);
  if (read === undefined) return undefined;
  // A target's name is a pattern too: one that is not plain may select any name.
  const name = text(record(target).name);
  const selected = { kind: record(target).kind, metadata: { name: name !== undefined && /^[\w.-]+$/.test(name) ? name : undefined } };
  const [first, ...others] = read;
  if (others.length === 0 && Array.isArray(first)) return [{ objects: [selected], paths: operationsPaths([], first) }];
  return read.map((document) => ({
    objects: [document, selected],
    paths: leafPaths(document).filter((path) => !NAMING.some((name) => isDeepStrictEqual(path, name))),
  }));
}

const NAMING: readonly FieldPath[] = [["apiVersion"], ["kind"], ["metadata", "name"], ["metadata", "namespace"]];

/**
 * What the values a change writes are carried into as the root is built. A kustomize replacement's
 * or var's source written at the field it reads reaches where the value goes: the kinds the
 * replacement's targets select and the fields they write there (a ConfigMap's `data.mode` copied
 * into a PeerAuthentication's `spec.mtls.mode` keeps the floor the direct edit has), the objects
 * naming the var (`$(MODE)`); written elsewhere, it carries nothing. A ConfigMap's or Secret's keys
 * written reach the objects using them as Flux variables (`${MTLS_MODE}`, which a Kustomization's
 * `postBuild.substituteFrom` reads from it). Undefined where what it reaches cannot be told: a
 * target selecting no plain kind, a transformer that cannot be read, writes that cannot be read in
 * a root carrying values.
 */
function carriedReach(writes: readonly Write[] | undefined, sides: Sides): Reach | undefined {
  const carriers = carriersOf(sides);
  if (writes === undefined) return carriers.length > 0 ? undefined : NOTHING;
  return joined(
    writes.flatMap(({ objects, paths }) => [
      ...carriers
        .filter((carrier) => objects.some((object) => selects(carrier.source, object)) && paths.some(reading(carrier.field)))
        .map((carrier) => carrier.reach()),
      ...substitutedKeys(objects, paths).map((key) => usersOf(new RegExp(`\\$\\{${key}(?=[}:=-])`), sides)),
    ]),
  );
}

/**
 * A value one object's field carries into others: a replacement's or var's source (the objects
 * it may read, by kind and name patterns), the field it reads, and what writing the value reaches.
 */
interface Carrier {
  readonly source: unknown;
  readonly field: FieldPath;
  readonly reach: () => Reach | undefined;
}

/** The replacements and vars of a root's kustomizations (and Components), at either side; read once for each reading of the root. */
const carriersOf = (sides: Sides): Carrier[] => {
  let carriers = CARRIERS.get(sides);
  if (carriers === undefined) CARRIERS.set(sides, (carriers = carriersRead(sides)));
  return carriers;
};
const CARRIERS = new WeakMap<Sides, Carrier[]>();

function carriersRead(sides: Sides): Carrier[] {
  const { inputs } = sides;
  return [sides.base, sides.head].flatMap((side) => {
    const tree = sideTree(inputs, side);
    return inputs
      .filter((input) => isKustomizationFile(input) && side.has(input))
      .flatMap((kustomization) => {
        const fields = record(readKustomization(side.get(kustomization)));
        return [
          ...replacementsOf(tree, kustomization).map(replacementCarrier),
          ...list(fields.transformers).flatMap((entry) => transformerCarriers(tree, kustomization, entry)),
          ...list(fields.vars).map((entry): Carrier => {
            const { name, objref, fieldref } = record(entry);
            const used = new RegExp(`\\$\\(${escaped(String(name))}\\)`);
            return {
              source: objref,
              field: fieldPathOf(text(record(fieldref).fieldpath) ?? "metadata.name"),
              reach: () => usersOf(used, sides),
            };
          }),
        ];
      });
  });
}

/** A replacement: its source's field, reaching the kinds its targets select and the fields they write there. */
function replacementCarrier(replacement: unknown): Carrier {
  const { source, targets } = record(replacement);
  const reach = () =>
    joined(
      list(targets).map((target) => {
        const kinds = targetKinds(record(target).select);
        if (kinds === undefined) return undefined;
        const paths = list(record(target).fieldPaths).map((path) => {
          // Trust fields are matched by plain paths: a selection (`[name=https]`) writes somewhere below where it starts.
          const field = fieldPathOf(String(path));
          const selection = field.indexOf(ANY_SEGMENT);
          return selection === -1 ? field : field.slice(0, selection);
        });
        return { kinds, trust: trustFieldsReached(TRUST, kinds, paths.length > 0 ? paths : [[]]) };
      }),
    );
  return { source, field: fieldPathOf(text(record(source).fieldPath) ?? "metadata.name"), reach };
}

/**
 * The replacements of one `transformers` entry's ReplacementTransformer configs (inline, a file, a
 * folder's files); an entry that cannot be read may carry anything into anything. Other
 * transformers carry no object's values.
 */
function transformerCarriers(tree: Tree, kustomization: string, entry: unknown): Carrier[] {
  const written = String(entry);
  const target = normalize(posix.join(folderOf(kustomization), written));
  const texts = written.includes("\n")
    ? [written]
    : tree.text.has(target)
      ? [tree.text.get(target)!]
      : tree.kustomizationIn(target) !== undefined
        ? ownFiles(tree, target)
            .filter((file) => !isKustomizationFile(file))
            .map((file) => tree.text.get(file) ?? "")
        : [];
  const read = texts.map(documents);
  if (read.length === 0 || read.includes(undefined)) return [{ source: undefined, field: [], reach: () => undefined }];
  return read
    .flat()
    .filter((document) => record(document).kind === "ReplacementTransformer")
    .flatMap((document) => list(record(document).replacements).map(replacementCarrier));
}

/** A kustomize field path (`spec.containers.[name=app].image`) as a path, a list selection as any item. */
const fieldPathOf = (path: string): FieldPath =>
  (path.match(/\[[^\]]*\]|[^.[\]]+/g) ?? []).map((segment) =>
    !segment.startsWith("[") ? segment : segment.includes("=") ? ANY_SEGMENT : segment.slice(1, -1),
  );

/** Whether writing at a path may write the field a carrier reads: one lies on the other's way. */
const reading =
  (field: FieldPath) =>
  (path: FieldPath): boolean =>
    below(path.slice(0, field.length), field.slice(0, path.length)) !== undefined;

/**
 * Whether a selector (a replacement's `source`, a var's `objref`) may pick an object: kustomize
 * matches kinds and names as anchored patterns, a name as written or as transformed; label,
 * annotation and namespace selectors are not told apart here (any object they may pick).
 */
function selects(selector: unknown, object: unknown): boolean {
  const { kind, name } = record(selector);
  const fields = record(object);
  const matches = (pattern: unknown, value: unknown) => {
    // An object saying no name (a patch's target selecting by kind) may be any.
    if (typeof pattern !== "string" || value === undefined) return true;
    try {
      return new RegExp(`^(?:${pattern})$`).test(String(value));
    } catch {
      return pattern === value;
    }
  };
  return isRecord(object) && matches(kind, fields.kind) && matches(name, record(fields.metadata).name);
}

/** The keys of a ConfigMap or Secret that a write changes: the Flux variables it may give. */
function substitutedKeys(objects: readonly unknown[], paths: readonly FieldPath[]): string[] {
  if (!objects.some((object) => ["ConfigMap", "Secret"].includes(String(record(object).kind)))) return [];
  const keys = paths.filter(([field]) => field === "data" || field === "stringData").map((path) => path[1]);
  return [...new Set(keys.filter((key): key is string => typeof key === "string" && FLUX_VARIABLE.test(key)))];
}

const FLUX_VARIABLE = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

const escaped = (value: string): string => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * What a value written where `used` matches reaches, in the root's inputs at either side: each
 * object using it, its kind and the trust fields at the paths using it; an inline patch using it,
 * the kinds it names; a text that cannot be read, the kinds it names, any of their fields.
 */
function usersOf(used: RegExp, { inputs, base, head }: Sides): Reach {
  const texts = inputs
    .flatMap((input) => [base.get(input), head.get(input)])
    .filter((source): source is string => source !== undefined && used.test(source));
  return merged(
    texts.flatMap((source): Reach[] => {
      const read = documents(source);
      if (read === undefined) {
        const named = namedKinds(source);
        return [{ kinds: named, trust: trustFieldsReached(TRUST, named, [[]]) }];
      }
      return read.flatMap((document) =>
        using(document, used).map(([path, value]): Reach => {
          const inline = namedKinds(value);
          const kinds = inline.length > 0 ? inline : [text(record(document).kind) ?? ""];
          return { kinds, trust: trustFieldsReached(TRUST, kinds, inline.length > 0 ? [[]] : [path]) };
        }),
      );
    }),
  );
}

/** The strings of a value that `used` matches, with their paths. */
const using = (value: unknown, used: RegExp, at: FieldPath = []): [FieldPath, string][] =>
  typeof value === "string"
    ? used.test(value)
      ? [[at, value]]
      : []
    : Array.isArray(value)
      ? value.flatMap((item, index) => using(item, used, [...at, index]))
      : isRecord(value)
        ? Object.entries(value).flatMap(([key, item]) => using(item, used, [...at, key]))
        : [];
