import type { DetectorContext, FileDetector } from "../../core/detector.js";
import type { Detection, FieldPath } from "../../core/finding.js";
import type { DetectionDraft } from "../../core/detection-list.js";
import type { DeclaredService } from "../../core/declared-services.js";
import type { DocumentSource, ResourceId } from "../../core/resource.js";
import type { MentioningObject } from "../../core/service-mentions.js";
import { isRecord, record, stringMap, text } from "../../core/json-access.js";
import type { SourceFile } from "../../core/source-file.js";
import { sameValue } from "../../core/canonical-values.js";
import { pairEntries } from "../../core/pair-entries.js";
import {
  controllersRead,
  externalDnsControllers,
  readersOf,
  type ExternalDnsController,
  type ReadObject,
} from "./external-dns-controllers.js";
import {
  annotationSite,
  judgeAddedSettings,
  judgeSettingsChange,
  judgeUnreadSettings,
  type AnnotationSite,
  type DraftSink,
} from "./gslb.js";

/**
 * external-dns's service source publishes records for core Services from their annotations
 * (`hostname`, `internal-hostname`, `target`, `ttl`, provider settings, the `controller` opt-out),
 * whatever their type: a LoadBalancer's address, a NodePort's nodes, a ClusterIP, an ExternalName's
 * name. Core Services are no traffic kind (DESIGN §4): they are read from the documents declaring
 * them, as their annotations are external-dns's concern, the dns family's. joryirving/home-ops#10003
 * and rwlove/home-ops#14161 bumped external-dns to v0.22, which reads only `external-dns.kubernetes.io/`,
 * while their Services' hostnames were alpha-prefixed: the controllers of `--source=service` deleted
 * those records, and the review saw a chart bump.
 * - The controllers reading a Service stop reading the prefix its unchanged settings sit under:
 *   each is judged removed (a hostname: `route.removed`), located at the controller that changed,
 *   naming the Service.
 * - A Service's settings edited: judged as on any resource (gslb.ts judgeSettingsChange), a move to
 *   the prefix every reader reads low, to one none reads the settings removed.
 * - A Service added with its settings only under a prefix none of its readers reads: medium at most.
 */

/** A Service declaring external-dns settings, in one tree: by its own document, or in a chart release's values. */
interface AnnotatedService {
  /** Who it is across trees: its cluster, namespace and name, or its release and values path. */
  readonly key: string;
  /** The file it is read from, where copies of one Service are told apart. */
  readonly file: string;
  /** `Service home/mosquitto (home/mosquitto.yaml)`, `HelmRelease home/mosquitto's service.app`: what summaries name it by. */
  readonly label: string;
  /** The document holding its annotations, and what findings on it name. */
  readonly id: ResourceId;
  readonly source: DocumentSource;
  readonly site: AnnotationSite;
}

/** A Service as its readers' filters see it: its labels are not read here, so a label filter may read it. */
const serviceRead = (cluster: string | undefined, annotations: Readonly<Record<string, string>>, namespace?: string): ReadObject => ({
  ...(cluster ? { cluster } : {}),
  id: { group: "", kind: "Service", ...(namespace ? { namespace } : {}) },
  annotations,
});

const declared = (service: DeclaredService): AnnotatedService[] => {
  if (service.unreadable) return [];
  const annotations = stringMap(service.annotations);
  const site = annotationSite(["metadata", "annotations"], serviceRead(service.cluster, annotations, service.namespace), annotations);
  if (Object.keys(site.settings).length === 0) return [];
  const id = { group: "", kind: "Service", namespace: service.namespace ?? "default", name: service.name };
  return [
    {
      key: `${service.cluster ?? ""}|${service.namespace ?? ""}|${service.name}`,
      file: service.file,
      label: `Service ${id.namespace}/${id.name} (${service.file})`,
      id,
      source: service.source,
      site,
    },
  ];
};

/** Keys of chart values that configure Services: app-template's `service.<id>`, most charts' `service` (ingress-nginx's `controller.service`). */
const SERVICE_VALUES = /^services?$/;

/** The Services a release's values annotate, each with the path of its values. */
function* valuesServices(values: unknown, at: FieldPath, depth = 0): Generator<{ readonly at: FieldPath; readonly annotations: unknown }> {
  if (depth > 8 || !isRecord(values)) return;
  for (const [key, value] of Object.entries(values)) {
    if (!isRecord(value)) continue;
    if (!SERVICE_VALUES.test(key)) yield* valuesServices(value, [...at, key], depth + 1);
    else if (isRecord(value.annotations)) yield { at: [...at, key], annotations: value.annotations };
    else
      for (const [name, service] of Object.entries(value))
        if (isRecord(service) && isRecord(service.annotations)) yield { at: [...at, key, name], annotations: service.annotations };
  }
}

/**
 * The Services a Flux HelmRelease's values annotate (app-template's `service.app.annotations`:
 * joryirving/home-ops' mosquitto). The chart renders them where the review reads no document of
 * them; the values are what the PR edits.
 */
