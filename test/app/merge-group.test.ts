import nock from "nock";
import type { Probot } from "probot";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { baseTree, EVIDENCE_BODY, headTree } from "../github/fixtures.js";
import { commentBy, example, mockGitHub, newProbot, newState, nextId, PR, type GitHubState } from "./nock-github.js";

/**
 * merge_group.checks_requested: the check is reported on the queue's commit, judged on the
 * approvals and evidence of the PRs in the group, and fails when the group holds a change no PR's
 * review saw.
 */
const BASE = "a".repeat(40);
const HEAD = "b".repeat(40);
const GROUP = "c".repeat(40);

let state: GitHubState;
let probot: Probot;
/** After the App first reported (its clock reads 10:10), so the approval binds to what it saw. */
const at = "2026-11-21T10:15:00Z";

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
beforeEach(async () => {
  state = newState({ [BASE]: baseTree(), [HEAD]: headTree(), [GROUP]: headTree() }, BASE, HEAD);
  state.body = EVIDENCE_BODY;
  state.now = () => "2026-11-21T10:00:00Z";
  mockGitHub(state);
  probot = await newProbot(() => new Date("2026-11-21T10:10:00Z"));
});

const receive = (name: string, payload: Record<string, any>) => probot.receive({ id: String(nextId()), name, payload } as never);
const queued = () => {
  const { installation, repository, sender } = example("pull_request", "opened");
  return receive("merge_group", {
    action: "checks_requested",
    merge_group: {
      head_sha: GROUP,
      head_ref: `refs/heads/gh-readonly-queue/master/pr-${PR}-${HEAD}`,
      base_sha: BASE,
      base_ref: "refs/heads/master",
      head_commit: { id: GROUP },
    },
    installation,
    repository,
    sender,
  });
};
/** The PR as the queue sees it: reviewed by the App, then approved by a service owner. */
const approvedPull = async () => {
  await receive("pull_request", { ...example("pull_request", "opened"), action: "opened" });
  commentBy(state, "dina", "/approve", at);
};
const groupRun = () => state.checkRuns.filter((run) => run.head_sha === GROUP).at(-1)!;
/** The group commit adds a route that no PR of the group changes. */
const extraRouteInGroup = () =>
  state.trees.set(GROUP, {
    ...headTree(),
    "routes/extra.yaml": headTree(70, 30)
      ["routes/checkout.yaml"]!.replace("name: checkout\n", "name: extra\n")
      .replace("shop.example.com", "extra.example.com"),
  });

describe("merge queue", () => {
  it("the check on the group commit passes from the approvals and evidence of its PR", async () => {
    await approvedPull();
    await queued();
    expect(groupRun()).toEqual(expect.objectContaining({ name: "Route Governor (master)", status: "completed", conclusion: "success" }));
    expect(groupRun().output.summary).toContain(`#${PR}: ✓ satisfied`);
  });

  it("a PR whose requirements are unmet fails the group", async () => {
    await receive("pull_request", { ...example("pull_request", "opened"), action: "opened" });
    await queued();
    expect(groupRun().conclusion).toBe("failure");
    expect(groupRun().output.summary).toMatch(new RegExp(`#${PR}: ✗ unmet — 1 approval from service-owners`));
  });

  it("a change in the group commit that no PR's review saw fails it", async () => {
    extraRouteInGroup();
    await approvedPull();
    await queued();
    expect(groupRun().conclusion).toBe("failure");
    expect(groupRun().output.summary).toContain("not reviewed in any PR of the group: route.added");
  });

  it("PRs queued ahead are found from the queue's commits and judged too", async () => {
    await approvedPull();
    state.compareMessages = ["Rebalance checkout (#41)", `Merge pull request #${PR} from octo/change`];
    await queued().catch(() => undefined);
    // PR #41 cannot be read here (the fake serves one PR): the group fails closed.
    expect(groupRun().conclusion).toBe("failure");
    expect(groupRun().output.text).toContain("/pulls/41");
  });

  it("a PR ahead named only past the comparison's first page is found too", async () => {
    await approvedPull();
    state.compareMessages = [...Array.from({ length: 150 }, (_, index) => `wip ${index}`), "Rebalance checkout (#41)"];
    await queued().catch(() => undefined);
    // Before: only the first 100 commits were read, #41 was missed and the group judged without it.
    expect(groupRun().conclusion).toBe("failure");
    expect(groupRun().output.text).toContain("/pulls/41");
  });

  it("a group too long to read fails closed, saying why", async () => {
    await approvedPull();
    state.compareMessages = Array.from({ length: 1_001 }, (_, index) => `wip ${index}`);
    await queued().catch(() => undefined);
    expect(groupRun().conclusion).toBe("failure");
    expect(groupRun().output.summary).toContain(
      "the merge group holds 1001 commits; Route Governor reads at most 1000 to find the pull requests in it",
    );
  });

  it("a change no PR's review saw, in commits that name no PR (a rebase queue): the report says they may hold it", async () => {
    extraRouteInGroup();
    state.compareMessages = ["Add the extra route", "Rebalance checkout"];
    await approvedPull();
    await queued();
    expect(groupRun().conclusion).toBe("failure");
    expect(groupRun().output.summary).toContain("2 commits of the group name no pull request");
  });
});
