import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { gatewayApiDetector } from "../../../src/families/gateway-api/gateway-api.js";
import { backendTlsPolicy } from "../../../src/families/gateway-api/schemas.js";
import { corpusAvailable, corpusFile, detect, detectorTable, resource, type Expected } from "../../detect/resource-fixture.js";
import { analyze } from "../../helpers/review-trees.js";
import { httpRoute } from "../../helpers/http-route-yaml.js";

const gateway = (spec: string, namespace = "infra", name = "public") => `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: ${namespace}}
spec:
${spec}`;

const listeners = (https: string, extra = "") => `
  gatewayClassName: gke-l7-global-external-managed
  listeners:
  - name: http
    port: 80
    protocol: HTTP
  - name: https
    port: 443
    protocol: HTTPS
${https}
    tls:
      certificateRefs: [{name: web-cert}]
${extra}`;

const route = (rules: string, kind = "HTTPRoute") => `
apiVersion: gateway.networking.k8s.io/v1
kind: ${kind}
metadata: {name: shop, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: infra}]
  rules:
${rules}`;

const run = detectorTable(gatewayApiDetector);

describe("GatewayClass and Gateway class", () => {
  run([
    {
      name: "controllerName change moves every Gateway of the class",
      base: "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: edge}\nspec: {controllerName: a.example/gw}",
      head: "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: edge}\nspec: {controllerName: b.example/gw}",
      expected: [
        {
          class: "gateway-class.changed",
          side: "head",
          path: ["spec", "controllerName"],
          says: "GatewayClass edge: controllerName a.example/gw → b.example/gw",
        },
      ],
    },
    {
      name: "a class removed while a Gateway of the tree names it: no controller accepts the Gateway",
      base: "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: edge}\nspec: {controllerName: a.example/gw}",
      others: {
        base: [resource(gateway(listeners("    hostname: shop.example.com").replace("gke-l7-global-external-managed", "edge")))],
        head: [resource(gateway(listeners("    hostname: shop.example.com").replace("gke-l7-global-external-managed", "edge")))],
      },
      expected: [
        {
          class: "reference.broken",
          side: "base",
          path: ["spec"],
          says: "removed while Gateway infra/public still names it: no controller accepts it, and its listeners are no longer programmed",
        },
      ],
    },
    {
      name: "a class its controller creates itself (GKE's gke-l7-*), removed from the repository: the controller creates it again, a low change",
      base: "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: gke-l7-global-external-managed}\nspec: {controllerName: networking.gke.io/gateway}",
      others: {
        base: [resource(gateway(listeners("    hostname: shop.example.com")))],
        head: [resource(gateway(listeners("    hostname: shop.example.com")))],
      },
      expected: [
        {
          class: "resource.changed",
          side: "base",
          path: ["spec"],
          says: "removed while Gateway infra/public still names it: GKE creates it itself and creates it again once it is deleted, so the reference still resolves",
        },
      ],
    },
    {
      name: "Istio's own class removed (knative net-gateway-api 88d4f64, 'istio provides this'): Istio creates it again, a low change",
      base: "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: istio}\nspec: {controllerName: istio.io/gateway-controller}",
      others: {
        base: [resource(gateway(listeners("").replace("gke-l7-global-external-managed", "istio")))],
        head: [resource(gateway(listeners("").replace("gke-l7-global-external-managed", "istio")))],
      },
      expected: [{ class: "resource.changed", side: "base", path: ["spec"], says: "Istio creates it itself" }],
    },
    {
      name: "Istio's own class removed with the repository's parametersRef (an internal load balancer): Istio creates it bare, so its Gateways fall back to defaults (session 40 probe g1)",
      base: "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: istio}\nspec: {controllerName: istio.io/gateway-controller, parametersRef: {group: '', kind: ConfigMap, name: istio-gw-internal, namespace: istio-system}}",
      others: {
        base: [resource(gateway(listeners("").replace("gke-l7-global-external-managed", "istio")))],
        head: [resource(gateway(listeners("").replace("gke-l7-global-external-managed", "istio")))],
      },
      expected: [
        {
          class: "reference.broken",
          side: "base",
          path: ["spec"],
          says: "Istio creates it again, but bare, without its spec.parametersRef: the proxies of that Gateway are configured by Istio's defaults",
        },
      ],
    },
    {
      name: "GKE's multi-cluster class removed: its multi-cluster controller (networking.gke.io/gateway-multicluster) creates it again",
      base: "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: gke-l7-rilb-mc}\nspec: {controllerName: networking.gke.io/gateway-multicluster}",
      others: {
        base: [resource(gateway(listeners("").replace("gke-l7-global-external-managed", "gke-l7-rilb-mc")))],
        head: [resource(gateway(listeners("").replace("gke-l7-global-external-managed", "gke-l7-rilb-mc")))],
      },
      expected: [{ class: "resource.changed", side: "base", path: ["spec"], says: "GKE creates it itself" }],
    },
    {
      name: "GKE's multi-cluster class written under the single-cluster controller's name (as many guides write it) is GKE's too",
      base: "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: gke-l7-global-external-managed-mc}\nspec: {controllerName: networking.gke.io/gateway}",
      others: {
        base: [resource(gateway(listeners("").replace("gke-l7-global-external-managed", "gke-l7-global-external-managed-mc")))],
        head: [resource(gateway(listeners("").replace("gke-l7-global-external-managed", "gke-l7-global-external-managed-mc")))],
      },
      expected: [{ class: "resource.changed", side: "base", path: ["spec"], says: "GKE creates it itself" }],
    },
    {
      name: "a built-in class's name held for another controller is the repository's own class: removed, its Gateways are refused",
      base: "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: istio}\nspec: {controllerName: a.example/gw}",
      others: {
        base: [resource(gateway(listeners("").replace("gke-l7-global-external-managed", "istio")))],
        head: [resource(gateway(listeners("").replace("gke-l7-global-external-managed", "istio")))],
      },
      expected: [{ class: "reference.broken", side: "base", path: ["spec"], says: "no controller accepts it" }],
    },
    {
      name: "a class removed that no Gateway of the tree names is the plain removal",
      base: "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: unused}\nspec: {controllerName: a.example/gw}",
      expected: [],
    },
    {
      name: "a class's parametersRef to another object reconfigures the proxies of every Gateway of the class",
      base: "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: eg}\nspec:\n  controllerName: gateway.envoyproxy.io/gatewayclass-controller\n  parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: internal, namespace: envoy-gateway-system}",
      head: "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: eg}\nspec:\n  controllerName: gateway.envoyproxy.io/gatewayclass-controller\n  parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: public, namespace: envoy-gateway-system}",
      expected: [
        {
          class: "gateway-class.changed",
          side: "head",
          path: ["spec", "parametersRef"],
          says: "spec.parametersRef EnvoyProxy envoy-gateway-system/internal → EnvoyProxy envoy-gateway-system/public: the proxies of every Gateway of this class are configured by another object",
        },
      ],
    },
    {
      name: "a Gateway's infrastructure.parametersRef dropped: its proxies fall back to the implementation's defaults",
      base: gateway(listeners("    hostname: shop.example.com")).replace(
        "spec:\n",
        "spec:\n  infrastructure: {parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: internal-lb}}\n",
      ),
      head: gateway(listeners("    hostname: shop.example.com")),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec"],
          says: "spec.infrastructure.parametersRef EnvoyProxy internal-lb → (unset): the Gateway's proxies are configured by the implementation's defaults",
        },
      ],
    },
    {
      name: "gatewayClassName to a -mc class says multi-cluster",
      base: gateway(listeners("    hostname: shop.example.com").replace("gke-l7-global-external-managed", "gke-l7-rilb")),
      head: gateway(listeners("    hostname: shop.example.com").replace("gke-l7-global-external-managed", "gke-l7-rilb-mc")),
      expected: [
        {
          class: "gateway-class.changed",
          side: "head",
          path: ["spec", "gatewayClassName"],
          says: "gke-l7-rilb → gke-l7-rilb-mc: the Gateway becomes multi-cluster",
        },
      ],
    },
  ]);
});

