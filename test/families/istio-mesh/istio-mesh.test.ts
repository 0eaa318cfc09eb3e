import { describe, expect, it } from "vitest";
import { analyze as analyzeTrees, classesOf, review } from "../../helpers/review-trees.js";
import { kindSpecFor } from "../../../src/manifests/kinds.js";
import { istioMeshDetector, networkLabelDetector } from "../../../src/families/istio-mesh/istio-mesh.js";
import { detect, expectDetections, istioValues, resource, type Expected } from "../../detect/resource-fixture.js";

const operator = (spec: string) => `
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: {name: control-plane, namespace: istio-system}
spec:
${spec}`;

interface Case {
  readonly name: string;
  readonly base: string;
  readonly head: string;
  readonly values?: boolean;
  readonly expected: readonly Expected[];
}

const run = (cases: readonly Case[]) => {
  for (const testCase of cases) {
    it(testCase.name, () => {
      const read = testCase.values ? istioValues : resource;
      expectDetections(detect(istioMeshDetector, read(testCase.base), read(testCase.head)), testCase.expected);
    });
  }
};

describe("IstioOperator mesh identity (trust.changed)", () => {
  run([
    {
      name: "trustDomain",
      base: operator("  meshConfig: {trustDomain: cluster.local}"),
      head: operator("  meshConfig: {trustDomain: prod.example.com}"),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "meshConfig", "trustDomain"],
          says: "IstioOperator istio-system/control-plane: meshConfig.trustDomain cluster.local → prod.example.com: SPIFFE identities change",
        },
      ],
    },
    {
      name: "trustDomain spelled out as its default is cosmetic",
      base: operator("  meshConfig: {}"),
      head: operator("  meshConfig: {trustDomain: cluster.local}"),
      expected: [],
    },
    {
      name: "trustDomainAliases (order has no meaning)",
      base: operator("  meshConfig: {trustDomainAliases: [a.example, b.example]}"),
      head: operator("  meshConfig: {trustDomainAliases: [b.example, old.example, a.example]}"),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "meshConfig", "trustDomainAliases"],
          says: "[a.example, b.example] → [a.example, b.example, old.example]",
        },
      ],
    },
    {
      name: "trust anchors of another CA added to meshConfig.caCertificates",
      base: operator("  meshConfig: {}"),
      head: operator("  meshConfig: {caCertificates: [{pem: '-----BEGIN CERTIFICATE-----', trustDomains: [partner.example]}]}"),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "meshConfig", "caCertificates"],
          says: "the trust anchors peers' certificates are verified against change",
        },
      ],
    },
    {
      name: "meshID, clusterName and network under values.global",
      base: operator("  values: {global: {meshID: mesh1, multiCluster: {clusterName: jkt-1}, network: net-a}}"),
      head: operator("  values: {global: {meshID: mesh2, multiCluster: {clusterName: sgp-1}, network: net-b}}"),
      expected: [
        { class: "trust.changed", side: "head", path: ["spec", "values", "global", "meshID"], says: "global.meshID mesh1 → mesh2" },
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "values", "global", "multiCluster", "clusterName"],
          says: "global.multiCluster.clusterName jkt-1 → sgp-1",
        },
        { class: "trust.changed", side: "head", path: ["spec", "values", "global", "network"], says: "global.network net-a → net-b" },
      ],
    },
    {
      name: "meshNetworks",
      base: operator(
        "  values: {global: {meshNetworks: {net-a: {endpoints: [{fromRegistry: jkt-1}], gateways: [{address: 1.1.1.1, port: 15443}]}}}}",
      ),
      head: operator(
        "  values: {global: {meshNetworks: {net-a: {endpoints: [{fromRegistry: jkt-1}], gateways: [{address: 2.2.2.2, port: 15443}]}}}}",
      ),
      expected: [{ class: "trust.changed", side: "head", path: ["spec", "values", "global", "meshNetworks"], says: "global.meshNetworks" }],
    },
    {
      name: "east-west gateway network label in the operator's components",
      base: operator("  components:\n    ingressGateways:\n    - {name: istio-eastwestgateway, label: {topology.istio.io/network: net-a}}"),
      head: operator("  components:\n    ingressGateways:\n    - {name: istio-eastwestgateway, label: {topology.istio.io/network: net-b}}"),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "components", "ingressGateways", 0, "label", "topology.istio.io/network"],
          says: "ingressGateways istio-eastwestgateway label topology.istio.io/network net-a → net-b",
        },
      ],
    },
    {
      name: "an operator gateway whose Service loses its internal load balancer annotation is exposed to the internet (AWS scheme)",
      base: operator(
        "  components:\n    ingressGateways:\n    - {name: istio-ilbgateway, k8s: {serviceAnnotations: {service.beta.kubernetes.io/aws-load-balancer-scheme: internal}}}",
      ),
      head: operator(
        "  components:\n    ingressGateways:\n    - {name: istio-ilbgateway, k8s: {serviceAnnotations: {service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing}}}",
      ),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "components", "ingressGateways", 0, "k8s"],
          says: "ingressGateways istio-ilbgateway: its load balancer is no longer internal",
        },
      ],
    },
    {
      name: "an ingress gateway's Service turned ClusterIP (a LoadBalancer unless told otherwise) closes the mesh to the internet",
      base: operator("  components:\n    ingressGateways:\n    - {name: istio-ingressgateway, enabled: true}"),
      head: operator(
        "  components:\n    ingressGateways:\n    - {name: istio-ingressgateway, enabled: true, k8s: {service: {type: ClusterIP}}}",
      ),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "components", "ingressGateways", 0, "k8s"],
          says: "ingressGateways istio-ingressgateway: type LoadBalancer → ClusterIP: its internet-facing load balancer and address are released",
        },
      ],
    },
    {
      name: "an operator gateway disabled is uninstalled",
      base: operator("  components:\n    ingressGateways:\n    - {name: istio-ingressgateway, enabled: true}"),
      head: operator("  components:\n    ingressGateways:\n    - {name: istio-ingressgateway, enabled: false}"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "components", "ingressGateways", 0, "enabled"],
          says: "ingressGateways istio-ingressgateway: enabled true → false: the gateway is uninstalled",
        },
      ],
    },
    {
      name: "an east-west gateway deleted from the components is uninstalled, as one disabled is",
      base: operator("  components:\n    ingressGateways:\n    - {name: istio-eastwestgateway, enabled: true, label: {app: eastwest}}"),
      head: operator("  components:\n    ingressGateways: []"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "components", "ingressGateways"],
          says: "ingressGateways istio-eastwestgateway removed from the install: the gateway is uninstalled",
        },
      ],
    },
    {
      name: "the default profile's ingress gateway entry deleted: the profile still installs it",
      base: operator("  components:\n    ingressGateways:\n    - {name: istio-ingressgateway, enabled: true}"),
      head: operator("  components: {}"),
      expected: [],
    },
    {
      name: "an operator gateway moved to another namespace is uninstalled there and installed anew (briandenicola/istio-multi-cluster-setup 5abd8b1c79)",
      base: operator("  components:\n    ingressGateways:\n    - {name: istio-ingressgateway, namespace: edge, enabled: true}"),
      head: operator("  components:\n    ingressGateways:\n    - {name: istio-ingressgateway, namespace: istio-system, enabled: true}"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "components", "ingressGateways", 0, "namespace"],
          says: "ingressGateways istio-ingressgateway: namespace edge → istio-system: the gateway is uninstalled from edge and installed anew in istio-system, its Service istio-ingressgateway.istio-system in place of istio-ingressgateway.edge behind another load-balancer address",
        },
      ],
    },
    {
      name: "an egress gateway's namespace written out as the install's, which it already took, moves nothing",
      base: operator("  namespace: istio-gw\n  components:\n    egressGateways:\n    - {name: istio-egressgateway, enabled: true}"),
      head: operator(
        "  values: {global: {istioNamespace: istio-gw}}\n  components:\n    egressGateways:\n    - {name: istio-egressgateway, namespace: istio-gw}",
      ),
      expected: [],
    },
    {
      name: "a renamed ingress gateway: the default profile installs the old name again, in the install's namespace, not the entry's",
      base: operator("  components:\n    ingressGateways:\n    - {name: istio-ingressgateway, namespace: edge}"),
      head: operator("  components:\n    ingressGateways:\n    - {name: edge-ingressgateway, namespace: edge}"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "components", "ingressGateways"],
          says: "ingressGateways istio-ingressgateway removed from the install, so the default profile installs it: namespace edge → istio-system",
        },
      ],
    },
    {
      name: "the default profile's ingress gateway entry deleted with the annotation that kept its load balancer internal",
      base: operator(
        "  components:\n    ingressGateways:\n    - {name: istio-ingressgateway, k8s: {serviceAnnotations: {networking.gke.io/load-balancer-type: Internal}}}",
      ),
      head: operator("  components:\n    ingressGateways: []"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "components", "ingressGateways"],
          says: "ingressGateways istio-ingressgateway removed from the install, so the default profile installs it: its load balancer is no longer internal",
        },
      ],
    },
    {
      name: "an entry written for the ingress gateway the default profile installed unwritten changes that gateway",
      base: operator("  components: {}"),
      head: operator(
        "  components:\n    ingressGateways:\n    - {name: istio-ingressgateway, k8s: {serviceAnnotations: {networking.gke.io/load-balancer-type: Internal}}}",
      ),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "components", "ingressGateways", 0, "k8s"],
          says: "ingressGateways istio-ingressgateway: its load balancer becomes internal",
        },
      ],
    },
    {
      name: "an egress gateway's Service is ClusterIP unless told otherwise: nothing faced the internet",
      base: operator("  components:\n    egressGateways:\n    - {name: istio-egressgateway, enabled: true}"),
      head: operator(
        "  components:\n    egressGateways:\n    - {name: istio-egressgateway, enabled: true, k8s: {service: {type: ClusterIP}}}",
      ),
      expected: [],
    },
    {
      name: "the mesh's default exportTo widened to every namespace, or narrowed from it",
      base: operator("  meshConfig: {defaultServiceExportTo: ['.'], defaultVirtualServiceExportTo: ['*']}"),
      head: operator("  meshConfig: {defaultServiceExportTo: ['*'], defaultVirtualServiceExportTo: ['.']}"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "meshConfig", "defaultVirtualServiceExportTo"],
          riskFloor: "medium",
          says: "meshConfig.defaultVirtualServiceExportTo [*] → [.]",
        },
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "meshConfig", "defaultServiceExportTo"],
          says: "meshConfig.defaultServiceExportTo [.] → [*]: Services and ServiceEntries that set no exportTo of their own are now visible in every namespace",
        },
      ],
    },
    {
      name: "discoverySelectors changed to select other namespaces: istiod stops watching the ones they drop",
      base: operator("  meshConfig: {discoverySelectors: [{matchLabels: {istio-discovery: enabled}}]}"),
      head: operator("  meshConfig: {discoverySelectors: [{matchLabels: {istio-discovery: prod}}]}"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "meshConfig", "discoverySelectors"],
          riskFloor: "high",
          says: "istiod stops watching namespaces these no longer select",
        },
      ],
    },
    {
      name: "discoverySelectors given an alternative, or removed: istiod watches more, not less",
      base: operator("  meshConfig: {discoverySelectors: [{matchLabels: {istio-discovery: enabled}}]}"),
      head: operator("  meshConfig: {discoverySelectors: [{matchLabels: {istio-discovery: enabled}}, {matchLabels: {team: data}}]}"),
      expected: [],
    },
    {
      name: "moving a setting from values.meshConfig to spec.meshConfig is cosmetic",
      base: operator("  values: {meshConfig: {trustDomain: prod.example.com}}"),
      head: operator("  meshConfig: {trustDomain: prod.example.com}"),
      expected: [],
    },
  ]);

  const gatewaysInstall = (namespace: string) => `
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: {name: gateways, namespace: istio-system}
spec:
  profile: empty
  components:
    ingressGateways:
    - {name: istio-eastwestgateway, namespace: ${namespace}}`;

  it("an east-west gateway moved to an install of its own is what that install makes of it", () => {
    const base = operator("  profile: minimal\n  components:\n    ingressGateways:\n    - {name: istio-eastwestgateway}");
    const head = operator("  profile: minimal\n  components:\n    ingressGateways: []");
    expectDetections(detect(istioMeshDetector, base, head, { head: [resource(gatewaysInstall("istio-system"))] }), []);
    expectDetections(detect(istioMeshDetector, base, head, { head: [resource(gatewaysInstall("istio-gateways"))] }), [
      {
        class: "listener.changed",
        side: "head",
        path: ["spec", "components", "ingressGateways"],
        says: "ingressGateways istio-eastwestgateway removed from the install, so IstioOperator istio-system/gateways installs it: namespace istio-system → istio-gateways",
      },
    ]);
  });
});

