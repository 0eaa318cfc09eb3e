import { describe, expect, it } from "vitest";
import { analyze } from "../../helpers/review-trees.js";

const extension = (
  fields: string,
  chain = "      celExpressions: [{celMatcher: 'request.path.startsWith(\"/api\")'}]",
) => `apiVersion: networking.gke.io/v1
kind: GCPTrafficExtension
metadata: {name: authz, namespace: web}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: public}]
  extensionChains:
  - name: chain1
    matchCondition:
${chain}
    extensions:
    - name: authz
      authority: authz.example.com
      timeout: 1s
${fields}`;
const BACKEND = "      backendRef: {group: '', kind: Service, name: authz-callout, port: 443}\n";
const found = (base: string, head: string) =>
  analyze({ "ext.yaml": base }, { "ext.yaml": head }).findings.map((finding) => [finding.class, finding.risk, finding.summary]);

describe("GKE Service Extensions", () => {
  it("failOpen turned on skips the extension's checks when it fails: health.changed (kubernetes-engine-samples 2939f67e turned it off)", () => {
    expect(found(extension(BACKEND), extension(`      failOpen: true\n${BACKEND}`))).toEqual([
      [
        "health.changed",
        "high",
        expect.stringContaining("failOpen false → true: when the extension fails or times out, requests go on without it"),
      ],
    ]);
  });

  it("another callout service, another match, an extension removed", () => {
    const other = BACKEND.replace("authz-callout", "authz-v2");
    expect(found(extension(BACKEND), extension(other)).map(([cls, risk]) => [cls, risk])).toEqual([["resource.changed", "medium-high"]]);
    expect(
      found(extension(BACKEND), extension(BACKEND, "      celExpressions: [{celMatcher: 'request.path.startsWith(\"/admin\")'}]")),
    ).toEqual([["resource.changed", "medium", expect.stringContaining("chain chain1 matchCondition changes")]]);
    const none = extension(BACKEND).replace(/    extensions:[\s\S]*$/, "    extensions: []\n");
    expect(found(extension(BACKEND), none)).toEqual([
      [
        "resource.changed",
        "high",
        expect.stringContaining("extension chain1/authz removed: requests it matched are no longer sent to Service authz-callout:443"),
      ],
    ]);
  });
});