describe("a parametersRef to another EnvoyProxy, or none, is judged as that EnvoyProxy edited (envoyproxy/ai-gateway eb66d279d8)", () => {
  const CLASS =
    "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: eg}\nspec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}\n";
  const basic = (ref: string) =>
    `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: basic, namespace: default}\nspec:\n  gatewayClassName: eg\n  listeners: [{name: http, protocol: HTTP, port: 80}]\n${ref}`;
  const REF = "  infrastructure: {parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: basic}}\n";
  const proxy = (kubernetes: string, extra = "") =>
    `apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: EnvoyProxy\nmetadata: {name: basic, namespace: default}\nspec:\n${extra}  provider:\n    type: Kubernetes\n    kubernetes: ${kubernetes}\n`;
  const RESOURCES = proxy("{envoyDeployment: {container: {resources: {requests: {cpu: 100m}}}}}");
  const CLUSTER_IP = proxy("{envoyService: {type: ClusterIP}}");
  const gatewayFindings = (base: Record<string, string>, head: Record<string, string>) =>
    analyze(base, head)
      .findings.filter((finding) => finding.summary.startsWith("Gateway "))
      .map((finding) => [finding.class, finding.risk, finding.summary]);

  it("one that sets only the proxies' resources, named or no longer named: low", () => {
    const named = { "gw.yaml": `${CLASS}---\n${basic(REF)}---\n${RESOURCES}` };
    const plain = { "gw.yaml": `${CLASS}---\n${basic("")}` };
    expect(gatewayFindings(plain, named)).toEqual([
      [
        "resource.changed",
        "low",
        "Gateway default/basic: spec.infrastructure.parametersRef (unset) → EnvoyProxy basic: the Gateway's proxies are configured by EnvoyProxy default/basic, in place of the implementation's defaults; nothing that decides how they are exposed or reached differs (resources, replicas and the like are not judged)",
      ],
    ]);
    expect(gatewayFindings(named, plain).map(([cls, risk]) => [cls, risk])).toEqual([["resource.changed", "low"]]);
  });

  it("one that decides how the Gateway is exposed: rated as that exposure change, both ways", () => {
    const internal = { "gw.yaml": `${CLASS}---\n${basic(REF)}---\n${CLUSTER_IP}` };
    const plain = { "gw.yaml": `${CLASS}---\n${basic("")}` };
    // Named: the default public load balancer is released; no longer named: the Gateway gets one.
    expect(gatewayFindings(plain, internal)).toEqual([
      [
        "listener.changed",
        "high",
        "Gateway default/basic: spec.infrastructure.parametersRef (unset) → EnvoyProxy basic (EnvoyProxy default/basic in place of the implementation's defaults): envoyService: for Gateway default/basic, type LoadBalancer → ClusterIP: its internet-facing load balancer and address are released, so clients outside the cluster are refused, and every route behind it with them",
      ],
    ]);
    expect(gatewayFindings(internal, plain)).toEqual([
      [
        "listener.changed",
        "high",
        "Gateway default/basic: spec.infrastructure.parametersRef EnvoyProxy basic → (unset) (the implementation's defaults in place of EnvoyProxy default/basic): envoyService.type ClusterIP → LoadBalancer: the proxies of Gateway default/basic get a load balancer, so every listener is reachable from outside the cluster",
      ],
    ]);
  });

  it("one that differs in anything but how the proxies are sized, scheduled and observed: high, not modelled (session 40 probes e1-e3)", () => {
    const base = { "gw.yaml": `${CLASS}---\n${basic(REF)}---\n${RESOURCES}` };
    const patched = proxy("{envoyService: {patch: {type: StrategicMerge, value: {spec: {type: ClusterIP}}}}}");
    for (const other of [patched, proxy("{envoyService: {loadBalancerIP: 203.0.113.10}}"), proxy("{}", "  ipFamily: IPv6\n")])
      expect(
        gatewayFindings(base, {
          "gw.yaml": `${CLASS}---\n${basic(REF.replace("basic", "other"))}---\n${RESOURCES}---\n${other.replace("name: basic", "name: other")}`,
        }).map(([cls, risk]) => [cls, risk]),
      ).toEqual([["listener.changed", "high"]]);
  });

  it("a Gateway's own EnvoyProxy takes the place of its class's: compared with the class's", () => {
    const classRef = CLASS.replace(
      "spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}",
      "spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller, parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: internal, namespace: default}}",
    );
    const classProxy = CLUSTER_IP.replace("name: basic", "name: internal");
    const base = { "gw.yaml": `${classRef}---\n${basic("")}---\n${classProxy}` };
    // The class's EnvoyProxy kept the proxies off the internet; the Gateway's own sets only resources, so it gets the default load balancer.
    expect(
      gatewayFindings(base, { "gw.yaml": `${classRef}---\n${basic(REF)}---\n${classProxy}---\n${RESOURCES}` }).map(([cls]) => cls),
    ).toEqual(["listener.changed"]);
  });

  it("where the tree does not tell what configured the proxies, or the EnvoyProxies merge: not modelled, high", () => {
    const plain = { "gw.yaml": `${CLASS}---\n${basic("")}` };
    const notHeld =
      "Gateway default/basic: spec.infrastructure.parametersRef (unset) → EnvoyProxy basic: the Gateway's proxies are configured by another object";
    // The EnvoyProxy is not in the repository.
    expect(gatewayFindings(plain, { "gw.yaml": `${CLASS}---\n${basic(REF)}` })[0]?.[2]).toContain(notHeld);
    // The class is not, so neither is what it configured.
    expect(gatewayFindings({ "gw.yaml": basic("") }, { "gw.yaml": `${basic(REF)}---\n${RESOURCES}` })[0]?.[2]).toContain(notHeld);
    // A Gateway's EnvoyProxy merged into its class's.
    const merging = proxy("{envoyDeployment: {replicas: 2}}", "  mergeType: StrategicMerge\n");
    expect(gatewayFindings(plain, { "gw.yaml": `${CLASS}---\n${basic(REF)}---\n${merging}` })[0]?.slice(0, 2)).toEqual([
      "listener.changed",
      "high",
    ]);
  });

  it("a class's parametersRef moved to an EnvoyProxy that merges its Gateways: their addresses change", () => {
    const withRef = (name: string) =>
      CLASS.replace(
        "spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}",
        `spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller, parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: ${name}, namespace: default}}`,
      );
    const proxies = `${RESOURCES.replace("name: basic", "name: plain")}---\n${proxy("{}", "  mergeGateways: true\n").replace("name: basic", "name: merged")}`;
    const findings = analyze(
      { "gw.yaml": `${withRef("plain")}---\n${proxies}` },
      { "gw.yaml": `${withRef("merged")}---\n${proxies}` },
    ).findings;
    expect(findings.map((finding) => [finding.class, finding.risk, finding.summary])).toContainEqual([
      "listener.changed",
      "high",
      "GatewayClass eg: spec.parametersRef EnvoyProxy default/plain → EnvoyProxy default/merged (EnvoyProxy default/merged in place of EnvoyProxy default/plain): mergeGateways false → true: the Gateways of its class share one set of proxies and one Service, so the addresses of every Gateway of class eg change",
    ]);
  });
});

describe("Gateway listeners", () => {
  run([
    {
      name: "allowedRoutes.namespaces.from Same → All is a widening",
      base: gateway(listeners("    hostname: shop.example.com")),
      head: gateway(listeners("    hostname: shop.example.com\n    allowedRoutes: {namespaces: {from: All}}")),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "listeners", 1, "allowedRoutes", "namespaces", "from"],
          says: "Gateway infra/public: listener https allowedRoutes.namespaces.from Same → All (widened",
        },
      ],
    },
    {
      name: "allowedRoutes selector change",
      base: gateway(listeners("    allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {team: a}}}}")),
      head: gateway(listeners("    allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {team: b}}}}")),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "listeners", 1, "allowedRoutes", "namespaces", "selector"],
          says: "which namespaces can attach routes changes",
        },
      ],
    },
    {
      name: "allowedRoutes kinds",
      base: gateway(listeners("    allowedRoutes: {kinds: [{kind: HTTPRoute}]}")),
      head: gateway(listeners("    allowedRoutes: {kinds: [{kind: HTTPRoute}, {kind: GRPCRoute}]}")),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "listeners", 1, "allowedRoutes", "kinds"],
          says: "now accepts GRPCRoute",
        },
      ],
    },
    {
      // gateway-api 406ad19: [TCPRoute] on a TCP listener is what the protocol admits anyway.
      name: "allowedRoutes kinds dropped where they were the protocol's default: nothing",
      base: gateway(
        "  gatewayClassName: x\n  listeners:\n  - {name: foo, port: 8080, protocol: TCP, allowedRoutes: {kinds: [{kind: TCPRoute}]}}",
      ),
      head: gateway("  gatewayClassName: x\n  listeners:\n  - {name: foo, port: 8080, protocol: TCP}"),
      expected: [],
    },
    {
      name: "allowedRoutes kinds dropped where they narrowed the default: the listener accepts more",
      base: gateway(
        "  gatewayClassName: x\n  listeners:\n  - {name: foo, port: 443, protocol: TLS, allowedRoutes: {kinds: [{kind: TLSRoute}]}}",
      ),
      head: gateway("  gatewayClassName: x\n  listeners:\n  - {name: foo, port: 443, protocol: TLS}"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "listeners", 0],
          says: "[TLSRoute] → (protocol default) (now accepts TCPRoute)",
        },
      ],
    },
    {
      name: "hostname widened to a wildcard",
      base: gateway(listeners("    hostname: shop.example.com")),
      head: gateway(listeners("    hostname: '*.example.com'")),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "listeners", 1, "hostname"],
          says: "hostname shop.example.com → *.example.com (widened",
        },
      ],
    },
    {
      name: "hostname removed matches every host",
      base: gateway(listeners("    hostname: shop.example.com")),
      head: gateway(listeners("")),
      expected: [{ class: "listener.changed", side: "head", path: ["spec", "listeners", 1], says: "now matches every hostname" }],
    },
    {
      name: "listener added, port and protocol changed, listener removed",
      base: gateway(listeners("", "  - {name: tcp, port: 5432, protocol: TCP}")),
      head: gateway(
        listeners("", "  - {name: admin, port: 8443, protocol: HTTPS, tls: {certificateRefs: [{name: admin-cert}]}}").replace(
          "port: 80\n",
          "port: 8080\n",
        ),
      ),
      expected: [
        { class: "listener.changed", side: "head", path: ["spec", "listeners", 0, "port"], says: "listener http port 80 → 8080" },
        { class: "listener.changed", side: "base", path: ["spec", "listeners", 2], says: "listener tcp removed (TCP :5432" },
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "listeners", 2],
          says: "listener admin added (HTTPS :8443, any hostname)",
        },
      ],
    },
    {
      name: "HTTPS → HTTP drops TLS",
      base: gateway(
        "  gatewayClassName: x\n  listeners:\n  - {name: web, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: c}]}}",
      ),
      head: gateway("  gatewayClassName: x\n  listeners:\n  - {name: web, port: 443, protocol: HTTP}"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "listeners", 0, "protocol"],
          says: "protocol HTTPS → HTTP: TLS is no longer terminated",
        },
      ],
    },
    {
      name: "tls mode Terminate → Passthrough",
      base: gateway(
        "  gatewayClassName: x\n  listeners:\n  - {name: tls, port: 443, protocol: TLS, tls: {mode: Terminate, certificateRefs: [{name: c}]}}",
      ),
      head: gateway(
        "  gatewayClassName: x\n  listeners:\n  - {name: tls, port: 443, protocol: TLS, tls: {mode: Passthrough, certificateRefs: [{name: c}]}}",
      ),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "listeners", 0, "tls", "mode"],
          says: "the Gateway no longer terminates TLS: backends see the clients' TLS and present their own certificates",
        },
      ],
    },
    {
      // k8gb cf565e3: a TLS listener without tls settings terminated nothing; routing is by SNI either way.
      name: "tls mode set to Passthrough where none was",
      base: gateway("  gatewayClassName: x\n  listeners:\n  - {name: tls, port: 8000, protocol: TLS}"),
      head: gateway("  gatewayClassName: x\n  listeners:\n  - {name: tls, port: 8000, protocol: TLS, tls: {mode: Passthrough}}"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "listeners", 0, "tls", "mode"],
          says: "tls.mode (unset) → Passthrough: clients' TLS now passes through to the backends",
        },
      ],
    },
    {
      name: "serving certificate swapped is a trust change",
      base: gateway(listeners("")),
      head: gateway(listeners("").replace("web-cert}", "web-cert-2, namespace: certs}")),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "listeners", 1, "tls", "certificateRefs"],
          says: "serving certificate [Secret infra/web-cert] → [Secret certs/web-cert-2]",
        },
      ],
    },
    {
      // gateway-api b9b9d290a1: an HTTPS listener terminates with its tls block or without; without it, it has no certificate.
      name: "an HTTPS listener gaining its tls block gains its serving certificate: a trust change, not a mode change",
      base: gateway("  gatewayClassName: x\n  listeners:\n  - {name: web, port: 443, protocol: HTTPS}"),
      head: gateway(
        "  gatewayClassName: x\n  listeners:\n  - {name: web, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: c}]}}",
      ),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "listeners", 0, "tls", "certificateRefs"],
          says: "listener web serving certificate [] → [Secret infra/c] (a tls block added: the listener had none, and so no certificate)",
        },
      ],
    },
    {
      name: "an HTTPS listener losing its tls block loses its serving certificate",
      base: gateway(
        "  gatewayClassName: x\n  listeners:\n  - {name: web, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: c}]}}",
      ),
      head: gateway("  gatewayClassName: x\n  listeners:\n  - {name: web, port: 443, protocol: HTTPS}"),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "listeners", 0],
          says: "listener web serving certificate [Secret infra/c] → [] (its tls block removed: the listener has no certificate)",
        },
      ],
    },
    {
      name: "a TLS listener gaining a terminating tls block: its mode and its certificate",
      base: gateway("  gatewayClassName: x\n  listeners:\n  - {name: tls, port: 8443, protocol: TLS}"),
      head: gateway(
        "  gatewayClassName: x\n  listeners:\n  - {name: tls, port: 8443, protocol: TLS, tls: {mode: Terminate, certificateRefs: [{name: c}]}}",
      ),
      expected: [
        { class: "listener.changed", side: "head", path: ["spec", "listeners", 0, "tls", "mode"], says: "tls.mode (unset) → Terminate" },
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "listeners", 0, "tls", "certificateRefs"],
          says: "serving certificate [] → [Secret infra/c] (a tls block added",
        },
      ],
    },
    {
      name: "HTTP → HTTPS with its tls block: the protocol change says it",
      base: gateway("  gatewayClassName: x\n  listeners:\n  - {name: web, port: 443, protocol: HTTP}"),
      head: gateway(
        "  gatewayClassName: x\n  listeners:\n  - {name: web, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: c}]}}",
      ),
      expected: [{ class: "listener.changed", side: "head", path: ["spec", "listeners", 0, "protocol"], says: "protocol HTTP → HTTPS" }],
    },
    {
      name: "a renamed listener is removed + added (routes attach by sectionName)",
      base: gateway("  gatewayClassName: x\n  listeners:\n  - {name: a, port: 80, protocol: HTTP}"),
      head: gateway("  gatewayClassName: x\n  listeners:\n  - {name: b, port: 80, protocol: HTTP}"),
      expected: [
        { class: "listener.changed", side: "base", path: ["spec", "listeners", 0], says: "listener a removed" },
        { class: "listener.changed", side: "head", path: ["spec", "listeners", 0], says: "listener b added" },
      ],
    },
  ]);
});

