import type { Family } from "../family.js";
import { inferenceDetector } from "./inference.js";
import * as inference from "./schemas.js";

/** Gateway API Inference Extension: InferencePool (v1 and v1alpha2), InferenceObjective, InferenceModel. */
export const inferenceFamily: Family = {
  name: "inference",
  kinds: [
    [["inference.networking.k8s.io", "inference.networking.x-k8s.io"], [["InferencePool", inference.inferencePool]]],
    [
      ["inference.networking.x-k8s.io"],
      [
        ["InferenceObjective", inference.inferenceObjective],
        ["InferenceModel", inference.inferenceModel],
      ],
    ],
  ],
  // v1alpha2 → v1 is a promotion of the same pool, not a delete and an add.
  promotions: { groups: { "inference.networking.x-k8s.io": "inference.networking.k8s.io" } },
  detectors: [inferenceDetector],
};
