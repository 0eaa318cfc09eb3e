import { describe } from "vitest";
import { envoyProxyDetector } from "../../../src/families/envoy-gateway/envoy-proxy.js";
import { detectorTable, resource } from "../../detect/resource-fixture.js";

// Shaped after onedr0p/home-ops' kubernetes/apps/network/envoy-gateway/app/envoy.yaml: one EnvoyProxy
// that its GatewayClass names, so every Gateway of the class runs under it.
const CLASS = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: envoy}
spec:
  controllerName: gateway.envoyproxy.io/gatewayclass-controller
  parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: envoy, namespace: network}`;
const GATEWAY = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: internal, namespace: network}
spec:
  gatewayClassName: other
  infrastructure: {parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: envoy}}
  listeners: [{name: http, protocol: HTTP, port: 80}]`;

const around = [resource(CLASS, "gateway.yaml"), resource(GATEWAY, "gateway.yaml")];
const run = detectorTable(envoyProxyDetector, { base: around, head: around });

const proxy = (service: string, extra = "") => `
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: {name: envoy, namespace: network}
spec:
  provider:
    type: Kubernetes
    kubernetes:
      envoyDeployment: {replicas: 2}
      envoyService:
${service}${extra}`;
const INTERNAL = "        annotations: {service.beta.kubernetes.io/aws-load-balancer-scheme: internal}\n";

