import * as z from "zod";
import { ChangeClassIdSchema } from "../core/change-classes.js";
import { RiskLevelSchema } from "../core/risk-level.js";

/**
 * The governance policy (DESIGN §8). Every key is optional in a repository's
 * `.github/route-governor.yml`; `policies/default.yml` supplies the rest.
 * Unknown keys are errors: a typo must not silently weaken a policy.
 */

const RegexString = z.string().refine(
  (pattern) => {
    try {
      new RegExp(pattern);
      return true;
    } catch {
      return false;
    }
  },
  { message: "not a valid regular expression" },
);

/**
 * A backend-name pattern places a backend only through its named group: without `(?<region>…)` or
 * `(?<cluster>…)` it would match and place nothing, so the policy is refused instead.
 */
const BackendRegionPattern = z.string().superRefine((pattern, context) => {
  let groups: readonly string[];
  try {
    // An alternative that matches "" makes exec() return every named group the pattern declares.
    groups = Object.keys(new RegExp(`(?:${pattern})|`).exec("")?.groups ?? {});
    new RegExp(pattern);
  } catch {
    context.addIssue({ code: "custom", message: "not a valid regular expression" });
    return;
  }
  if (!groups.includes("region") && !groups.includes("cluster")) {
    context.addIssue({ code: "custom", message: `needs a named group (?<region>…) or (?<cluster>…), e.g. "-(?<region>jkt|sgp)$"` });
  }
});

/** A picomatch glob: picomatch refuses an empty pattern (and one past its length bound) by throwing, so the policy refuses it first. */
const Glob = z.string().min(1, "a glob cannot be empty").max(65_536);

/** A placement pattern names where the cluster's name sits in a path, once: it is what the pattern captures. */
const PlacementPattern = z
  .string()
  .refine((pattern) => pattern.split("{cluster}").length === 2, "needs `{cluster}` exactly once, e.g. clusters/{cluster}/**");

export const TopologySchema = z.strictObject({
  /** Regexes over backend names; the named group `region` (or `cluster`) places the backend. */
  backendRegions: z.array(BackendRegionPattern).default([]),
  /** cluster name → region. */
  clusters: z.record(z.string(), z.string()).default({}),
  /** File path patterns with a `{cluster}` placeholder: `clusters/{cluster}/**`. */
  placements: z.array(PlacementPattern).default([]),
  /** File path globs of Istio Helm values files (istiod / istio-base). */
  meshValues: z.array(Glob).default(["**/values-istio*.yaml", "**/values-istio*.yml"]),
});

/**
 * Which files the review reads: globs over repository paths (picomatch, dotfiles included). A file
 * is reviewed when it matches an `include` glob and no `exclude` glob; the others are not read, do
 * not gate, and are counted in the report.
 */
export const PathsSchema = z.strictObject({
  include: z.array(Glob).default(["**"]),
  exclude: z.array(Glob).default([]),
});

export const ServicePolicySchema = z.strictObject({
  writes: z.enum(["single-region", "active-active"]).optional(),
  /** Region that owns the service's writes, when `single-region`. */
  ownerRegion: z.string().optional(),
  /** Approver groups that own this service (used for `service-owners` requirements). */
  owners: z.array(z.string()).optional(),
});

export const ApprovalRuleSchema = z.strictObject({
  group: z.string(),
  count: z.number().int().min(1).default(1),
});

export const RequirementSchema = z.strictObject({
  evidence: z.array(z.string()).default([]),
  approvals: z.array(ApprovalRuleSchema).default([]),
  /** Approvals must come from at least this many different groups, by different people. */
  distinctGroups: z.number().int().min(0).default(0),
});

export const ClassPolicySchema = z.strictObject({
  risk: RiskLevelSchema.optional(),
  approvals: z.array(ApprovalRuleSchema).optional(),
  evidence: z.array(z.string()).optional(),
});

export const GroupSchema = z.strictObject({
  users: z.array(z.string()).default([]),
  /** `org/team-slug`. */
  teams: z.array(z.string().regex(/^[^/\s]+\/[^/\s]+$/, "teams are org/team-slug")).default([]),
  /** Anyone with at least this repository permission belongs to the group. */
  permission: z.enum(["read", "triage", "write", "maintain", "admin"]).optional(),
});

