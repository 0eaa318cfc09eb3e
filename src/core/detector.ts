import type { ManifestSet, Resource } from "./resource.js";
import type { ResourceChange } from "./resource-change.js";
import type { Detection } from "./finding.js";
import type { RuleShape } from "./route-rules.js";

/**
 * The policy the review runs under, as detectors read it. Core names no stage: the policy stage
 * gives this interface its shape (src/policy/detector-policy.ts merges its `Policy` into it).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DetectorPolicy {}

/** Whole trees, for detectors that must look beyond the resource they judge. */
export interface DetectorContext {
  readonly policy: DetectorPolicy;
  readonly base: ManifestSet;
  readonly head: ManifestSet;
  /** The route rules a resource contributes, whichever its family (the model's sources, from the table of families). */
  readonly routeRules: (resource: Resource, set: ManifestSet) => RuleShape[];
  /** The cluster a file lands in by the policy's placement patterns (`clusters/{cluster}/**`), undefined for none. */
  readonly clusterOfFile: (file: string) => string | undefined;
  /** The family-blind resource.changed fallback, naming the changed fields: for a detector that words its own finding around them. */
  readonly resourceChanged: (change: ResourceChange) => Detection;
}

/**
 * A pure function from one resource change to findings. Detectors are registered per family
 * (src/families/<family>/index.ts, read by src/detect/detectors.ts); adding a family never edits another family's detector.
 * A detector is only called when base and head differ semantically or one side is missing.
 */
export type ResourceDetector = (change: ResourceChange, context: DetectorContext) => Detection[];