describe("several certificateRefs on a listener: the first is its default, the others answer their names' SNI", () => {
  const cert = (secret: string, names: string) =>
    resource(`
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: ${secret}, namespace: infra}
spec:
  secretName: ${secret}
  issuerRef: {name: letsencrypt, kind: ClusterIssuer}
  dnsNames: [${names}]
`);
  const gatewayClass = (name: string, controller: string) =>
    resource(
      `apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: ${name}}\nspec: {controllerName: ${controller}}`,
    );
  const CERTS = [
    gatewayClass("envoy", "gateway.envoyproxy.io/gatewayclass-controller"),
    gatewayClass("nginx", "gateway.nginx.org/nginx-gateway-controller"),
    cert("chestr-dev-tls", "chestr.dev, '*.chestr.dev'"),
    cert("mikeflix-lol-tls", "mikeflix.lol, '*.mikeflix.lol'"),
    cert("api-chestr-dev-tls", "api.chestr.dev"),
    cert("templated-tls", "'*.${SECRET_DOMAIN}'"),
    cert("admin-tls", "admin.Chestr.dev"),
    resource(`
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: mikeflix-lol, namespace: certs}
spec:
  secretName: mikeflix-lol-tls
  issuerRef: {name: letsencrypt, kind: ClusterIssuer}
  dnsNames: [mikeflix.lol]
`),
  ];
  const refs = (...secrets: string[]) =>
    gateway(
      `  gatewayClassName: envoy\n  listeners:\n  - name: https\n    port: 443\n    protocol: HTTPS\n    tls:\n      certificateRefs: [${secrets.map((name) => (name.includes("/") ? `{namespace: ${name.split("/")[0]}, name: ${name.split("/")[1]}}` : `{name: ${name}}`)).join(", ")}]`,
    );
  const PATH = ["spec", "listeners", 0, "tls", "certificateRefs"];
  const GRANT = resource(`
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: gateways, namespace: certs}
spec:
  from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: infra}]
  to: [{group: "", kind: Secret}]
`);
  const listenerSetRefs = (parent: string, ...secrets: string[]) => `
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: team-a, namespace: infra}
spec:
  parentRef: {name: ${parent}}
  listeners:
  - {name: https, port: 443, protocol: HTTPS, tls: {certificateRefs: [${secrets.map((name) => `{name: ${name}}`).join(", ")}]}}`;
  const PARENTS = [
    resource(gateway("  gatewayClassName: envoy\n  listeners: []")),
    resource(gateway("  gatewayClassName: nginx\n  listeners: []", "infra", "edge")),
  ];
  detectorTable(gatewayApiDetector, { base: CERTS, head: CERTS })([
    {
      name: "appended on NGINX Gateway Fabric, which does not pick by SNI (all in one server block): trust.changed",
      base: refs("chestr-dev-tls").replace("gatewayClassName: envoy", "gatewayClassName: nginx"),
      head: refs("chestr-dev-tls", "mikeflix-lol-tls").replace("gatewayClassName: envoy", "gatewayClassName: nginx"),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: PATH,
          says: "serving certificate [Secret infra/chestr-dev-tls] → [Secret infra/chestr-dev-tls, Secret infra/mikeflix-lol-tls]",
        },
      ],
    },
    {
      name: "appended on a Gateway whose class the tree does not hold: its controller is not known, trust.changed",
      base: refs("chestr-dev-tls").replace("gatewayClassName: envoy", "gatewayClassName: other"),
      head: refs("chestr-dev-tls", "mikeflix-lol-tls").replace("gatewayClassName: envoy", "gatewayClassName: other"),
      expected: [{ class: "trust.changed", side: "head", path: PATH, says: "serving certificate" }],
    },
    {
      name: "appended from another namespace with no ReferenceGrant admitting it (RefNotPermitted): trust.changed",
      base: refs("chestr-dev-tls"),
      head: refs("chestr-dev-tls", "certs/mikeflix-lol-tls"),
      expected: [{ class: "trust.changed", side: "head", path: PATH, says: "serving certificate" }],
    },
    {
      name: "appended from another namespace whose ReferenceGrant admits the Gateway's: medium",
      base: refs("chestr-dev-tls"),
      head: refs("chestr-dev-tls", "certs/mikeflix-lol-tls"),
      others: { base: [GRANT], head: [GRANT] },
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: PATH,
          riskFloor: "medium",
          says: "now also serves Secret certs/mikeflix-lol-tls (mikeflix.lol)",
        },
      ],
    },
    {
      name: "appended on a ListenerSet: its parent Gateway's controller decides (Envoy Gateway: medium; NGINX Gateway Fabric: trust.changed)",
      base: listenerSetRefs("public", "chestr-dev-tls"),
      head: listenerSetRefs("public", "chestr-dev-tls", "mikeflix-lol-tls"),
      others: { base: PARENTS, head: PARENTS },
      expected: [
        { class: "resource.changed", side: "head", path: PATH, riskFloor: "medium", says: "now also serves Secret infra/mikeflix-lol-tls" },
      ],
    },
    {
      name: "appended on a ListenerSet of an NGINX Gateway Fabric Gateway: trust.changed",
      base: listenerSetRefs("edge", "chestr-dev-tls"),
      head: listenerSetRefs("edge", "chestr-dev-tls", "mikeflix-lol-tls"),
      others: { base: PARENTS, head: PARENTS },
      expected: [{ class: "trust.changed", side: "head", path: PATH, says: "serving certificate" }],
    },
    {
      name: "appended for `admin.Chestr.dev`, a name `*.chestr.dev` covers whatever its case: trust.changed",
      base: refs("chestr-dev-tls"),
      head: refs("chestr-dev-tls", "admin-tls"),
      expected: [{ class: "trust.changed", side: "head", path: PATH, says: "serving certificate" }],
    },
    {
      name: "a second domain's certificate appended, its names disjoint: new names gain TLS, medium (mchestr/home-cluster 27b7c6bb8c)",
      base: refs("chestr-dev-tls"),
      head: refs("chestr-dev-tls", "mikeflix-lol-tls"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: PATH,
          riskFloor: "medium",
          says: "listener https now also serves Secret infra/mikeflix-lol-tls (mikeflix.lol, *.mikeflix.lol): TLS for names its other certificates do not cover; their clients, and clients without SNI, still get Secret infra/chestr-dev-tls",
        },
      ],
    },
    {
      name: "one appended for a name the first already covers: it may win that SNI, trust.changed",
      base: refs("chestr-dev-tls"),
      head: refs("chestr-dev-tls", "api-chestr-dev-tls"),
      expected: [{ class: "trust.changed", side: "head", path: PATH, says: "serving certificate" }],
    },
    {
      name: "one appended that no Certificate of the tree writes: its names are not known, trust.changed",
      base: refs("chestr-dev-tls"),
      head: refs("chestr-dev-tls", "made-elsewhere-tls"),
      expected: [{ class: "trust.changed", side: "head", path: PATH, says: "serving certificate" }],
    },
    {
      name: "one appended for `*.${SECRET_DOMAIN}`, a name the tree does not resolve (it may be chestr.dev): trust.changed",
      base: refs("chestr-dev-tls"),
      head: refs("chestr-dev-tls", "templated-tls"),
      expected: [{ class: "trust.changed", side: "head", path: PATH, says: "serving certificate" }],
    },
    {
      name: "appended where the existing certificate's names are not known: trust.changed",
      base: refs("made-elsewhere-tls"),
      head: refs("made-elsewhere-tls", "mikeflix-lol-tls"),
      expected: [{ class: "trust.changed", side: "head", path: PATH, says: "serving certificate" }],
    },
    {
      name: "put first: the default certificate changes, trust.changed",
      base: refs("chestr-dev-tls"),
      head: refs("mikeflix-lol-tls", "chestr-dev-tls"),
      expected: [{ class: "trust.changed", side: "head", path: PATH, says: "serving certificate" }],
    },
    {
      name: "reordered so another comes first: trust.changed (Cilium serves the first to every client)",
      base: refs("chestr-dev-tls", "mikeflix-lol-tls"),
      head: refs("mikeflix-lol-tls", "chestr-dev-tls"),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: PATH,
          says: "certificateRefs reordered: Secret infra/mikeflix-lol-tls is now the first, the certificate served where no other matches the client's SNI (on some implementations, to every client), in place of Secret infra/chestr-dev-tls",
        },
      ],
    },
    {
      name: "one behind the first dropped, its names covered by none kept: those hosts lose TLS (mchestr/home-cluster 685b7e0e51)",
      base: refs("chestr-dev-tls", "mikeflix-lol-tls"),
      head: refs("chestr-dev-tls"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: PATH,
          says: "listener https no longer serves Secret infra/mikeflix-lol-tls (mikeflix.lol, *.mikeflix.lol): no certificate it keeps covers those names, so TLS handshakes for them fail",
        },
      ],
    },
    {
      name: "one dropped whose name the default still covers: that host gets the default certificate, trust.changed",
      base: refs("chestr-dev-tls", "api-chestr-dev-tls"),
      head: refs("chestr-dev-tls"),
      expected: [{ class: "trust.changed", side: "head", path: PATH, says: "serving certificate" }],
    },
  ]);
});

