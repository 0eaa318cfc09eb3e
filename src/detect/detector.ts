import type { ManifestSet } from "../core/resource.js";
import type { ResourceChange } from "../core/resource-change.js";
import type { Policy } from "../policy/policy-schema.js";
import type { Detection } from "../core/finding.js";

/** Whole trees, for detectors that must look beyond the resource they judge. */
export interface DetectorContext {
  readonly policy: Policy;
  readonly base: ManifestSet;
  readonly head: ManifestSet;
}

/**
 * A pure function from one resource change to findings. Detectors are registered per family
 * (src/families/<family>/index.ts, read by src/detect/detectors.ts); adding a family never edits another family's detector.
 * A detector is only called when base and head differ semantically or one side is missing.
 */
export type ResourceDetector = (change: ResourceChange, context: DetectorContext) => Detection[];
