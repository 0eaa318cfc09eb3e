import { describe, expect, it } from "vitest";
import { analyze } from "../../helpers/review-trees.js";

const GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ai-gw, namespace: default}
spec:
  gatewayClassName: eg
  listeners: [{name: http, protocol: HTTP, port: 80}]
`;

const route = (rule: string, name = "chat") => `apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: ${name}, namespace: default}
spec:
  parentRefs: [{name: ai-gw, kind: Gateway, group: gateway.networking.k8s.io}]
  rules:
${rule}`;

const RULE = `  - matches: [{headers: [{type: Exact, name: x-ai-eg-model, value: gpt-4o}]}]
    backendRefs: [{name: openai, weight: 100}, {name: self-hosted, weight: 0}]
    timeouts: {request: 60s}
`;

const backend = (name: string, target: string, schema = "OpenAI") => `apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIServiceBackend
metadata: {name: ${name}, namespace: default}
spec:
  schema: {name: ${schema}}
  backendRef: {name: ${target}, kind: Backend, group: gateway.envoyproxy.io}
`;

const tree = (routes: string, backends = [backend("openai", "openai-api"), backend("self-hosted", "vllm-a")]) => ({
  "gw.yaml": GATEWAY,
  "route.yaml": routes,
  "backends.yaml": backends.join("---\n"),
});

const found = (base: Record<string, string>, head: Record<string, string>) =>
  analyze(base, head).findings.map((finding) => [finding.class, finding.risk, finding.summary]);
const gating = (base: Record<string, string>, head: Record<string, string>) => found(base, head).filter(([, risk]) => risk !== "low");

describe("Envoy AI Gateway: an AIGatewayRoute is reviewed as the HTTPRoute its controller writes", () => {
  it("a provider cutover, a model match, a shorter timeout and a repointed AIServiceBackend all block (probe K famB)", () => {
    const head = RULE.replace("value: gpt-4o}", "value: gpt-4o-mini}")
      .replace("weight: 100}, {name: self-hosted, weight: 0}", "weight: 0}, {name: self-hosted, weight: 100}")
      .replace("60s", "5s");
    const classes = found(tree(route(RULE)), tree(route(head), [backend("openai", "openai-api"), backend("self-hosted", "vllm-b")]));
    expect(classes).toEqual(
      expect.arrayContaining([
        ["route.removed", "high", expect.stringContaining("header x-ai-eg-model=gpt-4o no longer served")],
        ["route.match-changed", "medium-high", expect.stringContaining("header x-ai-eg-model=gpt-4o-mini")],
        ["backend.weight-changed", "medium-high", expect.stringContaining("Backend vllm-b receives 100%")],
        [
          "resource.changed",
          "high",
          expect.stringContaining("backendRef Backend vllm-a → Backend vllm-b: every request AIGatewayRoute default/chat"),
        ],
      ]),
    );
  });

  it("a timeout shortened is retry-timeout.changed once, on the route's own line; the controller's 60s written out is no change", () => {
    expect(found(tree(route(RULE)), tree(route(RULE.replace("60s", "5s"))))).toEqual([
      ["retry-timeout.changed", "medium-high", expect.stringContaining("timeouts.request 1m → 5s")],
    ]);
    expect(found(tree(route(RULE)), tree(route(RULE.replace("    timeouts: {request: 60s}\n", ""))))).toEqual([]);
  });

  it("an AIServiceBackend repointed moves every route sending to it; one no rule shares unchanged moves nothing", () => {
    const repointed = found(tree(route(RULE)), tree(route(RULE), [backend("openai", "azure-api"), backend("self-hosted", "vllm-a")]));
    expect(repointed).toEqual(
      expect.arrayContaining([
        ["backend.weight-changed", "medium-high", expect.stringContaining("azure-api")],
        ["resource.changed", "high", expect.stringContaining("backendRef Backend openai-api → Backend azure-api")],
      ]),
    );
    const translated = gating(
      tree(route(RULE)),
      tree(route(RULE), [backend("openai", "openai-api", "AzureOpenAI"), backend("self-hosted", "vllm-a")]),
    );
    expect(translated).toEqual([["resource.changed", "medium-high", expect.stringContaining("schema OpenAI → AzureOpenAI")]]);
  });

  it("an AIServiceBackend removed while a route sends to it breaks the reference", () => {
    expect(gating(tree(route(RULE)), tree(route(RULE), [backend("openai", "openai-api")]))).toEqual(
      expect.arrayContaining([
        ["reference.broken", "high", expect.stringContaining("removed while AIGatewayRoute default/chat still sends")],
      ]),
    );
  });

  it("model routes added on the existing Gateway are route.added (ai-gateway 86f1a2d4, 4ad94b08)", () => {
    const added = route(RULE.replace("gpt-4o", "claude"), "claude");
    expect(gating(tree(route(RULE)), tree(`${route(RULE)}---\n${added}`))).toEqual([
      ["route.added", "medium", expect.stringContaining("header x-ai-eg-model=claude via Gateway default/ai-gw:http: new rule")],
    ]);
  });

  it("v1alpha1 routes attach by targetRefs", () => {
    const alpha = route(RULE).replace("v1beta1", "v1alpha1").replace("parentRefs:", "targetRefs:");
    expect(gating(tree(alpha), tree(alpha.replace("value: gpt-4o}", "value: o1}")))).toEqual(
      expect.arrayContaining([["route.match-changed", "medium-high", expect.stringContaining("via Gateway default/ai-gw:http")]]),
    );
  });

  it("priorities are failover: a fallback added or reordered is failover.changed, not a share of the flow", () => {
    const primary = `  - backendRefs: [{name: openai, priority: 0}]\n`;
    const withFallback = `  - backendRefs: [{name: openai, priority: 0}, {name: self-hosted, priority: 1}]\n`;
    const swapped = `  - backendRefs: [{name: openai, priority: 1}, {name: self-hosted, priority: 0}]\n`;
    expect(gating(tree(route(primary)), tree(route(withFallback)))).toEqual([
      [
        "failover.changed",
        "critical",
        expect.stringContaining("AIServiceBackend openai → AIServiceBackend openai, then AIServiceBackend self-hosted"),
      ],
    ]);
    const classes = gating(tree(route(withFallback)), tree(route(swapped))).map(([cls]) => cls);
    expect(classes).toContain("failover.changed");
    expect(classes).toContain("backend.weight-changed");
  });

  it("a model override changed sends requests to another model", () => {
    const override = (model: string) => `  - backendRefs: [{name: openai, modelNameOverride: ${model}}]\n`;
    expect(gating(tree(route(override("gpt-4o"))), tree(route(override("gpt-4o-mini"))))).toEqual([
      ["resource.changed", "medium-high", expect.stringContaining("modelNameOverride gpt-4o → gpt-4o-mini")],
    ]);
  });
});

describe("policies naming the generated HTTPRoute", () => {
  const retries = (name: string) => `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: retries, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: ${name}}]
  retry: {numRetries: 2}
