import { describe, expect, it } from "vitest";
import type { Resource } from "../../src/core/resource.js";
import type { ClusterRegions } from "../../src/core/gitops-delivery.js";
import type { Deliveries, Family } from "../../src/families/index.js";
import { compileFilePlacement } from "../../src/model/file-placement.js";
import { deliveryKinds, gitopsPlacementOver } from "../../src/model/gitops-placement.js";
import { TopologySchema } from "../../src/policy/policy-schema.js";
import { toyFamily, toyResource, toySet as setOf } from "../helpers/toy-families.js";

/**
 * The GitOps placement engine names no kind: a toy table proves that a file lands where the
 * families' `deliveries` send it, transitively through objects applied where their own file lands,
 * and where the policy's patterns put it.
 */

const relay = (family: string, name: string, file: string, spec: { path: string; cluster?: string }): Resource =>
  toyResource(family, "Relay", name, file, { spec });

/** A Relay delivers every file under `spec.path` to `spec.cluster`, else to wherever it is applied itself. */
const relays = (seen: { clusters?: ClusterRegions; reads: number }): Deliveries => ({
  kinds: ["Relay"],
  read: (_set, clusters) => {
    seen.clusters = clusters;
    seen.reads++;
    return (resource) => {
      const { path, cluster } = resource.body.spec as { path: string; cluster?: string };
      const destination = cluster ? { clusters: [cluster] } : { whereApplied: true as const };
      return {
        resource,
        paths: [path],
        destinations: [destination],
        destinationOf: (file) => (file.startsWith(`${path}/`) ? destination : undefined),
      };
    };
  },
});

const family = (name: string, deliveries?: Deliveries): Family => toyFamily(name, deliveries ? { deliveries } : {});

const topology = TopologySchema.parse({
  clusters: { "jkt-1": "asia-southeast2", "sgp-1": "asia-southeast1" },
  placements: ["clusters/{cluster}/**"],
});
const byPattern = compileFilePlacement(topology.placements);

describe("GitOps placement engine over a table of families", () => {
  const set = setOf(
    relay("fleet", "to-jkt", "fleet/to-jkt.yaml", { path: "apps/shop", cluster: "jkt-1" }),
    // Applied where its own file lands: clusters/sgp-1 by the policy's pattern.
    relay("fleet", "local", "clusters/sgp-1/local.yaml", { path: "apps/cart" }),
    // Applied where its file lands, which `local` decides: sgp-1.
    relay("fleet", "nested", "apps/cart/nested.yaml", { path: "apps/payments" }),
    relay("other", "ignored", "other/ignored.yaml", { path: "apps/shop", cluster: "sgp-1" }),
    // Applied where its own file lands, which nothing places: one cluster the tree does not name.
    relay("fleet", "loose", "loose/loose.yaml", { path: "apps/blog" }),
  );

  it("lands a file where the families' deliveries send it, transitively, with the policy's patterns and regions", () => {
    const seen = { reads: 0 };
    const placement = gitopsPlacementOver([family("fleet", relays(seen)), family("other")]).buildGitopsPlacement(set, topology, byPattern);
    expect(placement("apps/shop/route.yaml")).toEqual({ clusters: ["jkt-1"], regions: ["asia-southeast2"], sites: ["jkt-1"] });
    expect(placement("apps/payments/route.yaml")).toEqual({ clusters: ["sgp-1"], regions: ["asia-southeast1"], sites: ["sgp-1"] });
    expect(placement("apps/blog/route.yaml")).toEqual({
      clusters: [],
      regions: [],
      sites: ["where toy.example/Relay/ops/loose@fleet is applied"],
    });
    expect(placement("clusters/jkt-1/route.yaml").clusters).toEqual(["jkt-1"]);
    expect(placement("elsewhere/route.yaml").clusters).toEqual([]);
    // The tree is read once, with the policy's clusters.
    expect(seen).toEqual({ reads: 1, clusters: topology.clusters });
  });

  it("asks a family only about its own resources", () => {
    const { deliveriesOf } = gitopsPlacementOver([family("fleet", relays({ reads: 0 })), family("other")]);
    const deliveryOf = deliveriesOf(set, topology.clusters);
    expect(deliveryOf(set.resources.get("toy.example/Relay/ops/to-jkt@fleet")!)?.paths).toEqual(["apps/shop"]);
    expect(deliveryOf(set.resources.get("toy.example/Relay/ops/ignored@other")!)).toBeUndefined();
  });

  it("without the slot, only the policy's patterns place files", () => {
    const { buildGitopsPlacement, deliveryKinds: kinds } = gitopsPlacementOver([family("fleet"), family("other")]);
    const placement = buildGitopsPlacement(set, topology, byPattern);
    expect(placement("apps/shop/route.yaml").clusters).toEqual([]);
    expect(placement("clusters/sgp-1/route.yaml").clusters).toEqual(["sgp-1"]);
    expect(kinds).toEqual([]);
  });
});

describe("the table's delivering kinds", () => {
  it("are the placement family's Argo CD and Flux objects, the ArtifactGenerators and GitRepositories Flux reads, and the Flux Operator's FluxInstance", () => {
    expect(deliveryKinds).toEqual(["Application", "ApplicationSet", "ArtifactGenerator", "FluxInstance", "GitRepository", "Kustomization"]);
  });
});
