import { describe, expect, it } from "vitest";
import { withEntriesRenamed } from "../../src/diff/entry-renames.js";
import { analyze } from "../helpers/review-trees.js";

const tree = {
  "gateway.yaml": `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gateway, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
`,
  "vs.yaml": `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: default}
spec:
  hosts: [web.example.com]
  gateways: [gateway, mesh]
  http: [{route: [{destination: {host: web}}]}]
`,
};

describe("the base model with renamed entries called by their head names", () => {
  const model = analyze(tree, tree).base.model;

  it("renames the entry of each flow, its key and its route's entries; other entries stay as they were", () => {
    const renamed = withEntriesRenamed(model, new Map([["Gateway default/gateway", "Gateway default/frontend-gateway"]]));
    expect([...renamed.flows.values()].map((flow) => [flow.entry, flow.key]).sort()).toEqual([
      ["Gateway default/frontend-gateway", "Gateway default/frontend-gateway|web.example.com|PathPrefix /"],
      ["mesh", "mesh|web.example.com|PathPrefix /"],
    ]);
    expect([...renamed.flows.keys()].sort()).toEqual([...renamed.flows.values()].map((flow) => flow.key).sort());
    expect([...renamed.routes.values()].map((route) => route.entries)).toEqual([["Gateway default/frontend-gateway", "mesh"]]);
  });

  it("keeps a flow's scope, and a model with nothing renamed is itself", () => {
    const scoped = withEntriesRenamed(
      {
        ...model,
        flows: new Map(
          [...model.flows.values()].map((flow) => [
            `${flow.entry} [prod]|x`,
            { ...flow, entry: `${flow.entry} [prod]`, key: `${flow.entry} [prod]|x` },
          ]),
        ),
      },
      new Map([["Gateway default/gateway", "Gateway ingress/gateway"]]),
    );
    expect([...scoped.flows.keys()].sort()).toEqual(["Gateway ingress/gateway [prod]|x", "mesh [prod]|x"]);
    expect(withEntriesRenamed(model, new Map())).toBe(model);
  });
});
