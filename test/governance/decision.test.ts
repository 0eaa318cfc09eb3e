import { describe, expect, it } from "vitest";
import { decide, type GovernanceInput } from "../../src/governance/decision.js";
import { defaultPolicy, resolvePolicy } from "../../src/policy/load-policy.js";
import type { Finding } from "../../src/core/finding.js";
import { approve, finding } from "./fixtures.js";

const NOW = new Date("2026-11-20T12:00:00Z");
const policy = defaultPolicy();
const weight = finding("backend.weight-changed"); // medium-high
const region = finding("backend.region-added"); // high

const EVIDENCE_HIGH = [
  "## Change evidence",
  "- CR: CHG-1234",
  "- Rollback: kubectl apply -f rollback.yaml",
  "- Window: 2026-11-23 01:00-03:00 UTC",
  "- Test result: https://ci.example.com/runs/1",
].join("\n");

const input = (findings: Finding[], extra: Partial<GovernanceInput> = {}): GovernanceInput => ({
  findings,
  policy,
  evidenceSources: { body: { text: EVIDENCE_HIGH, at: "2026-11-20T09:00:00Z", author: "author" }, commands: [] },
  approvals: [approve("olive", ["service-owners"], findings), approve("nico", ["platform-networking"], findings)],
  holds: [],
  prAuthor: "author",
  commitAuthors: ["author"],
  now: NOW,
  ...extra,
});

describe("the decision (DESIGN §8–§10)", () => {
  it.each([
    ["no findings", [], "none", "no-traffic-change"],
    ["only low findings", [finding("resource.changed")], "low", "satisfied"],
    ["a high PR with its evidence and approvals", [weight, region], "high", "satisfied"],
  ] as const)("passes %s", (_case, findings, risk, state) => {
    expect(decide(input([...findings]))).toMatchObject({ risk, decision: "pass", state, unmet: [], nextSteps: [] });
  });

  it("says what is unmet, one line each, and what to type", () => {
    const result = decide(
      input([region], { evidenceSources: { commands: [] }, approvals: [approve("olive", ["service-owners"], [region])] }),
    );
    expect(result).toMatchObject({ risk: "high", decision: "fail", state: "unmet" });
    expect(result.unmet).toEqual([
      "evidence change-request: missing",
      "evidence rollback: missing",
      "evidence rollout-window: missing",
      "evidence test-result: missing",
      "1 approval from platform-networking (risk high)",
    ]);
    expect(result.nextSteps).toEqual([
      "/evidence change-request <a ticket id such as CHG-1234>",
      "/evidence rollback <command>",
      "/evidence rollout-window <start>/<end>, e.g. 2026-11-23T01:00Z/2026-11-23T03:00Z",
      "/evidence test-result <https://…>",
      "/approve — by 1 more member of platform-networking",
    ]);
  });

  it("names invalid evidence with its reason", () => {
    const body = EVIDENCE_HIGH.replace("CHG-1234", "TBD").replace("https://ci", "http://ci");
    const result = decide(
      input([region], { evidenceSources: { body: { text: body, at: "2026-11-20T09:00:00Z", author: "author" }, commands: [] } }),
    );
    expect(result.unmet).toEqual([
      'evidence change-request: invalid — "TBD" is a placeholder',
      "evidence test-result: invalid — only https:// links are accepted, not http:",
    ]);
  });

  it("refuses self-approval: the author's /approve leaves the rule unmet", () => {
    const result = decide(input([weight], { approvals: [approve("author", ["service-owners"], [weight])] }));
    expect(result.unmet).toEqual(["1 approval from service-owners (risk medium-high)"]);
    expect(result.approvals.refused[0]?.reason).toBe("the PR author cannot approve their own change");
  });

  it("a changed finding makes the approval stale and asks the approver again", () => {
    const changed = { ...weight, fingerprint: "fp:weight-2" };
    const result = decide(input([changed], { approvals: [approve("olive", ["service-owners"], [weight])] }));
    expect(result.state).toBe("unmet");
    expect(result.nextSteps).toEqual(["/approve — by 1 more member of service-owners (stale: @olive may /approve again)"]);
  });

  it("critical needs two distinct people from two groups", () => {
    const trust = finding("trust.changed");
    const body = `${EVIDENCE_HIGH}\n- Synthetic: https://synthetics.example.com/c/1\n- Metrics: https://grafana.example.com/d/1\n`;
    const sources = { body: { text: body, at: "2026-11-20T09:00:00Z", author: "author" }, commands: [] };
    const everything = approve("pat", ["service-owners", "platform-networking", "sre"], [trust]);
    const alone = decide(input([trust], { evidenceSources: sources, approvals: [everything] }));
    expect(alone.unmet).toEqual(["approvals from 2 different groups by different people (have 1)"]);
    expect(alone.nextSteps).toEqual(["/approve — by a member of platform-networking or sre other than @pat"]);
    const two = decide(input([trust], { evidenceSources: sources, approvals: [everything, approve("sam", ["sre"], [trust])] }));
    expect(two).toMatchObject({ decision: "pass", state: "satisfied" });
  });

  it("manifest.invalid fails whatever else is satisfied, and even break-glass", () => {
    const broken = finding("manifest.invalid", { file: "routes/bad.yaml", line: 3, summary: "duplicated mapping key" });
    const result = decide(
      input([broken, weight], { breakGlass: { login: "sre1", incident: "INC-1", reason: "outage", at: "2026-11-20T11:00:00Z" } }),
    );
    expect(result).toMatchObject({ decision: "fail", state: "invalid-manifests" });
    expect(result.unmet[0]).toBe("manifest.invalid routes/bad.yaml:3: duplicated mapping key");
    expect(result.nextSteps[0]).toBe("fix routes/bad.yaml:3 so it can be read: duplicated mapping key");
  });

  it("a hold fails an otherwise satisfied PR and says who can lift it", () => {
    const result = decide(
      input([weight], { holds: [{ login: "sre1", reason: "wait for the capacity test", at: "2026-11-20T11:00:00Z" }] }),
    );
    expect(result).toMatchObject({ decision: "fail", state: "held", unmet: ["held by @sre1: wait for the capacity test"] });
    expect(result.nextSteps).toEqual(["/unhold — by @sre1, once the hold is resolved"]);
  });

  it("names no one by @ for Route Governor's own hold, and says which groups lift it", () => {
    const hold = { login: "route-governor", reason: "the approval record was lost", at: "2026-11-20T11:00:00Z", byApp: true };
    const result = decide(input([weight], { holds: [hold] }));
    expect(result.unmet).toEqual(["held by Route Governor: the approval record was lost"]);
    expect(result.nextSteps).toEqual([
      `/unhold — by a member of ${defaultPolicy().breakGlass.groups.join(" or ")}, once the hold is resolved`,
    ]);
    const noGroups = { ...defaultPolicy(), breakGlass: { ...defaultPolicy().breakGlass, groups: [] } };
    expect(decide(input([weight], { holds: [hold], policy: noGroups })).nextSteps).toEqual([
      "/unhold — by a repository admin (the policy names no break-glass group that exists), once the hold is resolved",
    ]);
  });
});