const released = ({ object, namespace, source, cluster }: MentioningObject): AnnotatedService[] => {
  if (text(object.kind) !== "HelmRelease" || !(text(object.apiVersion) ?? "").startsWith("helm.toolkit.fluxcd.io/")) return [];
  const id = {
    group: "helm.toolkit.fluxcd.io",
    kind: "HelmRelease",
    namespace: namespace ?? "default",
    name: text(record(object.metadata).name) ?? "(unnamed)",
  };
  return [...valuesServices(record(object.spec).values, ["spec", "values"])].flatMap(({ at, annotations }) => {
    const strings = stringMap(annotations);
    const site = annotationSite([...at, "annotations"], serviceRead(cluster, strings), strings);
    if (Object.keys(site.settings).length === 0) return [];
    const values = at.slice(2).join(".");
    return [
      {
        key: `${cluster ?? ""}|${id.namespace}|release ${id.name}|${values}`,
        file: source.file,
        label: `the Service of HelmRelease ${id.namespace}/${id.name}'s ${values} (${source.file})`,
        id,
        source,
        site,
      },
    ];
  });
};

/** The Services of some files of one tree carrying external-dns settings (their keys all name it). */
const annotatedIn = (context: DetectorContext, side: "base" | "head", files: readonly SourceFile[]): AnnotatedService[] => {
  const named = files.filter((file) => file.text.includes("external-dns"));
  const paths = new Set(named.map((file) => file.path));
  return [
    ...named.flatMap((file) => context.servicesDeclared(side, file).flatMap(declared)),
    ...context.objectsMentioning(side, "external-dns").flatMap((object) => (paths.has(object.source.file) ? released(object) : [])),
  ];
};

/** Drafts about a Service, on its own document. */
const onService = (subject: AnnotatedService, found: Detection[]): DraftSink => ({
  add: (draft: DetectionDraft) =>
    found.push({ ...detectionOf(draft), summary: `${subject.label}: ${draft.summary}`, resource: subject.id, at: subject.source }),
});

/** Drafts about a Service whose readers changed, on the controller whose change left its settings unread. */
const onController = (subject: AnnotatedService, controller: ExternalDnsController, found: Detection[]): DraftSink => ({
  add: (draft: DetectionDraft) =>
    found.push({
      ...detectionOf(draft),
      summary: `${controller.name}: ${subject.label}: ${draft.summary}`,
      resource: controller.resource,
      path: [],
      before: { service: subject.key, ...(draft.before === undefined ? {} : { value: draft.before }) },
      at: controller.source,
    }),
});

const detectionOf = (draft: DetectionDraft): Omit<Detection, "summary" | "resource"> => ({
  class: draft.class,
  side: "head",
  path: draft.path,
  ...(draft.before === undefined ? {} : { before: draft.before }),
  ...(draft.after === undefined ? {} : { after: draft.after }),
  ...(draft.riskFloor ? { riskFloor: draft.riskFloor } : {}),
});

/** The controller whose change made the Service's readers what they are: one reading it now that read otherwise, or did not run. */
const changedReader = (
  before: readonly ExternalDnsController[],
  after: readonly ExternalDnsController[],
): ExternalDnsController | undefined =>
  after.find((now) => {
    const was = before.find((controller) => controller.id === now.id);
    return !was || !sameValue(was.prefixes, now.prefixes);
  }) ?? after[0];

export const serviceRecordsDetector: FileDetector = (files, context) => {
  const controllers = { base: externalDnsControllers(context, "base"), head: externalDnsControllers(context, "head") };
  const readersChanged = controllersRead(controllers.base) !== controllersRead(controllers.head);
  // Controllers unchanged: only Services the PR edits can change what is published.
  const edited = (side: "base" | "head") =>
    readersChanged
      ? files[side]
      : files[side].filter((file) => context.fileText(side === "base" ? "head" : "base", file.path) !== file.text);
  const [base, head] = [annotatedIn(context, "base", edited("base")), annotatedIn(context, "head", edited("head"))];
  if (head.length === 0) return [];
  const readers = (subject: AnnotatedService, side: "base" | "head") => readersOf(controllers[side], subject.site.read);
  let declaredBefore: ReadonlySet<string> | undefined;
  /** Whether the base declares it anywhere: where only edited files were read, an unedited one may. */
  const wasDeclared = (subject: AnnotatedService) =>
    (declaredBefore ??= new Set(annotatedIn(context, "base", files.base).map(({ key }) => key))).has(subject.key);
  const found: Detection[] = [];
  const pairs = pairEntries(base, head, [(subject) => `${subject.key}|${subject.file}`, (subject) => subject.key]);
  for (const { base: was, head: now } of pairs) {
    if (!now) continue;
    const subject = now.value;
    if (!was) {
      if (readersChanged || !wasDeclared(subject)) judgeAddedSettings(onService(subject, found), subject.site, readers(subject, "head"));
      continue;
    }
    if (!sameValue(was.value.site.settings, subject.site.settings)) {
      judgeSettingsChange(onService(subject, found), was.value.site.settings, subject.site, (side) =>
        readers(side === "base" ? was.value : subject, side),
      );
      continue;
    }
    if (!readersChanged) continue;
    const [before, after] = [readers(was.value, "base"), readers(subject, "head")];
    const controller = changedReader(before, after);
    if (controller) judgeUnreadSettings(onController(subject, controller, found), subject.site, before, after);
  }
  return found;
};
