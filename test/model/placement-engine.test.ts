import { describe, expect, it } from "vitest";
import type { Resource } from "../../src/core/resource.js";
import type { BackendRef } from "../../src/core/route-rules.js";
import type { FilePlacement } from "../../src/core/gitops-delivery.js";
import { FAMILIES, type Family, type PlacementHints } from "../../src/families/index.js";
import { placementIndexOver } from "../../src/model/placement.js";
import { TopologySchema } from "../../src/policy/policy-schema.js";
import { toyFamily, toyResource, toySet as setOf } from "../helpers/toy-families.js";

/**
 * The placement engine names no kind: a toy table proves it places references only through the
 * families' `placementHints`, after the policy's patterns and an explicit cluster, before the
 * route file's placement.
 */

const pin = (family: string, name: string, cluster: string): Resource =>
  toyResource(family, "Pin", name, `${family}/${name}.yaml`, { cluster });

/** A Pin says its name runs on its cluster; a ServiceImport of that name is placed there, and named `svc <name>`. */
const pins: PlacementHints = {
  hints: { Pin: ({ id, body }, tools) => [{ key: id.name, placement: tools.ofClusters([String(body.cluster)], false) }] },
  destinations: {
    ServiceImport: { place: (ref, hints) => hints(ref.name).at(-1), serviceName: (ref) => `svc ${ref.name}` },
  },
};

const family = (name: string, placementHints?: PlacementHints): Family => toyFamily(name, placementHints ? { placementHints } : {});

const topology = TopologySchema.parse({
  clusters: { "jkt-1": "asia-southeast2", "sgp-1": "asia-southeast1", "fra-1": "europe-west3" },
  backendRegions: ["-(?<region>eu|us)$"],
});
/** Every route file lands on fra-1. */
const byFile: FilePlacement = () => ({ clusters: ["fra-1"], regions: ["europe-west3"] });

const ref = (name: string, extra: Partial<BackendRef> = {}): BackendRef => ({
  kind: "ServiceImport",
  name,
  namespace: "ops",
  routeFile: "routes/route.yaml",
  ...extra,
});

describe("placement engine over a table of families", () => {
  const set = setOf(pin("fleet", "checkout", "jkt-1"), pin("fleet", "checkout", "sgp-1"), pin("other", "cart", "sgp-1"));

  it("places a reference by its family's hints (the last a key was given), with the policy's regions", () => {
    const index = placementIndexOver([family("fleet", pins), family("other")])(set, topology, byFile);
    expect(index.place(ref("checkout"))).toEqual({ clusters: ["sgp-1"], regions: ["asia-southeast1"], multiCluster: false });
    expect(index.serviceOf(ref("checkout"))).toBe("svc checkout");
  });

  it("without the slot, a reference of the same kind lands where its route's file does", () => {
    const index = placementIndexOver([family("fleet"), family("other")])(set, topology, byFile);
    expect(index.place(ref("checkout"))).toEqual({ clusters: ["fra-1"], regions: ["europe-west3"], multiCluster: false });
    expect(index.serviceOf(ref("checkout"))).toBe("checkout");
  });

  it("reads only the hints the placing family's own resources gave", () => {
    const index = placementIndexOver([family("fleet", pins), family("other")])(set, topology, byFile);
    // `other` has a Pin for cart, but declares no hints: fleet does not see it.
    expect(index.place(ref("cart")).clusters).toEqual(["fra-1"]);
  });

  it("asks the families in table order; one that does not answer leaves it to the next, then to the file", () => {
    const silent: PlacementHints = { destinations: { ServiceImport: { place: () => undefined } } };
    const index = placementIndexOver([family("quiet", silent), family("fleet", pins)])(set, topology, byFile);
    expect(index.place(ref("checkout")).clusters).toEqual(["sgp-1"]);
    expect(index.place(ref("unknown")).clusters).toEqual(["fra-1"]);
    expect(index.place(ref("checkout", { kind: "Service" })).clusters).toEqual(["fra-1"]);
  });

  it("puts the policy's name patterns and an explicit cluster before the families; resources placing a named backend in another region widen it", () => {
    const index = placementIndexOver([family("fleet", pins)])(setOf(pin("fleet", "checkout-eu", "jkt-1")), topology, byFile);
    // Named for eu, and pinned to a cluster of asia-southeast2 (a ServiceExport in another region's cluster): it runs in both.
    expect(index.place(ref("checkout-eu"))).toEqual({ clusters: ["jkt-1"], regions: ["asia-southeast2", "eu"], multiCluster: true });
    expect(index.place(ref("cart-eu"))).toEqual({ clusters: [], regions: ["eu"], multiCluster: false });
    expect(index.place(ref("checkout", { cluster: "jkt-1" })).clusters).toEqual(["jkt-1"]);
    expect(index.serviceOf(ref("checkout-eu"))).toBe("svc checkout");
  });

  it("names the service without the part the pattern matched, where it matched", () => {
    const index = placementIndexOver([family("fleet", pins)])(setOf(), topology, byFile);
    expect(index.serviceOf(ref("pay-eu-cache-eu", { kind: "Service" }))).toBe("pay-eu-cache");
    expect(index.place(ref("pay-eu-cache-eu", { kind: "Service" })).regions).toEqual(["eu"]);
  });

  it("hands out one object per placement, whoever built it", () => {
    const index = placementIndexOver([family("fleet", pins)])(setOf(pin("fleet", "checkout", "fra-1")), topology, byFile);
    expect(index.place(ref("checkout"))).toBe(index.place(ref("cart")));
  });

  it("leaves a reference unplaced when nothing says where it runs", () => {
    const index = placementIndexOver([family("fleet", pins)])(set, topology, () => ({ clusters: [], regions: [] }));
    expect(index.place(ref("nowhere"))).toEqual({ clusters: [], regions: [], multiCluster: false });
  });
});

describe("the families that place references", () => {
  it("are MCS for ServiceImports, Istio for hosts, Gloo for VirtualDestinations, GKE for MultiClusterServices", () => {
    const placers = FAMILIES.flatMap((family) =>
      Object.keys(family.placementHints?.destinations ?? {}).map((kind) => `${kind}: ${family.name}`),
    );
    expect(placers.sort()).toEqual(["Host: istio", "MultiClusterService: gke", "ServiceImport: mcs", "VirtualDestination: gloo"]);
  });
});