describe("freezes and break-glass", () => {
  const frozen = resolvePolicy(
    "freezes:\n  - { name: year-end, start: '2026-11-01T00:00:00Z', end: '2026-12-01T00:00:00Z', risks: [high, critical] }\n",
    "route-governor.yml",
  ).policy;

  it("a freeze in force for the PR's risk fails it, even when everything else is met", () => {
    const result = decide(input([region], { policy: frozen, evidenceSources: { commands: [] } }));
    expect(result).toMatchObject({ decision: "fail", state: "frozen", freeze: { name: "year-end" } });
    expect(result.unmet[0]).toBe('freeze "year-end" blocks high changes until 2026-12-01T00:00:00Z');
    expect(result.nextSteps).toContain(
      'wait for freeze "year-end" to end at 2026-12-01T00:00:00Z, or in an emergency: /break-glass <incident-id> <reason>',
    );
  });

  it("a freeze does not touch risks it does not list", () => {
    expect(decide(input([weight], { policy: frozen }))).toMatchObject({ decision: "pass", state: "satisfied" });
  });

  it("a freeze that lists every risk, none too, holds back no PR that changes no traffic", () => {
    const everything = resolvePolicy(
      "freezes:\n  - { name: all, start: '2026-11-01T00:00:00Z', end: '2026-12-01T00:00:00Z', risks: [none, low, medium, medium-high, high, critical] }\n",
      "route-governor.yml",
    ).policy;
    expect(decide(input([], { policy: everything }))).toMatchObject({ decision: "pass", state: "no-traffic-change" });
    expect(decide(input([weight], { policy: everything }))).toMatchObject({ decision: "fail", state: "frozen" });
  });

  it("a rollout window inside a freeze for the PR's risk is invalid evidence", () => {
    const policyWithFreezeAhead = resolvePolicy(
      "freezes:\n  - { name: launch, start: '2026-11-22T00:00:00Z', end: '2026-11-24T00:00:00Z' }\n",
      "route-governor.yml",
    ).policy;
    const result = decide(input([region], { policy: policyWithFreezeAhead }));
    expect(result.unmet).toEqual([
      'evidence rollout-window: invalid — overlaps freeze "launch" (2026-11-22T00:00:00Z – 2026-11-24T00:00:00Z) for high changes',
    ]);
  });

  it("break-glass passes a frozen, unmet PR loudly: state, record of what it bypassed, incident, follow-up", () => {
    const breakGlass = { login: "sre1", incident: "INC-42", reason: "checkout down in jkt", at: "2026-11-20T11:00:00Z" };
    const result = decide(input([region], { policy: frozen, evidenceSources: { commands: [] }, approvals: [], breakGlass }));
    expect(result).toMatchObject({ decision: "pass", state: "break-glass", unmet: [] });
    expect(result.breakGlass).toMatchObject({ ...breakGlass, accepted: true });
    expect(result.breakGlass?.bypassed).toEqual([
      'freeze "year-end" blocks high changes until 2026-12-01T00:00:00Z',
      "evidence change-request: missing",
      "evidence rollback: missing",
      "evidence rollout-window: missing",
      "evidence test-result: missing",
      "1 approval from service-owners (risk high)",
      "1 approval from platform-networking (risk high)",
    ]);
    expect(result.evidence.find((item) => item.key === "incident")).toMatchObject({ status: "ok", value: "INC-42", author: "sre1" });
    expect(result.nextSteps).toEqual(["after the merge: /evidence post-change-validation <https://…>"]);
  });

  it.each([
    ["a placeholder incident", { incident: "TBD", reason: "outage" }, 'incident "TBD" is a placeholder'],
    ["no reason", { incident: "INC-1", reason: " " }, "a reason is required"],
  ])("break-glass with %s is refused, recorded, and changes nothing", (_case, fields, refusal) => {
    const breakGlass = { login: "sre1", at: "2026-11-20T11:00:00Z", ...fields };
    const result = decide(input([region], { policy: frozen, breakGlass }));
    expect(result).toMatchObject({ decision: "fail", state: "frozen", breakGlass: { accepted: false, refusal } });
    expect(result.nextSteps[0]).toMatch(
      /^\/break-glass <incident id matching \^\[A-Z\]\[A-Z0-9\]\+-\\d\+\$> <reason> — the last break-glass was refused: /,
    );
  });

  it.each([
    ["by the PR author", { login: "author" }, "the PR author cannot break glass on their own change"],
    ["by a commit author", { login: "Pairer" }, "a commit author or pusher cannot break glass on the change"],
    ["with any word as the incident", { incident: "outage" }, "incident expected an incident id matching ^[A-Z][A-Z0-9]+-\\d+$"],
  ])("break-glass %s is refused", (_case, fields, refusal) => {
    const breakGlass = { login: "sre1", incident: "INC-1234", reason: "checkout down", at: "2026-11-20T11:00:00Z", ...fields };
    const result = decide(input([region], { policy: frozen, breakGlass, commitAuthors: ["author", "pairer"] }));
    expect(result).toMatchObject({ decision: "fail", breakGlass: { accepted: false, refusal } });
  });

  it("break-glass is refused while some commit author cannot be named", () => {
    const breakGlass = { login: "sre1", incident: "INC-1234", reason: "checkout down", at: "2026-11-20T11:00:00Z" };
    const result = decide(input([region], { policy: frozen, breakGlass, authorship: { unlinkedCommits: 1, truncated: false } }));
    expect(result.breakGlass).toMatchObject({
      accepted: false,
      refusal: expect.stringContaining("cannot be shown to come from someone who did not write the change"),
    });
  });

  it("the incident pattern is the policy's", () => {
    const breakGlass = { login: "sre1", incident: "PD-42", reason: "checkout down", at: "2026-11-20T11:00:00Z" };
    const custom = { ...frozen, breakGlass: { ...frozen.breakGlass, incidentPattern: "^PD-\\d+$" } };
    expect(decide(input([region], { policy: custom, breakGlass })).breakGlass?.accepted).toBe(true);
    expect(decide(input([region], { policy: custom, breakGlass: { ...breakGlass, incident: "INC-42" } })).breakGlass?.accepted).toBe(false);
  });

  it("merged by break-glass: pending until valid post-change-validation evidence, then passed", () => {
    const breakGlass = { login: "sre1", incident: "INC-42", reason: "checkout down in jkt", at: "2026-11-20T11:00:00Z" };
    const pending = decide(input([region], { policy: frozen, evidenceSources: { commands: [] }, approvals: [], breakGlass, merged: true }));
    expect(pending).toMatchObject({
      decision: "fail",
      state: "post-change-pending",
      unmet: ["evidence post-change-validation: missing (owed since the break-glass merge)"],
    });
    expect(pending.nextSteps).toEqual(["/evidence post-change-validation <https://…>"]);
    const validation = {
      key: "post-change-validation",
      value: "https://grafana.example.com/d/1",
      at: "2026-11-20T12:00:00Z",
      author: "sre1",
      edited: false,
    };
    const done = decide(
      input([region], { policy: frozen, evidenceSources: { commands: [validation] }, approvals: [], breakGlass, merged: true }),
    );
    expect(done).toMatchObject({ decision: "pass", state: "break-glass", unmet: [], nextSteps: [] });
  });

  it("a hold beats break-glass", () => {
    const result = decide(
      input([region], {
        holds: [{ login: "lead", reason: "", at: "2026-11-20T11:30:00Z" }],
        breakGlass: { login: "sre1", incident: "INC-1", reason: "outage", at: "2026-11-20T11:00:00Z" },
      }),
    );
    expect(result).toMatchObject({ decision: "fail", state: "held", unmet: ["held by @lead"] });
  });
});