export const EvidenceValidationSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("regex"), pattern: RegexString, hint: z.string().optional() }),
  z.strictObject({ type: z.literal("url") }),
  z.strictObject({
    type: z.literal("window"),
    /** Longest window accepted: a window of years would be no window at all. */
    maxHours: z
      .number()
      .positive()
      .max(24 * 366)
      .default(24),
  }),
  z.strictObject({ type: z.literal("command") }),
  z.strictObject({ type: z.literal("text") }),
]);

export const EvidenceKeySchema = z.strictObject({
  description: z.string().optional(),
  aliases: z.array(z.string()).default([]),
  validate: EvidenceValidationSchema.default({ type: "text" }),
});

export const FreezeSchema = z.strictObject({
  name: z.string(),
  start: z.iso.datetime({ offset: true }),
  end: z.iso.datetime({ offset: true }),
  /** Risks blocked during the freeze unless break-glass. */
  risks: z.array(RiskLevelSchema).default(["high", "critical"]),
});

export const OptionsSchema = z.strictObject({
  authorMayApprove: z.boolean().default(false),
  invalidateOnSemanticChangeOnly: z.boolean().default(true),
  acceptGithubReviews: z.boolean().default(true),
  /** Keys a repository policy may loosen (Atlantis' allowed_overrides). */
  allowedOverrides: z.array(z.string()).default([]),
});

/** `/break-glass`: who may use it (and lift anyone's hold), and what an incident id looks like. */
export const BreakGlassPolicySchema = z.strictObject({
  /** Members of these groups may break glass on a PR they did not write, and lift anyone's hold. */
  groups: z.array(z.string()).default(["sre", "platform-networking"]),
  /** A break-glass's incident id must match this; any word would otherwise do. */
  incidentPattern: RegexString.default("^[A-Z][A-Z0-9]+-\\d+$"),
});

/** The render step (DESIGN §3): kustomize and in-repo Helm charts rendered with the real tools before the review. */
export const RenderSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /**
   * What a root something deploys does when it cannot be rendered offline (a chart from a remote
   * repository, a remote base, a tool error): `block` is a high finding; `list` only lists it in
   * the report, for repositories whose releases of remote charts are reviewed elsewhere.
   */
  unrenderable: z.enum(["block", "list"]).default("block"),
  /**
   * Remote sources whose new versions need no render, as globs: a chart as `<repository URL>/<chart>`
   * (an OCI source as its URL), a remote kustomize resource as written. A root whose only change
   * is the version of such sources is no render failure; a change to its values, patches or
   * source is one still.
   */
  trusted: z.array(Glob).default([]),
});

export const PolicySchema = z.strictObject({
  version: z.literal(1).default(1),
  topology: TopologySchema.default(TopologySchema.parse({})),
  paths: PathsSchema.default(PathsSchema.parse({})),
  services: z.record(z.string(), ServicePolicySchema).default({}),
  classes: z.partialRecord(ChangeClassIdSchema, ClassPolicySchema).default({}),
  requirements: z.partialRecord(RiskLevelSchema, RequirementSchema).default({}),
  groups: z.record(z.string(), GroupSchema).default({}),
  evidence: z.record(z.string(), EvidenceKeySchema).default({}),
  freezes: z.array(FreezeSchema).default([]),
  options: OptionsSchema.default(OptionsSchema.parse({})),
  breakGlass: BreakGlassPolicySchema.default(BreakGlassPolicySchema.parse({})),
  render: RenderSchema.default(RenderSchema.parse({})),
});

export type Policy = z.infer<typeof PolicySchema>;
export type Topology = z.infer<typeof TopologySchema>;
export type Paths = z.infer<typeof PathsSchema>;
export type ServicePolicy = z.infer<typeof ServicePolicySchema>;
export type Requirement = z.infer<typeof RequirementSchema>;
export type ApprovalRule = z.infer<typeof ApprovalRuleSchema>;
export type EvidenceKey = z.infer<typeof EvidenceKeySchema>;
export type Group = z.infer<typeof GroupSchema>;
