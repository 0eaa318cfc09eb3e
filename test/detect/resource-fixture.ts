import { readFileSync } from "node:fs";
import path from "node:path";
import * as jsyaml from "js-yaml";
import { expect, it } from "vitest";
import { CORPUS, hasCorpus } from "../helpers/corpus.js";
import { groupOf } from "../../src/core/api-group.js";
import { kindSpec } from "../../src/manifests/kinds.js";
import { resourceKey, type ManifestSet, type Resource, type ResourceId } from "../../src/core/resource.js";
import { PolicySchema } from "../../src/policy/policy-schema.js";
import { detectorContext } from "../../src/detect/detector-context.js";
import { compileFilePlacement } from "../../src/model/file-placement.js";
import type { DetectorContext, ResourceDetector } from "../../src/core/detector.js";
import type { ResourceChange } from "../../src/core/resource-change.js";
import type { Detection } from "../../src/core/finding.js";

/** Builds the Resources detectors receive, straight from YAML, without the manifests stage. */

const stringRecord = (value: unknown): Record<string, string> =>
  typeof value === "object" && value !== null ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, String(item)])) : {};

const fromDocument = (body: Record<string, unknown>, text: string, file: string, id?: ResourceId): Resource => {
  const apiVersion = String(body.apiVersion ?? "");
  const metadata = (body.metadata ?? {}) as Record<string, unknown>;
  const kind = String(body.kind ?? "");
  const group = groupOf(apiVersion);
  // The registry decides family and scope, as in the manifests stage.
  const spec = kindSpec(group, kind);
  const resourceId: ResourceId = id ?? {
    group,
    kind,
    namespace: spec?.namespaced === false ? "" : String(metadata.namespace ?? "default"),
    name: String(metadata.name ?? ""),
  };
  return {
    id: resourceId,
    key: resourceKey(resourceId),
    apiVersion,
    family: kindSpec(resourceId.group, resourceId.kind)?.family ?? "istio-mesh",
    labels: stringRecord(metadata.labels),
    annotations: stringRecord(metadata.annotations),
    body,
    source: { file, line: 1, text },
  };
};

/** One resource from a one-document YAML string. */
export const resource = (yaml: string, file = "test.yaml"): Resource => {
  const body = jsyaml.load(yaml) as Record<string, unknown>;
  return fromDocument(body, yaml, file);
};

/** The Istio Helm values pseudo-resource: the whole values document is its body. */
export const istioValues = (yaml: string, file = "values-istio.yaml"): Resource => {
  const body = (jsyaml.load(yaml) ?? {}) as Record<string, unknown>;
  return fromDocument(body, yaml, file, { group: "install.istio.io", kind: "IstioValues", namespace: "", name: file });
};

/** Every resource of a multi-document file. */
export const resourcesOf = (filePath: string): Resource[] => {
  const text = readFileSync(filePath, "utf8");
  return jsyaml
    .loadAll(text)
    .filter((document): document is Record<string, unknown> => typeof document === "object" && document !== null)
    .map((document) => fromDocument(document, text, filePath));
};

const manifestSet = (resources: readonly Resource[]): ManifestSet => ({
  resources: new Map(resources.map((item) => [item.key, item])),
  invalid: [],
  files: [...new Set(resources.map((item) => item.source.file))],
  skipped: [],
  excluded: [],
});

export const context = (base: readonly Resource[] = [], head: readonly Resource[] = []): DetectorContext => {
  const policy = PolicySchema.parse({});
  return detectorContext(policy, manifestSet(base), manifestSet(head), compileFilePlacement(policy.topology.placements));
};

/** The change between two sides of one resource, either of which may be absent (not both). */
export const changeOf = (key: string, base: Resource | undefined, head: Resource | undefined): ResourceChange => {
  if (base) return head ? { key, base, head } : { key, base };
  if (head) return { key, head };
  throw new Error(`change ${key} has neither base nor head`);
};

/** Further resources of the base and head trees, for detectors that look around. */
type Around = { readonly base?: readonly Resource[]; readonly head?: readonly Resource[] };

/**
 * Runs a detector on one resource at base and head (either may be absent, given as undefined).
 * `others` are further resources of both trees, for detectors that look around.
 */
export const detect = (
  detector: ResourceDetector,
  base: string | Resource | undefined,
  head: string | Resource | undefined,
  others: Around = {},
): Detection[] => {
  const asResource = (value: string | Resource | undefined) => (typeof value === "string" ? resource(value) : value);
  const before = asResource(base);
  const after = asResource(head);
  const key = (after ?? before)?.key ?? "";
  const trees = context([...(others.base ?? []), ...(before ? [before] : [])], [...(others.head ?? []), ...(after ? [after] : [])]);
  return detector(changeOf(key, before, after), trees);
};

export { describeCorpus } from "../helpers/corpus.js";
export const corpusRoot = CORPUS;
export const corpusAvailable = hasCorpus;
export const corpusFile = (relative: string): string => path.join(corpusRoot, relative);

export interface Expected {
  readonly class: Detection["class"];
  readonly side: Detection["side"];
  readonly path: Detection["path"];
  /** A substring the summary must contain. */
  readonly says: string;
  readonly riskFloor?: Detection["riskFloor"];
}

const rows = (detections: readonly Detection[]) =>
  detections.map((detection) => ({
    class: detection.class,
    side: detection.side,
    path: detection.path,
    ...(detection.riskFloor ? { riskFloor: detection.riskFloor } : {}),
  }));

/** The detections match the table rows exactly, in order; summaries by substring. */
export const expectDetections = (found: readonly Detection[], expected: readonly Expected[]): void => {
  expect(rows(found)).toEqual(expected.map(({ says: _says, ...row }) => row));
  expected.forEach((row, index) => expect(found[index]?.summary).toContain(row.says));
};

/** One row of a detector's table: the resource at base and head (either may be absent) and the detections it yields. */
export interface DetectionCase {
  readonly name: string;
  readonly base?: string | Resource;
  readonly head?: string | Resource;
  /** Further resources of both trees, for this row only. */
  readonly others?: Around;
  readonly expected: readonly Expected[];
}

/** A table runner for one detector: one `it` per row; `around` are resources in both trees of every row. */
export const detectorTable =
  (detector: ResourceDetector, around: Around = {}) =>
  (cases: readonly DetectionCase[]): void => {
    for (const testCase of cases) {
      it(testCase.name, () => {
        const others = {
          base: [...(around.base ?? []), ...(testCase.others?.base ?? [])],
          head: [...(around.head ?? []), ...(testCase.others?.head ?? [])],
        };
        expectDetections(detect(detector, testCase.base, testCase.head, others), testCase.expected);
      });
    }
  };
