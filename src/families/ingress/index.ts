import { byRules, type Family } from "../family.js";
import { ingressRules } from "./flows.js";
import { ingressDetector } from "./ingress.js";
import * as ingress from "./schemas.js";

/** Kubernetes Ingress (networking.k8s.io/v1): host and path rules to Services, behind the controller of its class. */
export const ingressFamily: Family = {
  name: "ingress",
  kinds: [[["networking.k8s.io"], [["Ingress", ingress.ingress]]]],
  ruleSources: [byRules(ingressRules)],
  detectors: [ingressDetector],
};
