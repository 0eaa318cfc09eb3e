import { describe, expect, it } from "vitest";
import { proxyExtensionDetector } from "../../../src/families/envoy-gateway/proxy-extensions.js";
import { detectorTable } from "../../detect/resource-fixture.js";
import { analyze } from "../../helpers/review-trees.js";

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

describe("a Wasm module moved to another version of a source render.trusted names (ishioni/homelab-ops 2e5b59bef7)", () => {
  const TRUSTING = 'render: { trusted: ["oci://ghcr.io/acme/**", "https://github.com/acme/auth/releases/download/**"] }\n';
  const image = (url: string, config = "{theme: dark}") =>
    extensionPolicy(`  wasm:\n  - name: auth\n    code: {type: Image, image: {url: '${url}'}}\n    config: ${config}`);
  const http = (version: string, sha256: string, file = "auth.wasm") =>
    extensionPolicy(
      `  wasm:\n  - name: auth\n    code: {type: HTTP, http: {url: 'https://github.com/acme/auth/releases/download/${version}/${file}', sha256: '${sha256}'}}`,
    );
  const checkedImage = (url: string, sha256: string) =>
    extensionPolicy(`  wasm:\n  - name: auth\n    code: {type: Image, image: {url: '${url}', sha256: '${sha256}'}}`);
  const judged = (base: string, head: string, overlay = TRUSTING) =>
    analyze({ "eep.yaml": base }, { "eep.yaml": head }, overlay).findings.map((finding) => [finding.risk, finding.summary]);

  it("its image tag or digest alone: low, a version bump the owners vouch for", () => {
    expect(judged(image("oci://ghcr.io/acme/auth:0.1.0"), image("oci://ghcr.io/acme/auth:0.2.0"))).toEqual([
      [
        "low",
        "EnvoyExtensionPolicy shop/checks: Wasm module version bump of a trusted source (render.trusted): oci://ghcr.io/acme/auth:0.1.0 → oci://ghcr.io/acme/auth:0.2.0, run for HTTPRoute shop/checkout",
      ],
    ]);
    // An image written without the scheme is an OCI image all the same.
    const digest = `@sha256:${"a".repeat(64)}`;
    expect(judged(image("ghcr.io/acme/auth:0.1.0"), image(`ghcr.io/acme/auth${digest}`))[0]?.[0]).toBe("low");
  });

  it("an HTTP module's URL and sha256 moved together under a trusted glob: low", () => {
    expect(judged(http("v1.0.0", "aaa"), http("v1.1.0", "bbb"))[0]?.[0]).toBe("low");
  });

  it("untrusted, another repository, an unversioned tag, or anything else changed beside it: high", () => {
    const bump = [image("oci://ghcr.io/acme/auth:0.1.0"), image("oci://ghcr.io/acme/auth:0.2.0")] as const;
    expect(judged(...bump, "")[0]?.[0]).toBe("high");
    expect(judged(bump[0], image("oci://ghcr.io/acme/other:0.2.0"))[0]?.[0]).toBe("high");
    expect(judged(bump[0], image("oci://ghcr.io/acme/auth:latest"))[0]?.[0]).toBe("high");
    expect(judged(bump[0], image("oci://ghcr.io/acme/auth:0.2.0", "{theme: light}"))[0]?.[0]).toBe("high");
    // The digest alone, at the same URL: other code under one version.
    expect(judged(http("v1.0.0", "aaa"), http("v1.0.0", "bbb"))[0]?.[0]).toBe("high");
  });

  it("a sha256 left at the old version's checksum: high, the new module fails verification and is not loaded", () => {
    const [A, B] = ["a".repeat(64), "b".repeat(64)];
    expect(judged(checkedImage("oci://ghcr.io/acme/auth:0.1.0", A), checkedImage("oci://ghcr.io/acme/auth:0.2.0", A))).toEqual([
      [
        "high",
        "EnvoyExtensionPolicy shop/checks: spec.wasm changed: now runs Wasm auth in the request path for HTTPRoute shop/checkout; its sha256 was left at the checksum of oci://ghcr.io/acme/auth:0.1.0: oci://ghcr.io/acme/auth:0.2.0 fails verification against it and is not loaded, which fails the requests it sits in unless it is set to fail open",
      ],
    ]);
    expect(judged(http("v1.0.0", "aaa"), http("v1.1.0", "aaa"))[0]?.[0]).toBe("high");
    // With it: the bump; pinned to that very digest, the same module as before.
    expect(judged(checkedImage("oci://ghcr.io/acme/auth:0.1.0", A), checkedImage("oci://ghcr.io/acme/auth:0.2.0", B))[0]?.[0]).toBe("low");
    expect(judged(checkedImage("oci://ghcr.io/acme/auth:0.1.0", A), checkedImage(`oci://ghcr.io/acme/auth@sha256:${A}`, A))[0]?.[0]).toBe(
      "low",
    );
  });

  it("another file of a trusted HTTP glob is another module, not a version of it: high", () => {
    expect(judged(http("v1.0.0", "aaa"), http("v1.0.0", "bbb", "allow-all.wasm"))[0]?.[0]).toBe("high");
    expect(judged(http("v1.0.0", "aaa"), http("v1.1.0", "bbb", "allow-all.wasm"))[0]?.[0]).toBe("high");
  });
});