`;

  it("one added with the AIGatewayRoute it names is settled by the new route (ai-gateway 0ad64b85)", () => {
    const base = tree(route(RULE));
    const fresh = route(RULE.replace("gpt-4o", "o1"), "fresh").replace("name: ai-gw,", "name: fresh-gw,");
    const gateway = GATEWAY.replace("name: ai-gw", "name: fresh-gw");
    const head = { ...tree(`${route(RULE)}---\n${fresh}`), "policy.yaml": retries("fresh"), "fresh-gw.yaml": gateway };
    expect(found(base, head)).toEqual(
      expect.arrayContaining([
        ["resource.changed", "low", expect.stringContaining("added with HTTPRoute default/fresh, which this PR adds")],
      ]),
    );
    expect(gating(base, head).map(([cls]) => cls)).toEqual(["listener.changed", "route.added"]);
  });

  it("dangerous neighbour: one added on a route already serving is judged", () => {
    expect(gating(tree(route(RULE)), { ...tree(route(RULE)), "policy.yaml": retries("chat") }).map(([cls]) => cls)).toContain(
      "retry-timeout.changed",
    );
  });
});

describe("BackendSecurityPolicy: the credentials presented to providers", () => {
  const policy = (secret: string, targets = "[{name: openai}]") => `apiVersion: aigateway.envoyproxy.io/v1beta1
