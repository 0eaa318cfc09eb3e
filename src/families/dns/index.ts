import type { Family } from "../family.js";
import { externalDnsAnnotationDetector, gslbDetector } from "./gslb.js";
import { frontedResourceChanged } from "./fronted-resource.js";
import * as dns from "./schemas.js";

/** DNS and GSLB: external-dns DNSEndpoints, k8gb Gslbs, and external-dns annotations on gateways, routes and Ingresses. */
export const dnsFamily: Family = {
  name: "dns",
  kinds: [
    [["externaldns.k8s.io"], [["DNSEndpoint", dns.dnsEndpoint]]],
    [["k8gb.io", "k8gb.absa.oss"], [["Gslb", dns.gslb]]],
  ],
  promotions: { groups: { "k8gb.absa.oss": "k8gb.io" } },
  detectors: [gslbDetector],
  detectsOn: {
    "gateway-api": [externalDnsAnnotationDetector, frontedResourceChanged],
    istio: [externalDnsAnnotationDetector, frontedResourceChanged],
    ingress: [externalDnsAnnotationDetector, frontedResourceChanged],
    "legacy-gateway-api": [externalDnsAnnotationDetector],
  },
};