describe("Istio Helm values (IstioValues pseudo-resource)", () => {
  run([
    {
      name: "the gateway chart's values: its Service turned ClusterIP closes the mesh to the internet",
      values: true,
      base: "service:\n  type: LoadBalancer\n  ports: [{name: https, port: 443}]\n",
      head: "service:\n  type: ClusterIP\n  ports: [{name: https, port: 443}]\n",
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["service"],
          says: "the gateway chart's Service: type LoadBalancer → ClusterIP",
        },
      ],
    },
    {
      name: "global.network in a values file",
      values: true,
      base: "global:\n  network: net-a\n  meshID: mesh1\n",
      head: "global:\n  meshID: mesh1\n  network: net-b\n",
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["global", "network"],
          says: "IstioValues values-istio.yaml: global.network net-a → net-b",
        },
      ],
    },
    {
      name: "a host becomes cluster-local: its remote endpoints drop out",
      values: true,
      base: "meshConfig:\n  serviceSettings: []\n",
      head: "meshConfig:\n  serviceSettings:\n  - settings: {clusterLocal: true}\n    hosts: [checkout.shop.svc.cluster.local]\n",
      expected: [
        {
          class: "backend.region-removed",
          side: "head",
          path: ["meshConfig", "serviceSettings"],
          says: "makes checkout.shop.svc.cluster.local cluster-local",
        },
      ],
    },
    {
      name: "clusterLocal lifted: remote endpoints start receiving traffic",
      values: true,
      base: "meshConfig:\n  serviceSettings:\n  - settings: {clusterLocal: true}\n    hosts: ['*.shop.svc.cluster.local']\n",
      head: "meshConfig:\n  serviceSettings:\n  - settings: {clusterLocal: false}\n    hosts: ['*.shop.svc.cluster.local']\n",
      expected: [{ class: "backend.region-added", side: "head", path: ["meshConfig", "serviceSettings"], says: "mesh-global again" }],
    },
    {
      name: "serviceScopeConfigs GLOBAL for istio.io/global services",
      values: true,
      base: "meshConfig: {}\n",
      head: "meshConfig:\n  serviceScopeConfigs:\n  - servicesSelector: {matchExpressions: [{key: istio.io/global, operator: In, values: ['true']}]}\n    scope: GLOBAL\n",
      expected: [
        {
          class: "backend.region-added",
          side: "head",
          path: ["meshConfig", "serviceScopeConfigs", 0],
          says: "scope (unset) → GLOBAL: matching services become global",
        },
      ],
    },
    {
      name: "serviceScopeConfigs GLOBAL → LOCAL",
      values: true,
      base: "meshConfig:\n  serviceScopeConfigs:\n  - {servicesSelector: {matchLabels: {tier: edge}}, scope: GLOBAL}\n",
      head: "meshConfig:\n  serviceScopeConfigs:\n  - {scope: LOCAL, servicesSelector: {matchLabels: {tier: edge}}}\n",
      expected: [
        {
          class: "backend.region-removed",
          side: "head",
          path: ["meshConfig", "serviceScopeConfigs", 0],
          says: "GLOBAL → LOCAL: matching services become cluster-local",
        },
      ],
    },
  ]);
});

