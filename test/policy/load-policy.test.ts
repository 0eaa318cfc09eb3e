import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { riskOf } from "../../src/policy/class-risk.js";
import { compilePathScope } from "../../src/policy/path-scope.js";
import { mergePolicy } from "../../src/policy/merge-policy.js";
import { PolicySchema } from "../../src/policy/policy-schema.js";
import { builtInPolicy, defaultPolicy, parsePolicy, PolicyError, repositoryPolicy, resolvePolicy } from "../../src/policy/load-policy.js";
import { policyJsonSchema } from "../../src/policy/policy-json-schema.js";
import { CHANGE_CLASS_IDS } from "../../src/core/change-classes.js";
import { riskRank } from "../../src/core/risk-level.js";

const REPO = "route-governor.yml";

const refusal = (text: string): string => {
  try {
    resolvePolicy(text, REPO);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as PolicyError).message;
  }
  throw new Error("policy was accepted");
};

describe("policies/default.yml follows DESIGN §8", () => {
  const policy = defaultPolicy();
  const approvals = (level: keyof typeof policy.requirements) =>
    policy.requirements[level]?.approvals.map((rule) => `${rule.group}×${rule.count}`) ?? [];

  it.each([
    ["none", [], [], 0],
    ["low", [], [], 0],
    ["medium", [], ["service-owners×1"], 0],
    ["medium-high", ["change-request", "rollback"], ["service-owners×1"], 0],
    ["high", ["change-request", "rollback", "rollout-window", "test-result"], ["service-owners×1", "platform-networking×1"], 0],
    [
      "critical",
      ["change-request", "rollback", "rollout-window", "test-result", "synthetic-check", "metrics"],
      ["service-owners×1", "platform-networking×1", "sre×1"],
      2,
    ],
  ] as const)("%s needs evidence %j, approvals %j, distinct groups %i", (level, evidence, rules, distinct) => {
    expect(policy.requirements[level]?.evidence).toEqual(evidence);
    expect(approvals(level)).toEqual(rules);
    expect(policy.requirements[level]?.distinctGroups).toBe(distinct);
  });

  it.each([
    ["gateway-class.changed", ["platform-networking"]],
    ["export.changed", ["service-owners", "platform-networking"]],
    ["failover.changed", ["sre", "service-owners", "business-owners"]],
    ["writes.active-active", ["sre", "service-owners", "business-owners"]],
    ["trust.changed", ["platform-networking", "sre"]],
    ["mtls.weakened", ["platform-networking", "sre"]],
    ["governance.policy-changed", ["platform-networking"]],
  ] as const)("class %s adds approvals from %j (seed §23.1 ownership)", (id, groups) => {
    expect(policy.classes[id]?.approvals?.map((rule) => rule.group)).toEqual(groups);
  });

  it("defines every evidence key of DESIGN §9 with aliases", () => {
    expect(Object.keys(policy.evidence)).toEqual([
      "change-request",
      "rollout-window",
      "rollback",
      "test-result",
      "synthetic-check",
      "metrics",
      "incident",
      "post-change-validation",
    ]);
    for (const key of Object.values(policy.evidence)) expect(key.aliases.length).toBeGreaterThan(0);
  });

  it("keeps the options of DESIGN §8", () => {
    expect(policy.options).toMatchObject({ authorMayApprove: false, invalidateOnSemanticChangeOnly: true, acceptGithubReviews: true });
  });

  it("returns a fresh copy each time", () => {
    const first = defaultPolicy();
    first.options.authorMayApprove = true;
    expect(defaultPolicy().options.authorMayApprove).toBe(false);
  });
});

