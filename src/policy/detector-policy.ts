import type { Policy } from "./policy-schema.js";

/**
 * Detectors read the whole policy (its topology, above all): core declares the slot
 * (DetectorContext.policy) and this module its shape, so src/core imports no stage.
 */
declare module "../core/detector.js" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DetectorPolicy extends Policy {}
}