describe("Envoy Gateway EnvoyProxy: the Service and bootstrap of the proxies it deploys", () => {
  run([
    {
      name: "a ClusterIP Service left for Envoy Gateway's default, a load balancer",
      base: proxy("        type: ClusterIP\n"),
      head: proxy("        externalTrafficPolicy: Local\n"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          // The default is not written: the finding points at the Service.
          path: ["spec", "provider", "kubernetes", "envoyService"],
          says: "envoyService.type ClusterIP → LoadBalancer: the proxies of Gateway network/internal, every Gateway of class envoy get a load balancer",
        },
      ],
    },
    {
      name: "the annotation that kept the load balancer internal dropped",
      base: proxy(INTERNAL),
      head: proxy("        annotations: {}\n"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "provider", "kubernetes", "envoyService", "annotations"],
          says: "its load balancer is no longer internal (service.beta.kubernetes.io/aws-load-balancer-scheme: internal gone)",
        },
      ],
    },
    {
      name: "under the AWS Load Balancer Controller, internal by default: internet-facing written out exposes it; an internal annotation dropped does not",
      base: proxy("        annotations: {service.beta.kubernetes.io/aws-load-balancer-type: external}\n"),
      head: proxy(
        "        annotations: {service.beta.kubernetes.io/aws-load-balancer-type: external, service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing}\n",
      ),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "provider", "kubernetes", "envoyService", "annotations"],
          says: "no longer internal (was internal by the AWS Load Balancer Controller's default, with no aws-load-balancer-scheme)",
        },
      ],
    },
    {
      name: "a loadBalancerClass of the AWS Load Balancer Controller is internal by default too; its internal annotation dropped keeps it so",
      base: proxy(
        "        loadBalancerClass: service.k8s.aws/nlb\n        annotations: {service.beta.kubernetes.io/aws-load-balancer-internal: 'true'}\n",
      ),
      head: proxy("        loadBalancerClass: service.k8s.aws/nlb\n        annotations: {}\n"),
      expected: [],
    },
    {
      name: "GKE's internal annotation dropped beside the AWS controller's type: on GKE it is internet-facing now (session 37's probe eg-d34)",
      base: proxy(
        "        annotations: {service.beta.kubernetes.io/aws-load-balancer-type: external, networking.gke.io/load-balancer-type: Internal}\n",
      ),
      head: proxy("        annotations: {service.beta.kubernetes.io/aws-load-balancer-type: external}\n"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "provider", "kubernetes", "envoyService", "annotations"],
          says: "networking.gke.io/load-balancer-type: Internal gone; only on AWS would its controller's default keep it internal",
        },
      ],
    },
    {
      name: "source ranges widened",
      base: proxy("        loadBalancerSourceRanges: [10.0.0.0/8]\n"),
      head: proxy("        loadBalancerSourceRanges: [10.0.0.0/8, 0.0.0.0/0]\n"),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "provider", "kubernetes", "envoyService", "loadBalancerSourceRanges"],
          says: "loadBalancerSourceRanges adds 0.0.0.0/0",
        },
      ],
    },
    {
      name: "source ranges removed admit any source",
      base: proxy("        loadBalancerSourceRanges: [10.0.0.0/8]\n"),
      head: proxy("        externalTrafficPolicy: Local\n"),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "provider", "kubernetes", "envoyService"],
          says: "[10.0.0.0/8] removed: the load balancer of Gateway network/internal, every Gateway of class envoy admits any source",
        },
      ],
    },
    {
      name: "a bootstrap patch is Envoy configuration the review does not model",
      base: proxy(INTERNAL),
      head: proxy(INTERNAL, "  bootstrap:\n    type: JSONPatch\n    jsonPatches: [{op: add, path: /admin/address, value: {}}]\n"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "bootstrap"],
          says: "bootstrap none → JSONPatch (1 JSON patches): Envoy's bootstrap configuration for Gateway network/internal, every Gateway of class envoy changes",
          riskFloor: "high",
        },
      ],
    },
    {
      name: "removed while the class and a Gateway still name it: they are rejected (InvalidParameters), not redeployed with defaults",
      base: proxy(INTERNAL),
      expected: [
        {
          class: "reference.broken",
          side: "base",
          path: ["spec"],
          says: "removed while Gateway network/internal, every Gateway of class envoy still name it: that parametersRef no longer resolves, so the GatewayClass is not Accepted (InvalidParameters)",
        },
      ],
    },
    {
      name: "replicas and internal annotations kept are no finding",
      base: proxy(INTERNAL),
      head: proxy(INTERNAL).replace("replicas: 2", "replicas: 3"),
      expected: [],
    },
    {
      name: "a Service patch (here making it ClusterIP) is not read: high, not modelled (session 40 probe e1i)",
      base: proxy(INTERNAL),
      head: proxy(INTERNAL, "        patch: {type: StrategicMerge, value: {spec: {type: ClusterIP}}}\n"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "provider", "kubernetes", "envoyService", "patch"],
          says: "provider.kubernetes.envoyService.patch differs: how the proxies of Gateway network/internal, every Gateway of class envoy are exposed, addressed or reached may change (not modelled)",
        },
      ],
    },
    {
      name: "a load balancer address, an IP family, the Service's name or a DaemonSet in place of the Deployment: each unknown, high",
      base: proxy("        loadBalancerIP: 203.0.113.10\n"),
      head: proxy("        loadBalancerIP: 198.51.100.20\n        name: edge\n", "  ipFamily: IPv6\n").replace(
        "envoyDeployment: {replicas: 2}",
        "envoyDaemonSet: {}",
      ),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "provider", "kubernetes", "envoyDaemonSet"],
          says: "provider.kubernetes.envoyDaemonSet, provider.kubernetes.envoyService.loadBalancerIP, provider.kubernetes.envoyService.name, ipFamily differ",
        },
      ],
    },
    {
      name: "externalTrafficPolicy turned from Envoy Gateway's default Local to Cluster: medium",
      base: proxy(INTERNAL),
      head: proxy(INTERNAL, "        externalTrafficPolicy: Cluster\n"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "provider", "kubernetes", "envoyService", "externalTrafficPolicy"],
          says: "envoyService.externalTrafficPolicy Local → Cluster: the load balancer of Gateway network/internal, every Gateway of class envoy sends to every node",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "sizing, scheduling, identity (a service account: envoyproxy/ai-gateway c2bacbf8) and metrics annotations of the proxies, and defaults written out, are no finding; a mesh's injection annotation is",
      base: proxy(INTERNAL),
      head: proxy(INTERNAL, "  ipFamily: IPv4\n  logging: {level: {default: debug}}\n").replace(
        "envoyDeployment: {replicas: 2}",
        "envoyDeployment: {replicas: 3, container: {resources: {requests: {cpu: 500m}}, env: [{name: AWS_REGION, value: eu-west-1}]}, pod: {annotations: {prometheus.io/scrape: 'true'}, tolerations: [{key: edge}], serviceAccountName: ai-gateway}}",
      ),
      expected: [],
    },
    {
      name: "the proxies enrolled in a mesh by a pod annotation: unknown, high",
      base: proxy(INTERNAL),
      head: proxy(INTERNAL).replace(
        "envoyDeployment: {replicas: 2}",
        "envoyDeployment: {replicas: 2, pod: {annotations: {sidecar.istio.io/inject: 'true'}}}",
      ),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "provider", "kubernetes", "envoyDeployment", "pod", "annotations", "sidecar.istio.io/inject"],
          says: "provider.kubernetes.envoyDeployment.pod.annotations.sidecar.istio.io/inject differs",
        },
      ],
    },
    {
      // As an Istio ingress gateway's Service or a core Service made internal: the DNS records that name its address stop answering.
      name: "the load balancer made internal refuses the clients on the internet",
      base: proxy("        externalTrafficPolicy: Local\n"),
      head: proxy(INTERNAL).replace("replicas: 2", "replicas: 3"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "provider", "kubernetes", "envoyService", "annotations"],
          says: "envoyService: for Gateway network/internal, every Gateway of class envoy, its load balancer becomes internal (service.beta.kubernetes.io/aws-load-balancer-scheme: internal): clients on the internet are refused",
        },
      ],
    },
  ]);
});

describe("an EnvoyProxy removed that nothing names any more", () => {
  detectorTable(envoyProxyDetector)([{ name: "is the plain removal the field diff lists", base: proxy(INTERNAL), expected: [] }]);
});