describe("policies/regulated.yml is stricter than the defaults", () => {
  const regulated = builtInPolicy("regulated");
  const defaults = defaultPolicy();

  it("asks for a change request at medium and two people from two groups at high", () => {
    expect(regulated.requirements.medium?.evidence).toContain("change-request");
    expect(regulated.requirements.high?.distinctGroups).toBe(2);
    expect(regulated.options.acceptGithubReviews).toBe(false);
    expect(regulated.options.allowedOverrides).toEqual([]);
  });

  it("never lowers a class risk", () => {
    for (const id of CHANGE_CLASS_IDS) expect(riskRank(riskOf(id, regulated))).toBeGreaterThanOrEqual(riskRank(riskOf(id, defaults)));
    expect(riskOf("mirror.changed", regulated)).toBe("high");
  });

  it("is the base a repository merges over when chosen", () => {
    expect(resolvePolicy(undefined, REPO, "regulated")).toMatchObject({ source: "policies/regulated.yml", policy: regulated });
    expect(() => resolvePolicy("options: { acceptGithubReviews: true }\n", REPO, "regulated")).toThrow(
      /options\.acceptGithubReviews: turns it on/,
    );
  });

  it("refuses one of its evidence keys validated another way (a rollout window as free text); the default profile lets a team set its own", () => {
    const weakened = "evidence:\n  rollout-window: { validate: { type: text } }\n";
    expect(() => resolvePolicy(weakened, REPO, "regulated")).toThrow(/evidence\.rollout-window\.validate: changes how it is validated/);
    expect(resolvePolicy(weakened, REPO).policy.evidence["rollout-window"]?.validate).toEqual({ type: "text" });
    // Aliases, and keys of its own, are the repository's.
    expect(() => resolvePolicy("evidence:\n  load-test: { validate: { type: url } }\n", REPO, "regulated")).not.toThrow();
  });
});

describe("invalid policies are refused with one readable line", () => {
  it.each([
    [
      "a bad enum",
      "classes:\n  backend.weight-changed:\n    risk: lowish\n",
      /^route-governor\.yml: classes\.backend\.weight-changed\.risk: invalid option: expected one of "none"\|/,
    ],
    [
      "an unknown class",
      "classes:\n  backend.weight-change: { risk: high }\n",
      /^route-governor\.yml: classes\.backend\.weight-change: unknown key$/,
    ],
    ["an unknown option (a typo must not weaken)", "options:\n  authorMayApprov: true\n", /options\.authorMayApprov: unknown key/],
    [
      "a bad regex",
      'evidence:\n  ticket:\n    validate: { type: regex, pattern: "(" }\n',
      /evidence\.ticket\.validate\.pattern: not a valid regular expression/,
    ],
    [
      "a backend-region regex that does not compile",
      'topology:\n  backendRegions: ["-(?<region>jkt|sgp$"]\n',
      /^route-governor\.yml: topology\.backendRegions\[0\]: not a valid regular expression$/,
    ],
    [
      "a backend-region regex without a region or cluster group",
      'topology:\n  backendRegions: ["-(?<region>jkt)$", "-(jkt|sgp)$", "-(?<zone>a|b)$"]\n',
      /^route-governor\.yml: topology\.backendRegions\[1\]: needs a named group \(\?<region>…\) or \(\?<cluster>…\).*; topology\.backendRegions\[2\]: needs a named group/,
    ],
    [
      "a placement that names the cluster twice, or not at all",
      'topology: { placements: ["{cluster}/{cluster}/**", "clusters/**"] }\n',
      /topology\.placements\[0\]: needs `\{cluster\}` exactly once, e\.g\. clusters\/\{cluster\}\/\*\*; topology\.placements\[1\]: needs/,
    ],
    [
      "an empty glob, which picomatch would throw on mid-review",
      'paths: { exclude: [""] }\nrender: { trusted: ["oci://ghcr.io/acme/*", ""] }\n',
      /paths\.exclude\[0\]: a glob cannot be empty; render\.trusted\[1\]: a glob cannot be empty/,
    ],
    ["a team that is not org/slug", "groups:\n  sre: { teams: [sre] }\n", /groups\.sre\.teams\[0\]: teams are org\/team-slug/],
    [
      "a freeze without a zone",
      "freezes:\n  - { name: x, start: '2026-12-20T00:00:00', end: '2027-01-04T00:00:00Z' }\n",
      /freezes\[0\]\.start: invalid ISO datetime/,
    ],
    [
      "a freeze that ends before it starts",
      "freezes:\n  - { name: x, start: '2027-01-04T00:00:00Z', end: '2026-12-20T00:00:00Z' }\n",
      /freezes\[0\]\.end: not after its start/,
    ],
    [
      "an unknown group",
      "classes:\n  route.added: { approvals: [{ group: web-team }] }\n",
      /classes\.route\.added\.approvals\[0\]\.group: unknown group "web-team"/,
    ],
    [
      "an unknown evidence key",
      "classes:\n  route.added: { evidence: [jira] }\n",
      /classes\.route\.added\.evidence\[0\]: unknown evidence key "jira"/,
    ],
    ["an alias two keys claim", "evidence:\n  ticket: { aliases: [CR] }\n", /evidence: "CR" names both change-request and ticket/],
    ["invalid YAML", "classes: [\n", /^route-governor\.yml: line \d+: /],
    ["a duplicated key", "options: {}\noptions: {}\n", /line 2: duplicated mapping key/],
    ["two documents", "options: {}\n---\noptions: {}\n", /expected one YAML document, found 2/],
    ["a list at the top", "- a\n", /expected a mapping of policy sections/],
    ["an alias bomb", `a: &a [x, x, x]\n${Array.from({ length: 120 }, (_, i) => `k${i}: *a`).join("\n")}\n`, /maxAliases/],
  ])("%s", (_case, text, message) => {
    const error = refusal(text);
    expect(error).toMatch(message);
    expect(error).not.toContain("\n");
  });

  it("accepts backend-region regexes that name a region or a cluster group", () => {
    const { policy } = resolvePolicy('topology:\n  backendRegions: ["-(?<region>jkt|sgp)$", "^(?<cluster>[a-z]+-prod-\\\\d+)-"]\n', REPO);
    expect(policy.topology.backendRegions).toEqual(["-(?<region>jkt|sgp)$", "^(?<cluster>[a-z]+-prod-\\d+)-"]);
  });

  it("parsePolicy checks a complete policy the same way", () => {
    expect(() => parsePolicy("requirements:\n  high: { approvals: [{ group: nobody }] }\n", "org.yml")).toThrow(
      /^org\.yml: requirements\.high\.approvals\[0\]\.group: unknown group "nobody"$/,
    );
  });
});