describe("topology.istio.io/network label on any resource", () => {
  const gateway = (network: string) => `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: cross-network-gateway
  namespace: istio-system
  labels: {topology.istio.io/network: ${network}, app: eastwest}
spec:
  selector: {istio: eastwestgateway}`;
  it("moving a resource to another network is a trust change", () => {
    expectDetections(detect(networkLabelDetector, gateway("net-a"), gateway("net-b")), [
      {
        class: "trust.changed",
        side: "head",
        path: ["metadata", "labels", "topology.istio.io/network"],
        says: "Gateway istio-system/cross-network-gateway: label topology.istio.io/network net-a → net-b",
      },
    ]);
  });
  it("other label edits are not", () => {
    expectDetections(detect(networkLabelDetector, gateway("net-a"), gateway("net-a").replace("app: eastwest", "app: east-west")), []);
  });
});

describe("IstioOperator control plane images (a mesh-wide upgrade)", () => {
  run([
    {
      name: "a tag bump is high (anthos-service-mesh-packages bbbdcd81)",
      base: operator("  tag: 1.8.2-asm.2\n  hub: gcr.io/gke-release/asm"),
      head: operator("  tag: 1.9.0-asm.3\n  hub: gcr.io/gke-release/asm"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "tag"],
          says: "control plane version 1.8.2-asm.2 → 1.9.0-asm.3: istiod and its gateways restart on it",
          riskFloor: "high",
        },
      ],
    },
    {
      name: "another registry in values.global is high too",
      base: operator("  values: {global: {hub: docker.io/istio}}"),
      head: operator("  values: {global: {hub: registry.example.com/istio}}"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "values", "global", "hub"],
          says: "control plane image registry docker.io/istio → registry.example.com/istio",
          riskFloor: "high",
        },
      ],
    },
    { name: "the same tag, reformatted, is no change", base: operator("  tag: '1.20.0'"), head: operator('  tag: "1.20.0"'), expected: [] },
    {
      name: "istiod's Helm values global.tag is the same upgrade",
      values: true,
      base: "global:\n  tag: 1.22.1\n  meshID: mesh1\n",
      head: "global:\n  tag: 1.23.0\n  meshID: mesh1\n",
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["global", "tag"],
          says: "control plane version 1.22.1 → 1.23.0",
          riskFloor: "high",
        },
      ],
    },
  ]);
});

