// The PRs `npm run preview -- <case>` shows (docs/comment-*.png): the demo, a 40-change PR and a
// passing PR. Deterministic: fixed trees, descriptions, people and clock, so the pictures change
// only when the report does. `node dist/preview-cases.mjs <case>` prints the case's comment.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ApprovalInput } from "../src/governance/approvals.js";
import { resolvePolicy } from "../src/policy/load-policy.js";
import { renderMarkdown } from "../src/report/markdown-report.js";
import { POLICY_PATH, reviewChange, type ReviewResult, type SourceFile } from "../src/review.js";
import { readFolder } from "../src/sources/folder-source.js";

const EXAMPLES = resolve(import.meta.dirname, "../examples");
/** `npm run demo`'s clock. */
const NOW = new Date("2026-11-22T00:00:00Z");
const REGIONS = ["jkt", "sgp", "tyo"] as const;

interface PreviewPr {
  readonly base: readonly SourceFile[];
  readonly head: readonly SourceFile[];
  readonly body: string;
  /** Who approves, and as a member of which policy group. */
  readonly approvers?: readonly { login: string; group: string }[];
}

async function examplePr(): Promise<PreviewPr> {
  const [base, head] = [readFolder(`${EXAMPLES}/base`), readFolder(`${EXAMPLES}/head`)];
  return { base: base.files, head: head.files, body: readFileSync(`${EXAMPLES}/pr-body.md`, "utf8") };
}

const route = (index: number, host: string, weights: readonly number[]): string =>
  [
    "apiVersion: gateway.networking.k8s.io/v1",
    "kind: HTTPRoute",
    "metadata:",
    `  name: svc-${index}`,
    "  namespace: storefront",
    "spec:",
    "  parentRefs:",
    "    - { name: public-gateway, namespace: infra, sectionName: https }",
    `  hostnames: ["${host}"]`,
    "  rules:",
    "    - backendRefs:",
    ...weights.map(
      (weight, region) =>
        `        - { group: net.gke.io, kind: ServiceImport, name: svc-${index}-${REGIONS[region]}, port: 8080, weight: ${weight} }`,
    ),
    "",
  ].join("\n");

const exports = (names: readonly string[]): string =>
  names
    .map((name) => `apiVersion: net.gke.io/v1\nkind: ServiceExport\nmetadata:\n  name: ${name}\n  namespace: storefront\n`)
    .join("---\n");

/**
 * The example platform grown to 48 services (svc-10 … svc-57), each one HTTPRoute split 90/10 over
 * jkt and sgp. The PR changes 40 of them: 28 re-weighted to 70/30, 6 given a Tokyo backend (and
 * its export), 6 moved to a new hostname.
 */
async function fortyChangesPr(): Promise<PreviewPr> {
  const { base: example } = await examplePr();
  const kept = example.filter((file) => file.path === POLICY_PATH || file.path === "clusters/config/gateway.yaml");
  const services = Array.from({ length: 48 }, (_, offset) => 10 + offset);
  const tree = (side: "base" | "head"): SourceFile[] => {
    const tokyo = side === "head" ? services.slice(28, 34) : [];
    return [
      ...kept,
      ...REGIONS.map((region) => ({
        path: `clusters/${region}-prod-1/exports.yaml`,
        text: exports((region === "tyo" ? tokyo : services).map((index) => `svc-${index}-${region}`)),
      })).filter((file) => file.text !== ""),
      ...services.map((index, position) => {
        const changed = side === "head" && position < 40;
        const weights = !changed ? [90, 10] : position < 28 ? [70, 30] : position < 34 ? [80, 10, 10] : [90, 10];
        const host = changed && position >= 34 ? `svc-${index}.shop.example.com` : `svc-${index}.example.com`;
        return { path: `clusters/config/routes/svc-${index}.yaml`, text: route(index, host, weights) };
      }),
    ];
  };
  return {
    base: tree("base"),
    head: tree("head"),
    body: "Rebalance 28 storefront services to 70/30, add Tokyo to six, move six to shop.example.com.\n\n## Change evidence\n- Change request: CHG-5102\n- Rollback: git revert HEAD && flux reconcile kustomization apps --with-source\n",
  };
}

/** The demo platform's checkout moved 90/10 → 80/20 with its evidence written and a service owner's approval: it passes. */
async function passingPr(): Promise<PreviewPr> {
  const { base } = await examplePr();
  const head = base.map((file) =>
    file.path === "clusters/config/routes/checkout.yaml"
      ? { ...file, text: file.text.replace("weight: 90", "weight: 80").replace("weight: 10", "weight: 20") }
      : file,
  );
  return {
    base,
    head,
    body: "Shift 10% more checkout traffic to Singapore.\n\n## Change evidence\n- Change request: CHG-4907\n- Rollback: git revert HEAD && flux reconcile kustomization apps --with-source\n",
    approvers: [{ login: "dina", group: "service-owners" }],
  };
}

export const PREVIEW_CASES = { demo: examplePr, "40-changes": fortyChangesPr, pass: passingPr } as const;
export type PreviewCase = keyof typeof PREVIEW_CASES;

export const isPreviewCase = (name: string): name is PreviewCase => Object.hasOwn(PREVIEW_CASES, name);

export async function reviewPreviewCase(name: PreviewCase): Promise<ReviewResult> {
  const pr = await PREVIEW_CASES[name]();
  const { policy, source } = resolvePolicy(pr.base.find((file) => file.path === POLICY_PATH)?.text, `${POLICY_PATH} (base)`);
  const review = (approvals: readonly ApprovalInput[]) =>
    reviewChange({ base: pr.base, head: pr.head, policy, policySource: source, body: pr.body, now: NOW, prAuthor: "lee", approvals });
  // An approval binds to the findings its approver saw: those of this very head.
  const fingerprints = review([]).analysis.findings.map((finding) => finding.fingerprint);
  const at = new Date(NOW.getTime() - 3_600_000).toISOString();
  return review(
    (pr.approvers ?? []).map(({ login, group }) => ({
      login,
      at,
      source: "comment",
      groups: [group],
      fingerprints,
      edited: false,
      cancelled: false,
    })),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const name = process.argv[2] ?? "";
  if (!isPreviewCase(name)) {
    process.stderr.write(`unknown case "${name}": one of ${Object.keys(PREVIEW_CASES).join(", ")}\n`);
    process.exit(2);
  }
  process.stdout.write(renderMarkdown(await reviewPreviewCase(name)));
}