describe("a repository policy may tighten the defaults", () => {
  it.each([
    [
      "raise a class risk",
      "classes:\n  backend.weight-changed: { risk: high }\n",
      (p: ReturnType<typeof defaultPolicy>) => p.classes["backend.weight-changed"]?.risk,
      "high",
    ],
    [
      "add evidence to a level",
      "requirements:\n  medium: { evidence: [change-request], approvals: [{ group: service-owners }] }\n",
      (p: ReturnType<typeof defaultPolicy>) => p.requirements.medium?.evidence,
      ["change-request"],
    ],
    [
      "raise an approval count",
      "requirements:\n  high:\n    approvals: [{ group: service-owners, count: 2 }, { group: platform-networking }]\n",
      (p: ReturnType<typeof defaultPolicy>) => p.requirements.high?.approvals,
      [
        { group: "service-owners", count: 2 },
        { group: "platform-networking", count: 1 },
      ],
    ],
    [
      "ask for more distinct groups",
      "requirements:\n  high: { distinctGroups: 2 }\n",
      (p: ReturnType<typeof defaultPolicy>) => p.requirements.high?.distinctGroups,
      2,
    ],
    [
      "turn reviews off",
      "options: { acceptGithubReviews: false }\n",
      (p: ReturnType<typeof defaultPolicy>) => p.options.acceptGithubReviews,
      false,
    ],
    [
      "shrink allowedOverrides",
      "options: { allowedOverrides: [] }\n",
      (p: ReturnType<typeof defaultPolicy>) => p.options.allowedOverrides,
      [],
    ],
    [
      "let fewer groups break glass",
      "breakGlass: { groups: [sre] }\n",
      (p: ReturnType<typeof defaultPolicy>) => p.breakGlass.groups,
      ["sre"],
    ],
  ])("%s", (_case, text, read, expected) => {
    expect(read(resolvePolicy(text, REPO).policy)).toEqual(expected);
  });

  it("keeps every default the repository does not write", () => {
    const { policy } = resolvePolicy("requirements:\n  high: { distinctGroups: 2 }\n", REPO);
    expect(policy.requirements.high?.evidence).toEqual(defaultPolicy().requirements.high?.evidence);
    expect(policy.classes).toEqual(defaultPolicy().classes);
  });

  it("an empty or comments-only file changes nothing", () => {
    expect(resolvePolicy("", REPO).policy).toEqual(defaultPolicy());
    expect(resolvePolicy("# nothing yet\n", REPO).policy).toEqual(defaultPolicy());
    expect(resolvePolicy(undefined, REPO).source).toBe("policies/default.yml");
  });
});

