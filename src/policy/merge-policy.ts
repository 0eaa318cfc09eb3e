import type { ChangeClassId } from "../core/change-classes.js";
import { RISK_LEVELS, riskRank, type RiskLevel } from "../core/risk-level.js";
import { riskOf } from "./class-risk.js";
import { PolicyError } from "./policy-error.js";
import type { ApprovalRule, Policy } from "./policy-schema.js";
import { sameValue } from "../core/canonical-values.js";

/**
 * A policy layered over a base (a repository policy over the defaults, or a profile over them).
 * `policy` is the validated overlay with schema defaults filled in; `written` is the YAML as
 * written, which says which keys the overlay actually sets: a default the overlay never wrote
 * must neither replace nor "loosen" the base.
 */
export interface PolicyOverlay {
  readonly written: unknown;
  readonly policy: Policy;
}

type Written = Readonly<Record<string, unknown>>;

const record = (value: unknown): Written =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Written) : {};

const writes = (written: Written, key: string): boolean => Object.hasOwn(written, key);

/**
 * Merges an overlay over a base policy (DESIGN §8, Atlantis' allowed_overrides).
 * Maps merge per key; a list or value the overlay writes replaces the base's. Governed keys
 * (class risk/approvals/evidence, requirements, options) may only tighten unless the base lists
 * the key path, or an ancestor of it, in `options.allowedOverrides`; every refused key is named
 * in one PolicyError. `topology`, `services`, `groups`, new `evidence` keys and `freezes` describe
 * the repository and merge freely (freezes add up, so an overlay cannot lift a base freeze); a
 * base evidence key validated another way is governed (`evidence.<key>.validate`).
 * `breakGlass` is governed: more groups, or any other incident pattern, is loosening.
 * `paths` is governed: a file left out is a change nobody reviews, so excluding a glob the base
 * does not exclude, or dropping an include glob, is loosening; the reverse always tightens.
 */
