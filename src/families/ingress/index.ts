import { byRules, type Family } from "../family.js";
import { INGRESS_GROUPS, ingressRules } from "./flows.js";
import { ingressDetector } from "./ingress.js";
import { ingressHandover } from "./handover.js";
import { ingressClassDetector } from "./ingress-class.js";
import { PARAMS_GROUP } from "./alb-ingress.js";
import * as ingress from "./schemas.js";

/** Kubernetes Ingress (networking.k8s.io/v1, and v1beta1 as older repositories hold it): host and path rules to Services, behind the controller of its class. */
export const ingressFamily: Family = {
  name: "ingress",
  kinds: [
    [INGRESS_GROUPS, [["Ingress", ingress.ingress]]],
    [["networking.k8s.io"], [["IngressClass", ingress.ingressClass, "cluster-scoped"]]],
    // Read for the IngressGroup it puts every Ingress of its class in (alb-ingress.ts): what else it sets is not modelled.
    [[PARAMS_GROUP], [["IngressClassParams", ingress.ingressClassParams, ["cluster-scoped", "context"]]]],
  ],
  // An Ingress moved from extensions/v1beta1 to networking.k8s.io is the same object.
  promotions: { groups: { extensions: "networking.k8s.io" } },
  ruleSources: { Ingress: byRules(ingressRules) },
  handlingJudges: { Ingress: ingressHandover },
  // Its serving certificates: changed, trust.changed.
  trustFields: { Ingress: [["spec", "tls"]] },
  trustValues: [/(?:^|\.)tls\w*(?:\.|$)/i],
  detectors: [ingressDetector, ingressClassDetector],
  // Ingress controllers: kubernetes' and NGINX Inc's nginx, HAProxy's two, AWS's, Contour, Kong, Emissary, Cilium.
  controllerCharts: {
    serve: "Ingresses",
    charts: [
      ...["ingress-nginx", "nginx-ingress", "haproxy-ingress", "kubernetes-ingress", "aws-load-balancer-controller", "contour"],
      ...["nginx-ingress-controller", "kong", "ingress", "emissary-ingress", "cilium"],
    ],
    classes: [/\bingressClassName["']?:[ \t]*["']?([\w.-]+)/g, /\bkubernetes\.io\/ingress\.class["']?:[ \t]*["']?([\w.-]+)/g],
  },
};
