import * as z from "zod";
import type { RiskLevel } from "./risk-level.js";

/**
 * Stable change-class ids (DESIGN §5). Users' policies and CI parse these: never rename one.
 * The default risk is what `policies/default.yml` starts from.
 */
export const CHANGE_CLASSES = {
  "route.added": { risk: "medium", what: "a new host, path or match rule starts receiving traffic" },
  "route.removed": { risk: "high", what: "a host/path/rule stops being served" },
  "route.match-changed": { risk: "medium-high", what: "which requests a rule captures changes (path, method, headers)" },
  "route.attachment-changed": { risk: "high", what: "route attached to / detached from a Gateway (parentRefs, gateways)" },
  "backend.weight-changed": { risk: "medium-high", what: "traffic share between existing backends changes" },
  "backend.added": { risk: "medium", what: "a new backend in a region the flow already reaches" },
  "backend.region-added": { risk: "high", what: "a flow gains a backend in a new cluster/region" },
  "backend.region-removed": { risk: "high", what: "a region is drained (weight 0) or removed from a flow" },
  "backend.all-removed": { risk: "critical", what: "a rule is left with no backend or all weights 0" },
  "writes.active-active": { risk: "critical", what: "write traffic can reach more than one region" },
  "failover.changed": { risk: "critical", what: "locality failover, failover policy, GSLB strategy, traffic distribution" },
  "health.changed": { risk: "high", what: "outlier detection, health checks, connection pools" },
  "gateway-class.changed": { risk: "high", what: "GatewayClass controller, a Gateway's class" },
  "listener.changed": { risk: "high", what: "listeners/servers, ports, hostnames, addresses, allowedRoutes widened" },
  "trust.changed": { risk: "critical", what: "trust domain, mesh identity, cert issuer/CA, serving certificates, backend TLS validation" },
  "mtls.weakened": { risk: "critical", what: "mTLS or TLS verification weakened" },
  "access.widened": { risk: "high", what: "authorization, ReferenceGrant, exportTo or egress widened" },
  "export.changed": { risk: "high", what: "ServiceExport / workspace export added or removed" },
  "mirror.changed": { risk: "medium", what: "mirroring added or changed" },
  "retry-timeout.changed": { risk: "medium-high", what: "retries up, 5xx retried, cross-locality retries, timeouts shortened" },
  "fault.injected": { risk: "high", what: "fault injection outside a narrow match" },
  "reference.broken": { risk: "high", what: "a reference points at something that does not exist or does not admit it" },
  "governance.policy-changed": { risk: "critical", what: "the governance policy itself changes" },
  "manifest.invalid": { risk: "high", what: "a traffic file or resource cannot be read (always blocks)" },
  "resource.changed": { risk: "low", what: "any other change to a traffic resource" },
} as const satisfies Record<string, { risk: RiskLevel; what: string }>;

export type ChangeClassId = keyof typeof CHANGE_CLASSES;
export const CHANGE_CLASS_IDS = Object.keys(CHANGE_CLASSES) as [ChangeClassId, ...ChangeClassId[]];
export const ChangeClassIdSchema = z.enum(CHANGE_CLASS_IDS);

/** Classes that block the decision whatever the policy says: the review itself is incomplete. */
export const BLOCKING_CLASSES: ReadonlySet<ChangeClassId> = new Set(["manifest.invalid"]);