export function mergePolicy(base: Policy, overlay: PolicyOverlay, source: string): Policy {
  const written = record(overlay.written);
  const next = overlay.policy;
  const refusals: string[] = [];
  const allowed = (path: string): boolean => base.options.allowedOverrides.some((key) => path === key || path.startsWith(`${key}.`));
  const tighten = (path: string, loosening: string | undefined): void => {
    if (loosening !== undefined && !allowed(path)) refusals.push(`${path}: ${loosening}`);
  };

  const merged: Policy = structuredClone(base);
  if (writes(written, "version")) merged.version = next.version;

  const topology = record(written.topology);
  if (writes(topology, "backendRegions")) merged.topology.backendRegions = next.topology.backendRegions;
  if (writes(topology, "clusters")) merged.topology.clusters = { ...base.topology.clusters, ...next.topology.clusters };
  if (writes(topology, "placements")) merged.topology.placements = next.topology.placements;
  if (writes(topology, "meshValues")) merged.topology.meshValues = next.topology.meshValues;

  const paths = record(written.paths);
  if (writes(paths, "include")) {
    const dropped = base.paths.include.filter((glob) => !next.paths.include.includes(glob));
    tighten("paths.include", dropped.length > 0 ? `reviews fewer files (drops ${dropped.join(", ")})` : undefined);
    merged.paths.include = next.paths.include;
  }
  if (writes(paths, "exclude")) {
    const added = next.paths.exclude.filter((glob) => !base.paths.exclude.includes(glob));
    tighten("paths.exclude", added.length > 0 ? `excludes more files (${added.join(", ")})` : undefined);
    merged.paths.exclude = next.paths.exclude;
  }

  merged.services = { ...base.services, ...next.services };
  merged.groups = { ...base.groups, ...next.groups };
  // A key of the base validated another way may accept what the base refused (a window as free text):
  // governed, where new keys and aliases are the repository's own.
  for (const key of Object.keys(record(written.evidence))) {
    const [under, over] = [base.evidence[key], next.evidence[key]];
    if (under && over && !sameValue(under.validate, over.validate)) tighten(`evidence.${key}.validate`, "changes how it is validated");
  }
  merged.evidence = { ...base.evidence, ...next.evidence };
  merged.freezes = [...base.freezes, ...next.freezes];

  const classes = record(written.classes);
  for (const id of Object.keys(classes) as ChangeClassId[]) {
    const wrote = record(classes[id]);
    const over = next.classes[id] ?? {};
    const under = base.classes[id] ?? {};
    const path = `classes.${id}`;
    const result = { ...under };
    if (writes(wrote, "risk") && over.risk !== undefined) {
      tighten(`${path}.risk`, lowerRisk(riskOf(id, base), over.risk));
      result.risk = over.risk;
    }
    if (writes(wrote, "approvals")) {
      tighten(`${path}.approvals`, fewerApprovals(under.approvals ?? [], over.approvals ?? []));
      result.approvals = over.approvals ?? [];
    }
    if (writes(wrote, "evidence")) {
      tighten(`${path}.evidence`, fewerEvidence(under.evidence ?? [], over.evidence ?? []));
      result.evidence = over.evidence ?? [];
    }
    merged.classes[id] = result;
  }

  const requirements = record(written.requirements);
  for (const level of RISK_LEVELS.filter((risk) => writes(requirements, risk))) {
    const wrote = record(requirements[level]);
    const over = next.requirements[level] ?? { evidence: [], approvals: [], distinctGroups: 0 };
    const under = base.requirements[level] ?? { evidence: [], approvals: [], distinctGroups: 0 };
    const path = `requirements.${level}`;
    const result = { ...under };
    if (writes(wrote, "evidence")) {
      tighten(`${path}.evidence`, fewerEvidence(under.evidence, over.evidence));
      result.evidence = over.evidence;
    }
    if (writes(wrote, "approvals")) {
      tighten(`${path}.approvals`, fewerApprovals(under.approvals, over.approvals));
      result.approvals = over.approvals;
    }
    if (writes(wrote, "distinctGroups")) {
      tighten(
        `${path}.distinctGroups`,
        over.distinctGroups < under.distinctGroups ? `lowers it from ${under.distinctGroups} to ${over.distinctGroups}` : undefined,
      );
      result.distinctGroups = over.distinctGroups;
    }
    merged.requirements[level] = result;
  }

  const options = record(written.options);
  // Each of these is the looser setting when true.
  for (const key of ["authorMayApprove", "invalidateOnSemanticChangeOnly", "acceptGithubReviews"] as const) {
    if (!writes(options, key)) continue;
    tighten(`options.${key}`, next.options[key] && !base.options[key] ? "turns it on" : undefined);
    merged.options[key] = next.options[key];
  }
  if (writes(options, "allowedOverrides")) {
    const granted = next.options.allowedOverrides.filter((key) => !allowed(key));
    tighten("options.allowedOverrides", granted.length > 0 ? `grants itself ${granted.join(", ")}` : undefined);
    merged.options.allowedOverrides = next.options.allowedOverrides;
  }

  const breakGlass = record(written.breakGlass);
  if (writes(breakGlass, "groups")) {
    const added = next.breakGlass.groups.filter((group) => !base.breakGlass.groups.includes(group));
    tighten("breakGlass.groups", added.length > 0 ? `lets more groups break glass (${added.join(", ")})` : undefined);
    merged.breakGlass.groups = next.breakGlass.groups;
  }
  if (writes(breakGlass, "incidentPattern")) {
    // Which of two regular expressions accepts less cannot be decided in general: any change is loosening.
    tighten(
      "breakGlass.incidentPattern",
      next.breakGlass.incidentPattern !== base.breakGlass.incidentPattern ? "changes the incident id pattern" : undefined,
    );
    merged.breakGlass.incidentPattern = next.breakGlass.incidentPattern;
  }

  const render = record(written.render);
  if (writes(render, "enabled")) {
    // Unrendered overlays and charts hide what they apply: turning rendering off is loosening.
    tighten("render.enabled", base.render.enabled && !next.render.enabled ? "turns rendering off" : undefined);
    merged.render.enabled = next.render.enabled;
  }
  if (writes(render, "unrenderable")) {
    // Listing what cannot be rendered instead of blocking on it reviews less: loosening.
    tighten(
      "render.unrenderable",
      base.render.unrenderable === "block" && next.render.unrenderable === "list"
        ? "lists unrenderable roots instead of blocking"
        : undefined,
    );
    merged.render.unrenderable = next.render.unrenderable;
  }
  if (writes(render, "trusted")) {
    // A version of a trusted source moves without a render: trusting another source reviews less.
    const added = next.render.trusted.filter((glob) => !base.render.trusted.includes(glob));
    tighten("render.trusted", added.length > 0 ? `trusts more sources' versions unrendered (${added.join(", ")})` : undefined);
    merged.render.trusted = next.render.trusted;
  }

  if (refusals.length > 0) {
    throw new PolicyError(
      source,
      `${refusals.join("; ")} — a repository policy may only tighten the base policy; ` +
        "loosening a key needs the base to list it in options.allowedOverrides",
    );
  }
  return merged;
}

const lowerRisk = (base: RiskLevel, next: RiskLevel): string | undefined =>
  riskRank(next) < riskRank(base) ? `lowers the risk from ${base} to ${next}` : undefined;

const fewerEvidence = (base: readonly string[], next: readonly string[]): string | undefined => {
  const dropped = base.filter((key) => !next.includes(key));
  return dropped.length > 0 ? `drops evidence ${dropped.join(", ")}` : undefined;
};

const approvalsPerGroup = (rules: readonly ApprovalRule[]): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const rule of rules) counts.set(rule.group, (counts.get(rule.group) ?? 0) + rule.count);
  return counts;
};

const fewerApprovals = (base: readonly ApprovalRule[], next: readonly ApprovalRule[]): string | undefined => {
  const have = approvalsPerGroup(next);
  const short = [...approvalsPerGroup(base)]
    .filter(([group, count]) => (have.get(group) ?? 0) < count)
    .map(([group, count]) => `${group} ${have.get(group) ?? 0} instead of ${count}`);
  return short.length > 0 ? `asks for fewer approvals (${short.join(", ")})` : undefined;
};
