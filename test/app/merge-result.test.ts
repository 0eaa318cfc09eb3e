import nock from "nock";
import type { Probot } from "probot";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { baseTree, EVIDENCE_BODY, headTree, POLICY, POLICY_PATH } from "../github/fixtures.js";
import { example, mockGitHub, newProbot, newState, nextId, type GitHubState } from "./nock-github.js";

/**
 * The review compares what merging would produce: the base tip → GitHub's test-merge commit when
 * GitHub has one for the current head, else the merge base → head; the check says which.
 */
const FORK_POINT = "a".repeat(40);
const TIP = "b".repeat(40);
const HEAD = "c".repeat(40);
const MERGE = "d".repeat(40);

let state: GitHubState;
let probot: Probot;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
beforeEach(async () => {
  // The PR was branched at 90/10 and moves checkout to 50/50; meanwhile the base branch itself
  // moved to 50/50, so merging the PR changes no traffic at all.
  state = newState({ [FORK_POINT]: baseTree(), [TIP]: headTree(), [HEAD]: headTree(), [MERGE]: headTree() }, FORK_POINT, HEAD);
  state.body = EVIDENCE_BODY;
  mockGitHub(state);
  probot = await newProbot(() => new Date("2026-11-21T10:00:00Z"));
});

const opened = () =>
  probot.receive({
    id: String(nextId()),
    name: "pull_request",
    payload: { ...example("pull_request", "opened"), action: "opened" },
  } as never);
const run = () => state.checkRuns.at(-1)!;
const treesRead = () =>
  state.calls
    .filter((call) => call.includes("/git/trees/"))
    .map((call) => call.slice(-40))
    .sort();

describe("the reviewed comparison", () => {
  it("mergeable with a test-merge commit of the head: base tip → merge commit, on the head's check", async () => {
    state.merge = { mergeable: true, sha: MERGE, parents: [TIP, HEAD] };
    await opened();
    expect(treesRead()).toEqual([TIP, MERGE]);
    expect([run().head_sha, run().conclusion, run().output.title]).toEqual([HEAD, "success", "none risk · no traffic change"]);
    expect(run().output.summary).toContain(
      `the merge result: base tip ${TIP.slice(0, 7)} → GitHub's test-merge commit ${MERGE.slice(0, 7)}`,
    );
  });

  it("mergeability not computed yet: merge base → head, and the check says so", async () => {
    state.mergeBase = FORK_POINT;
    await opened();
    expect(treesRead()).toEqual([FORK_POINT, HEAD].sort());
    expect(run().conclusion).toBe("action_required");
    expect(run().output.summary).toMatch(/merge base a{7} → head c{7} \(GitHub has not computed the test-merge commit yet/);
  });

  it("from the merge base, the policy is still the base tip's: a PR branched before the base tightened it is judged by the tightened one (probe app: policy-from-merge-base)", async () => {
    const strict = `${POLICY}classes:\n  backend.weight-changed: { risk: critical }\n`;
    state.trees.set(TIP, { ...headTree(), [POLICY_PATH]: strict });
    state.base.sha = TIP;
    state.mergeBase = FORK_POINT;
    state.reviews.push({
      id: nextId(),
      user: { login: "dina", type: "User" },
      state: "APPROVED",
      submitted_at: "2026-11-21T09:30:00Z",
      commit_id: HEAD,
    });
    await opened();
    expect(treesRead()).toEqual([FORK_POINT, HEAD].sort());
    expect(state.calls).toContain(`GET /repos/Codertocat/Hello-World/contents/${encodeURIComponent(POLICY_PATH)}`);
    expect([run().conclusion, run().output.title]).toEqual(["action_required", "critical risk · requirements unmet"]);
    // The PR leaves the policy alone: it does not read as changing it.
    expect(run().output.text).not.toContain("governance.policy-changed");
    expect(run().output.text).toContain(`Policy: ${POLICY_PATH} at master (${TIP.slice(0, 7)})`);
  });

  it("a test-merge commit of an older head is not used", async () => {
    state.merge = { mergeable: true, sha: MERGE, parents: [TIP, "e".repeat(40)] };
    await opened();
    expect(treesRead()).toEqual([FORK_POINT, HEAD].sort());
    expect(run().output.summary).toContain("GitHub's test-merge commit is for an older head");
  });

  it("conflicts: merge base → head", async () => {
    state.merge = { mergeable: false };
    await opened();
    expect(run().output.summary).toContain("the pull request has merge conflicts");
  });
});
