import { describe, expect, it } from "vitest";
import { analyze } from "../helpers/review-trees.js";

const operator = (trustDomain: string, annotations = "") => `apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: {name: production-istio, namespace: istio-system${annotations}}
spec:
  meshConfig: {trustDomain: "${trustDomain}"}
  values:
    global:
      network: "${trustDomain}"
`;
const FILE = "istio-install/istiod.yaml";
const judged = (before: string, after: string, annotations = "") =>
  analyze({ [FILE]: operator(before, annotations) }, { [FILE]: operator(after, annotations) }).findings.map(
    (finding) => `${finding.class} ${finding.risk}`,
  );

describe("a template placeholder respelled asks for the same value (gloo-mesh-use-cases 7d0f8c8b77)", () => {
  it.each(["$CLUSTER_NAME", "<cluster-name>", "$Cluster_Name"])("<CLUSTER_NAME> → %s: no trust change", (after) => {
    expect(judged("<CLUSTER_NAME>", after)).toEqual(["resource.changed low"]);
  });

  it("a placeholder filled with a value, or asking for another name, still changes the trust domain", () => {
    expect(judged("<CLUSTER_NAME>", "east")).toContain("trust.changed critical");
    expect(judged("east", "$CLUSTER_NAME")).toContain("trust.changed critical");
    expect(judged("<MGMT_CLUSTER_NAME>", "$MGMT_CLUSTER")).toContain("trust.changed critical");
  });

  it("${NAME} is Flux's variable, which Flux fills and leaves the others as written, unless the document turns substitution off", () => {
    expect(judged("${CLUSTER_NAME}", "<CLUSTER_NAME>").filter((finding) => finding !== "resource.changed low")).not.toEqual([]);
    expect(judged("${CLUSTER_NAME}", "<CLUSTER_NAME>", ", annotations: {kustomize.toolkit.fluxcd.io/substitute: disabled}")).toEqual([
      "resource.changed low",
    ]);
  });
});