describe("a repository's policy file in its tree", () => {
  const strict = "classes:\n  resource.changed: { risk: medium }\n";
  const route = { path: "routes/a.yaml", text: "kind: HTTPRoute\n" };

  it.each([".github/route-governor.yml", ".github/route-governor.yaml"])("is read from %s, named as the policy's source", (path) => {
    const { policy, source } = repositoryPolicy([route, { path, text: strict }], " at main (1a2b3c4)");
    expect(policy.classes["resource.changed"]?.risk).toBe("medium");
    expect(source).toBe(`${path} at main (1a2b3c4)`);
  });

  it("is the built-in defaults when the tree has neither", () => {
    expect(repositoryPolicy([route], " at main (1a2b3c4)")).toEqual({ policy: defaultPolicy(), source: "policies/default.yml" });
  });

  it("both spellings at once is an error naming both: neither is picked silently", () => {
    const both = [
      { path: ".github/route-governor.yml", text: "" },
      { path: ".github/route-governor.yaml", text: strict },
    ];
    expect(() => repositoryPolicy(both, " at main (1a2b3c4)")).toThrow(
      new PolicyError(
        ".github/route-governor.yml and .github/route-governor.yaml at main (1a2b3c4)",
        "both exist, and Route Governor does not pick one: delete the one the team does not maintain",
      ),
    );
  });
});

describe("a repository policy may not loosen a key unless the base allows it", () => {
  it.each([
    [
      "lower a class risk",
      "classes:\n  backend.weight-changed: { risk: low }\n",
      "classes.backend.weight-changed.risk: lowers the risk from medium-high to low",
    ],
    [
      "lower a class risk the defaults never wrote",
      "classes:\n  health.changed: { risk: medium }\n",
      "classes.health.changed.risk: lowers the risk from high to medium",
    ],
    [
      "drop class approvals",
      "classes:\n  failover.changed: { approvals: [{ group: sre }] }\n",
      "classes.failover.changed.approvals: asks for fewer approvals (service-owners 0 instead of 1, business-owners 0 instead of 1)",
    ],
    [
      "drop level evidence",
      "requirements:\n  high: { evidence: [change-request] }\n",
      "requirements.high.evidence: drops evidence rollback, rollout-window, test-result",
    ],
    ["lower a count", "requirements:\n  critical: { distinctGroups: 1 }\n", "requirements.critical.distinctGroups: lowers it from 2 to 1"],
    ["let the author approve", "options: { authorMayApprove: true }\n", "options.authorMayApprove: turns it on"],
    [
      "grant itself overrides",
      "options: { allowedOverrides: [options.authorMayApprove] }\n",
      "options.allowedOverrides: grants itself options.authorMayApprove",
    ],
    [
      "let another group break glass",
      "breakGlass: { groups: [sre, service-owners] }\n",
      "breakGlass.groups: lets more groups break glass (service-owners)",
    ],
    ["accept other incident ids", 'breakGlass: { incidentPattern: ".+" }\n', "breakGlass.incidentPattern: changes the incident id pattern"],
  ])("%s", (_case, text, named) => {
    const message = refusal(text);
    expect(message).toContain(`${REPO}: ${named}`);
    expect(message).toContain("options.allowedOverrides");
  });

  it("names every refused key in one error", () => {
    const message = refusal("classes:\n  trust.changed: { risk: low }\noptions: { authorMayApprove: true }\n");
    expect(message).toMatch(/classes\.trust\.changed\.risk: .*; options\.authorMayApprove: /);
  });

  it("accepts a key the defaults list in allowedOverrides", () => {
    expect(resolvePolicy("classes:\n  route.added: { risk: low }\n", REPO).policy.classes["route.added"]?.risk).toBe("low");
  });

  it("accepts any key under a path the base lists", () => {
    const base = { ...defaultPolicy(), options: { ...defaultPolicy().options, allowedOverrides: ["classes.failover.changed"] } };
    const written = { classes: { "failover.changed": { risk: "high", approvals: [{ group: "sre" }] } } };
    const overlay = (written: unknown) => ({ written, policy: PolicySchema.parse(written) });
    const merged = mergePolicy(base, overlay(written), REPO);
    expect(merged.classes["failover.changed"]).toEqual({ risk: "high", approvals: [{ group: "sre", count: 1 }] });
    expect(() => mergePolicy(base, overlay({ classes: { "trust.changed": { risk: "high" } } }), REPO)).toThrow(
      /classes\.trust\.changed\.risk/,
    );
  });
});

