import * as z from "zod";
import { ChangeClassIdSchema } from "../core/change-classes.js";
import { RiskLevelSchema } from "../core/risk-level.js";

/**
 * The JSON report's contract (`--format json`, the Action's `report-json` file) as a zod schema:
 * policies/report.schema.json is generated from it (`npx tsx scripts/write-report-schema.ts`), and
 * a test parses real reports with it and fails on any field it does not describe. Objects are not
 * closed in the JSON Schema: the report adds fields and never renames one (see json-report.ts).
 */
const Line = z.number().int().min(0);
const Resource = z.object({ group: z.string(), kind: z.string(), namespace: z.string(), name: z.string() });
const Strings = z.array(z.string());

const Finding = z.object({
  class: ChangeClassIdSchema,
  risk: RiskLevelSchema,
  summary: z.string(),
  file: z.string().describe("Path in the repository; empty when the finding is about no one file"),
  line: Line,
  resource: Resource,
  fingerprint: z.string().describe("Stable hash of what changed: what an approval binds to"),
  clusters: Strings,
  regions: Strings,
});

const Percent = z.number().min(0).max(100);

const RouteDiff = z.object({
  flow: z.string(),
  entry: z.string(),
  host: z.string(),
  match: z.string(),
  status: z
    .enum(["added", "removed", "changed", "match-changed", "rehandled"])
    .describe("rehandled: a rule gone whose requests fall through to a rule sending them to the same backends, handled otherwise"),
  fallsThroughTo: z.string().optional(),
  resource: Resource,
  file: z.string(),
  line: Line,
  backends: z.array(z.object({ backend: z.string(), before: Percent.nullable(), after: Percent.nullable(), regions: Strings })),
  regions: z.array(z.object({ region: z.string(), before: Percent, after: Percent })),
});

const Issue = z.object({ class: ChangeClassIdSchema, summary: z.string(), file: z.string(), line: Line });

const BlastRadius = z.object({
  hostnames: Strings,
  gateways: z.array(
    z.object({
      gateway: z.string(),
      change: z.enum(["added", "removed", "changed"]),
      via: z.string().optional(),
      file: z.string(),
      line: Line,
      routesAttached: z.number().int(),
      routes: Strings,
      attached: Strings,
      detached: Strings,
    }),
  ),
  routesAttached: z.number().int(),
  clusters: Strings,
  regions: Strings,
  shareShift: z.array(
    z.object({
      flow: z.string(),
      entry: z.string(),
      regions: z.array(z.object({ region: z.string(), before: z.number(), after: z.number() })),
    }),
  ),
  services: z.array(z.object({ service: z.string(), gained: Strings, lost: Strings })),
  meshScope: z.array(
    z.object({
      resource: z.string(),
      scope: z.enum(["mesh-wide", "namespace", "workloads", "targets"]),
      namespaces: Strings,
      detail: z.string(),
    }),
  ),
  issues: z.object({ introduced: z.array(Issue), existing: z.array(Issue), fixed: z.array(Issue) }),
  unchecked: Strings.describe("References the review could not check, and why"),
});

const Evidence = z.object({
  key: z.string(),
  required: z.boolean(),
  status: z.enum(["ok", "missing", "invalid"]),
  value: z.string().optional(),
  source: z.enum(["body", "comment"]).optional(),
  author: z.string().optional(),
  at: z.string().optional(),
  line: Line.optional(),
  reason: z.string().optional(),
});

const ApproverNote = z.object({ login: z.string(), at: z.string(), reason: z.string(), commentId: z.number().int().optional() });

const Requirements = z.object({
  evidence: z.array(Evidence),
  approvals: z.array(
    z.object({
      group: z.string(),
      count: z.number().int(),
      approvers: Strings,
      satisfied: z.boolean(),
      why: Strings,
      stale: z.array(ApproverNote),
    }),
  ),
  distinctGroups: z.object({
    required: z.number().int(),
    satisfied: z.boolean(),
    assignment: z.array(z.object({ group: z.string(), login: z.string() })),
  }),
  unmet: Strings.describe("One line per unmet requirement; empty exactly when the decision is pass"),
  nextSteps: Strings,
  breakGlass: z
    .object({
      login: z.string(),
      incident: z.string(),
      reason: z.string(),
      at: z.string(),
      accepted: z.boolean(),
      refusal: z.string().optional(),
      bypassed: Strings,
    })
    .optional(),
  freeze: z.object({ name: z.string(), start: z.string(), end: z.string(), risks: z.array(RiskLevelSchema) }).optional(),
  holds: z.array(z.object({ login: z.string(), reason: z.string(), at: z.string() })),
});

export const JsonReportSchema = z.object({
  version: z.literal(1).describe("Raised only when a field changes meaning or goes away"),
  risk: RiskLevelSchema,
  decision: z.enum(["pass", "fail"]),
  state: z.enum(["no-traffic-change", "satisfied", "unmet", "held", "frozen", "break-glass", "invalid-manifests"]),
  policy: z.string().describe("Where the policy came from"),
  findings: z.array(Finding),
  routeDiffs: z.array(RouteDiff),
  blastRadius: BlastRadius,
  requirements: Requirements,
  render: z.object({
    rendered: Strings,
    failed: Strings,
    unrendered: Strings,
    trusted: Strings,
    withoutRemote: Strings,
    skipped: z.string().optional(),
  }),
  errors: z.array(z.object({ file: z.string(), line: Line, message: z.string(), existing: z.literal(true).optional() })),
  skipped: z.array(z.object({ file: z.string(), line: Line, reason: z.string() })),
  excluded: z.object({ changed: Strings, total: z.number().int() }),
});

export const reportJsonSchema = (): Record<string, unknown> => ({
  ...z.toJSONSchema(JsonReportSchema, { io: "input" }),
  title: "Route Governor report",
  description: "The JSON report of `route-governor review --format json` and of the GitHub Action's report-json output.",
});
