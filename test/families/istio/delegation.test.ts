import { describe, expect, it } from "vitest";
import { mergeMatches, scopedMatch } from "../../../src/families/istio/delegation.js";
import { analyze, classesOf } from "../../helpers/review-trees.js";

const root = (http: string, extra = "") => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: shop, namespace: edge }
spec:
  hosts: [shop.example.com]
  gateways: [edge/public]${extra}
  http:
${http}`;

const CART_ROOT = root(`  - name: cart
    match: [{ uri: { prefix: /cart } }]
    delegate: { name: cart-routes, namespace: cart }
  - name: web
    route: [{ destination: { host: web } }]`);

const delegate = (http: string, extra = "") => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: cart-routes, namespace: cart }
spec:${extra}
  http:
${http}`;

const split = (v1: number, v2: number) =>
  delegate(`  - name: beta
    match: [{ uri: { prefix: /cart/v2 }, headers: { x-beta: { exact: "1" } } }]
    route: [{ destination: { host: cart, subset: v2 } }]
  - name: main
    route:
    - destination: { host: cart, subset: v1 }
      weight: ${v1}
    - destination: { host: cart, subset: v2 }
      weight: ${v2}`);

const flowsOf = (files: Record<string, string>) =>
  [...analyze({}, files).head.model.flows.values()].map((flow) => ({
    at: `${flow.entry} ${flow.host} ${flow.match}`,
    resource: flow.resource.name,
    backends: flow.backends.map((backend) => `${backend.label} ${backend.weight}`),
    precedence: flow.precedence,
  }));

describe("VirtualService delegation (http[].delegate)", () => {
  it("a delegate's rules route the root's host at the root's gateways, with the root rule's match merged in", () => {
    const flows = flowsOf({ "root.yaml": CART_ROOT, "cart.yaml": split(100, 0) });
    expect(flows.map(({ at, resource }) => `${resource}: ${at}`)).toEqual([
      "cart-routes: Gateway edge/public shop.example.com PathPrefix /cart/v2, header x-beta=1",
      "cart-routes: Gateway edge/public shop.example.com PathPrefix /cart",
      "shop: Gateway edge/public shop.example.com PathPrefix /",
    ]);
    // In the root's order: the delegated rules take the place of the rule that delegates, ahead of the root's next rule.
    const precedence = flows.map((flow) => flow.precedence);
    expect([...precedence].sort((a, b) => a - b)).toEqual(precedence.slice().sort((a, b) => a - b));
    expect(precedence[0]! < precedence[1]! && precedence[1]! < precedence[2]!).toBe(true);
    // Destinations are the delegate's, named in its namespace.
    expect(flows[1]!.backends).toEqual(["cart v1 100", "cart v2 0"]);
  });

  it("a weight edited in the delegate moves the root host's traffic: backend.weight-changed on the delegate's line", () => {
    const result = analyze({ "root.yaml": CART_ROOT, "cart.yaml": split(100, 0) }, { "root.yaml": CART_ROOT, "cart.yaml": split(50, 50) });
    expect(classesOf(result)).toEqual(["backend.weight-changed"]);
    const [finding] = result.findings;
    expect(finding!.summary).toBe("shop.example.com /cart: cart v1 100% → 50%, cart v2 0% → 50%");
    expect([finding!.file, finding!.line]).toEqual(["cart.yaml", 9]);
  });

  it("a root rule's match changed re-scopes the delegated flows", () => {
    const moved = CART_ROOT.replace("prefix: /cart }", "prefix: /basket }");
    const result = analyze({ "root.yaml": CART_ROOT, "cart.yaml": split(100, 0) }, { "root.yaml": moved, "cart.yaml": split(100, 0) });
    const summaries = result.findings.filter((f) => f.class === "route.match-changed").map((f) => f.summary);
    expect(summaries).toContain(
      "shop.example.com via Gateway edge/public: rule now captures PathPrefix /basket (was PathPrefix /cart); /cart now falls through to catch-all → web 100%",
    );
  });

  it("a delegate match outside every root match is dropped, as istiod drops it", () => {
    const flows = flowsOf({
      "root.yaml": CART_ROOT,
      "cart.yaml": delegate(`  - match: [{ uri: { prefix: /checkout } }]
    route: [{ destination: { host: checkout } }]
  - route: [{ destination: { host: cart } }]`),
    });
    expect(flows.filter((flow) => flow.resource === "cart-routes").map((flow) => flow.at)).toEqual([
      "Gateway edge/public shop.example.com PathPrefix /cart",
    ]);
  });

  it("a delegate the root cannot see (exportTo) routes nothing: hiding it removes the root's routes", () => {
    const hidden = delegate(
      `  - route: [{ destination: { host: cart } }]`,
      `
  exportTo: ["."]`,
    );
    const shown = delegate(`  - route: [{ destination: { host: cart } }]`);
    expect(flowsOf({ "root.yaml": CART_ROOT, "cart.yaml": hidden }).map((flow) => flow.resource)).toEqual(["shop"]);
    const result = analyze({ "root.yaml": CART_ROOT, "cart.yaml": shown }, { "root.yaml": CART_ROOT, "cart.yaml": hidden });
    expect(result.findings.map((f) => f.summary)).toContain(
      "shop.example.com /cart via Gateway edge/public: rule removed: its requests now fall through to catch-all → web 100% (were → cart 100%)",
    );
  });

  it("a delegate the tree does not hold is the root rule's target: naming another is a new target", () => {
    const flows = flowsOf({ "root.yaml": CART_ROOT });
    expect(flows.find((flow) => flow.resource === "shop" && flow.at.endsWith("/cart"))?.backends).toEqual([
      "delegate cart/cart-routes (not in the repository) 1",
    ]);
    const renamed = CART_ROOT.replace("name: cart-routes", "name: cart-routes-v2");
    expect(classesOf(analyze({ "root.yaml": CART_ROOT }, { "root.yaml": renamed }))).toEqual(["backend.weight-changed"]);
  });

  it("a delegate removed while the root still delegates to it: istiod ignores that rule (reference.broken)", () => {
    const cart = delegate(`  - route: [{ destination: { host: cart } }]`);
    const result = analyze({ "root.yaml": CART_ROOT, "cart.yaml": cart }, { "root.yaml": CART_ROOT });
    expect(result.findings.find((f) => f.class === "reference.broken")?.summary).toContain(
      "removed while VirtualService edge/shop http[0] (cart) still delegates to it: istiod ignores that rule, and the requests it matches fall through to later rules or find no route (404)",
    );
  });

  it("a delegate no root in the tree names is still compared: its weights move traffic", () => {
    expect(flowsOf({ "cart.yaml": split(100, 0) }).map((flow) => flow.at)).toEqual([
      "VirtualService (delegated) * PathPrefix /cart/v2, header x-beta=1",
      "VirtualService (delegated) * PathPrefix /",
    ]);
    expect(classesOf(analyze({ "cart.yaml": split(100, 0) }, { "cart.yaml": split(0, 100) }))).toEqual(["backend.weight-changed"]);
  });

  it("a root applied in one cluster is served by the delegate applied in the same cluster", () => {
    const fleet = (v1: number, v2: number) => ({
      "clusters/east/root.yaml": CART_ROOT,
      "clusters/east/cart.yaml": split(100, 0),
      "clusters/west/root.yaml": CART_ROOT,
      "clusters/west/cart.yaml": split(v1, v2),
    });
    const result = analyze(fleet(100, 0), fleet(50, 50), 'topology: { placements: ["clusters/{cluster}/**"] }');
    expect(result.findings.map((finding) => [finding.class, finding.file])).toEqual([
      ["backend.weight-changed", "clusters/west/cart.yaml"],
    ]);
  });

  it("delegation is one level deep: a delegate's own delegate rule routes nowhere", () => {
    const nested = delegate(`  - delegate: { name: deeper }
  - route: [{ destination: { host: cart } }]`);
    expect(flowsOf({ "root.yaml": CART_ROOT, "cart.yaml": nested }).filter((flow) => flow.resource === "cart-routes")).toHaveLength(1);
  });
});

