import { describe, it } from "vitest";
import { clientTrafficPolicyDetector } from "../../../src/families/envoy-gateway/client-traffic-policy.js";
import { detect, expectDetections, resource } from "../../detect/resource-fixture.js";

const policy = (target: string, tls: string, name = "edge-clients") => `
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: ClientTrafficPolicy
metadata: {name: ${name}, namespace: infra}
spec:
  targetRefs: [${target}]
  tls:
${tls}`;
const GATEWAY = "{group: gateway.networking.k8s.io, kind: Gateway, name: public}";
const LISTENER = "{group: gateway.networking.k8s.io, kind: Gateway, name: public, sectionName: partners}";
const MTLS = "    clientValidation: {caCertificateRefs: [{kind: ConfigMap, name: partner-ca}]}\n";

describe("Envoy Gateway ClientTrafficPolicy: the TLS asked of clients, per Gateway or listener", () => {
  it("client certificates no longer required: removed, made optional, or the policy gone", () => {
    expectDetections(detect(clientTrafficPolicyDetector, policy(GATEWAY, MTLS), policy(GATEWAY, "    minVersion: '1.2'\n")), [
      {
        class: "mtls.weakened",
        side: "head",
        path: ["spec", "tls"],
        says: "on Gateway infra/public, clients no longer need a certificate",
      },
    ]);
    const optional = MTLS.replace("{caCertificateRefs", "{optional: true, caCertificateRefs");
    expectDetections(detect(clientTrafficPolicyDetector, policy(GATEWAY, MTLS), policy(GATEWAY, optional)), [
      {
        class: "mtls.weakened",
        side: "head",
        path: ["spec", "tls", "clientValidation", "optional"],
        says: "clients without a certificate are admitted",
      },
    ]);
    expectDetections(detect(clientTrafficPolicyDetector, policy(GATEWAY, MTLS), undefined), [
      {
        class: "mtls.weakened",
        side: "base",
        path: ["spec", "tls", "clientValidation"],
        says: "Gateway infra/public is no longer a target",
      },
    ]);
  });

  it("a listener's own policy removed falls back to the Gateway's: nothing lost when that asks the same", () => {
    const wide = { head: [resource(policy(GATEWAY, MTLS, "gateway-wide"))] };
    expectDetections(detect(clientTrafficPolicyDetector, policy(LISTENER, MTLS), undefined, wide), []);
    expectDetections(detect(clientTrafficPolicyDetector, policy(LISTENER, MTLS), undefined), [
      {
        class: "mtls.weakened",
        side: "base",
        path: ["spec", "tls", "clientValidation"],
        says: "Gateway infra/public:partners is no longer a target",
      },
    ]);
  });

  it("a listener's own policy added replaces its Gateway's: one without clientValidation stops asking for certificates there", () => {
    const wide = { base: [resource(policy(GATEWAY, MTLS, "gateway-wide"))], head: [resource(policy(GATEWAY, MTLS, "gateway-wide"))] };
    expectDetections(detect(clientTrafficPolicyDetector, undefined, policy(LISTENER, "    minVersion: '1.3'\n"), wide), [
      {
        class: "mtls.weakened",
        side: "head",
        path: ["spec", "tls"],
        says: "on Gateway infra/public:partners, its own policy replacing its Gateway's: clients no longer need a certificate",
      },
    ]);
    // Asking what the Gateway asked is no change; without a Gateway-wide policy, a certificate is newly asked.
    expectDetections(detect(clientTrafficPolicyDetector, undefined, policy(LISTENER, MTLS), wide), []);
    expectDetections(detect(clientTrafficPolicyDetector, undefined, policy(LISTENER, MTLS)), [
      { class: "trust.changed", side: "head", path: ["spec", "tls", "clientValidation"], says: "must now present a certificate" },
    ]);
  });

  it("other client CAs are trust.changed; a certificate newly asked of clients too", () => {
    expectDetections(detect(clientTrafficPolicyDetector, policy(GATEWAY, MTLS), policy(GATEWAY, MTLS.replace("partner-ca", "any-ca"))), [
      {
        class: "trust.changed",
        side: "head",
        path: ["spec", "tls", "clientValidation", "caCertificateRefs"],
        says: "client trust anchors change",
      },
    ]);
    expectDetections(detect(clientTrafficPolicyDetector, undefined, policy(GATEWAY, MTLS)), [
      {
        class: "trust.changed",
        side: "head",
        path: ["spec", "tls", "clientValidation"],
        says: "clients of Gateway infra/public must now present a certificate",
      },
    ]);
  });

  it("a lower minimum TLS version: below 1.2 weakens, 1.3 → 1.2 is medium", () => {
    expectDetections(
      detect(clientTrafficPolicyDetector, policy(GATEWAY, "    minVersion: '1.2'\n"), policy(GATEWAY, "    minVersion: '1.0'\n")),
      [{ class: "mtls.weakened", side: "head", path: ["spec", "tls", "minVersion"], says: "tls.minVersion 1.2 → 1.0" }],
    );
    expectDetections(
      detect(clientTrafficPolicyDetector, policy(GATEWAY, "    minVersion: '1.3'\n"), policy(GATEWAY, "    minVersion: Auto\n")),
      [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "tls", "minVersion"],
          says: "tls.minVersion 1.3 → 1.2",
          riskFloor: "medium",
        },
      ],
    );
  });

  it("cipher suites accepting a broken one weaken, as on an Istio Gateway; strong ones only are none", () => {
    const ciphers = (list: string) => policy(GATEWAY, `    minVersion: '1.2'\n    ciphers: [${list}]\n`);
    expectDetections(
      detect(clientTrafficPolicyDetector, policy(GATEWAY, "    minVersion: '1.2'\n"), ciphers("ECDHE-RSA-AES128-GCM-SHA256, DES-CBC3-SHA")),
      [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "tls", "ciphers"],
          says: "it now accepts DES-CBC3-SHA, broken cipher suites",
        },
      ],
    );
    expectDetections(detect(clientTrafficPolicyDetector, ciphers("ECDHE-RSA-AES128-GCM-SHA256"), ciphers("AES128-GCM-SHA256")), [
      { class: "mtls.weakened", side: "head", path: ["spec", "tls", "ciphers"], says: "no suite left agrees keys ephemerally" },
    ]);
    expectDetections(
      detect(clientTrafficPolicyDetector, policy(GATEWAY, "    minVersion: '1.2'\n"), ciphers("ECDHE-RSA-AES128-GCM-SHA256")),
      [],
    );
  });
});
