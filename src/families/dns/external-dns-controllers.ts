import { dnsName } from "./dns-names.js";
import { isRecord, list, record, text, type JsonRecord } from "../../core/json-access.js";
import { canonical, sortedSet } from "../../core/canonical-values.js";
import { agree } from "../../core/declared-services.js";
import type { DetectorContext } from "../../core/detector.js";
import type { DocumentSource, Resource, ResourceId } from "../../core/resource.js";
import type { MentioningObject } from "../../core/service-mentions.js";
import { EXTERNAL_DNS_PREFIXES } from "../../core/external-dns-annotations.js";

/**
 * The external-dns controllers a tree runs, and which annotation prefix each reads: v0.22 reads
 * `external-dns.kubernetes.io/` by default and earlier versions `external-dns.alpha.kubernetes.io/`,
 * with no fallback (its release notes: "This change can delete your DNS records"); `--annotation-prefix`
 * (v0.20 on, the chart's `annotationPrefix` from 1.20) sets another, and v0.23's
 * `--enable-legacy-annotation-prefix` reads the alpha one as well. Only what the tree says for sure
 * counts: a version it does not pin (a digest, a variable, a chart version range) or values it does
 * not hold (a Flux `valuesFrom`, an Argo CD value file) leave the prefix unknown, and an unknown
 * reader may read either, so no setting is ever called unread on a guess.
 */

const [GA_PREFIX, ALPHA_PREFIX] = EXTERNAL_DNS_PREFIXES;

/**
 * Which records a controller manages: in which DNS service (`--provider`) and zones
 * (`--domain-filter`, none: any), for which objects (`--source`), and whether it deletes those it
 * no longer publishes (`--policy`: sync; upsert-only and create-only leave them).
 */
export interface ManagedRecords {
  readonly provider?: string;
  readonly sources: readonly string[];
  readonly domains: readonly string[];
  readonly policy?: string;
}

/** What an external-dns controller reads. */
export interface ExternalDnsController {
  /** The object running it (and its container, where it runs several), the same in both trees. */
  readonly id: string;
  /** `Deployment networking/external-dns (v0.22.0)`: what the reports name it by. */
  readonly name: string;
  readonly resource: ResourceId;
  readonly source: DocumentSource;
  readonly cluster?: string;
  /** The annotation prefixes it reads; undefined where the tree does not say (it may read either). */
  readonly prefixes?: readonly string[];
  /** The API groups of the objects its `--source`s read; undefined for any (sources not said, or one this table does not know). */
  readonly groups?: readonly string[];
  /** Undefined where the tree does not say it all (a variable, values held elsewhere). */
  readonly records?: ManagedRecords;
  /** The objects it reads, of those its sources read: its filters' values as written (ObjectFilters). */
  readonly filters?: ObjectFilters;
}

/**
 * external-dns's object filters: `--namespace`, `--label-filter` and `--annotation-filter` (label
 * selectors over labels and annotations) select the objects every source reads but Gateways, which
 * the gateway-route sources select by `--gateway-namespace` and `--gateway-label-filter` alone.
 */
export interface ObjectFilters {
  readonly namespace?: string;
  readonly labels?: string;
  readonly annotations?: string;
  readonly gatewayNamespace?: string;
  readonly gatewayLabels?: string;
}

/**
 * The API groups each external-dns source reads annotations on (its docs' source table). A source
 * missing here makes the controller read any group: fewer readers could only call a setting unread
 * that one of them reads.
 */
