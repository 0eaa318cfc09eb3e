import type { ApprovalInput } from "../../src/governance/approvals.js";
import { CHANGE_CLASSES, type ChangeClassId } from "../../src/core/change-classes.js";
import type { Finding } from "../../src/core/finding.js";

/** A finding of a class at the class's default risk, fingerprinted by class and name. */
export const finding = (changeClass: ChangeClassId, overrides: Partial<Finding> = {}): Finding => ({
  class: changeClass,
  risk: CHANGE_CLASSES[changeClass].risk,
  summary: `${changeClass} on checkout`,
  file: "routes/checkout.yaml",
  line: 12,
  resource: { group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "shop", name: "checkout" },
  fingerprint: `fp:${changeClass}:${overrides.resource?.name ?? "checkout"}`,
  clusters: [],
  regions: [],
  ...overrides,
});

/** An /approve comment by `login`, in `groups`, that saw `findings`. */
export const approve = (
  login: string,
  groups: string[],
  findings: readonly Finding[],
  overrides: Partial<ApprovalInput> = {},
): ApprovalInput => ({
  login,
  at: "2026-11-20T10:00:00Z",
  source: "comment",
  groups,
  fingerprints: findings.map((f) => f.fingerprint),
  edited: false,
  cancelled: false,
  ...overrides,
});