describe("Gateway-wide fields", () => {
  const listenerValidation = (validation: string) =>
    gateway(
      `  gatewayClassName: x\n  listeners:\n  - name: https\n    port: 443\n    protocol: HTTPS\n    tls:\n      certificateRefs: [{name: web-cert}]\n${validation}`,
    );
  const frontend = (validation: string) => gateway(`${listeners("")}  tls:\n    frontend:\n      default:\n${validation}`);
  run([
    {
      name: "addresses change",
      base: gateway(`${listeners("")}  addresses: [{value: 10.0.0.1}]`),
      head: gateway(`${listeners("")}  addresses: [{type: IPAddress, value: 10.0.0.2}]`),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "addresses"],
          says: "addresses [IPAddress:10.0.0.1] → [IPAddress:10.0.0.2]",
        },
      ],
    },
    {
      // knative/net-gateway-api 43b9fa9a24: the old address was the one assigned, not one written.
      name: "an address written where none was replaces the one the implementation assigned",
      base: gateway(`${listeners("")}  addresses: []`),
      head: gateway(`${listeners("")}  addresses: [{type: Hostname, value: istio-ingressgateway.istio-system.svc.cluster.local}]`),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "addresses"],
          says: "addresses [] → [Hostname:istio-ingressgateway.istio-system.svc.cluster.local]: the address the implementation assigned is replaced, so DNS records and allowlists that name it break",
        },
      ],
    },
    {
      name: "every address dropped: the implementation assigns one",
      base: gateway(`${listeners("")}  addresses: [{value: 10.0.0.1}]`),
      head: gateway(listeners("")),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec"],
          says: "addresses [IPAddress:10.0.0.1] → []: the implementation assigns an address in place of these",
        },
      ],
    },
    {
      name: "an internal load balancer annotation dropped from spec.infrastructure exposes the Gateway to the internet; its case is no change",
      base: gateway(`${listeners("")}  infrastructure: {annotations: {networking.gke.io/load-balancer-type: Internal}}`),
      head: gateway(`${listeners("")}  infrastructure: {annotations: {team: web}}`),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "infrastructure"],
          says: "no longer internal (networking.gke.io/load-balancer-type: Internal gone): every listener becomes reachable from the internet",
        },
      ],
    },
    {
      name: "an internal load balancer spelled another way stays internal",
      base: gateway(`${listeners("")}  infrastructure: {annotations: {networking.gke.io/load-balancer-type: Internal}}`),
      head: gateway(`${listeners("")}  infrastructure: {annotations: {networking.gke.io/load-balancer-type: internal}}`),
      expected: [],
    },
    {
      name: "frontend validation AllowValidOnly → AllowInsecureFallback weakens client mTLS",
      base: frontend("        validation: {caCertificateRefs: [{group: '', kind: ConfigMap, name: client-ca}]}"),
      head: frontend(
        "        validation: {mode: AllowInsecureFallback, caCertificateRefs: [{group: '', kind: ConfigMap, name: client-ca}]}",
      ),
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "tls", "frontend", "default", "validation", "mode"],
          says: "AllowValidOnly → AllowInsecureFallback",
        },
      ],
    },
    {
      name: "frontend validation added (AllowValidOnly by default): clients without a certificate its CA signs are refused",
      base: gateway(listeners("")),
      head: frontend("        validation: {caCertificateRefs: [{group: '', kind: ConfigMap, name: client-ca}]}"),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "tls", "frontend", "default", "validation"],
          says: "default client-certificate validation added: clients must present a certificate signed by [ConfigMap infra/client-ca]",
        },
      ],
    },
    {
      // gateway-api 0eb555076f: AllowInsecureFallback asks for a certificate and checks it, but refuses no client.
      name: "frontend validation added in AllowInsecureFallback: clients are asked for a certificate, not required to present one",
      base: gateway(listeners("")),
      head: frontend(
        "        validation: {mode: AllowInsecureFallback, caCertificateRefs: [{group: '', kind: ConfigMap, name: client-ca}]}",
      ),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "tls", "frontend", "default", "validation"],
          says: "default client-certificate validation added: clients are asked for a certificate, checked against [ConfigMap infra/client-ca], but those without a valid one are still accepted (mode AllowInsecureFallback)",
        },
      ],
    },
    {
      name: "frontend validation in AllowInsecureFallback removed: no client was refused, only the check goes",
      base: frontend(
        "        validation: {mode: AllowInsecureFallback, caCertificateRefs: [{group: '', kind: ConfigMap, name: client-ca}]}",
      ),
      head: gateway(listeners("")),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec"],
          says: "default client-certificate validation removed: the certificates clients present are no longer checked against [ConfigMap infra/client-ca]; clients without a valid one were accepted already (mode AllowInsecureFallback)",
        },
      ],
    },
    {
      name: "a per-port override in AllowInsecureFallback under a default that refuses: clients without a valid certificate are accepted on that port",
      base: frontend("        validation: {caCertificateRefs: [{group: '', kind: ConfigMap, name: client-ca}]}"),
      head: `${frontend("        validation: {caCertificateRefs: [{group: '', kind: ConfigMap, name: client-ca}]}")}\n      perPort:\n      - {port: 8443, tls: {validation: {mode: AllowInsecureFallback, caCertificateRefs: [{group: '', kind: ConfigMap, name: client-ca}]}}}`,
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "tls", "frontend", "perPort", 0, "tls", "validation", "mode"],
          says: "port 8443 client-certificate validation mode AllowValidOnly → AllowInsecureFallback: clients without a valid certificate are accepted",
        },
      ],
    },
    {
      name: "frontend caCertificateRefs swap is a trust change",
      base: frontend("        validation: {caCertificateRefs: [{group: '', kind: ConfigMap, name: client-ca}]}"),
      head: frontend("        validation: {caCertificateRefs: [{group: '', kind: ConfigMap, name: other-ca}]}"),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "tls", "frontend", "default", "validation", "caCertificateRefs"],
          says: "client trust anchors change",
        },
      ],
    },
    {
      name: "a per-port override without validation drops client mTLS on that port",
      base: frontend("        validation: {caCertificateRefs: [{group: '', kind: ConfigMap, name: client-ca}]}"),
      head: `${frontend("        validation: {caCertificateRefs: [{group: '', kind: ConfigMap, name: client-ca}]}")}\n      perPort:\n      - {port: 8443, tls: {}}`,
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "tls", "frontend", "perPort", 0, "tls"],
          says: "port 8443 client-certificate validation removed",
        },
      ],
    },
    {
      name: "a listener's own frontendValidation (v1.1–v1.3) dropped: its clients no longer need a certificate",
      base: listenerValidation("      frontendValidation: {caCertificateRefs: [{group: '', kind: ConfigMap, name: client-ca}]}"),
      head: listenerValidation(""),
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "listeners", 0, "tls"],
          says: "listener https client-certificate validation removed",
        },
      ],
    },
    {
      name: "a listener's own frontendValidation given another CA is a trust change",
      base: listenerValidation("      frontendValidation: {caCertificateRefs: [{group: '', kind: ConfigMap, name: client-ca}]}"),
      head: listenerValidation("      frontendValidation: {caCertificateRefs: [{group: '', kind: ConfigMap, name: new-ca}]}"),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "listeners", 0, "tls", "frontendValidation", "caCertificateRefs"],
          says: "[ConfigMap infra/client-ca] → [ConfigMap infra/new-ca]",
        },
      ],
    },
    {
      name: "allowedListeners widened",
      base: gateway(listeners("")),
      head: gateway(`${listeners("")}  allowedListeners: {namespaces: {from: All}}`),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "allowedListeners", "namespaces"],
          says: "widened: ListenerSets from any namespace can attach",
        },
      ],
    },
    {
      name: "backend client certificate",
      base: gateway(`${listeners("")}  tls: {backend: {clientCertificateRef: {name: gw-client}}}`),
      head: gateway(`${listeners("")}  tls: {backend: {clientCertificateRef: {name: gw-client-2}}}`),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "tls", "backend", "clientCertificateRef"],
          says: "client identity towards backends",
        },
      ],
    },
  ]);
});

describe("ListenerSet", () => {
  const listenerSet = (parent: string, port: number) => `
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: team-a, namespace: team-a}
spec:
  parentRef: {name: ${parent}, namespace: infra}
  listeners:
  - {name: extra, port: ${port}, protocol: HTTP, hostname: a.example.com}`;
  run([
    {
      name: "parentRef and listener port",
      base: listenerSet("public", 80),
      head: listenerSet("internal", 8080),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "parentRef"],
          says: "Gateway.gateway.networking.k8s.io infra/public → Gateway.gateway.networking.k8s.io infra/internal",
        },
        { class: "listener.changed", side: "head", path: ["spec", "listeners", 0, "port"], says: "listener extra port 80 → 8080" },
      ],
    },
  ]);
});

