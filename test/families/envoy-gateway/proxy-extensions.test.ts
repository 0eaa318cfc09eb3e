import { describe } from "vitest";
import { proxyExtensionDetector } from "../../../src/families/envoy-gateway/proxy-extensions.js";
import { detectorTable } from "../../detect/resource-fixture.js";

const run = detectorTable(proxyExtensionDetector);

const patchPolicy = (target: string, op: string) => `
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyPatchPolicy
metadata: {name: lua, namespace: infra}
spec:
  targetRef: ${target}
  type: JSONPatch
  jsonPatches:
  - type: type.googleapis.com/envoy.config.listener.v3.Listener
    name: infra/eg/http
    operation:
      op: ${op}
      path: /default_filter_chain/filters/0/typed_config/http_filters/0
      value: {name: envoy.lua}`;
const GATEWAY = "{group: gateway.networking.k8s.io, kind: Gateway, name: eg}";
const CLASS = "{group: gateway.networking.k8s.io, kind: GatewayClass, name: eg}";

const extensionPolicy = (extension: string) => `
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyExtensionPolicy
metadata: {name: checks, namespace: shop, annotations: {owner: payments}}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: checkout}]
${extension}`;

describe("Envoy Gateway's EnvoyPatchPolicy and EnvoyExtensionPolicy: proxy extensions the review cannot model", () => {
  run([
    {
      name: "a patch policy moved from one Gateway to every Gateway of its class",
      base: patchPolicy(GATEWAY, "add"),
      head: patchPolicy(CLASS, "replace"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "spec.jsonPatches, spec.targetRef changed: now patches Envoy's xDS configuration (replace Listener infra/eg/http) for GatewayClass eg (was Gateway infra/eg)",
          riskFloor: "high",
        },
      ],
    },
    {
      name: "an external processor added to a route",
      head: extensionPolicy("  extProc:\n  - backendRefs: [{name: fraud-check, port: 9002}]"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "added: runs external processor fraud-check in the request path for HTTPRoute shop/checkout",
          riskFloor: "high",
        },
      ],
    },
    {
      name: "a Wasm module's image changes",
      base: extensionPolicy("  wasm:\n  - code: {type: Image, image: {url: 'oci://ghcr.io/acme/auth:1.0'}}"),
      head: extensionPolicy("  wasm:\n  - code: {type: Image, image: {url: 'oci://ghcr.io/acme/auth:1.1'}}"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "wasm"],
          says: "spec.wasm changed: now runs Wasm oci://ghcr.io/acme/auth:1.1 in the request path for HTTPRoute shop/checkout",
          riskFloor: "high",
        },
      ],
    },
    {
      name: "an annotation alone changes nothing the proxies run",
      base: extensionPolicy("  lua: [{type: Inline, inline: 'function envoy_on_request(r) end'}]"),
      head: extensionPolicy("  lua: [{type: Inline, inline: 'function envoy_on_request(r) end'}]").replace(
        "owner: payments",
        "owner: risk",
      ),
      expected: [],
    },
    {
      name: "a patch policy removed",
      base: patchPolicy(GATEWAY, "add"),
      expected: [
        {
          class: "resource.changed",
          side: "base",
          path: ["spec"],
          says: "removed: patches Envoy's xDS configuration (add Listener infra/eg/http) no longer applies to Gateway infra/eg",
          riskFloor: "high",
        },
      ],
    },
  ]);
});
