import type { Family } from "../family.js";
import { externalNameDetector } from "./external-name.js";
import { serviceChangeDetector } from "./service-changes.js";
import { externalNameService } from "./schemas.js";

/** A core Service whose traffic leaves the cluster: `type: ExternalName`, however quoted. */
const EXTERNAL_NAME_TYPE = /\btype["']?[ \t]*:[ \t]*["']?ExternalName\b/;

/**
 * Core Kubernetes Services of `type: ExternalName`: their traffic leaves the cluster for a DNS name.
 * Other Services are read only where the PR changes one that routes still send to (service-changes.ts).
 */
export const serviceFamily: Family = {
  name: "service",
  kinds: [],
  textKinds: [{ kind: "Service", when: EXTERNAL_NAME_TYPE, schema: externalNameService, namespaced: true }],
  detectors: [externalNameDetector],
  fileDetectors: [serviceChangeDetector],
};
