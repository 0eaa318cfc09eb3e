/**
 * A pod label or annotation by which a service mesh enrols the pod, or sets how its proxy takes and
 * sends its traffic: Istio's (`sidecar.istio.io/inject`, `traffic.sidecar.istio.io/excludeInboundPorts`,
 * which lets a port's requests past the proxy's mTLS and policies, `proxy.istio.io/config`,
 * `istio.io/rev`, `istio.io/dataplane-mode`, `ambient.istio.io/redirection`), Linkerd's
 * (`linkerd.io/inject`, `config.linkerd.io/skip-inbound-ports`), Kuma's (`kuma.io/sidecar-injection`,
 * `traffic.kuma.io/exclude-inbound-ports`), Consul's (`consul.hashicorp.com/connect-inject`) and Open
 * Service Mesh's (`openservicemesh.io/sidecar-injection`). Read where a pod's options reach traffic
 * only through them: an Envoy Gateway EnvoyProxy's pods (envoy-gateway), a release's pod values
 * (render/known-charts.ts); any other annotation of a pod (Multus' `k8s.v1.cni.cncf.io/networks`, a
 * backup tool's, a dashboard's) routes nothing a family reads.
 */
export const MESH_POD_KEY = /(?:^|\.)(?:istio\.io|linkerd\.io|kuma\.io|consul\.hashicorp\.com|openservicemesh\.io)\//;