describe("the Sail Operator's Istio and IstioRevision (sailoperator.io): istiod's values under spec.values", () => {
  const sail = (spec: string, kind = "Istio") => `
apiVersion: sailoperator.io/v1
kind: ${kind}
metadata: {name: default}
spec:
  namespace: istio-system
${spec}`;
  run([
    {
      name: "trustDomain and meshID",
      base: sail("  values:\n    meshConfig: {trustDomain: cluster.local}\n    global: {meshID: mesh1}"),
      head: sail("  values:\n    meshConfig: {trustDomain: prod.example.com}\n    global: {meshID: mesh2}"),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "values", "meshConfig", "trustDomain"],
          says: "Istio default: meshConfig.trustDomain cluster.local → prod.example.com",
        },
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "values", "global", "meshID"],
          says: "global.meshID mesh1 → mesh2",
        },
      ],
    },
    {
      name: "auto mTLS turned off in an IstioRevision",
      base: sail("  values: {meshConfig: {}}", "IstioRevision"),
      head: sail("  values: {meshConfig: {enableAutoMtls: false}}", "IstioRevision"),
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "values", "meshConfig", "enableAutoMtls"],
          says: "IstioRevision default: meshConfig.enableAutoMtls true → false",
        },
      ],
    },
    {
      name: "mesh-wide locality load balancing turned off, or its failover changed",
      base: sail("  values: {meshConfig: {localityLbSetting: {failover: [{from: us-east1, to: us-west1}]}}}", "IstioRevision"),
      head: sail(
        "  values: {meshConfig: {localityLbSetting: {enabled: false, failover: [{from: us-east1, to: europe-west1}]}}}",
        "IstioRevision",
      ),
      expected: [
        {
          class: "failover.changed",
          side: "head",
          path: ["spec", "values", "meshConfig", "localityLbSetting", "enabled"],
          says: "meshConfig.localityLbSetting.enabled true → false: locality-aware load balancing is off mesh-wide",
        },
        {
          class: "failover.changed",
          side: "head",
          path: ["spec", "values", "meshConfig", "localityLbSetting"],
          says: "where traffic fails over or how it spreads across localities changes for every service whose DestinationRule sets none",
        },
      ],
    },
    {
      name: "mesh-wide egress opened: REGISTRY_ONLY → ALLOW_ANY",
      base: sail("  values: {meshConfig: {outboundTrafficPolicy: {mode: REGISTRY_ONLY}}}", "IstioRevision"),
      head: sail("  values: {meshConfig: {outboundTrafficPolicy: {mode: ALLOW_ANY}}}", "IstioRevision"),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "values", "meshConfig", "outboundTrafficPolicy", "mode"],
          says: "meshConfig.outboundTrafficPolicy.mode REGISTRY_ONLY → ALLOW_ANY: every sidecar without a Sidecar of its own can call any external host",
        },
      ],
    },
    {
      name: "mesh-wide egress closed, from Istio's default: calls to unregistered hosts fail (medium)",
      base: sail("  values: {meshConfig: {}}", "IstioRevision"),
      head: sail("  values: {meshConfig: {outboundTrafficPolicy: {mode: REGISTRY_ONLY}}}", "IstioRevision"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "values", "meshConfig", "outboundTrafficPolicy", "mode"],
          says: "ALLOW_ANY → REGISTRY_ONLY: calls to external hosts no ServiceEntry registers now fail",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "a version bump is a mesh-wide upgrade",
      base: sail("  version: v1.27.3"),
      head: sail("  version: v1.28.1"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "version"],
          says: "control plane version v1.27.3 → v1.28.1: istiod and its gateways restart on it",
          riskFloor: "high",
        },
      ],
    },
  ]);
});

describe("istiod's mesh ConfigMap, as vendored rendered installs hold it (kubeflow/manifests)", () => {
  const meshConfigMap = (mesh: string, name = "istio") => `
apiVersion: v1
kind: ConfigMap
metadata: {name: ${name}, namespace: istio-system, labels: {istio.io/rev: default}}
data:
  mesh: |-
${mesh
  .split("\n")
  .map((line) => `    ${line}`)
  .join("\n")}
  meshNetworks: 'networks: {}'`;
  const MESH =
    "defaultConfig:\n  discoveryAddress: istiod.istio-system.svc:15012\nenablePrometheusMerge: true\nrootNamespace: istio-system";
  run([
    {
      name: "its trust domain and auto mTLS, read from the `mesh` document",
      base: meshConfigMap(`${MESH}\ntrustDomain: cluster.local`),
      head: meshConfigMap(`${MESH}\ntrustDomain: prod.example.com\nenableAutoMtls: false`),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["data", "mesh"],
          says: "ConfigMap istio-system/istio: meshConfig.trustDomain cluster.local → prod.example.com",
        },
        { class: "mtls.weakened", side: "head", path: ["data", "mesh"], says: "sidecars stop using mTLS by themselves" },
      ],
    },
    {
      name: "a revision's ConfigMap too",
      base: meshConfigMap(`${MESH}\ntrustDomain: cluster.local`, "istio-1-22"),
      head: meshConfigMap(`${MESH}\ntrustDomain: corp.example`, "istio-1-22"),
      expected: [{ class: "trust.changed", side: "head", path: ["data", "mesh"], says: "cluster.local → corp.example" }],
    },
    {
      name: "a ConfigMap of another name is not read as istiod's",
      base: meshConfigMap(`${MESH}\ntrustDomain: cluster.local`, "app-settings"),
      head: meshConfigMap(`${MESH}\ntrustDomain: corp.example`, "app-settings"),
      expected: [],
    },
  ]);
});

