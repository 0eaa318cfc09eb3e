import { resource } from "../../detect/resource-fixture.js";

/** The Gateway and route of Kuadrant's toystore guides (docs.kuadrant.io, "Secure, protect, and connect APIs"). */
export const prodWeb = resource(`apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: prod-web, namespace: ingress-gateway}
spec:
  gatewayClassName: istio
  listeners:
  - name: api
    hostname: api.toystore.example.com
    port: 443
    protocol: HTTPS
    tls: {mode: Terminate, certificateRefs: [{name: api-toystore-tls, kind: Secret}]}
`);

export const internal = resource(`apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: internal, namespace: ingress-gateway}
spec:
  gatewayClassName: istio
  listeners: [{name: http, hostname: internal.toystore.example.com, port: 80, protocol: HTTP}]
`);

export const toystore = resource(`apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: toystore, namespace: toystore}
spec:
  parentRefs: [{name: prod-web, namespace: ingress-gateway}]
  hostnames: [api.toystore.example.com]
  rules: [{backendRefs: [{name: toystore, port: 80}]}]
`);

export const around = { base: [prodWeb, internal, toystore], head: [prodWeb, internal, toystore] };
