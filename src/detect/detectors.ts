import type { Family } from "../core/resource.js";
import { FAMILIES } from "../families/index.js";
import type { ResourceDetector } from "../core/detector.js";
import { kustomizeDetector } from "./kustomize.js";
import { placementDetector } from "./placement.js";

/**
 * Detectors that still live in this stage, by family: they read the whole kinds table, which a
 * family module cannot import without a cycle.
 */
const STAGE_DETECTORS: Readonly<Record<string, readonly ResourceDetector[]>> = {
  placement: [placementDetector, kustomizeDetector],
};

/**
 * The detector registry, read off the table of families: each family's own detectors, then what
 * other families contribute to its resources (`detectsOn`, in table order). Route flows (route.*,
 * backend.*, writes.*) are read off the traffic model instead (route-changes.ts, write-paths.ts),
 * and resource.changed catches whatever no detector explains (resource-changes.ts).
 */
export const DETECTORS: Readonly<Record<Family, readonly ResourceDetector[]>> = Object.fromEntries(
  FAMILIES.map(({ name, detectors }) => [
    name,
    [...detectors, ...(STAGE_DETECTORS[name] ?? []), ...FAMILIES.flatMap(({ detectsOn }) => detectsOn?.[name] ?? [])],
  ]),
);
