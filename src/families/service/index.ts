import type { Family } from "../family.js";
import { externalNameService } from "./schemas.js";

/** A core Service whose traffic leaves the cluster: `type: ExternalName`, however quoted. */
const EXTERNAL_NAME_TYPE = /\btype["']?[ \t]*:[ \t]*["']?ExternalName\b/;

/**
 * Core Kubernetes Services of `type: ExternalName`. Its detector still lives in src/detect
 * (external-name.ts): it reads every family's route rules through the model, which a family
 * cannot import without a cycle.
 */
export const serviceFamily: Family = {
  name: "service",
  kinds: [],
  textKinds: [{ kind: "Service", when: EXTERNAL_NAME_TYPE, schema: externalNameService, namespaced: true }],
  detectors: [],
};