describe("a ConfigMap is read only when it is istiod's mesh ConfigMap", () => {
  const configMap = (name: string, trustDomain: string) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: istio-system\ndata:\n  mesh: |-\n    trustDomain: ${trustDomain}\n`;
  it("istio's trust domain change blocks; the same document in another ConfigMap is not traffic config", () => {
    const istio = review({ "mesh.yaml": configMap("istio", "cluster.local") }, { "mesh.yaml": configMap("istio", "prod.example.com") });
    expect(classesOf(istio.analysis)).toEqual(["trust.changed"]);
    const other = review({ "app.yaml": configMap("app-settings", "a") }, { "app.yaml": configMap("app-settings", "b") });
    expect(other.analysis.findings).toEqual([]);
    expect(other.decision).toBe("pass");
  });
});

describe("istiod's mesh ConfigMap is recognised from its text, block or flow style", () => {
  it("reads it as mesh config and nothing else of its kind", () => {
    const block =
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n  namespace: istio-system\ndata:\n  mesh: |-\n    trustDomain: a\n";
    const flow =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "istio-1-22", namespace: istio-system}\ndata:\n  mesh: "trustDomain: a"\n';
    expect(kindSpecFor("", "ConfigMap", block)?.family).toBe("istio-mesh");
    expect(kindSpecFor("", "ConfigMap", flow)?.family).toBe("istio-mesh");
    expect(kindSpecFor("", "ConfigMap", block.replace("name: istio", "name: istiod-config"))).toBeUndefined();
    expect(kindSpecFor("", "ConfigMap", block.replace("mesh: |-", "config: |-"))).toBeUndefined();
  });
});

describe("istiod released by Flux from its OCI artifact (chartRef)", () => {
  const files = (meshConfig: string, url = "oci://gcr.io/istio-release/charts/istiod") => ({
    "istio/source.yaml": `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: istiod, namespace: istio-system}\nspec: {url: "${url}", ref: {tag: 1.24.0}}\n`,
    "istio/release.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: istiod, namespace: istio-system}\nspec:\n  chartRef: {kind: OCIRepository, name: istiod}\n  values:\n    meshConfig: ${meshConfig}\n`,
  });

  it("is mesh config: auto mTLS off and ALLOW_ANY egress are judged (they passed as no change)", () => {
    const result = analyzeTrees(
      files("{outboundTrafficPolicy: {mode: REGISTRY_ONLY}, enableAutoMtls: true}"),
      files("{outboundTrafficPolicy: {mode: ALLOW_ANY}, enableAutoMtls: false}"),
    );
    expect(result.findings.map((finding) => [finding.class, finding.risk])).toEqual([
      ["mtls.weakened", "critical"],
      ["access.widened", "high"],
    ]);
  });

  it("a release of another chart's artifact is not", () => {
    const other = "oci://ghcr.io/bjw-s-labs/helm/app-template";
    const result = analyzeTrees(files("{enableAutoMtls: true}", other), files("{enableAutoMtls: false}", other));
    expect(classesOf(result)).not.toContain("mtls.weakened");
  });
});

describe("Istio's gateway chart released by Flux: its Service", () => {
  const release = (service: string, chart = "gateway") => `
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: istio-ingressgateway, namespace: istio-ingress}
spec:
  chart: {spec: {chart: ${chart}, version: 1.24.0, sourceRef: {kind: HelmRepository, name: istio}}}
  values: {service: ${service}}`;
  run([
    {
      name: "a LoadBalancer unless its values say otherwise: ClusterIP closes it to the internet",
      base: release("{}"),
      head: release("{type: ClusterIP}"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "values", "service"],
          says: "the gateway chart's Service: type LoadBalancer → ClusterIP: its internet-facing load balancer and address are released",
        },
      ],
    },
    {
      name: "made internal by an annotation",
      base: release("{type: LoadBalancer}"),
      head: release("{type: LoadBalancer, annotations: {networking.gke.io/load-balancer-type: Internal}}"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "values", "service"],
          says: "its load balancer becomes internal (networking.gke.io/load-balancer-type: Internal)",
        },
      ],
    },
    {
      name: "a port written on both sides that it no longer listens on",
      base: release("{ports: [{name: http2, port: 80}, {name: https, port: 443}]}"),
      head: release("{ports: [{name: https, port: 443}]}"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "values", "service"],
          says: "its internet-facing load balancer no longer listens on port 80: clients connecting there from outside the cluster are refused",
        },
      ],
    },
    {
      name: "ports written where the chart's defaults were are not judged (the defaults are unknown here)",
      base: release("{}"),
      head: release("{ports: [{name: https, port: 443}]}"),
      expected: [],
    },
    {
      name: "another chart's service values are its own",
      base: release("{}", "istiod"),
      head: release("{type: ClusterIP}", "istiod"),
      expected: [],
    },
  ]);
});