describe("mergeMatches (istiod's mergeHTTPMatchRequests)", () => {
  const scoped = (match: Record<string, unknown>, namespace = "edge") => scopedMatch(match, namespace);
  const uri = (kind: string, value: string) => ({ uri: { [kind]: value } });

  it.each([
    ["prefix /a ⊇ prefix /a/b", uri("prefix", "/a"), uri("prefix", "/a/b"), true],
    ["prefix /a/b ⊉ prefix /a", uri("prefix", "/a/b"), uri("prefix", "/a"), false],
    ["prefix /a ⊇ exact /a/x", uri("prefix", "/a"), uri("exact", "/a/x"), true],
    ["exact /a ⊉ prefix /a", uri("exact", "/a"), uri("prefix", "/a"), false],
    ["exact /a ⊇ exact /a", uri("exact", "/a"), uri("exact", "/a"), true],
    ["regex never nests", uri("regex", "/a.*"), uri("prefix", "/a"), false],
    ["a delegate without a uri condition keeps the root's", uri("prefix", "/a"), { headers: { x: { exact: "1" } } }, true],
  ])("%s", (_, rootMatch, leafMatch, fits) => {
    const merged = mergeMatches([scoped(rootMatch)], [scoped(leafMatch)]);
    expect(merged !== undefined).toBe(fits);
  });

  it("the delegate's conditions win, the root's fill in, maps merge key by key", () => {
    const merged = mergeMatches(
      [scoped({ uri: { prefix: "/a" }, headers: { tenant: { exact: "t1" } }, gateways: ["public"] })],
      [scoped({ headers: { beta: { exact: "1" } } }, "cart")],
    );
    expect(merged).toEqual([
      { match: { uri: { prefix: "/a" }, headers: { tenant: { exact: "t1" }, beta: { exact: "1" } } }, only: ["Gateway edge/public"] },
    ]);
  });

  it("a delegate limited to gateways the root rule is not limited to does not fit", () => {
    expect(mergeMatches([scoped({ gateways: ["public"] })], [scoped({ gateways: ["internal"] }, "edge")])).toBeUndefined();
  });
});
