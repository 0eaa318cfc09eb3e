import { analyze } from "../helpers/review-trees.js";

// Shaped after envoyproxy/ai-gateway's examples/provider_fallback (68653e71, 2c00d500).
export const route = (name = "provider-fallback") => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default}
spec:
  parentRefs: [{name: provider-fallback}]
  rules: [{backendRefs: [{name: primary, port: 80}]}]
`;
export const GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: provider-fallback, namespace: default}
spec:
  gatewayClassName: envoy
  listeners: [{name: http, protocol: HTTP, port: 80}]
`;
export const policy = (name: string, target = "provider-fallback", retries = 5) => `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: ${name}, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: ${target}}]
  retry: {numRetries: ${retries}, retryOn: {httpStatusCodes: [500]}}
  healthCheck: {passive: {consecutive5XxErrors: 1}}
`;
export const found = (base: Record<string, string>, head: Record<string, string>) =>
  analyze(base, head).findings.map((finding) => [finding.class, finding.risk, finding.summary]);
export const judged = (findings: unknown[][]) => findings.filter(([, risk]) => risk !== "low").map(([cls]) => cls);
