import { describe, expect, it } from "vitest";
import { istioGatewayRenaming } from "../../../src/families/istio/gateway-renaming.js";
import { context, istioValues, resource } from "../../detect/resource-fixture.js";
import type { Resource } from "../../../src/core/resource.js";

const gateway = (name: string, namespace: string) =>
  resource(`
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
`);
const operator = (env: string) =>
  resource(`
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: {name: istio, namespace: istio-system}
spec:
  components: {pilot: {k8s: {env: [${env}]}}}
`);

const same = (before: Resource, after: Resource, ...install: Resource[]) =>
  istioGatewayRenaming.sameEntry(before, after, context([], [after, ...install]).head);

describe("an Istio Gateway renamed or moved is the same entry where istiod applies it to the same proxies", () => {
  it("is named as VirtualServices name it, resolved", () => {
    expect(istioGatewayRenaming.entry(gateway("public.v2", "ingress"))).toBe("Gateway ingress/public.v2");
  });

  it("moved: not where istiod's PILOT_SCOPE_GATEWAY_TO_NAMESPACE is on, in any place an install sets it", () => {
    const [before, after] = [gateway("gateway", "default"), gateway("gateway", "ingress")];
    expect(same(before, after)).toContain("the same selector and servers");
    expect(same(before, after, operator(`{name: PILOT_SCOPE_GATEWAY_TO_NAMESPACE, value: "true"}`))).toBeUndefined();
    expect(same(before, after, operator(`{name: PILOT_SCOPE_GATEWAY_TO_NAMESPACE, value: "false"}`))).toContain("the same");
    expect(same(before, after, istioValues("pilot:\n  env:\n    PILOT_SCOPE_GATEWAY_TO_NAMESPACE: true\n"))).toBeUndefined();
    // A values document kept as text (an Argo CD Application's `helm.values`).
    const argo = resource(`
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: istiod, namespace: argocd}
spec:
  source: {chart: istiod, helm: {values: "pilot:\\n  env:\\n    PILOT_SCOPE_GATEWAY_TO_NAMESPACE: 'true'\\n"}}
`);
    expect(same(before, after, argo)).toBeUndefined();
    // Renamed in its namespace, the flag changes nothing.
    expect(same(before, gateway("frontend", "default"), operator(`{name: PILOT_SCOPE_GATEWAY_TO_NAMESPACE, value: "true"}`))).toContain(
      "the same",
    );
  });
});
