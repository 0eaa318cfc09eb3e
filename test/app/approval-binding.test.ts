import nock from "nock";
import type { Probot } from "probot";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POLICY, POLICY_PATH } from "../github/fixtures.js";
import { commentBy, example, mockGitHub, newProbot, newState, nextId, PR, type GitHubState } from "./nock-github.js";

/**
 * Approvals bind to exactly what was reviewed (issue 11): each case approves one push, then
 * replays a second push that keeps the same edit but puts it somewhere else — another Gateway and
 * host, another rule, another cluster, another host of the same rule. The approval must not cover it.
 */
const BASE = "a".repeat(40);
const FIRST = "b".repeat(40);
const SECOND = "c".repeat(40);

const HIGH_EVIDENCE = [
  "## Change evidence",
  "- Change request: CHG-4821",
  "- Rollback: git revert HEAD",
  "- Rollout window: 2026-11-22T01:00Z/2026-11-22T03:00Z",
  "- Test result: https://ci.example.com/runs/1",
].join("\n");

const route = (o: {
  name: string;
  gateway: string;
  hostnames: string[];
  rules: { path: string; jkt: number; sgp: number }[];
}): string => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${o.name}
  namespace: storefront
spec:
  parentRefs:
    - name: ${o.gateway}
      namespace: infra
  hostnames: ${JSON.stringify(o.hostnames)}
  rules:
${o.rules
  .map(
    (rule) => `    - matches:
        - path: { type: PathPrefix, value: ${rule.path} }
      backendRefs:
        - { name: checkout-jkt, port: 8080, weight: ${rule.jkt} }
        - { name: checkout-sgp, port: 8080, weight: ${rule.sgp} }`,
  )
  .join("\n")}