describe("meshConfig.extensionProviders that CUSTOM AuthorizationPolicies ask", () => {
  const operator = (provider: string) => `
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: {name: control-plane, namespace: istio-system}
spec:
  meshConfig:
    extensionProviders:
    - name: tracing
      zipkin: {service: zipkin.istio-system.svc.cluster.local, port: 9411}
${provider}`;
  const oauth = (service: string, extra = "") =>
    `    - name: oauth2-proxy\n      envoyExtAuthzHttp: {service: ${service}, port: 4180${extra}}\n`;
  const custom = resource(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: require-login, namespace: shop}
spec:
  action: CUSTOM
  provider: {name: oauth2-proxy}
  rules: [{to: [{operation: {paths: ["/account/*"]}}]}]
`);
  const found = (base: string, head: string, others = { base: [custom], head: [custom] }) =>
    detect(istioMeshDetector, base, head, others).map(({ class: kind, summary }) => [kind, summary.split(": ").slice(1).join(": ")]);

  it("pointed at another service: another server decides access (trust.changed)", () => {
    expect(found(operator(oauth("oauth2-proxy.auth.svc.cluster.local")), operator(oauth("authz-gw.edge.svc.cluster.local")))).toEqual([
      [
        "trust.changed",
        "meshConfig.extensionProviders oauth2-proxy asks authz-gw.edge.svc.cluster.local:4180 (was oauth2-proxy.auth.svc.cluster.local:4180): another server decides access for every CUSTOM policy that asks oauth2-proxy",
      ],
    ]);
  });

  it("failOpen turned on lets requests through when it cannot answer (access.widened)", () => {
    const service = "oauth2-proxy.auth.svc.cluster.local";
    expect(found(operator(oauth(service)), operator(oauth(service, ", failOpen: true"))).map(([kind]) => kind)).toEqual(["access.widened"]);
  });

  it("removed while a CUSTOM policy asks it: istiod denies what the policy matches (reference.broken); unasked, nothing", () => {
    const service = "oauth2-proxy.auth.svc.cluster.local";
    expect(found(operator(oauth(service)), operator("")).map(([kind, says]) => [kind, (says ?? "").split(":")[0]])).toEqual([
      [
        "reference.broken",
        "meshConfig.extensionProviders oauth2-proxy removed while CUSTOM AuthorizationPolicies still ask it (AuthorizationPolicy shop/require-login)",
      ],
    ]);
    expect(found(operator(oauth(service)), operator(""), { base: [], head: [] })).toEqual([]);
  });
});

describe("a mesh install renamed is the same install: its settings are compared", () => {
  const install = (name: string, trustDomain: string) =>
    `apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata: {name: ${name}, namespace: istio-system}\nspec:\n  meshConfig: {trustDomain: ${trustDomain}}\n`;

  it("renamed with another trust domain: trust.changed; renamed alone: no mesh finding", () => {
    const renamed = analyzeTrees(
      { "istio/operator.yaml": install("prod-control-plane", "prod.acme.io") },
      { "istio/operator.yaml": install("control-plane", "acme.io") },
    );
    expect(renamed.findings.filter((f) => f.class === "trust.changed").map((f) => f.summary.split(": ")[1])).toEqual([
      "meshConfig.trustDomain prod.acme.io → acme.io",
    ]);
    const alone = analyzeTrees(
      { "istio/operator.yaml": install("prod-control-plane", "acme.io") },
      { "istio/operator.yaml": install("control-plane", "acme.io") },
    );
    expect(alone.findings.filter((f) => f.risk !== "low")).toEqual([]);
  });

  it("a second install added beside one kept is no rename: it is compared with the kept one, the mesh it joins", () => {
    const kept = { "istio/a.yaml": install("a", "acme.io") };
    const added = analyzeTrees(kept, { ...kept, "istio/b.yaml": install("b", "other.io") });
    expect(added.findings.filter((f) => f.class === "trust.changed").map((f) => f.summary.split(": ").slice(0, 3))).toEqual([
      [
        "IstioOperator istio-system/b",
        "added beside IstioOperator istio-system/a, which it is compared with",
        "meshConfig.trustDomain acme.io → other.io",
      ],
    ]);
  });

  it("a canary revision repeating the running install's trust domain changes nothing; one bringing another is critical", () => {
    const revision = (name: string, trustDomain: string) =>
      `apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata: {name: ${name}, namespace: istio-system}\nspec:\n  revision: ${name}\n  meshConfig: {trustDomain: ${trustDomain}}\n  values: {global: {meshID: mesh1, network: net1}}\n`;
    const kept = { "istio/1-19.yaml": revision("canary-1-19", "acme.io") };
    const canary = analyzeTrees(kept, { ...kept, "istio/1-20.yaml": revision("canary-1-20", "acme.io") });
    expect(canary.findings.filter((f) => f.risk !== "low")).toEqual([]);
    const other = analyzeTrees(kept, { ...kept, "istio/1-20.yaml": revision("canary-1-20", "evil.io") });
    expect(other.findings.filter((f) => f.class === "trust.changed").map((f) => [f.risk, f.summary.split(": ")[2]])).toEqual([
      ["critical", "meshConfig.trustDomain acme.io → evil.io"],
    ]);
    const unset = analyzeTrees(kept, { ...kept, "istio/1-20.yaml": revision("canary-1-20", "cluster.local") });
    expect(unset.findings.filter((f) => f.class === "trust.changed").map((f) => [f.risk, f.summary.split(": ")[2]])).toEqual([
      ["critical", "meshConfig.trustDomain acme.io → cluster.local"],
    ]);
  });
});

describe("an install added that replaces none is judged against Istio's defaults", () => {
  const IDENTITY =
    "  meshConfig:\n    trustDomain: foo.com\n    trustDomainAliases: [bar.com]\n  values:\n    global:\n      meshID: mesh1\n      multiCluster: {clusterName: foo-eks}\n      network: foo-network\n";
  const said = (findings: readonly { class: string; risk: string; summary: string }[]) =>
    findings.map((f) => [f.class, f.risk, f.summary.split(": ").slice(2, 3).join("")]);
  const PEER =
    "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: STRICT}}\n";

  it("an IstioOperator setting the mesh's identity reaches trust.changed, as setting it on an existing one does (istio-on-eks 39e150e154)", () => {
    const result = analyzeTrees({ "mesh/pa.yaml": PEER }, { "mesh/pa.yaml": PEER, "mesh/istio.yaml": operator(IDENTITY) });
    expect(said(result.findings)).toEqual([
      ["trust.changed", "critical", "meshConfig.trustDomain cluster.local → foo.com"],
      ["trust.changed", "critical", "meshConfig.trustDomainAliases [] → [bar.com]"],
      ["trust.changed", "critical", "global.meshID (unset) → mesh1"],
      ["trust.changed", "critical", "global.multiCluster.clusterName (unset) → foo-eks"],
      ["trust.changed", "critical", "global.network (unset) → foo-network"],
    ]);
    expect(result.findings[0]?.summary).toMatch(
      /^IstioOperator istio-system\/control-plane: added, replacing no install here, so compared with Istio's defaults: /,
    );
  });

  it("mesh-wide mTLS off and egress opened on a new install are what they are on an existing one; stricter ones medium", () => {
    const weak = analyzeTrees(
      {},
      { "mesh/istio.yaml": operator("  meshConfig: {enableAutoMtls: false, outboundTrafficPolicy: {mode: ALLOW_ANY}}") },
    );
    expect(weak.findings.map((f) => [f.class, f.risk])).toEqual([["mtls.weakened", "critical"]]);
    const strict = analyzeTrees({}, { "mesh/istio.yaml": operator("  meshConfig: {outboundTrafficPolicy: {mode: REGISTRY_ONLY}}") });
    expect(strict.findings.map((f) => [f.class, f.risk])).toEqual([["resource.changed", "medium"]]);
  });

  it("an install writing only defaults or settings these checks leave alone stays low", () => {
    const defaults = operator(
      [
        "  profile: demo",
        "  hub: docker.io/istio",
        "  tag: 1.22.0",
        "  meshConfig: {trustDomain: cluster.local, trustDomainAliases: [], accessLogFile: /dev/stdout, enableAutoMtls: true, outboundTrafficPolicy: {mode: ALLOW_ANY}, rootNamespace: istio-system}",
        "  components: {ingressGateways: [{name: istio-ingressgateway, enabled: true}]}",
        '  values: {global: {meshID: "", network: "", multiCluster: {clusterName: ""}, meshNetworks: {}, caAddress: ""}}',
      ].join("\n"),
    );
    const result = analyzeTrees({}, { "mesh/istio.yaml": defaults });
    expect(result.findings.filter((f) => f.risk !== "low")).toEqual([]);
  });

  it("istiod's values file, its HelmRelease and its rendered mesh ConfigMap alike: defaults quiet, a trust domain critical", () => {
    const values = (trustDomain: string) =>
      `meshConfig:\n  trustDomain: ${trustDomain}\nglobal:\n  meshID: ""\n  network: ""\n  meshNetworks: {}\n  multiCluster: {enabled: false, clusterName: ""}\n`;
    const release = (trustDomain: string) =>
      `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: istiod, namespace: istio-system}\nspec:\n  chart: {spec: {chart: istiod, sourceRef: {kind: HelmRepository, name: istio}}}\n  values:\n    meshConfig: {trustDomain: ${trustDomain}}\n`;
    const configMap = (trustDomain: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata:\n  mesh: |-\n    defaultConfig: {discoveryAddress: istiod.istio-system.svc:15012}\n    rootNamespace: istio-system\n    trustDomain: ${trustDomain}\n  meshNetworks: 'networks: {}'\n`;
    for (const [file, install] of [
      ["istio/values-istiod.yaml", values],
      ["istio/release.yaml", release],
      ["istio/mesh.yaml", configMap],
    ] as const) {
      expect(analyzeTrees({}, { [file]: install("cluster.local") }).findings.filter((f) => f.risk !== "low")).toEqual([]);
      expect(said(analyzeTrees({}, { [file]: install("prod.example.com") }).findings)).toEqual([
        ["trust.changed", "critical", "meshConfig.trustDomain cluster.local → prod.example.com"],
      ]);
    }
  });

  it("a ConfigMap that is not istiod's is still not read", () => {
    const other =
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-settings, namespace: istio-system}\ndata:\n  mesh: |-\n    trustDomain: corp\n";
    expect(analyzeTrees({}, { "app.yaml": other }).findings.filter((f) => f.risk !== "low")).toEqual([]);
  });
});