describe("ReferenceGrant", () => {
  /** An HTTPRoute of namespace shop sending to Service checkout of `namespace`. */
  const shopRoute = (namespace: string) =>
    resource(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: checkout, namespace: shop}
spec:
  rules:
  - backendRefs: [{name: checkout, namespace: ${namespace}, port: 8080}]`);
  const grant = (from: string, to: string) => `
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: allow-shop, namespace: backends}
spec:
  from: ${from}
  to: ${to}`;
  run([
    {
      name: "to[].name omitted grants every object of the kind",
      base: grant("[{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]", "[{group: '', kind: Service, name: checkout}]"),
      head: grant("[{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]", "[{group: '', kind: Service}]"),
      expected: [
        { class: "access.widened", side: "head", path: ["spec", "to", 0], says: "to +Service * (every object: to[].name omitted)" },
      ],
    },
    {
      name: "a new from namespace",
      base: grant("[{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]", "[{group: '', kind: Service, name: checkout}]"),
      head: grant(
        "[{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}, {group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: marketing}]",
        "[{group: '', kind: Service, name: checkout}]",
      ),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "from", 1],
          says: "widened access to namespace backends: from +HTTPRoute.gateway.networking.k8s.io of namespace marketing",
        },
      ],
    },
    {
      name: "a grant added beside one that grants the same (its twin, or itself renamed) allows nothing new; removed beside it, takes nothing away",
      head: grant("[{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]", "[{group: '', kind: Service, name: checkout}]"),
      others: {
        base: [
          resource(
            grant("[{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]", "[{group: '', kind: Service}]").replace(
              "allow-shop",
              "allow-all",
            ),
          ),
        ],
        head: [
          resource(
            grant("[{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]", "[{group: '', kind: Service}]").replace(
              "allow-shop",
              "allow-all",
            ),
          ),
        ],
      },
      expected: [],
    },
    {
      name: "removed grant breaks the references it admitted",
      base: grant("[{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]", "[{group: '', kind: Service, name: checkout}]"),
      expected: [{ class: "resource.changed", side: "base", path: ["spec"], says: "stop resolving", riskFloor: "medium-high" }],
    },
    {
      name: "removed while a route of the repository relies on it: medium-high (the graph says what breaks)",
      base: grant("[{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]", "[{group: '', kind: Service}]"),
      others: { base: [shopRoute("backends")], head: [shopRoute("backends")] },
      expected: [{ class: "resource.changed", side: "base", path: ["spec"], says: "stop resolving", riskFloor: "medium-high" }],
    },
    {
      name: "removed where the repository holds the routes of the namespace it admitted and none relies on it: low",
      base: grant("[{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]", "[{group: '', kind: Service}]"),
      others: { base: [shopRoute("shop")], head: [shopRoute("shop")] },
      expected: [
        { class: "resource.changed", side: "base", path: ["spec"], says: "nothing in the repository relied on what it no longer grants" },
      ],
    },
    {
      name: "narrowed to the one name the repository's routes use: low",
      base: grant("[{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]", "[{group: '', kind: Service}]"),
      head: grant("[{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]", "[{group: '', kind: Service, name: checkout}]"),
      others: { base: [shopRoute("backends")], head: [shopRoute("backends")] },
      expected: [{ class: "resource.changed", side: "head", path: ["spec"], says: "nothing in the repository relied on" }],
    },
    {
      name: "a from entry dropped for a namespace whose routes are not in the repository, or for a kind whose references are not read: medium-high",
      base: grant(
        "[{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: web}, {group: gateway.envoyproxy.io, kind: SecurityPolicy, namespace: shop}]",
        "[{group: '', kind: Service}]",
      ),
      head: grant("[]", "[{group: '', kind: Service}]"),
      others: { base: [shopRoute("shop")], head: [shopRoute("shop")] },
      expected: [{ class: "resource.changed", side: "head", path: ["spec"], says: "stop resolving", riskFloor: "medium-high" }],
    },
    {
      name: "reordering from/to entries is cosmetic",
      base: grant(
        "[{group: g, kind: HTTPRoute, namespace: a}, {group: g, kind: HTTPRoute, namespace: b}]",
        "[{group: '', kind: Service, name: x}, {group: '', kind: Service, name: y}]",
      ),
      head: grant(
        "[{kind: HTTPRoute, group: g, namespace: b}, {group: g, kind: HTTPRoute, namespace: a}]",
        "[{group: '', kind: Service, name: y}, {group: '', kind: Service, name: x}]",
      ),
      expected: [],
    },
  ]);

  it.skipIf(!corpusAvailable)("the gateway-api example grant (no to[].name) reads as a widening when added", () => {
    const added = resource(readFileSync(corpusFile("kubernetes-sigs__gateway-api/examples/standard/reference-grant.yaml"), "utf8"));
    const [finding] = detect(gatewayApiDetector, undefined, added);
    expect(finding).toMatchObject({ class: "access.widened", side: "head", path: ["spec"] });
    expect(finding?.summary).toContain("lets HTTPRoute.gateway.networking.k8s.io of namespace prod reference Service * (every object");
  });
});

describe("a BackendTLSPolicy its CRD refuses is manifest.invalid, not a trust change", () => {
  const policy = (validation: string) =>
    `apiVersion: gateway.networking.k8s.io/v1\nkind: BackendTLSPolicy\nmetadata: {name: tls, namespace: shop}\nspec:\n  targetRefs: [{group: '', kind: Service, name: auth}]\n  validation: ${validation}\n`;
  const classes = (validation: string) => analyze({}, { "tls.yaml": policy(validation) }).findings.map((finding) => finding.class);

  it("an empty hostname, no CA, or both kinds of CA: the apply fails", () => {
    expect(classes('{hostname: ""}')).toEqual(["manifest.invalid"]);
    expect(classes("{hostname: auth.example.com}")).toEqual(["manifest.invalid"]);
    expect(classes('{hostname: "", wellKnownCACertificates: System}')).toEqual(["manifest.invalid"]);
    expect(classes("{hostname: a, wellKnownCACertificates: System, caCertificateRefs: [{group: '', kind: ConfigMap, name: ca}]}")).toEqual([
      "manifest.invalid",
    ]);
    expect(classes("{hostname: auth.example.com, wellKnownCACertificates: System}")).toEqual(["trust.changed"]);
  });
});

describe("BackendTLSPolicy", () => {
  const BACKEND_TARGET = "[{group: gateway.envoyproxy.io, kind: Backend, name: mcp}]";
  const egBackend = `
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: {name: mcp, namespace: shop}
spec:
  endpoints: [{fqdn: {hostname: mcp.example.com, port: 443}}]`;
  const policy = (validation: string, targets = "[{group: '', kind: Service, name: auth}]") => `
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: tls-upstream-auth, namespace: shop}
spec:
  targetRefs: ${targets}
  validation: ${validation}`;
  // As the manifests stage reads it: through the kind's schema, which reads v1alpha2 as the later shape.
  const v1alpha2 = (ca: string) => {
    const read = resource(`
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: BackendTLSPolicy
metadata: {name: tls-upstream-auth, namespace: shop}
spec:
  targetRef: {group: '', kind: Service, name: auth}
  tls: {hostname: auth.example.com, caCertRefs: [{group: '', kind: ConfigMap, name: ${ca}}]}`);
    return { ...read, body: backendTlsPolicy.parse(read.body) };
  };
  run([
    {
      name: "validation hostname and CA change upstream trust",
      base: policy("{hostname: auth.example.com, caCertificateRefs: [{group: '', kind: ConfigMap, name: auth-cert}]}"),
      head: policy("{hostname: auth2.example.com, wellKnownCACertificates: System}"),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "validation", "hostname"],
          says: "validation.hostname auth.example.com → auth2.example.com",
        },
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "validation"],
          says: "validation.caCertificateRefs [ConfigMap shop/auth-cert] → []",
        },
        { class: "trust.changed", side: "head", path: ["spec", "validation", "wellKnownCACertificates"], says: "(unset) → System" },
      ],
    },
    {
      name: "subjectAltNames",
      base: policy("{hostname: a, wellKnownCACertificates: System, subjectAltNames: [{type: Hostname, hostname: a.example.com}]}"),
      head: policy("{hostname: a, wellKnownCACertificates: System, subjectAltNames: [{type: URI, uri: 'spiffe://td/ns/shop/sa/auth'}]}"),
      expected: [
        { class: "trust.changed", side: "head", path: ["spec", "validation", "subjectAltNames"], says: "URI:spiffe://td/ns/shop/sa/auth" },
      ],
    },
    {
      name: "removing the policy drops upstream TLS validation",
      base: policy("{hostname: a, wellKnownCACertificates: System}"),
      expected: [{ class: "mtls.weakened", side: "base", path: ["spec"], says: "no longer TLS-validated" }],
    },
    {
      name: "a policy removed while its Backend stays drops validation",
      base: policy("{hostname: mcp.example.com, wellKnownCACertificates: System}", BACKEND_TARGET),
      others: { base: [resource(egBackend)], head: [resource(egBackend)] },
      expected: [{ class: "mtls.weakened", side: "base", path: ["spec"], says: "no longer TLS-validated" }],
    },
    {
      name: "a policy added for a Service the tree does not declare changes how connections to it are trusted",
      head: policy("{hostname: auth.example.com, wellKnownCACertificates: System}"),
      expected: [
        { class: "trust.changed", side: "head", path: ["spec", "validation"], says: "added: connections to Service shop/auth use TLS" },
      ],
    },
    {
      name: "v1alpha2 (Gateway API v1.0: targetRef, tls.caCertRefs) is read as the later shape: a CA swap there is a trust change",
      base: v1alpha2("auth-cert"),
      head: v1alpha2("auth-cert-v2"),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "validation", "caCertificateRefs"],
          says: "[ConfigMap shop/auth-cert] → [ConfigMap shop/auth-cert-v2]",
        },
      ],
    },
    {
      name: "a v1alpha2 policy rewritten as v1 with the same target and validation changes nothing",
      base: v1alpha2("auth-cert"),
      head: policy("{hostname: auth.example.com, caCertificateRefs: [{group: '', kind: ConfigMap, name: auth-cert}]}"),
      expected: [],
    },
    {
      name: "a target leaving the policy loses validation",
      base: policy("{hostname: a, wellKnownCACertificates: System}", "[{kind: Service, name: auth}, {kind: Service, name: dev}]"),
      head: policy("{hostname: a, wellKnownCACertificates: System}", "[{kind: Service, name: auth}]"),
      expected: [{ class: "mtls.weakened", side: "head", path: ["spec", "targetRefs"], says: "no longer cover Service shop/dev" }],
    },
  ]);

  it.skipIf(!corpusAvailable)("the two gateway-api example policies differ in trust anchors and hostname", () => {
    const read = (file: string) =>
      readFileSync(corpusFile(`kubernetes-sigs__gateway-api/examples/standard/backendtlspolicy/${file}`), "utf8").replace(
        /name: tls-upstream-\w+/,
        "name: tls-upstream",
      );
    const found = detect(gatewayApiDetector, read("backendtlspolicy-ca-certs.yaml"), read("backendtlspolicy-system-certs.yaml"));
    expect(found.map((finding) => finding.class)).toEqual([
      "mtls.weakened",
      "trust.changed",
      "trust.changed",
      "trust.changed",
      "trust.changed",
    ]);
    expect(found[0]?.summary).toContain("no longer cover Service default/auth");
  });
});

describe("HTTPRoute / GRPCRoute rules", () => {
  run([
    {
      name: "RequestMirror added on a rule without method match takes writes (high)",
      base: route("  - backendRefs: [{name: checkout, port: 8080}]"),
      head: route(
        "  - backendRefs: [{name: checkout, port: 8080}]\n    filters:\n    - type: RequestMirror\n      requestMirror: {backendRef: {name: checkout-shadow, port: 8080}}",
      ),
      expected: [
        {
          class: "mirror.changed",
          side: "head",
          path: ["spec", "rules", 0, "filters", 0, "requestMirror"],
          says: "rule PathPrefix /: RequestMirror to Service shop/checkout-shadow:8080 added (100% of requests); the rule takes writes (no method match)",
          riskFloor: "high",
        },
      ],
    },
    {
      name: "mirror percent up on a GET-only rule stays at the class risk",
      base: route(
        "  - matches: [{method: GET, path: {value: /catalog}}]\n    backendRefs: [{name: catalog}]\n    filters:\n    - {type: RequestMirror, requestMirror: {backendRef: {name: shadow}, percent: 10}}",
      ),
      head: route(
        "  - matches: [{method: GET, path: {value: /catalog}}]\n    backendRefs: [{name: catalog}]\n    filters:\n    - {type: RequestMirror, requestMirror: {backendRef: {name: shadow}, fraction: {numerator: 1, denominator: 2}}}",
      ),
      expected: [{ class: "mirror.changed", side: "head", path: ["spec", "rules", 0, "filters", 0, "requestMirror"], says: "10% → 50%" }],
    },
    {
      name: "a mirror removed is named as one: its shadow backend no longer gets copies (low; conformance http-filter-mirror)",
      base: route(
        "  - backendRefs: [{name: foo-v1, port: 8080}]\n    filters:\n    - {type: RequestMirror, requestMirror: {backendRef: {name: foo-v2, port: 8080}}}",
      ),
      head: route("  - backendRefs: [{name: foo-v1, port: 8080}]"),
      expected: [
        {
          class: "resource.changed",
          side: "base",
          path: ["spec", "rules", 0, "filters", 0, "requestMirror"],
          says: "RequestMirror to Service shop/foo-v2:8080 removed: it no longer receives copies of the rule's requests (100%)",
        },
      ],
    },
    {
      name: "mirror on a rule whose match changed is not new when the target was mirrored before",
      base: route("  - matches: [{path: {value: /a}}]\n    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: shadow}}}]"),
      head: route("  - matches: [{path: {value: /b}}]\n    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: shadow}}}]"),
      expected: [],
    },
    {
      name: "GRPCRoute mirror is high (gRPC calls can write)",
      base: route("  - matches: [{method: {service: shop.Cart}}]\n    backendRefs: [{name: cart}]", "GRPCRoute"),
      head: route(
        "  - matches: [{method: {service: shop.Cart}}]\n    backendRefs: [{name: cart}]\n    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: cart-v2}}}]",
        "GRPCRoute",
      ),
      expected: [
        {
          class: "mirror.changed",
          side: "head",
          path: ["spec", "rules", 0, "filters", 0, "requestMirror"],
          says: "gRPC calls can write",
          riskFloor: "high",
        },
      ],
    },
    {
      name: "redirect hostname change",
      base: route(
        "  - matches: [{path: {value: /old}}]\n    filters: [{type: RequestRedirect, requestRedirect: {hostname: a.example.com, statusCode: 301}}]",
      ),
      head: route(
        "  - matches: [{path: {value: /old}}]\n    filters: [{type: RequestRedirect, requestRedirect: {hostname: b.example.com, statusCode: 301}}]",
      ),
      expected: [
        {
          class: "route.match-changed",
          side: "head",
          path: ["spec", "rules", 0, "filters", 0, "requestRedirect"],
          says: "rule PathPrefix /old: RequestRedirect hostname a.example.com → b.example.com",
        },
      ],
    },
    {
      name: "URLRewrite added on a named rule",
      base: route("  - name: api\n    matches: [{path: {value: /api}}]\n    backendRefs: [{name: api}]"),
      head: route(
        "  - name: api\n    matches: [{path: {value: /v2/api}}]\n    backendRefs: [{name: api}]\n    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /api}}}]",
      ),
      expected: [
        {
          class: "route.match-changed",
          side: "head",
          path: ["spec", "rules", 0, "filters", 0, "urlRewrite"],
          says: "rule api: URLRewrite added",
        },
      ],
    },
    {
      name: "an ExtensionRef filter removed may have been the rule's guard; one added is not modelled",
      base: route(
        "  - matches: [{path: {value: /admin}}]\n    filters: [{type: ExtensionRef, extensionRef: {group: traefik.io, kind: Middleware, name: forward-auth}}]",
      ),
      head: route(
        "  - matches: [{path: {value: /admin}}]\n    backendRefs:\n    - name: admin\n      filters: [{type: ExtensionRef, extensionRef: {group: traefik.io, kind: Middleware, name: headers}}]",
      ),
      expected: [
        {
          class: "access.widened",
          side: "base",
          path: ["spec", "rules", 0, "filters", 0],
          says: "rule PathPrefix /admin: ExtensionRef filter Middleware forward-auth (traefik.io) removed: requests no longer pass through it",
        },
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "rules", 0, "backendRefs", 0, "filters", 0],
          says: "ExtensionRef filter Middleware headers (traefik.io) added",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "an ExternalAuth filter removed lets requests through unauthorized; one added refuses what it does not authorize",
      base: route(
        "  - matches: [{path: {value: /admin}}]\n    backendRefs: [{name: admin}]\n    filters: [{type: ExternalAuth, externalAuth: {protocol: HTTP, backendRef: {name: authz, port: 80}}}]",
      ),
      head: route("  - matches: [{path: {value: /admin}}]\n    backendRefs: [{name: admin}]"),
      expected: [
        {
          class: "access.widened",
          side: "base",
          path: ["spec", "rules", 0, "filters", 0],
          says: "rule PathPrefix /admin: ExternalAuth filter (Service authz) removed: requests are no longer authorized by it",
        },
      ],
    },
    {
      name: "an ExternalAuth filter that asks another service is another authorization service (medium), not one removed",
      base: route(
        "  - matches: [{path: {value: /admin}}]\n    backendRefs: [{name: admin}]\n    filters: [{type: ExternalAuth, externalAuth: {protocol: HTTP, backendRef: {name: authz, port: 80}}}]",
      ),
      head: route(
        "  - matches: [{path: {value: /admin}}]\n    backendRefs: [{name: admin}]\n    filters: [{type: ExternalAuth, externalAuth: {protocol: GRPC, backendRef: {name: opa, namespace: auth, port: 9191}}}]",
      ),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "rules", 0, "filters", 0],
          says: "ExternalAuth now asks Service auth/opa (was Service authz): another authorization service decides which requests pass",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "a header modifier that claims an identity for every request widens access; one that drops Authorization is medium",
      base: route(
        "  - matches: [{path: {value: /admin}}]\n    backendRefs: [{name: admin}]\n    filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Env, value: prod}]}}]",
      ),
      head: route(
        "  - matches: [{path: {value: /admin}}]\n    backendRefs: [{name: admin}]\n    filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Env, value: prod}, {name: X-Forwarded-User, value: admin}], remove: [Authorization]}}]",
      ),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "rules", 0, "filters", 0, "requestHeaderModifier", "set", 1],
          says: "RequestHeaderModifier sets x-forwarded-user: admin on every request",
        },
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "rules", 0, "filters", 0, "requestHeaderModifier", "remove"],
          says: "removes the Authorization header",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "the same ExtensionRef filter under a renamed API group is moved, not removed (kgateway 2a4ff05c1f)",
      base: route(
        "  - matches: [{path: {value: /robots.txt}}]\n    filters: [{type: ExtensionRef, extensionRef: {group: gateway.gloo.solo.io, kind: DirectResponse, name: robots}}]",
      ),
      head: route(
        "  - matches: [{path: {value: /robots.txt}}]\n    filters: [{type: ExtensionRef, extensionRef: {group: gateway.kgateway.dev, kind: DirectResponse, name: robots}}]",
      ),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "rules", 0, "filters", 0],
          says: "ExtensionRef filter DirectResponse robots now names API group gateway.kgateway.dev (was gateway.gloo.solo.io)",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "CORS opened to every origin, or to one more",
      base: route(
        "  - matches: [{path: {value: /api}}]\n    filters: [{type: CORS, cors: {allowOrigins: [https://shop.example.com], allowCredentials: true}}]",
      ),
      head: route('  - matches: [{path: {value: /api}}]\n    filters: [{type: CORS, cors: {allowOrigins: ["*"], allowCredentials: true}}]'),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "rules", 0, "filters", 0, "cors", "allowOrigins"],
          says: "CORS allows every origin (*): scripts on any site can read its responses, with the visitor's credentials",
        },
      ],
    },
    {
      name: "CORS allowing one more origin is medium; fewer is none",
      base: route(
        "  - matches: [{path: {value: /api}}]\n    filters: [{type: CORS, cors: {allowOrigins: [https://a.example.com, https://b.example.com]}}]",
      ),
      head: route(
        "  - matches: [{path: {value: /api}}]\n    filters: [{type: CORS, cors: {allowOrigins: [https://a.example.com, https://partner.example.org]}}]",
      ),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "rules", 0, "filters", 0, "cors", "allowOrigins"],
          says: "CORS allows https://partner.example.org: scripts on that site can read its responses",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "CORS credentials allowed where every origin already was: any site reads responses with the visitor's cookies",
      base: route(
        '  - matches: [{path: {value: /api}}]\n    filters: [{type: CORS, cors: {allowOrigins: ["*"], allowCredentials: false}}]',
      ),
      head: route('  - matches: [{path: {value: /api}}]\n    filters: [{type: CORS, cors: {allowOrigins: ["*"], allowCredentials: true}}]'),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "rules", 0, "filters", 0, "cors", "allowOrigins"],
          says: "CORS allowCredentials false → true for every origin (*): scripts on any site can read its responses with the visitor's credentials",
        },
      ],
    },
    {
      name: "retry backoff shortened retries a failing backend sooner (GEP-1731: the minimum wait between attempts)",
      base: route("  - matches: [{path: {value: /pay}}]\n    retry: {attempts: 2, backoff: 100ms}"),
      head: route("  - matches: [{path: {value: /pay}}]\n    retry: {attempts: 2, backoff: 1ms}"),
      expected: [
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec", "rules", 0, "retry", "backoff"],
          says: "retry.backoff 100ms → 1ms: failed requests are retried sooner",
        },
      ],
    },
    {
      name: "timeout shortened, retries up and 5xx retried",
      base: route("  - matches: [{path: {value: /pay}}]\n    timeouts: {request: 10s}\n    retry: {attempts: 1, codes: [502]}"),
      head: route(
        "  - matches: [{path: {value: /pay}}]\n    timeouts: {request: 500ms, backendRequest: 200ms}\n    retry: {attempts: 4, codes: [502, 503, 504]}",
      ),
      expected: [
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec", "rules", 0, "timeouts", "request"],
          says: "timeouts.request 10s → 500ms",
        },
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec", "rules", 0, "timeouts", "backendRequest"],
          says: "timeouts.backendRequest none → 200ms",
        },
        { class: "retry-timeout.changed", side: "head", path: ["spec", "rules", 0, "retry", "attempts"], says: "retry.attempts 1 → 4" },
        { class: "retry-timeout.changed", side: "head", path: ["spec", "rules", 0, "retry", "codes"], says: "retry.codes adds 503, 504" },
      ],
    },
    {
      name: "backendRequest written at or above the request timeout, without retries: one attempt, already bounded by the request (GEP-1742)",
      base: route(
        "  - matches: [{path: {value: /api}}]\n    timeouts: {request: 10s}\n  - matches: [{path: {value: /b}}]\n    timeouts: {request: 10s}",
      ),
      head: route(
        "  - matches: [{path: {value: /api}}]\n    timeouts: {request: 10s, backendRequest: 10s}\n  - matches: [{path: {value: /b}}]\n    timeouts: {request: 10s, backendRequest: 30s}",
      ),
      expected: [],
    },
    {
      name: "the request timeout shortened to no less than backendRequest fails nothing new without retries; with retries, the later attempts are cut",
      base: route(
        "  - matches: [{path: {value: /a}}]\n    timeouts: {request: 30s, backendRequest: 5s}\n  - matches: [{path: {value: /b}}]\n    timeouts: {request: 30s, backendRequest: 5s}\n    retry: {attempts: 2}",
      ),
      head: route(
        "  - matches: [{path: {value: /a}}]\n    timeouts: {request: 5s, backendRequest: 5s}\n  - matches: [{path: {value: /b}}]\n    timeouts: {request: 5s, backendRequest: 5s}\n    retry: {attempts: 2}",
      ),
      expected: [
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec", "rules", 1, "timeouts", "request"],
          says: "timeouts.request 30s → 5s",
        },
      ],
    },
    {
      name: "a timeout over Envoy's 15s default removed may be shortened to it; one under it removed is lengthened (not reported)",
      base: route(
        "  - matches: [{path: {value: /export}}]\n    timeouts: {request: 60s}\n  - matches: [{path: {value: /pay}}]\n    timeouts: {request: 10s}",
      ),
      head: route("  - matches: [{path: {value: /export}}]\n  - matches: [{path: {value: /pay}}]"),
      expected: [
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec", "rules", 0],
          says: "timeouts.request 1m → unset (the implementation's default: 15s on Envoy-based Gateways; the Gateway's controller is not known here): requests slower than 15s now fail with 504",
        },
      ],
    },
    {
      name: "session persistence on a rule",
      base: route("  - backendRefs: [{name: cart}]"),
      head: route("  - backendRefs: [{name: cart}]\n    sessionPersistence: {sessionName: cart, type: Cookie}"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "rules", 0, "sessionPersistence"],
          says: "session stickiness changes",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "session persistence's default type (Cookie) written out is no change",
      base: route("  - backendRefs: [{name: cart}]\n    sessionPersistence: {sessionName: cart}"),
      head: route("  - backendRefs: [{name: cart}]\n    sessionPersistence: {sessionName: cart, type: Cookie}"),
      expected: [],
    },
    {
      name: "cosmetic: rule order, match order, header case, 10s == 10000ms, lengthened timeout is not reported",
      base: route(
        "  - matches: [{path: {value: /a}}, {headers: [{name: X-Canary, value: '1'}]}]\n    timeouts: {request: 10s}\n  - matches: [{path: {value: /b}}]\n    timeouts: {request: 1s}",
      ),
      head: route(
        "  - matches: [{path: {type: PathPrefix, value: /b}}]\n    timeouts: {request: 2s}\n  - matches: [{headers: [{name: x-canary, type: Exact, value: '1'}]}, {path: {value: /a}}]\n    timeouts: {request: 10000ms}",
      ),
      expected: [],
    },
  ]);

  it.skipIf(!corpusAvailable)("conformance: request-mirror → request-percentage-mirror lowers percentages (nothing to report)", () => {
    const read = (file: string) =>
      readFileSync(corpusFile(`kubernetes-sigs__gateway-api/conformance/tests/${file}`), "utf8").replace(
        /name: request-(percentage-)?mirror/,
        "name: mirror",
      );
    expect(detect(gatewayApiDetector, read("httproute-request-mirror.yaml"), read("httproute-request-percentage-mirror.yaml"))).toEqual([]);
    const reverse = detect(gatewayApiDetector, read("httproute-request-percentage-mirror.yaml"), read("httproute-request-mirror.yaml"));
    expect(reverse.map((finding) => finding.class)).toEqual(["mirror.changed", "mirror.changed"]);
    expect(reverse[0]?.riskFloor).toBe("high");
  });

  it.skipIf(!corpusAvailable)("conformance: the mirroring example, added to a route without mirror", () => {
    const head = readFileSync(
      corpusFile("kubernetes-sigs__gateway-api/examples/standard/http-request-mirroring/httproute-mirroring.yaml"),
      "utf8",
    );
    const base = head.replace(/\n    filters:[\s\S]*$/, "\n");
    const [finding, ...rest] = detect(gatewayApiDetector, base, head);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      class: "mirror.changed",
      riskFloor: "high",
      path: ["spec", "rules", 0, "filters", 0, "requestMirror"],
    });
    expect(finding?.summary).toContain("RequestMirror to Service default/foo-v2:8080 added");
  });
});

describe("an ExtensionRef's API group renamed with the object it names (kgateway 2a4ff05c1f: gateway.gloo.solo.io → gateway.kgateway.dev)", () => {
  const robots = (group: string, namespace = "shop") =>
    route(
      `  - matches: [{path: {type: Exact, value: /robots.txt}}]\n    filters: [{type: ExtensionRef, extensionRef: {group: ${group}, kind: DirectResponse, name: robots}}]`,
    ).replace("namespace: shop}", `namespace: ${namespace}}`);
  const directResponse = (group: string, body = "User-agent: *", namespace = "shop") => `apiVersion: ${group}/v1alpha1