const SOURCE_GROUPS: Readonly<Record<string, readonly string[]>> = {
  ingress: ["networking.k8s.io", "extensions"],
  "istio-gateway": ["networking.istio.io"],
  "istio-virtualservice": ["networking.istio.io"],
  "traefik-proxy": ["traefik.io", "traefik.containo.us"],
  crd: ["externaldns.k8s.io"],
  service: [""],
  node: [""],
  pod: [""],
  "contour-httpproxy": ["projectcontour.io"],
  "gloo-proxy": ["gateway.solo.io"],
  "ambassador-host": ["getambassador.io"],
  "kong-tcpingress": ["configuration.konghq.com"],
  "skipper-routegroup": ["zalando.org"],
  "openshift-route": ["route.openshift.io"],
  "f5-virtualserver": ["cis.f5.com"],
  "f5-transportserver": ["cis.f5.com"],
  connector: [],
  fake: [],
};
/** gateway-httproute, -grpcroute, -tlsroute, -tcproute, -udproute: routes and the Gateways they attach to. */
const GATEWAY_SOURCE = /^gateway-[a-z]+route$/;
export const GATEWAY_GROUPS = ["gateway.networking.k8s.io", "networking.x-k8s.io"];

/** A value filled in elsewhere (a Flux variable, a Helm template, a Kubernetes `$(VAR)`): what it says cannot be told. */
const FILLED_IN = /\$\{|\{\{|\$\(/;

/** `v0.22.0`, `0.14.2-debian-12-r0`, `v0.22.0@sha256:…` → [0, 22]. */
const minorVersion = (tag: string | undefined): readonly [number, number] | undefined => {
  const found = tag === undefined || FILLED_IN.test(tag) ? undefined : /^v?(\d+)\.(\d+)(?:[.-]|$)/.exec(tag);
  return found ? [Number(found[1]), Number(found[2])] : undefined;
};

const readsGaByDefault = ([major, minor]: readonly [number, number]): boolean => major > 0 || minor >= 22;

/** An image written as `repo:tag@digest` or `{repository, tag}`, when it is external-dns's own (not a webhook provider beside it). */
function externalDnsImage(image: unknown): { readonly tag?: string } | undefined {
  const [repository, tag] =
    typeof image === "string"
      ? (() => {
          const [name = ""] = image.split("@");
          const colon = name.lastIndexOf(":");
          return colon > name.lastIndexOf("/") ? [name.slice(0, colon), name.slice(colon + 1)] : [name, undefined];
        })()
      : isRecord(image)
        ? [text(image.repository), text(image.tag)]
        : [undefined, undefined];
  if (repository === undefined || repository.split("/").at(-1) !== "external-dns") return undefined;
  return tag === undefined ? {} : { tag: tag.split("@")[0] };
}

/** A flag's values on a command line (`--flag=value`, `--flag value`), then in its environment (kingpin's `EXTERNAL_DNS_FLAG`) where the command line has none. */
function flagValues(args: readonly string[], env: ReadonlyMap<string, string>, flag: string, boolean = false): string[] {
  const values = args.flatMap((arg, i) => {
    if (arg.startsWith(`--${flag}=`)) return [arg.slice(flag.length + 3)];
    if (arg === `--${flag}`) return [boolean ? "true" : (args[i + 1] ?? "")];
    if (boolean && arg === `--no-${flag}`) return ["false"];
    return [];
  });
  if (values.length > 0) return values;
  const fromEnv = env.get(`EXTERNAL_DNS_${flag.toUpperCase().replace(/-/g, "_")}`);
  return fromEnv === undefined ? [] : fromEnv.split(/\r?\n/).filter(Boolean);
}

/** A container's `env`: a list of `{name, value}`, or the map app-template takes (`NAME: value`, `NAME: {value}`). */
function environment(env: unknown): Map<string, string> {
  const entries = Array.isArray(env)
    ? env.map((entry) => [text(record(entry).name), record(entry).value] as const)
    : Object.entries(record(env)).map(([name, value]) => [name, isRecord(value) ? value.value : value] as const);
  return new Map(
    entries.flatMap(([name, value]) =>
      name !== undefined && (typeof value === "string" || typeof value === "boolean") ? [[name, String(value)] as const] : [],
    ),
  );
}

const words = (value: unknown): string[] =>
  list(value).flatMap((item) => (typeof item === "string" || typeof item === "number" ? [String(item)] : []));

/** What a controller of this version and command line reads. */
function readingOf(
  version: readonly [number, number] | undefined,
  args: readonly string[],
  env: ReadonlyMap<string, string>,
): Pick<ExternalDnsController, "prefixes" | "groups" | "records" | "filters"> {
  const given = flagValues(args, env, "annotation-prefix");
  const legacy = flagValues(args, env, "enable-legacy-annotation-prefix", true).at(-1) === "true";
  // The legacy flag came with v0.23, whose default is the GA prefix.
  const configured =
    given.length > 0
      ? given.some((prefix) => FILLED_IN.test(prefix))
        ? undefined
        : given
      : version
        ? [readsGaByDefault(version) ? GA_PREFIX : ALPHA_PREFIX]
        : legacy
          ? [GA_PREFIX]
          : undefined;
  const sources = flagValues(args, env, "source");
  const groups = sources.every((source) => GATEWAY_SOURCE.test(source) || SOURCE_GROUPS[source] !== undefined)
    ? sortedSet(sources.flatMap((source) => (GATEWAY_SOURCE.test(source) ? GATEWAY_GROUPS : SOURCE_GROUPS[source]!)))
    : undefined;
  const [provider, policy] = [flagValues(args, env, "provider").at(-1), flagValues(args, env, "policy").at(-1)];
  const domains = flagValues(args, env, "domain-filter").flatMap((value) => value.split(","));
  const records = {
    ...(provider ? { provider } : {}),
    sources: sortedSet(sources),
    domains: sortedSet(domains.map(dnsName).filter(Boolean)),
    ...(policy ? { policy } : {}),
  };
  const filter = (flag: string) => flagValues(args, env, flag).at(-1);
  const filters = Object.fromEntries(
    Object.entries({
      namespace: filter("namespace"),
      labels: filter("label-filter"),
      annotations: filter("annotation-filter"),
      gatewayNamespace: filter("gateway-namespace"),
      gatewayLabels: filter("gateway-label-filter"),
    }).filter(([, value]) => value !== undefined && value.trim() !== ""),
  ) as ObjectFilters;
  return {
    ...(Object.keys(filters).length > 0 ? { filters } : {}),
    ...(configured ? { prefixes: sortedSet(legacy ? [...configured, ALPHA_PREFIX] : configured) } : {}),
    ...(sources.length > 0 && groups ? { groups } : {}),
    ...([provider, policy, ...sources, ...domains].some((value) => value !== undefined && FILLED_IN.test(value)) ? {} : { records }),
  };
}

/** The mappings under a value that run external-dns's image (a Deployment's container, an app-template controller's). */
function* containers(value: unknown, depth = 0): Generator<JsonRecord> {
  if (depth > 16) return;
  if (Array.isArray(value)) for (const item of value) yield* containers(item, depth + 1);
  else if (isRecord(value)) {
    if (externalDnsImage(value.image)) yield value;
    else for (const item of Object.values(value)) yield* containers(item, depth + 1);
  }
}

/**
 * The command line external-dns's chart (kubernetes-sigs, 1.x) renders from its values:
 * `annotationPrefix`, `sources` (by default service and ingress), `provider` (a name, or `{name}`;
 * by default aws), `policy`, `domainFilters`, `labelFilter`, `annotationFilter`, `gatewayNamespace`,
 * `namespaced` (the release's namespace) and `extraArgs` (a list, or a map of flag to value, list or
 * boolean).
 */
function chartArgs(values: JsonRecord, namespace: string): string[] {
  const extra = values.extraArgs;
  const extraArgs = Array.isArray(extra)
    ? words(extra)
    : Object.entries(record(extra)).flatMap(([flag, value]) =>
        value === null
          ? [`--${flag}`]
          : typeof value === "boolean"
            ? [value ? `--${flag}` : `--no-${flag}`]
            : (Array.isArray(value) ? words(value) : words([value])).map((item) => `--${flag}=${item}`),
      );
  const [prefix, policy] = [text(values.annotationPrefix), text(values.policy)];
  const filters = {
    "label-filter": text(values.labelFilter),
    "annotation-filter": text(values.annotationFilter),
    "gateway-namespace": text(values.gatewayNamespace),
  };
  const sources = values.sources === undefined ? ["service", "ingress"] : words(values.sources);
  return [
    ...(prefix ? [`--annotation-prefix=${prefix}`] : []),
    ...sources.map((source) => `--source=${source}`),
    ...(policy ? [`--policy=${policy}`] : []),
    ...words(values.domainFilters).map((domain) => `--domain-filter=${domain}`),
    `--provider=${text(values.provider) ?? text(record(values.provider).name) ?? "aws"}`,
    ...Object.entries(filters).flatMap(([flag, value]) => (value ? [`--${flag}=${value}`] : [])),
    ...(values.namespaced === true ? [`--namespace=${namespace}`] : []),
    ...extraArgs,
  ];
}

/** Of a chart release: the controller its chart version and values make, or one reading either prefix where the release's values are partly elsewhere. */
function chartController(
  object: MentioningObject,
  chartVersion: string | undefined,
  values: unknown,
  valuesElsewhere: boolean,
  namespace: string | undefined,
): ExternalDnsController {
  const own = record(values);
  const tag = text(record(own.image).tag);
  const chart = minorVersion(chartVersion);
  // The kubernetes-sigs chart's 1.N runs external-dns 0.N (1.22.0: v0.22.0); another chart's versions say nothing.
  const version = tag !== undefined ? minorVersion(tag) : chart?.[0] === 1 ? ([0, chart[1]] as const) : undefined;
  const reading = valuesElsewhere ? {} : readingOf(version, chartArgs(own, namespace ?? "${release namespace}"), environment(own.env));
  return { ...runBy(object, tag ?? `chart ${chartVersion ?? "unpinned"}`), ...reading };
}

/** The object a controller runs in, as the reports name it (`what`: its version). */
function runBy({ object, namespace, source, cluster }: MentioningObject, what: string, container = "") {
  const resource: ResourceId = {
    group: (text(object.apiVersion) ?? "").split("/").slice(0, -1).join("/"),
    kind: text(object.kind) ?? "object",
    namespace: namespace ?? "default",
    name: text(record(object.metadata).name) ?? "(unnamed)",
  };
  const id = `${resource.kind} ${resource.namespace}/${resource.name}`;
  // Copies of one release per cluster (szinn/k8s-homelab's external-dns-unifi under kubernetes/main and
  // kubernetes/staging, each with its own --domain-filter) are controllers apart: by the cluster the
  // tree places each in, else by the file each is written in, so one tree's copy is never paired with
  // the other tree's copy of the other cluster.
  const where = cluster ?? source.file;
  return { id: `${id}${container}@${where}`, name: `${id} (${what})`, resource, source, ...(cluster ? { cluster } : {}) };
}

const isKind = (object: JsonRecord, group: string, kind: string): boolean =>
  object.kind === kind && (text(object.apiVersion) ?? "").split("/")[0] === group;

/** A Flux OCIRepository serving external-dns's chart. */
const servesChart = (object: JsonRecord): boolean =>
  isKind(object, "source.toolkit.fluxcd.io", "OCIRepository") && /\/external-dns$/.test(text(record(object.spec).url) ?? "");

/** The chart a Flux HelmRelease installs, where it is external-dns's: its version as written. */
function fluxChart(object: MentioningObject, objects: readonly MentioningObject[]): { readonly version?: string } | undefined {
  const release = record(object.object.spec);
  const chart = record(record(release.chart).spec);
  if (text(chart.chart) === "external-dns") return { ...(text(chart.version) ? { version: text(chart.version)! } : {}) };
  const ref = record(release.chartRef);
  if (text(ref.kind) !== "OCIRepository") return undefined;
  const source = objects.find(
    ({ object: candidate, namespace }) =>
      servesChart(candidate) &&
      text(record(candidate.metadata).name) === text(ref.name) &&
      agree(namespace, text(ref.namespace) ?? object.namespace),
  );
  if (!source) return undefined;
  const at = record(record(source.object.spec).ref);
  const version = text(at.tag) ?? text(at.semver);
  return version ? { version } : {};
}

/** The controllers one object runs. */
function controllersIn(
  object: MentioningObject,
  objects: readonly MentioningObject[],
  readYaml: (text: string) => unknown,
): ExternalDnsController[] {
  const body = object.object;
  if (isKind(body, "helm.toolkit.fluxcd.io", "HelmRelease")) {
    const chart = fluxChart(object, objects);
    if (chart) {
      const release = record(body.spec);
      const namespace = text(release.targetNamespace) ?? object.namespace;
      return [chartController(object, chart.version, release.values, list(release.valuesFrom).length > 0, namespace)];
    }
  }
  if (isKind(body, "argoproj.io", "Application")) {
    const sources = [record(body.spec).source, ...list(record(body.spec).sources)].filter(isRecord);
    const charts = sources.filter((source) => text(source.chart) === "external-dns");
    if (charts.length > 0)
      return charts.map((source) => {
        const helm = record(source.helm);
        // Argo CD lays `valuesObject` over `values`, and value files and parameters, which the tree may not hold, over both.
        const values = { ...record(typeof helm.values === "string" ? readYaml(helm.values) : helm.values), ...record(helm.valuesObject) };
        const elsewhere = list(helm.valueFiles).length > 0 || list(helm.parameters).length > 0;
        return chartController(
          object,
          text(source.targetRevision),
          values,
          elsewhere,
          text(record(record(body.spec).destination).namespace),
        );
      });
  }
  // In a release's values, an image with no command line beside it is a chart's value (external-dns's chart
  // served from a source the tree does not hold), whose own values may set the prefix: unknown.
  const release = isKind(body, "helm.toolkit.fluxcd.io", "HelmRelease") || isKind(body, "argoproj.io", "Application");
  return [...containers(body)].map((container, index) => {
    const { tag } = externalDnsImage(container.image)!;
    return {
      ...runBy(object, tag ?? "untagged", index === 0 ? "" : `#${index}`),
      ...(release && container.args === undefined
        ? {}
        : readingOf(minorVersion(tag), [...words(container.command), ...words(container.args)], environment(container.env))),
    };
  });
}

const controllersOf = new WeakMap<DetectorContext, Partial<Record<"base" | "head", readonly ExternalDnsController[]>>>();

/** The external-dns controllers of one tree: its objects naming external-dns, read once a review. */
export function externalDnsControllers(context: DetectorContext, side: "base" | "head"): readonly ExternalDnsController[] {
  let known = controllersOf.get(context);
  if (!known) controllersOf.set(context, (known = {}));
  return (known[side] ??= (() => {
    const objects = context.objectsMentioning(side, "external-dns");
    // A release of an OCIRepository serving the chart names the repository, not the chart (joryirving/home-ops' cloudflare-dns).
    const named = new Set(objects.map(({ source }) => `${source.file}:${source.line}`));
    const releases = sortedSet(
      objects.filter(({ object }) => servesChart(object)).map(({ object }) => text(record(object.metadata).name) ?? ""),
    )
      .filter(Boolean)
      .flatMap((name) => context.objectsMentioning(side, name))
      .filter(
        ({ object, source }) => isKind(object, "helm.toolkit.fluxcd.io", "HelmRelease") && !named.has(`${source.file}:${source.line}`),
      );
    const all = [...objects, ...releases];
    return all.flatMap((object) => controllersIn(object, all, context.readYaml));
  })());
}

/** What the controllers read, comparable between trees: where they run, what they read, of which groups. */
export const controllersRead = (controllers: readonly ExternalDnsController[]): string =>
  canonical(sortedSet(controllers.map(({ cluster, prefixes, groups }) => canonical({ cluster, prefixes, groups }))));

/**
 * What decides who reads an object's annotations: where it runs, its API group ("" for a core
 * Service), kind, namespace, labels and annotations (undefined: not known, as of a Service an
 * implementation generates).
 */
export type ReadObject = Pick<Resource, "cluster"> & {
  readonly id: Pick<ResourceId, "group"> & Partial<Pick<ResourceId, "kind" | "namespace">>;
  readonly namespaceImplied?: true;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
};

/** One requirement of a label selector (`k=v`, `k!=v`, `k in (a,b)`, `k notin (a)`, `k`, `!k`). */
interface Requirement {
  readonly key: string;
  readonly op: "in" | "notin" | "exists" | "absent";
  readonly values: readonly string[];
}

const KEY = String.raw`[A-Za-z0-9][-A-Za-z0-9_./]*`;
const VALUE = String.raw`[-A-Za-z0-9_.]*`;
const SET = new RegExp(String.raw`^(${KEY})\s+(in|notin)\s*\(\s*(${VALUE}(?:\s*,\s*${VALUE})*)\s*\)$`);
const EQUALITY = new RegExp(String.raw`^(${KEY})\s*(==|=|!=)\s*(${VALUE})$`);
const EXISTS = new RegExp(String.raw`^(!?)\s*(${KEY})$`);

/** A label selector as Kubernetes parses it; undefined for one this does not read (`k>1`, a variable), which may select anything. */
function parseSelector(selector: string): readonly Requirement[] | undefined {
  if (FILLED_IN.test(selector)) return undefined;
  const requirements: Requirement[] = [];
  for (const part of selector.split(/,(?![^()]*\))/).map((item) => item.trim())) {
    const [set, equality, exists] = [SET.exec(part), EQUALITY.exec(part), EXISTS.exec(part)];
    if (set) requirements.push({ key: set[1]!, op: set[2] as "in" | "notin", values: set[3]!.split(",").map((value) => value.trim()) });
    else if (equality) requirements.push({ key: equality[1]!, op: equality[2] === "!=" ? "notin" : "in", values: [equality[3]!] });
    else if (exists) requirements.push({ key: exists[2]!, op: exists[1] ? "absent" : "exists", values: [] });
    else return undefined;
  }
  return requirements;
}

/** Whether a selector selects these labels; undefined where that cannot be told (labels not known, or filled in elsewhere). */
function selects(selector: string, labels: Readonly<Record<string, string>> | undefined): boolean | undefined {
  const requirements = parseSelector(selector);
  if (!requirements || !labels) return undefined;
  if (requirements.some(({ key }) => labels[key] !== undefined && FILLED_IN.test(labels[key]))) return undefined;
  // As Kubernetes reads them: `!=` and `notin` select objects without the key.
  return requirements.every(({ key, op, values }) => {
    const value = labels[key];
    if (op === "exists" || op === "absent") return (value !== undefined) === (op === "exists");
    return op === "in" ? value !== undefined && values.includes(value) : value === undefined || !values.includes(value);
  });
}

const inNamespace = (filter: string | undefined, object: ReadObject): boolean | undefined =>
  filter === undefined
    ? true
    : FILLED_IN.test(filter) || object.id.namespace === undefined || object.namespaceImplied
      ? undefined
      : object.id.namespace === filter;

/**
 * Whether a controller reads an object's annotations: not where it runs elsewhere, reads other API
 * groups, or its filters surely leave the object out; `may read` where a filter cannot be told (a
 * selector this does not parse, a value filled in elsewhere, labels not known), which is never
 * taken for "does not read".
 */
export function readership(controller: ExternalDnsController, object: ReadObject): "reads" | "may read" | "does not read" {
  if (!agree(controller.cluster, object.cluster) || (controller.groups !== undefined && !controller.groups.includes(object.id.group)))
    return "does not read";
  const filters = controller.filters ?? {};
  const gateway = object.id.kind === "Gateway" && GATEWAY_GROUPS.includes(object.id.group);
  const checks = gateway
    ? [
        inNamespace(filters.gatewayNamespace, object),
        filters.gatewayLabels === undefined ? true : selects(filters.gatewayLabels, object.labels),
      ]
    : [
        inNamespace(filters.namespace, object),
        filters.labels === undefined ? true : selects(filters.labels, object.labels),
        filters.annotations === undefined ? true : selects(filters.annotations, object.annotations),
      ];
  return checks.includes(false) ? "does not read" : checks.includes(undefined) ? "may read" : "reads";
}

/** The controllers that read (or may read) an object's annotations. */
export const readersOf = (controllers: readonly ExternalDnsController[], object: ReadObject): readonly ExternalDnsController[] =>
  controllers.filter((controller) => readership(controller, object) !== "does not read");

/**
 * Whether a setting written under these prefixes reaches its records: `read` where every controller
 * reading the object surely reads one of them, `unread` where none can, else `unknown` (no
 * controller in the tree, or one whose prefix the tree does not say).
 */
export function settingRead(readers: readonly ExternalDnsController[], prefixes: readonly string[]): "read" | "unread" | "unknown" {
  if (readers.length === 0 || readers.some((reader) => reader.prefixes === undefined)) return "unknown";
  const reads = (reader: ExternalDnsController) => prefixes.some((prefix) => reader.prefixes!.includes(prefix));
  return readers.every(reads) ? "read" : readers.some(reads) ? "unknown" : "unread";
}

/**
 * The controllers reading an object (`before`, `after`: its readers in each tree) that surely stop
 * reading a setting under these prefixes (under `prefixesBefore` at base, where the PR moved it)
 * while they may have read it: each publishes its own
 * records (its provider, its zones), so the setting is gone from those, whoever else still reads it.
 * A controller reading the object at head is compared with itself at base; one that did not run
 * then, with the readers gone since (it may replace one of them: a move into a chart), and with
 * none where the base runs no reader at all (a controller the tree did not hold); one newly reading
 * it while every reader of the base still does publishes records it never had: nothing lost.
 */
export function losingReaders(
  before: readonly ExternalDnsController[],
  after: readonly ExternalDnsController[],
  prefixes: readonly string[],
  prefixesBefore: readonly string[] = prefixes,
): readonly ExternalDnsController[] {
  const gone = before.filter((was) => !after.some((now) => now.id === was.id));
  const mayHaveRead = (reader: ExternalDnsController): boolean => {
    const was = before.find((candidate) => candidate.id === reader.id);
    if (was) return settingRead([was], prefixesBefore) !== "unread";
    return before.length === 0 || (gone.length > 0 && settingRead(gone, prefixesBefore) !== "unread");
  };
  return after.filter((reader) => settingRead([reader], prefixes) === "unread" && mayHaveRead(reader));
}

/**
 * Why a setting no longer reaches records, for a summary: `which no external-dns controller reading
 * it reads any more (…)`, or, where others still read it, which controller drops it from its own
 * records; a losing controller whose filters cannot be told to read the object is said to.
 */
export function describeLoss(
  losing: readonly ExternalDnsController[],
  after: readonly ExternalDnsController[],
  object: ReadObject,
): string {
  const others = after.filter((reader) => !losing.includes(reader));
  const unsure = losing.filter((reader) => readership(reader, object) === "may read");
  const note =
    unsure.length > 0
      ? `; whether ${unsure.map(({ name }) => name).join(" and ")} read${unsure.length === 1 ? "s" : ""} this object at all cannot be told from its filters (${unsure.map(({ filters }) => canonical(filters)).join("; ")})`
      : "";
  return others.length === 0
    ? `which no external-dns controller reading it reads any more (${describeReaders(losing)}${note})`
    : `which ${losing.map(({ name }) => name).join(" and ")}, reading it, no longer read${losing.length === 1 ? "s" : ""} (${describeReaders(losing)}${note}), so ${losing.length === 1 ? "its" : "their"} records lose it though ${describeReaders(others)}`;
}

/** How the readers read, for a summary: `Deployment networking/external-dns (v0.22.0) reads external-dns.kubernetes.io/`. */
export const describeReaders = (readers: readonly ExternalDnsController[]): string =>
  readers.map((reader) => `${reader.name} reads ${reader.prefixes?.join(" and ") ?? "either prefix"}`).join("; ");