describe("paths: which files are reviewed", () => {
  it("leaves out by default only what never reaches a cluster, and lets a repository decide the rest", () => {
    const defaults = defaultPolicy();
    expect(defaults.paths.include).toEqual(["**"]);
    expect(defaults.paths.exclude).toEqual(
      expect.arrayContaining([".github/**", "**/testdata/**", "**/node_modules/**", "**/charts/*/templates/**"]),
    );
    expect(defaults.options.allowedOverrides).toContain("paths");
    // End-to-end suites' manifests under a test folder (kgateway's e2e inputs) and conformance
    // suites' fixtures (gateway-api's conformance/tests) are test inputs; a
    // fleet's `e2e` environment, or a `test` environment, is cluster config.
    const reviews = compilePathScope(defaults.paths);
    expect(reviews("test/kubernetes/e2e/features/route_delegation/inputs/basic.yaml")).toBe(false);
    expect(reviews("tests/e2e/samples/httpbin/httpbin.yaml")).toBe(false);
    expect(reviews("conformance/tests/httproute-weight.yaml")).toBe(false);
    // Go-style test inputs anywhere (ingress2gateway), and end-to-end suite variants of a `tests` folder (envoyproxy/ai-gateway); a `test` environment's `e2e-west` cluster is cluster config.
    expect(reviews("pkg/i2gw/providers/nginx/fixtures/annotations/output/nginx-ssl-services.yaml")).toBe(false);
    expect(reviews("tests/e2e-aigw/aigw_config.yaml")).toBe(false);
    expect(reviews("test/fixtures/gateway.yaml")).toBe(false);
    expect(reviews("internal/translator/fixtures/route.yaml")).toBe(false);
    // A fixtures folder outside test code may be delivered: a Flux Kustomization's `path: ./platform/fixtures`.
    expect(reviews("platform/fixtures/route.yaml")).toBe(true);
    expect(reviews("clusters/test/e2e-west/routes.yaml")).toBe(true);
    expect(reviews("overlays/e2e/gateway.yaml")).toBe(true);
    expect(reviews("clusters/test/routes/checkout.yaml")).toBe(true);
    // A suite folder ending in e2e (Gloo's test/kube2e: kgateway a0bf402c81 removed a mesh-wide STRICT
    // PeerAuthentication there, read as critical) and integration suites (istio's tests/integration) are
    // test inputs; an `integration` namespace of a
    // `test` environment nested in a fleet, and an `integration` environment are cluster config.
    expect(reviews("test/kube2e/istio/artifacts/peerauth_strict.yaml")).toBe(false);
    expect(reviews("tests/k8s-e2e/gateway.yaml")).toBe(false);
    expect(reviews("tests/integration/pilot/testdata/gateway.yaml")).toBe(false);
    expect(reviews("test/integration/k8s/routes.yaml")).toBe(false);
    expect(reviews("kubernetes/apps/test/integration/routes.yaml")).toBe(true);
    expect(reviews("clusters/integration/routes.yaml")).toBe(true);
    // Vendored subcharts' templates are left out, a first-party chart kept in a `charts/` folder is
    // not (gke-fleet-management 6bd4aa8b5a, istio-on-eks eeae02f42a: their new Gateways were hidden).
    const trees = [
      [
        { path: "deploy/shop/Chart.yaml" },
        { path: "deploy/shop/charts/redis/templates/service.yaml" },
        { path: "Chart.yaml" },
        { path: "charts/mcgw/Chart.yaml" },
        { path: "samples/hello/charts/app/Chart.yaml" },
      ],
    ];
    const inTree = compilePathScope(defaults.paths, trees);
    expect(inTree("deploy/shop/charts/redis/templates/service.yaml")).toBe(false);
    expect(inTree("charts/mcgw/templates/gateway.yaml")).toBe(false); // the root chart's subchart
    expect(inTree("samples/hello/charts/app/templates/gateway.yaml")).toBe(true);
    expect(
      compilePathScope(defaults.paths, [trees[0]!.filter((file) => file.path !== "Chart.yaml")])("charts/mcgw/templates/gateway.yaml"),
    ).toBe(true);
    // Written by a repository, a glob means what it says.
    expect(
      compilePathScope({ include: ["**"], exclude: ["samples/**/charts/**"] }, trees)("samples/hello/charts/app/templates/gateway.yaml"),
    ).toBe(false);
    const repository = resolvePolicy('paths: { exclude: [".github/**", "e2e/**"] }\n', REPO).policy;
    expect(repository.paths.exclude).toEqual([".github/**", "e2e/**"]);
  });

  it("refuses reviewing less where the base does not allow it (the regulated profile), names what, and always allows reviewing more", () => {
    expect(() => resolvePolicy('paths: { exclude: ["**/testdata/**", "docs/**"] }\n', REPO, "regulated")).toThrow(
      `${REPO}: paths.exclude: excludes more files (docs/**)`,
    );
    expect(() => resolvePolicy('paths: { include: ["clusters/**"] }\n', REPO, "regulated")).toThrow(
      `${REPO}: paths.include: reviews fewer files (drops **)`,
    );
    const stricter = resolvePolicy('paths: { include: ["**", "**/.*"], exclude: [] }\n', REPO, "regulated").policy;
    expect(stricter.paths).toEqual({ include: ["**", "**/.*"], exclude: [] });
  });
});