kind: DirectResponse
metadata: {name: robots, namespace: ${namespace}}
spec: {status: 200, body: "${body}"}
`;
  const GLOO = "gateway.gloo.solo.io";
  const KGATEWAY = "gateway.kgateway.dev";
  const renamed = (base: Record<string, string>, head: Record<string, string>) =>
    analyze({ "route.yaml": robots(GLOO), ...base }, { "route.yaml": robots(KGATEWAY), ...head }).findings.map((finding) => [
      finding.class,
      finding.risk,
      finding.summary,
    ]);

  it("the object moved to the new group unchanged: the same filter, low", () => {
    expect(renamed({ "dr.yaml": directResponse(GLOO) }, { "dr.yaml": directResponse(KGATEWAY) })).toEqual([
      [
        "resource.changed",
        "low",
        "HTTPRoute shop/shop: rule Exact /robots.txt: ExtensionRef filter DirectResponse robots now names API group gateway.kgateway.dev (was gateway.gloo.solo.io), where the tree moved the object it names, unchanged: the same filter under its new API",
      ],
    ]);
  });

  it("the object changed as it moved, or not moved, or not held before: the filter may do something else, medium", () => {
    const medium = [
      "resource.changed",
      "medium",
      "HTTPRoute shop/shop: rule Exact /robots.txt: ExtensionRef filter DirectResponse robots now names API group gateway.kgateway.dev (was gateway.gloo.solo.io): it applies only where that API serves an object of this name",
    ];
    expect(renamed({ "dr.yaml": directResponse(GLOO) }, { "dr.yaml": directResponse(KGATEWAY, "Disallow: /") })).toEqual([medium]);
    expect(renamed({ "dr.yaml": directResponse(GLOO) }, { "dr.yaml": directResponse(GLOO) })).toEqual([medium]);
    expect(renamed({}, { "dr.yaml": directResponse(KGATEWAY) })).toEqual([medium]);
    // In another namespace than the route's, it is not the object the filter names.
    expect(renamed({ "dr.yaml": directResponse(GLOO) }, { "dr.yaml": directResponse(KGATEWAY, "User-agent: *", "web") })).toEqual([medium]);
  });
});

describe("a rule's request timeout unset is its Gateway's controller's default", () => {
  const classOf = (name: string, controller: string) =>
    resource(
      `apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: ${name}}\nspec: {controllerName: ${controller}}`,
    );
  const gatewayOf = (className: string, name = "public") =>
    resource(gateway(`  gatewayClassName: ${className}\n  listeners: [{name: http, port: 80, protocol: HTTP}]`, "infra", name));
  const envoyGateway = [classOf("eg", "gateway.envoyproxy.io/gatewayclass-controller"), gatewayOf("eg")];
  const onEnvoyGateway = { base: envoyGateway, head: envoyGateway };
  // Istio installs its `istio` class itself: the tree names it without defining it.
  const onIstio = { base: [gatewayOf("istio")], head: [gatewayOf("istio")] };
  const rule = (timeouts = "") => route(`  - matches: [{path: {value: /export}}]${timeouts ? `\n    timeouts: {${timeouts}}` : ""}`);
  const request = (from: string, to: string): Expected => ({
    class: "retry-timeout.changed",
    side: "head",
    path: ["spec", "rules", 0, "timeouts", "request"],
    says: `timeouts.request ${from} → ${to}: requests slower than`,
  });
  run([
    {
      name: "Envoy Gateway: its 15s written out, or a longer timeout added, shortens nothing (conformance weighted-backends)",
      base: rule(),
      head: route(
        "  - matches: [{path: {value: /export}}]\n    timeouts: {request: 15s}\n  - matches: [{path: {value: /b}}]\n    timeouts: {request: 30s}",
      ),
      others: onEnvoyGateway,
      expected: [],
    },
    {
      name: "Envoy Gateway: a timeout added under its 15s shortens it",
      base: rule(),
      head: rule("request: 5s"),
      others: onEnvoyGateway,
      expected: [request("unset (Envoy Gateway's default, 15s)", "5s")],
    },
    {
      name: "Envoy Gateway: a 30s removed is shortened to its 15s",
      base: rule("request: 30s"),
      head: rule(),
      others: onEnvoyGateway,
      expected: [{ ...request("30s", "unset (Envoy Gateway's default, 15s)"), path: ["spec", "rules", 0] }],
    },
    {
      name: "Istio: a timeout added bounds requests that had none; one removed lifts it (not reported)",
      base: route("  - matches: [{path: {value: /export}}]\n  - matches: [{path: {value: /b}}]\n    timeouts: {request: 30s}"),
      head: route("  - matches: [{path: {value: /export}}]\n    timeouts: {request: 60s}\n  - matches: [{path: {value: /b}}]"),
      others: onIstio,
      expected: [request("unset (no timeout on Istio)", "1m")],
    },
    {
      name: "Istio: a backendRequest added bounds each attempt where the request had none",
      base: rule(),
      head: rule("backendRequest: 20s"),
      others: onIstio,
      expected: [
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec", "rules", 0, "timeouts", "backendRequest"],
          says: "timeouts.backendRequest none → 20s",
        },
      ],
    },
    {
      name: "Envoy Gateway: a backendRequest over its 15s request default bounds nothing new",
      base: rule(),
      head: rule("backendRequest: 20s"),
      others: onEnvoyGateway,
      expected: [],
    },
    {
      name: "a route on an Envoy Gateway and an Istio Gateway: a timeout added shortens on Istio's",
      base: route("  - matches: [{path: {value: /export}}]").replace(
        "[{name: public, namespace: infra}]",
        "[{name: public, namespace: infra}, {name: mesh, namespace: infra}]",
      ),
      head: rule("request: 30s").replace(
        "[{name: public, namespace: infra}]",
        "[{name: public, namespace: infra}, {name: mesh, namespace: infra}]",
      ),
      others: { base: [...envoyGateway, gatewayOf("istio", "mesh")], head: [...envoyGateway, gatewayOf("istio", "mesh")] },
      expected: [request("unset (no timeout on Istio)", "30s")],
    },
    {
      // Session 40 probe t1: a GAMMA route in an Istio mesh had no timeout; 20s added bounds it.
      name: "an unknown controller: a timeout added is judged against the longest default (none, as on Istio), and said so",
      base: route("  - matches: [{path: {value: /export}}]\n  - matches: [{path: {value: /b}}]"),
      head: route(
        "  - matches: [{path: {value: /export}}]\n    timeouts: {request: 5s}\n  - matches: [{path: {value: /b}}]\n    timeouts: {request: 60s}",
      ),
      others: { base: [gatewayOf("shared-gateway-class")], head: [gatewayOf("shared-gateway-class")] },
      expected: [
        request("unset (the implementation's default: no timeout on Istio or Cilium; the Gateway's controller is not known here)", "5s"),
        {
          ...request(
            "unset (the implementation's default: no timeout on Istio or Cilium; the Gateway's controller is not known here)",
            "1m",
          ),
          path: ["spec", "rules", 1, "timeouts", "request"],
        },
      ],
    },
    {
      name: "an unknown controller: a backendRequest added under no request timeout bounds each attempt that had none",
      base: rule(),
      head: rule("backendRequest: 20s"),
      others: { base: [gatewayOf("shared-gateway-class")], head: [gatewayOf("shared-gateway-class")] },
      expected: [
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec", "rules", 0, "timeouts", "backendRequest"],
          says: "timeouts.backendRequest none → 20s",
        },
      ],
    },
    {
      name: "an unknown controller: a timeout removed is judged against the shortest default (Envoy's 15s)",
      base: rule("request: 60s"),
      head: rule(),
      others: { base: [gatewayOf("shared-gateway-class")], head: [gatewayOf("shared-gateway-class")] },
      expected: [
        {
          ...request("1m", "unset (the implementation's default: 15s on Envoy-based Gateways; the Gateway's controller is not known here)"),
          path: ["spec", "rules", 0],
        },
      ],
    },
    {
      name: "a 0s that disabled the timeout, removed: the default applies again (conformance request-timeout)",
      base: rule('request: "0s"'),
      head: rule(),
      others: onEnvoyGateway,
      expected: [{ ...request("0s (no timeout)", "unset (Envoy Gateway's default, 15s)"), path: ["spec", "rules", 0] }],
    },
  ]);
});

describe("XBackendTrafficPolicy", () => {
  const policy = (body: string) => `
