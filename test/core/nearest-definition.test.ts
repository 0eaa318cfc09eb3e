import { describe, expect, it } from "vitest";
import { definitionChoices, pickDefinition } from "../../src/core/nearest-definition.js";

/** Definitions of one name, each scoped by its file as the loader keys copies. */
const copies = (...files: string[]) => files.map((file) => ({ file, scope: file }));
const picked = (files: readonly string[], from: string) => pickDefinition(copies(...files), { file: from })?.file;

describe("which of several definitions of one name a reference means (pickDefinition)", () => {
  it("the one beside it, or in the folder above it, before any other", () => {
    expect(picked(["examples/b/gateway.yaml", "examples/a/gateway.yaml"], "examples/a/route.yaml")).toBe("examples/a/gateway.yaml");
    expect(picked(["other/gateway.yaml", "examples/gateway.yaml"], "examples/a/route.yaml")).toBe("examples/gateway.yaml");
  });

  it("the one sharing the most folders, where routes and Gateways sit in sibling folders of one environment", () => {
    expect(picked(["clusters/staging/gateways/gw.yaml", "clusters/prod/gateways/gw.yaml"], "clusters/prod/routes/route.yaml")).toBe(
      "clusters/prod/gateways/gw.yaml",
    );
  });

  it("not one in a subfolder of the referrer's folder, another example's, while another exists (gateway-api 6d76ec6e57)", () => {
    // The subfolder's shares more folders and sorts first: it was taken, the route read as moved onto its TLS listener.
    const files = ["examples/experimental/v1alpha3/tls-routing/gateway.yaml", "examples/standard/grpc-routing/gateway.yaml"];
    expect(picked(files, "examples/experimental/http-route-rule-name.yaml")).toBe("examples/standard/grpc-routing/gateway.yaml");
  });

  it("one in a subfolder where every definition is in one, none nearer than another: the first, as before", () => {
    expect(picked(["apps/b/x/gw.yaml", "apps/a/gw.yaml"], "apps/route.yaml")).toBe("apps/b/x/gw.yaml");
    expect(picked(["b/gw.yaml", "a/gw.yaml"], "route.yaml")).toBe("b/gw.yaml");
  });

  it("its own scope or file first, wherever the others are", () => {
    const scoped = [
      { file: "a/sub/gw.yaml", scope: "prod" },
      { file: "a/gw.yaml", scope: "staging" },
    ];
    expect(pickDefinition(scoped, { file: "a/route.yaml", scope: "prod" })?.file).toBe("a/sub/gw.yaml");
  });

  it("of several nearest alike, one of them, never a farther one that sorts first", () => {
    expect(picked(["other/gw.yaml", "apps/b/gw.yaml", "apps/a/gw.yaml"], "apps/bbr/route.yaml")).toBe("apps/b/gw.yaml");
  });
});

describe("the definitions a reference may mean (definitionChoices)", () => {
  const choices = (files: readonly string[], from: string) => definitionChoices(copies(...files), { file: from }).map((c) => c.file);

  it("every one nearest alike, the picked one first (gateway-api-inference-extension's bbr-example beside each provider's Gateway)", () => {
    const files = ["config/gateway/kgateway/gw.yaml", "other/gw.yaml", "config/gateway/istio/gw.yaml"];
    expect(choices(files, "config/bbr-example/route.yaml")).toEqual(["config/gateway/kgateway/gw.yaml", "config/gateway/istio/gw.yaml"]);
    expect(pickDefinition(copies(...files), { file: "config/bbr-example/route.yaml" })?.file).toBe("config/gateway/kgateway/gw.yaml");
  });

  it("only the one meant where one is nearer, in its scope or in its file", () => {
    expect(choices(["examples/b/gateway.yaml", "examples/a/gateway.yaml"], "examples/a/route.yaml")).toEqual(["examples/a/gateway.yaml"]);
    expect(choices(["a/gw.yaml", "b/gw.yaml"], "b/gw.yaml")).toEqual(["b/gw.yaml"]);
    expect(definitionChoices([{ file: "x/gw.yaml" }], { file: "y/route.yaml" })).toEqual([{ file: "x/gw.yaml" }]);
    expect(definitionChoices(undefined, { file: "y/route.yaml" })).toEqual([]);
  });
});