describe("an install moved is the install it was, not a fresh one", () => {
  const unnamed = (trustDomain: string, network: string) =>
    `apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  meshConfig: {trustDomain: ${trustDomain}}\n  values: {global: {network: ${network}}}\n`;

  it("a named IstioOperator moved to another file: no finding above low; moved with its trust domain changed, that change", () => {
    const moved = analyzeTrees(
      { "a/istio.yaml": operator("  meshConfig: {trustDomain: acme.io}") },
      { "b/istio.yaml": operator("  meshConfig: {trustDomain: acme.io}") },
    );
    expect(moved.findings.filter((f) => f.risk !== "low")).toEqual([]);
    const changed = analyzeTrees(
      { "a/istio.yaml": operator("  meshConfig: {trustDomain: acme.io}") },
      { "b/istio.yaml": operator("  meshConfig: {trustDomain: prod.acme.io}") },
    );
    expect(changed.findings.filter((f) => f.class === "trust.changed").map((f) => f.summary.split(": ")[1])).toEqual([
      "meshConfig.trustDomain acme.io → prod.acme.io",
    ]);
  });

  it("unnamed IstioOperators (named by their file) moved together pair by content; one changed on the way pairs by elimination", () => {
    const base = { "cluster1.yaml": unnamed("acme.io", "net1"), "cluster2.yaml": unnamed("acme.io", "net2") };
    const moved = analyzeTrees(base, {
      "clusters/1/istio.yaml": unnamed("acme.io", "net1"),
      "clusters/2/istio.yaml": unnamed("acme.io", "net2"),
    });
    expect(moved.findings.filter((f) => f.risk !== "low")).toEqual([]);
    const changed = analyzeTrees(base, {
      "clusters/1/istio.yaml": unnamed("acme.io", "net1"),
      "clusters/2/istio.yaml": unnamed("acme.io", "net9"),
    });
    expect(changed.findings.filter((f) => f.class === "trust.changed").map((f) => f.summary)).toEqual([
      "IstioOperator (unnamed) in clusters/2/istio.yaml: global.network net2 → net9: the cluster moves to another network: traffic between networks goes through east-west gateways",
    ]);
  });

  it("one moved and one added: the moved one pairs with its copy, the added one is judged against Istio's defaults", () => {
    const result = analyzeTrees(
      { "cluster1.yaml": unnamed("acme.io", "net1") },
      { "clusters/1/istio.yaml": unnamed("acme.io", "net1"), "clusters/2/istio.yaml": unnamed("acme.io", "net2") },
    );
    expect(result.findings.filter((f) => f.class === "trust.changed").map((f) => f.summary.split(": ").slice(0, 3))).toEqual([
      [
        "IstioOperator (unnamed) in clusters/2/istio.yaml",
        "added, replacing no install here, so compared with Istio's defaults",
        "meshConfig.trustDomain cluster.local → acme.io",
      ],
      [
        "IstioOperator (unnamed) in clusters/2/istio.yaml",
        "added, replacing no install here, so compared with Istio's defaults",
        "global.network (unset) → net2",
      ],
    ]);
  });
});