apiVersion: gateway.networking.x-k8s.io/v1alpha1
kind: XBackendTrafficPolicy
metadata: {name: cart, namespace: shop}
spec:
  targetRefs: [{group: '', kind: Service, name: cart}]
${body}`;
  run([
    {
      name: "retry budget percent up",
      base: policy("  retryConstraint: {budget: {interval: 10s}}"),
      head: policy("  retryConstraint: {budget: {percent: 50, interval: 10000ms}}"),
      expected: [
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec", "retryConstraint", "budget", "percent"],
          says: "retry budget 20% → 50%",
        },
      ],
    },
    {
      name: "the same minimum retry rate written otherwise (10 a second, 600 a minute) is no change",
      base: policy("  retryConstraint: {budget: {percent: 20}, minRetryRate: {count: 10, interval: 1s}}"),
      head: policy("  retryConstraint: {budget: {percent: 20}, minRetryRate: {count: 600, interval: 1m}}"),
      expected: [],
    },
    {
      name: "minimum retry rate raised",
      base: policy("  retryConstraint: {budget: {percent: 20}}"),
      head: policy("  retryConstraint: {budget: {percent: 20}, minRetryRate: {count: 100, interval: 1s}}"),
      expected: [
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec", "retryConstraint", "minRetryRate"],
          says: "minimum retry rate 10/s → 100/s: more retries allowed even past the budget",
        },
      ],
    },
    {
      name: "retry budget removed",
      base: policy("  retryConstraint: {budget: {percent: 20}}"),
      head: policy(""),
      expected: [{ class: "retry-timeout.changed", side: "head", path: ["spec"], says: "no longer bounded" }],
    },
    {
      name: "session persistence",
      base: policy("  sessionPersistence: {type: Cookie, absoluteTimeout: 1h}"),
      head: policy("  sessionPersistence: {type: Header, absoluteTimeout: 1h}"),
      expected: [
        { class: "resource.changed", side: "head", path: ["spec", "sessionPersistence"], says: "sessionPersistence", riskFloor: "medium" },
      ],
    },
  ]);
});

describe("cosmetic Gateway edits", () => {
  run([
    {
      name: "apiVersion bump, key order, listener order, defaults spelled out",
      base: gateway(listeners("    hostname: shop.example.com")),
      head: `
