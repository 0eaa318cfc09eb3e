import { describe, expect, it } from "vitest";
import { regionalSubsets } from "../helpers/destination-rule-yaml.js";
import { httpRoute, serviceImportRef as imp } from "../helpers/http-route-yaml.js";
import { analyze, classesOf } from "../helpers/review-trees.js";

const virtualService = (rules: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews, namespace: bookinfo }
spec:
  hosts: [reviews]
  http:
${rules}`;

const rule = (match: string, subset: string) =>
  `  - ${match ? `match: [${match}]\n    ` : ""}route: [{ destination: { host: reviews, subset: ${subset} } }]`;
const API_V2 = rule("{ uri: { prefix: /api } }", "v2");
const CATCH_ALL_V1 = rule("", "v1");

describe("reordered first-match rules (Istio http[] order is precedence)", () => {
  it("moving the catch-all before /api takes every /api request to another backend: the /api rule serves nothing, high (probe D25)", () => {
    const result = analyze(
      { "vs.yaml": virtualService(`${API_V2}\n${CATCH_ALL_V1}`) },
      { "vs.yaml": virtualService(`${CATCH_ALL_V1}\n${API_V2}`) },
    );
    expect(classesOf(result)).toEqual(["route.match-changed"]);
    // Read medium-high, while the Gateway API rule another comes to take every request of is high.
    expect(result.findings[0]!.risk).toBe("high");
    expect(result.findings[0]!.summary).toBe(
      "reviews.bookinfo via mesh: catch-all now evaluated before /api: /api requests go to v1: the /api rule serves nothing any more",
    );
    expect(result.findings[0]!.line).toBe(7);
    // Its requests going where they went already, the reorder moves none: medium-high, as a rule's match changed.
    const same = analyze(
      { "vs.yaml": virtualService(`${rule("{ uri: { prefix: /api } }", "v1")}\n${CATCH_ALL_V1}`) },
      { "vs.yaml": virtualService(`${CATCH_ALL_V1}\n${rule("{ uri: { prefix: /api } }", "v1")}`) },
    );
    expect(same.findings.map((f) => [f.class, f.risk, f.summary])).toEqual([
      ["route.match-changed", "medium-high", "reviews.bookinfo via mesh: catch-all now evaluated before /api: /api requests go to v1"],
    ]);
  });

  it("rules for two exact values of one header swapped share no request: nothing moves (bookinfo's end-user jason and bob)", () => {
    const [jason, bob] = [
      rule("{ headers: { end-user: { exact: jason } } }", "v2"),
      rule("{ headers: { end-user: { exact: bob } } }", "v3"),
    ];
    const swapped = analyze({ "vs.yaml": virtualService(`${jason}\n${bob}`) }, { "vs.yaml": virtualService(`${bob}\n${jason}`) });
    expect(classesOf(swapped)).toEqual(["resource.changed"]);
    const prefix = rule("{ headers: { end-user: { prefix: ja } } }", "v3");
    const overlapping = analyze({ "vs.yaml": virtualService(`${jason}\n${prefix}`) }, { "vs.yaml": virtualService(`${prefix}\n${jason}`) });
    expect(classesOf(overlapping)).toEqual(["route.match-changed"]);
  });

  it("a shorter prefix moved before a longer one shadows it; a partial overlap says `some`", () => {
    const API = rule("{ uri: { prefix: /api } }", "v1");
    const API_ADMIN = rule("{ uri: { prefix: /api/admin } }", "v2");
    const shadowing = analyze({ "vs.yaml": virtualService(`${API_ADMIN}\n${API}`) }, { "vs.yaml": virtualService(`${API}\n${API_ADMIN}`) });
    expect(shadowing.findings.map((f) => [f.risk, f.summary])).toEqual([
      [
        "high",
        "reviews.bookinfo via mesh: /api now evaluated before /api/admin: /api/admin requests go to v1: the /api/admin rule serves nothing any more",
      ],
    ]);

    const JASON = rule("{ headers: { end-user: { exact: jason } } }", "v3");
    const partial = analyze({ "vs.yaml": virtualService(`${API_V2}\n${JASON}`) }, { "vs.yaml": virtualService(`${JASON}\n${API_V2}`) });
    expect(partial.findings.map((f) => [f.risk, f.summary])).toEqual([
      ["medium-high", "reviews.bookinfo via mesh: header end-user=jason now evaluated before /api: some /api requests go to v3"],
    ]);
  });

  it("rules that share no request may be reordered freely: the edit is left to resource.changed", () => {
    const WEB = rule("{ uri: { prefix: /web } }", "v1");
    const GET = rule("{ uri: { prefix: /api }, method: { exact: GET } }", "v1");
    const POST = rule("{ uri: { prefix: /api }, method: { exact: POST } }", "v2");
    expect(
      classesOf(analyze({ "vs.yaml": virtualService(`${API_V2}\n${WEB}`) }, { "vs.yaml": virtualService(`${WEB}\n${API_V2}`) })),
    ).toEqual(["resource.changed"]);
    expect(classesOf(analyze({ "vs.yaml": virtualService(`${GET}\n${POST}`) }, { "vs.yaml": virtualService(`${POST}\n${GET}`) }))).toEqual([
      "resource.changed",
    ]);
  });

  it("a regex path may match anything: in doubt, the reorder is flagged", () => {
    const REGEX = rule("{ uri: { regex: '/v[0-9]+/.*' } }", "v3");
    const result = analyze({ "vs.yaml": virtualService(`${API_V2}\n${REGEX}`) }, { "vs.yaml": virtualService(`${REGEX}\n${API_V2}`) });
    expect(result.findings.map((f) => f.summary)).toEqual([
      "reviews.bookinfo via mesh: RegularExpression /v[0-9]+/.* now evaluated before /api: some /api requests go to v3",
    ]);
  });

  it("a broader rule inserted before existing ones takes every request of those it covers: medium-high, naming them", () => {
    const API_ADMIN = rule("{ uri: { prefix: /api/admin } }", "v2");
    const NEW_API = rule("{ uri: { prefix: /api } }", "v3");
    const added = (head: string) =>
      analyze({ "vs.yaml": virtualService(`${API_ADMIN}\n${CATCH_ALL_V1}`) }, { "vs.yaml": virtualService(head) })
        .findings.filter((f) => f.class === "route.added")
        .map((f) => [f.risk, f.summary]);
    expect(added(`${NEW_API}\n${API_ADMIN}\n${CATCH_ALL_V1}`)).toEqual([
      [
        "medium-high",
        "reviews.bookinfo /api via mesh: new rule → v3 100%; it comes first and takes every request of /api/admin (was → v2 100%)",
      ],
    ]);
    // Inserted after /api/admin it carves its requests out of the catch-all only: the usual new rule.
    expect(added(`${API_ADMIN}\n${NEW_API}\n${CATCH_ALL_V1}`)).toEqual([["medium", "reviews.bookinfo /api via mesh: new rule → v3 100%"]]);
    // A header canary above the rule it narrows takes only its own requests.
    const JASON_ADMIN = rule("{ uri: { prefix: /api/admin }, headers: { end-user: { exact: jason } } }", "v3");
    expect(added(`${JASON_ADMIN}\n${API_ADMIN}\n${CATCH_ALL_V1}`).map(([risk]) => risk)).toEqual(["medium"]);
    // Sending the covered requests where they went already moves nothing.
    expect(added(`${rule("{ uri: { prefix: /api } }", "v2")}\n${API_ADMIN}\n${CATCH_ALL_V1}`).map(([risk]) => risk)).toEqual(["medium"]);
  });

  it("a broader rule inserted before rules sending elsewhere drains their region: backend.region-removed, high", () => {
    const subsets = regionalSubsets("reviews", "bookinfo", { v2: "jkt", v3: "sgp" });
    const API_ADMIN = rule("{ uri: { prefix: /api/admin } }", "v2");
    const tree = (rules: string) => ({ "dr.yaml": subsets, "vs.yaml": virtualService(rules) });
    const result = analyze(
      tree(`${API_ADMIN}\n${CATCH_ALL_V1}`),
      tree(`${rule("{ uri: { prefix: /api } }", "v3")}\n${API_ADMIN}\n${CATCH_ALL_V1}`),
    );
    const drained = result.findings.filter((f) => f.class === "backend.region-removed");
    expect(drained.map((f) => [f.risk, f.summary, f.line])).toEqual([
      [
        "high",
        "reviews.bookinfo /api/admin via mesh: region jkt no longer receives traffic: new rule /api comes first and takes every request (→ v3 100%)",
        7,
      ],
    ]);
    // Inserted after the rule it would cover, it drains nothing.
    const after = analyze(
      tree(`${API_ADMIN}\n${CATCH_ALL_V1}`),
      tree(`${API_ADMIN}\n${rule("{ uri: { prefix: /api } }", "v3")}\n${CATCH_ALL_V1}`),
    );
    expect(classesOf(after)).not.toContain("backend.region-removed");
  });

  it("Gateway API ranks rules by specificity, not order: reordering HTTPRoute rules is no change", () => {
    const api = `  - matches: [{ path: { type: PathPrefix, value: /api } }]\n    backendRefs: [${imp("api-jkt")}]`;
    const all = `  - backendRefs: [${imp("web-jkt")}]`;
    const result = analyze({ "r.yaml": httpRoute(`${api}\n${all}`) }, { "r.yaml": httpRoute(`${all}\n${api}`) });
    expect(classesOf(result).filter((c) => c.startsWith("route."))).toEqual([]);
  });
});

describe("Gateway API rules tied on one match: the first in the list serves it", () => {
  const route = (rules: string) => httpRoute(rules, { name: "shop", namespace: "shop", hostname: "shop.example.com" });
  const api = (backend: string, extra = "") =>
    `  - matches: [{ path: { type: PathPrefix, value: /api }${extra} }]\n    backendRefs: [{ name: ${backend}, port: 8080 }]\n`;
  const canaryHeader = ", headers: [{ name: x-canary, value: 'true' }]";
  const served = (base: string, head: string) =>
    analyze({ "r.yaml": route(base) }, { "r.yaml": route(head) })
      .findings.filter((f) => f.summary.includes("now served by"))
      .map((f) => [f.class, f.risk, f.summary]);

  it("a canary rule that loses its header test ties with the rule after it and, first, takes all of its path", () => {
    expect(served(api("canary", canaryHeader) + api("stable"), api("canary") + api("stable"))).toEqual([
      [
        "route.match-changed",
        "high",
        "shop.example.com /api via Gateway infra/public: now served by rule 1 (→ canary:8080 100%), which ranks first and takes every request of rule 2 (was → stable:8080 100%): its match widened, or the rules were reordered",
      ],
    ]);
    // Written after the rule it ties with, it serves nothing: no request moves to it.
    expect(served(api("stable") + api("canary", canaryHeader), api("stable") + api("canary"))).toEqual([]);
  });

  it("tied rules reordered move the path's traffic; a new tied rule inserted first takes it", () => {
    expect(served(api("stable") + api("other"), api("other") + api("stable")).map(([cls, risk]) => [cls, risk])).toEqual([
      ["route.match-changed", "high"],
    ]);
    expect(served(api("stable"), api("promo") + api("stable"))).toEqual([
      [
        "route.added",
        "medium-high",
        "shop.example.com /api via Gateway infra/public: now served by new rule 1 (→ promo:8080 100%), which ranks first and takes every request of rule 2 (was → stable:8080 100%)",
      ],
    ]);
  });
});
