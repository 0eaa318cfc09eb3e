import type { Family } from "../core/resource.js";
import { FAMILIES } from "../families/index.js";
import type { DetectorContext, ResourceDetector, TreeFiles } from "../core/detector.js";
import type { Detection } from "../core/finding.js";

/**
 * The detector registry, read off the table of families: each family's own detectors, then what
 * other families contribute to its resources (`detectsOn`, in table order). Route flows (route.*,
 * backend.*, writes.*) are read off the traffic model instead (route-changes.ts, write-paths.ts),
 * and resource.changed catches whatever no detector explains (resource-changes.ts).
 */
export const DETECTORS: Readonly<Record<Family, readonly ResourceDetector[]>> = Object.fromEntries(
  FAMILIES.map(({ name, detectors }) => [name, [...detectors, ...FAMILIES.flatMap(({ detectsOn }) => detectsOn?.[name] ?? [])]]),
);

/** What every family's file detectors find in both trees' files, in table order. */
export const fileDetections = (files: TreeFiles, context: DetectorContext): Detection[] =>
  FAMILIES.flatMap(({ fileDetectors }) => fileDetectors ?? []).flatMap((detect) => detect(files, context));