apiVersion: gateway.networking.k8s.io/v1beta1
kind: Gateway
metadata: {namespace: infra, name: public}
spec:
  listeners:
  - protocol: https
    name: https
    hostname: shop.example.com
    port: 443
    tls: {mode: Terminate, certificateRefs: [{kind: Secret, group: '', name: web-cert}]}
    allowedRoutes: {namespaces: {from: Same}}
  - {name: http, protocol: HTTP, port: "80"}
  gatewayClassName: gke-l7-global-external-managed`,
      expected: [],
    },
  ]);
});

describe("XBackend (gateway.networking.x-k8s.io): the external destination routes name as a backendRef", () => {
  // Shaped after gateway-api's site/content/en/reference/api-types/backend.md.
  const backend = (hostname: string, tls = "  tls:\n    mode: ServerOnly\n    validation: {hostname: api.openai.com}\n") => `
apiVersion: gateway.networking.x-k8s.io/v1alpha1
kind: XBackend
metadata: {name: openai-api, namespace: ai}
spec:
  type: ExternalHostname
  port: {port: 443}
  externalHostname: {hostname: ${hostname}}
${tls}`;
  const route = resource(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: external-api-route, namespace: ai}
spec:
  parentRefs: [{name: my-gateway}]
  rules:
  - backendRefs: [{group: gateway.networking.x-k8s.io, kind: XBackend, name: openai-api, port: 443}]
`);
  const around = { others: { base: [route], head: [route] } };
  run([
    {
      name: "another hostname takes the requests of the routes that name it (high: nothing places it)",
      base: backend("api.openai.com"),
      head: backend("llm.example.net"),
      ...around,
      expected: [
        {
          class: "backend.added",
          side: "head",
          path: ["spec"],
          says: "destination api.openai.com:443 → llm.example.net:443: the requests HTTPRoute ai/external-api-route send to XBackend ai/openai-api now go to llm.example.net:443",
          riskFloor: "high",
        },
      ],
    },
    {
      name: "TLS turned off, or validated against other names",
      base: backend("api.openai.com"),
      head: backend("api.openai.com", "  tls:\n    mode: None\n"),
      ...around,
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "tls", "mode"],
          says: "tls.mode ServerOnly → None: requests leave for the external host in plaintext",
        },
      ],
    },
    {
      name: "removed while a route names it: its share is answered with 500",
      base: backend("api.openai.com"),
      ...around,
      expected: [
        {
          class: "reference.broken",
          side: "base",
          path: ["spec"],
          says: "removed while HTTPRoute ai/external-api-route still names it as a backend",
        },
      ],
    },
  ]);
});

describe("an edit no detector explains is named where it is written (resource.changed)", () => {
  const gateway = (grpcTls: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: eg
  listeners:
  - {name: http, protocol: HTTP, port: 80}
  - name: grpc
    protocol: HTTPS
    port: 9443
    tls: {${grpcTls}certificateRefs: [{name: grpc-tls}]}
`;
  const fallback = (base: string, head: string) =>
    analyze({ "gw.yaml": base }, { "gw.yaml": head }).findings.map((finding) => `${finding.line} ${finding.summary}`);

  it("a listener by its written position and line, not its place among the listeners sorted", () => {
    expect(fallback(gateway(""), gateway("mode: Terminate, "))).toEqual([
      "11 Gateway infra/public: spec.listeners[1].tls.mode added (Terminate)",
    ]);
  });

  it("a weight left out is the default 1: an even split written out is no change, an uneven one the route diff's", () => {
    const route = (weights: string[]) =>
      httpRoute(`  - backendRefs: [${weights.map((weight, index) => `{ name: v${index}, port: 8080${weight} }`).join(", ")}]\n`);
    // Left out, a weight is Gateway API's default 1: an even split written 50/50 is no change.
    expect(fallback(route(["", ""]), route([", weight: 50", ", weight: 50"]))).toEqual([]);
    expect(fallback(route(["", ""]), route([", weight: 80", ", weight: 20"]))).toEqual([
      "8 shop.example.com: v0:8080 50% → 80%, v1:8080 50% → 20%",
    ]);
  });
});