describe("the Istio Gateways an operator gateway component's pods serve (their selector against its pods' labels)", () => {
  const INTERNAL = "k8s: {serviceAnnotations: {service.beta.kubernetes.io/aws-load-balancer-internal: 'true'}}";
  const install = (...entries: string[]) => ({
    "istio/operator.yaml": operator(`  components:\n    ingressGateways:\n${entries.map((entry) => `    - ${entry}\n`).join("")}`),
  });
  const gateway = (name: string, selector: string) => ({
    [`istio/${name}.yaml`]: `apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: ${name}, namespace: istio-system}\nspec:\n  selector: {${selector}}\n  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*/shop.example.com']}]\n`,
  });
  const found = (base: Record<string, string>, head: Record<string, string>) =>
    analyzeTrees(base, head)
      .findings.filter((f) => f.risk !== "low")
      .map((f) => `${f.risk} ${f.class} ${f.summary.slice(f.summary.indexOf(": ") + 2)}`);
  const shop = gateway("shop", "istio: ingressgateway");

  it("an ingress gateway given `label: {istio: edge}` leaves the Gateways selecting `istio: ingressgateway`: high", () => {
    const base = { ...install(`{name: istio-ingressgateway, ${INTERNAL}}`), ...shop };
    const head = { ...install(`{name: istio-ingressgateway, ${INTERNAL}, label: {istio: edge}}`), ...shop };
    expect(found(base, head)).toEqual([
      "high listener.changed ingressGateways istio-ingressgateway: its pods' labels app=istio-ingressgateway, istio=ingressgateway → app=istio-ingressgateway, istio=edge: Gateway istio-system/shop no longer selects them, so its servers stop being served through its Service",
    ]);
    // The Gateway's selector moved with it in the same PR: it still selects them (its own change is judged on the Gateway).
    const followed = { ...install(`{name: istio-ingressgateway, ${INTERNAL}, label: {istio: edge}}`), ...gateway("shop", "istio: edge") };
    expect(found(base, followed).filter((f) => f.includes("IstioOperator") || f.includes("pods' labels"))).toEqual([]);
    // A Gateway copied into a second folder is named once.
    const copy = { "istio/copy/shop.yaml": shop["istio/shop.yaml"]! };
    expect(found({ ...base, ...copy }, { ...head, ...copy })).toEqual(found(base, head));
    // A label no Gateway selects on, or the chart's own written out, changes no selection.
    expect(found(base, { ...install(`{name: istio-ingressgateway, ${INTERNAL}, label: {team: shop}}`), ...shop })).toEqual([]);
    expect(found(base, { ...install(`{name: istio-ingressgateway, ${INTERNAL}, label: {istio: ingressgateway}}`), ...shop })).toEqual([]);
  });

  it("a label that makes the pods match another Gateway has its servers served there too: high", () => {
    const edge = gateway("edge", "istio: edge");
    const base = { ...install(`{name: istio-ingressgateway, ${INTERNAL}, label: {istio: ingressgateway, tier: a}}`), ...edge };
    const head = { ...install(`{name: istio-ingressgateway, ${INTERNAL}, label: {istio: edge, tier: a}}`), ...edge };
    expect(found(base, head)).toEqual([
      "high listener.changed ingressGateways istio-ingressgateway: its pods' labels app=istio-ingressgateway, istio=ingressgateway, tier=a → app=istio-ingressgateway, istio=edge, tier=a: Gateway istio-system/edge now selects them, so its servers are served through its Service too",
    ]);
  });

  it("a new component with no internal annotation, carrying `istio: ingressgateway` (the chart's, written or not), puts an internal gateway's servers on a public load balancer: access.widened", () => {
    const base = { ...install(`{name: istio-ingressgateway, ${INTERNAL}}`), ...shop };
    const widened = [
      "high access.widened ingressGateways public-gateway added: its pods' labels app=istio-ingressgateway, istio=ingressgateway: Gateway istio-system/shop selects them: its servers, served only by internal load balancers before, become reachable from the internet through its Service's load balancer",
    ];
    expect(
      found(base, {
        ...install(`{name: istio-ingressgateway, ${INTERNAL}}`, "{name: public-gateway, label: {istio: ingressgateway}}"),
        ...shop,
      }),
    ).toEqual(widened);
    expect(found(base, { ...install(`{name: istio-ingressgateway, ${INTERNAL}}`, "{name: public-gateway}"), ...shop })).toEqual(widened);
  });

  it("a new component beside one that already serves the Gateway from the internet, an internal one, or one no Gateway selects is only another address", () => {
    const publicBase = { ...install("{name: istio-ingressgateway}"), ...shop };
    expect(found(publicBase, { ...install("{name: istio-ingressgateway}", "{name: public-gateway}"), ...shop })).toEqual([]);
    const base = { ...install(`{name: istio-ingressgateway, ${INTERNAL}}`), ...shop };
    expect(found(base, { ...install(`{name: istio-ingressgateway, ${INTERNAL}}`, `{name: second, ${INTERNAL}}`), ...shop })).toEqual([]);
    expect(found(base, { ...install(`{name: istio-ingressgateway, ${INTERNAL}}`, "{name: edge, label: {istio: edge}}"), ...shop })).toEqual(
      [],
    );
  });

  it("a Gateway the PR adds with the component is judged as added, not as widened", () => {
    const base = install(`{name: istio-ingressgateway, ${INTERNAL}}`);
    const head = { ...install(`{name: istio-ingressgateway, ${INTERNAL}}`, "{name: public-gateway}"), ...shop };
    expect(found(base, head).filter((f) => f.includes("access.widened"))).toEqual([]);
  });
});

describe("meshConfig.rootNamespace moved", () => {
  const operator = (root: string) =>
    `apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata: {name: control-plane, namespace: istio-system}\nspec:\n  meshConfig: {${root}}\n`;
  const strict = resource(
    "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: STRICT}}\n",
    "istio/mtls.yaml",
  );

  it("leaves a STRICT PeerAuthentication behind in the old root: mesh mTLS is weakened", () => {
    const found = detect(istioMeshDetector, operator("accessLogFile: /dev/stdout"), operator("rootNamespace: istio-config"), {
      base: [strict],
      head: [strict],
    });
    expect(found.map((d) => [d.class, d.summary.split(": ").slice(1, 2).join("")])).toEqual([
      ["mtls.weakened", "meshConfig.rootNamespace istio-system → istio-config"],
    ]);
  });

  it("with no mesh-wide policy in the tree, still high: what the root namespaces hold is not known", () => {
    const found = detect(istioMeshDetector, operator("accessLogFile: /dev/stdout"), operator("rootNamespace: istio-config"));
    expect(found.map((d) => [d.class, d.riskFloor])).toEqual([["resource.changed", "high"]]);
  });
});