`;
const shop = (rules: { path: string; jkt: number; sgp: number }[], hostnames = ["shop.example.com"]) =>
  route({ name: "checkout", gateway: "public-gateway", hostnames, rules });

let state: GitHubState;
let probot: Probot;
let clock: number;
const tick = (): string => new Date((clock += 60_000)).toISOString().replace(".000", "");

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
beforeEach(() => {
  clock = Date.parse("2026-11-21T10:00:00Z");
});

async function replay(
  trees: { base: Record<string, string>; first: Record<string, string>; second: Record<string, string> },
  body = "",
): Promise<void> {
  state = newState({ [BASE]: trees.base, [FIRST]: trees.first, [SECOND]: trees.second }, BASE, FIRST);
  state.body = body;
  state.teams = { "acme/checkout-team": ["tom"], "acme/platform": ["pia"], "acme/sre": ["sam"] };
  state.now = () => new Date(clock).toISOString().replace(".000", "");
  mockGitHub(state);
  probot = await newProbot(() => new Date(clock));
  await receive("pull_request", { ...example("pull_request", "opened"), action: "opened" });
  tick();
}

const receive = (name: string, payload: Record<string, any>) => probot.receive({ id: String(nextId()), name, payload } as never);
const say = async (login: string, body: string): Promise<void> => {
  const comment = commentBy(state, login, body, tick());
  const payload = example("issue_comment", "created");
  payload.issue = { ...payload.issue, number: PR, pull_request: { url: "https://api.github.com/repos/Codertocat/Hello-World/pulls/2" } };
  payload.comment = { ...payload.comment, ...comment };
  payload.sender = { ...payload.sender, ...comment.user };
  await receive("issue_comment", payload);
};
const push = async (sha: string): Promise<void> => {
  state.head = { sha };
  tick();
  await receive("pull_request", { ...example("pull_request", "opened"), action: "synchronize" });
};
const latest = () => state.checkRuns.at(-1)!;
const livingComment = () => state.comments.find((c) => c.performed_via_github_app)!.body;

describe("an approval covers only the findings it saw", () => {
  it("a new route approved on internal-gateway for promo.internal.example.com does not cover it re-pushed with hostnames: [] on public-gateway", async () => {
    const promo = (gateway: string, hostnames: string[]) =>
      route({ name: "promo", gateway, hostnames, rules: [{ path: "/promo", jkt: 1, sgp: 1 }] });
    const base = { [POLICY_PATH]: POLICY };
    await replay({
      base,
      first: { ...base, "routes/promo.yaml": promo("internal-gateway", ["promo.internal.example.com"]) },
      second: { ...base, "routes/promo.yaml": promo("public-gateway", []) },
    });
    await say("dina", "/approve");
    expect([latest().head_sha, latest().conclusion]).toEqual([FIRST, "success"]);
    await push(SECOND);
    expect([latest().head_sha, latest().conclusion]).toEqual([SECOND, "action_required"]);
    expect(livingComment()).toMatch(/~~@dina~~ stale: given before these findings changed/);
  });

  it("a /checkout 90/10 → 50/50 approval does not cover the same split pushed onto /payments", async () => {
    const base = {
      [POLICY_PATH]: POLICY,
      "routes/checkout.yaml": shop([
        { path: "/checkout", jkt: 90, sgp: 10 },
        { path: "/payments", jkt: 90, sgp: 10 },
      ]),
    };
    const first = {
      ...base,
      "routes/checkout.yaml": shop([
        { path: "/checkout", jkt: 50, sgp: 50 },
        { path: "/payments", jkt: 90, sgp: 10 },
      ]),
    };
    const second = {
      ...base,
      "routes/checkout.yaml": shop([
        { path: "/checkout", jkt: 90, sgp: 10 },
        { path: "/payments", jkt: 50, sgp: 50 },
      ]),
    };
    await replay({ base, first, second }, "## Change evidence\n- Change request: CHG-4821\n- Rollback: git revert HEAD\n");
    await say("dina", "/approve");
    expect(latest().conclusion).toBe("success");
    await push(SECOND);
    expect([latest().head_sha, latest().conclusion]).toEqual([SECOND, "action_required"]);
  });

  it("a shift approved for one cluster does not cover the same shift in a second cluster", async () => {
    const policy = `${POLICY}topology:\n  clusters: { jkt-prod-1: jkt, sgp-prod-1: sgp }\n  placements: ["clusters/{cluster}/**"]\n`;
    const at = (cluster: string) => `clusters/${cluster}/checkout.yaml`;
    const split = (jkt: number) => shop([{ path: "/checkout", jkt, sgp: 100 - jkt }]);
    const base = { [POLICY_PATH]: policy, [at("jkt-prod-1")]: split(90), [at("sgp-prod-1")]: split(90) };
    await replay(
      { base, first: { ...base, [at("jkt-prod-1")]: split(50) }, second: { ...base, [at("sgp-prod-1")]: split(50) } },
      "## Change evidence\n- Change request: CHG-4821\n- Rollback: git revert HEAD\n",
    );
    await say("dina", "/approve");
    expect(latest().conclusion).toBe("success");
    await push(SECOND);
    expect([latest().head_sha, latest().conclusion]).toEqual([SECOND, "action_required"]);
  });

  it("approving the removal of a legacy host does not cover removing the live host", async () => {
    const rules = [{ path: "/checkout", jkt: 90, sgp: 10 }];
    const base = { [POLICY_PATH]: POLICY, "routes/checkout.yaml": shop(rules, ["legacy.example.com", "shop.example.com"]) };
    await replay(
      {
        base,
        first: { ...base, "routes/checkout.yaml": shop(rules, ["shop.example.com"]) },
        second: { ...base, "routes/checkout.yaml": shop(rules, ["legacy.example.com"]) },
      },
      HIGH_EVIDENCE,
    );
    await say("dina", "/approve");
    await say("pia", "/approve");
    expect(latest().conclusion).toBe("success");
    await push(SECOND);
    expect([latest().head_sha, latest().conclusion]).toEqual([SECOND, "action_required"]);
  });

  it("a break-glass given for one cluster does not pass the same shift pushed into another", async () => {
    const policy = `${POLICY}topology:\n  clusters: { jkt-prod-1: jkt, sgp-prod-1: sgp }\n  placements: ["clusters/{cluster}/**"]\n`;
    const at = (cluster: string) => `clusters/${cluster}/checkout.yaml`;
    const split = (jkt: number) => shop([{ path: "/checkout", jkt, sgp: 100 - jkt }]);
    const base = { [POLICY_PATH]: policy, [at("jkt-prod-1")]: split(90), [at("sgp-prod-1")]: split(90) };
    await replay({ base, first: { ...base, [at("jkt-prod-1")]: split(50) }, second: { ...base, [at("sgp-prod-1")]: split(50) } });
    await say("sam", "/break-glass INC-77 checkout is down in jkt");
    expect(latest().output.title).toBe("medium-high risk · passed by BREAK-GLASS");
    await push(SECOND);
    expect([latest().head_sha, latest().conclusion]).toEqual([SECOND, "action_required"]);
    expect(livingComment()).toContain("no longer applies");
  });
});