describe("render.trusted: sources whose versions move without a render", () => {
  it("trusts none by default; a repository may trust its own, the regulated profile may not", () => {
    expect(defaultPolicy().render.trusted).toEqual([]);
    const trusting = 'render: { trusted: ["oci://ghcr.io/home-operations/charts/*"] }\n';
    expect(resolvePolicy(trusting, REPO).policy.render.trusted).toEqual(["oci://ghcr.io/home-operations/charts/*"]);
    expect(() => resolvePolicy(trusting, REPO, "regulated")).toThrow(
      `${REPO}: render.trusted: trusts more sources' versions unrendered (oci://ghcr.io/home-operations/charts/*)`,
    );
  });
});

describe("the repository's own sections merge freely", () => {
  const { policy } = resolvePolicy(
    [
      "topology:",
      "  backendRegions: ['-(?<region>jkt|sgp|tyo)$']",
      "  clusters: { jkt-prod-1: jkt, sgp-prod-1: sgp }",
      "  placements: ['clusters/{cluster}/**']",
      "services:",
      "  case-api: { writes: single-region }",
      "groups:",
      "  sre: { teams: [acme/sre] }",
      "  web: { users: [alice] }",
      "evidence:",
      "  change-request:",
      "    aliases: [JIRA]",
      "    validate: { type: regex, pattern: '^OPS-\\d+$', hint: an OPS ticket }",
      "freezes:",
      "  - { name: year-end, start: '2026-12-20T00:00:00Z', end: '2027-01-04T00:00:00Z' }",
    ].join("\n"),
    REPO,
  );

  it("takes the issue's topology and services example", () => {
    expect(policy.topology.clusters).toEqual({ "jkt-prod-1": "jkt", "sgp-prod-1": "sgp" });
    expect(policy.topology.meshValues).toEqual(defaultPolicy().topology.meshValues);
    expect(policy.services["case-api"]).toEqual({ writes: "single-region" });
  });

  it("replaces a group or evidence key by name and keeps the others", () => {
    expect(policy.groups.sre).toEqual({ users: [], teams: ["acme/sre"] });
    expect(policy.groups.web).toEqual({ users: ["alice"], teams: [] });
    expect(policy.groups["platform-networking"]).toEqual(defaultPolicy().groups["platform-networking"]);
    expect(policy.evidence["change-request"]?.aliases).toEqual(["JIRA"]);
    expect(policy.evidence.rollback).toEqual(defaultPolicy().evidence.rollback);
  });

  it("adds freezes with the default risks", () => {
    expect(policy.freezes).toEqual([
      { name: "year-end", start: "2026-12-20T00:00:00Z", end: "2027-01-04T00:00:00Z", risks: ["high", "critical"] },
    ]);
  });
});

describe("the published JSON Schema", () => {
  it("policies/route-governor.schema.json is up to date (npx tsx scripts/write-policy-schema.ts)", () => {
    const committed: unknown = JSON.parse(readFileSync(new URL("../../policies/route-governor.schema.json", import.meta.url), "utf8"));
    expect(committed).toEqual(policyJsonSchema());
  });

  it("lets editors leave out defaulted keys and knows the class ids", () => {
    const schema = policyJsonSchema() as { required?: string[]; properties: Record<string, unknown> };
    expect(schema.required ?? []).toEqual([]);
    expect(JSON.stringify(schema.properties.classes)).toContain("backend.weight-changed");
  });
});
