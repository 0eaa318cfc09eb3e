import { describe, expect, it } from "vitest";
import { analyze } from "../helpers/review-trees.js";

/** The resource.changed fallback's wording for ordered lists whose items moved whole. */

const summaries = (base: string, head: string) =>
  analyze({ "vs.yaml": base }, { "vs.yaml": head }).findings.map((finding) => [finding.class, finding.summary]);

const reviews = (...rules: string[]) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews, namespace: default }
spec:
  hosts: [reviews]
  http:
${rules.join("\n")}`;
const user = (name: string, subset: string) =>
  `  - match: [{ headers: { end-user: { exact: ${name} } } }]\n    route: [{ destination: { host: reviews, subset: ${subset} } }]`;
const rest = "  - route: [{ destination: { host: reviews, subset: v3 } }]";

describe("list items moved whole are named so, not as every later position's fields shifting", () => {
  it("a rule inserted above others is one rule added (bookinfo: bob → v3, where the catch-all already sent him)", () => {
    expect(summaries(reviews(user("jason", "v2"), rest), reviews(user("bob", "v3"), user("jason", "v2"), rest))).toEqual([
      ["resource.changed", 'VirtualService default/reviews: spec.http[0] added ({"match":[{"headers":{"end-user":{"ex…)'],
    ]);
  });

  it("a rule removed from the middle is that rule removed", () => {
    const base = reviews(user("jason", "v3"), user("bob", "v3"), rest);
    expect(summaries(base, reviews(user("jason", "v3"), rest))).toEqual([
      ["resource.changed", "VirtualService default/reviews: spec.http[1] removed"],
    ]);
  });

  it("rules that take none of each other's requests, swapped, are the list reordered", () => {
    const [jason, bob] = [user("jason", "v2"), user("bob", "v1")];
    expect(summaries(reviews(jason, bob, rest), reviews(bob, jason, rest))).toEqual([
      ["resource.changed", "VirtualService default/reviews: spec.http reordered"],
    ]);
  });

  it("an item edited in place is still told field by field", () => {
    const named = user("jason", "v3").replace("  - match:", "  - name: jason\n    match:");
    expect(summaries(reviews(user("jason", "v3"), rest), reviews(named, rest))).toEqual([
      ["resource.changed", "VirtualService default/reviews: spec.http[0].name added (jason)"],
    ]);
  });
});
