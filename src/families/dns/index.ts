import type { Family } from "../family.js";
import { externalDnsAnnotationDetector, gslbDetector } from "./gslb.js";
import { frontedResourceChanged } from "./fronted-resource.js";
import { k8gbSettingsDetector } from "./k8gb-settings.js";
import { unreadAnnotationsDetector } from "./unread-annotations.js";
import { managedRecordsDetector } from "./managed-records.js";
import { serviceRecordsDetector } from "./service-records.js";
import * as dns from "./schemas.js";
import { metadataOnly } from "../../core/kube-object.js";
import { K8GB_CHART } from "../../core/k8gb-topology-values.js";

/**
 * A Flux HelmRelease installing k8gb's chart: its values say which geoTag the cluster is and which
 * clusters it pairs with. The name ends its scalar (at a line's end or comment, or before the `,`
 * or `}` of JSON and flow style), so `k8gb-operator` is another chart.
 */
const K8GB_RELEASE = new RegExp(`\\bchart["']?[ \\t]*:[ \\t]*["']?${K8GB_CHART}["']?(?=[ \\t]*(?:[,}#]|$))`, "m");

/** DNS and GSLB: external-dns DNSEndpoints, k8gb Gslbs and k8gb's own settings, and external-dns annotations on gateways, routes (Traefik's IngressRoutes too), Ingresses and core Services. */
export const dnsFamily: Family = {
  name: "dns",
  kinds: [
    [["externaldns.k8s.io"], [["DNSEndpoint", dns.dnsEndpoint]]],
    [["k8gb.io", "k8gb.absa.oss"], [["Gslb", dns.gslb]]],
  ],
  textKinds: [{ group: "helm.toolkit.fluxcd.io", kind: "HelmRelease", when: K8GB_RELEASE, schema: metadataOnly, namespaced: true }],
  promotions: { groups: { "k8gb.absa.oss": "k8gb.io" } },
  detectors: [gslbDetector, k8gbSettingsDetector],
  // The external-dns controllers a tree runs, and the core Services whose annotations they read, are no
  // traffic kind: read from the files where the PR changes what they read, or the Services.
  fileDetectors: [unreadAnnotationsDetector, managedRecordsDetector, serviceRecordsDetector],
  detectsOn: {
    "gateway-api": [externalDnsAnnotationDetector, frontedResourceChanged],
    istio: [externalDnsAnnotationDetector, frontedResourceChanged],
    ingress: [externalDnsAnnotationDetector, frontedResourceChanged],
    "legacy-gateway-api": [externalDnsAnnotationDetector],
    // external-dns's traefik-proxy source reads them on IngressRoutes, IngressRouteTCPs and IngressRouteUDPs.
    traefik: [externalDnsAnnotationDetector],
    // An Argo CD Application installing k8gb's chart carries its settings in its helm values.
    placement: [k8gbSettingsDetector],
  },
  controllerCharts: { serve: "DNS records", charts: ["external-dns", "k8gb"] },
};