kind: BackendSecurityPolicy
metadata: {name: openai-key, namespace: default}
spec:
  type: APIKey
  targetRefs: ${targets.replace(/name:/g, "group: aigateway.envoyproxy.io, kind: AIServiceBackend, name:")}
  apiKey: {secretRef: {name: ${secret}}}
`;

  it("another secret, or the policy removed, is trust.changed", () => {
    const base = { ...tree(route(RULE)), "policy.yaml": policy("openai-a") };
    expect(gating(base, { ...base, "policy.yaml": policy("openai-b") })).toEqual([
      ["trust.changed", "critical", expect.stringContaining("the gateway authenticates to AIServiceBackend openai otherwise")],
    ]);
    const { "policy.yaml": _removed, ...without } = base;
    expect(gating(base, without)).toEqual([
      ["trust.changed", "critical", expect.stringContaining("removed: requests to AIServiceBackend openai go out")],
    ]);
  });

  it("a target this PR adds gains the credentials quietly; an existing backend added to its targets is trust (ai-gateway a55f4687)", () => {
    const base = { ...tree(route(RULE)), "policy.yaml": policy("openai-a") };
    const newBackend = tree(route(RULE), [backend("openai", "openai-api"), backend("self-hosted", "vllm-a"), backend("claude", "bedrock")]);
    expect(gating({ ...base }, { ...newBackend, "policy.yaml": policy("openai-a", "[{name: openai}, {name: claude}]") })).toEqual([]);
    expect(gating(base, { ...base, "policy.yaml": policy("openai-a", "[{name: openai}, {name: self-hosted}]") })).toEqual([
      ["trust.changed", "critical", expect.stringContaining("other backends are sent with these credentials")],
    ]);
  });
});

describe("MCPRoute: MCP servers' tools served to agents", () => {
  const mcp = (backends: string, security = "  securityPolicy: {oauth: {issuer: https://auth.example.com, audiences: [mcp]}}\n") =>
    `apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: MCPRoute
metadata: {name: mcp, namespace: default}
spec:
  parentRefs: [{name: ai-gw}]
  backendRefs:
${backends}${security}`;
  const github = (selector: string) => `  - name: github\n    toolSelector: ${selector}\n`;
  const context7 = "  - name: context7\n";

  it("a tool let through that was not is access.widened (ai-gateway 3669d94c); one taken out is a change, not a widening", () => {
    const base = { "mcp.yaml": mcp(github("{include: [list_issues]}")) };
    expect(gating(base, { "mcp.yaml": mcp(github("{include: [list_issues, issue_read]}")) })).toEqual([
      ["access.widened", "high", expect.stringContaining("lets more tools through: +issue_read")],
    ]);
    expect(gating(base, { "mcp.yaml": mcp(github("{}")) })).toEqual([
      ["access.widened", "high", expect.stringContaining("every tool (no include list)")],
    ]);
    expect(gating(base, { "mcp.yaml": mcp(github("{include: []}").replace("[]", "[list_issues, x]").replace(", x", "")) })).toEqual([]);
    expect(gating({ "mcp.yaml": mcp(github("{include: [list_issues, issue_read]}")) }, base)).toEqual([
      ["resource.changed", "medium", expect.stringContaining("lets fewer tools through: -issue_read")],
    ]);
  });

  it("a server removed stops serving its tools (ai-gateway 824146a7); authentication removed widens access", () => {
    const base = { "mcp.yaml": mcp(github("{include: [a]}") + context7) };
    expect(gating(base, { "mcp.yaml": mcp(github("{include: [a]}")) })).toEqual([
      ["route.removed", "high", expect.stringContaining("no longer serves the tools of MCP server context7")],
    ]);
    expect(gating(base, { "mcp.yaml": mcp(github("{include: [a]}") + context7, "") })).toEqual([
      ["access.widened", "high", expect.stringContaining("no longer requires oauth")],
    ]);
  });
});
