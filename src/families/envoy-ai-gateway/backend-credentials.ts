import type { Check } from "../../core/by-kind.js";
import { canonical } from "../../core/canonical-values.js";
import { list, record, spec, text } from "../../core/json-access.js";
import { resourceKey, type Resource, type ResourceId } from "../../core/resource.js";
import { declares } from "../../core/declared-identities.js";
import { AI_GATEWAY_GROUP } from "./generated-route.js";

/**
 * A BackendSecurityPolicy is the credentials the gateway presents to AI providers for the
 * backends it targets (API keys, AWS, Azure and GCP credentials, OIDC exchanges): another secret,
 * role or issuer, another target, or the policy added or removed, changes who the gateway
 * authenticates as (trust.changed). Removed, the targets' requests go out without credentials.
 * One added with targets the PR adds is settled by its targets (Family.policyTargets).
 */
const targets = (policy: Resource): string =>
  list(spec(policy).targetRefs)
    .map((ref) => `${text(record(ref).kind) ?? "AIServiceBackend"} ${text(record(ref).name) ?? "?"}`)
    .join(", ") || "its targets";

const credentials = (policy: Resource): string => {
  const { targetRefs: _targets, ...rest } = spec(policy);
  return canonical(rest);
};

export const backendCredentials: Check = (change, out, context) => {
  const [base, head] = [change.base, change.head];
  if (base && !head) {
    out.add({
      class: "trust.changed",
      summary: `removed: requests to ${targets(base)} go out without the ${text(spec(base).type) ?? ""} credentials it gave them`,
      side: "base",
      path: ["spec"],
    });
    return;
  }
  if (!head) return;
  if (!base) {
    out.add({
      class: "trust.changed",
      summary: `added: requests to ${targets(head)} present ${text(spec(head).type) ?? "its"} credentials`,
      side: "head",
      path: ["spec"],
    });
    return;
  }
  if (credentials(base) !== credentials(head))
    out.add({
      class: "trust.changed",
      summary: `credentials ${text(spec(base).type) ?? "?"} → ${text(spec(head).type) ?? "?"} changed: the gateway authenticates to ${targets(head)} otherwise`,
      side: "head",
      path: ["spec", text(spec(head).type) === text(spec(base).type) ? firstChanged(base, head) : "type"],
    });
  if (canonical(spec(base).targetRefs ?? null) === canonical(spec(head).targetRefs ?? null)) return;
  // A target the base tree does not hold sent no request before: it starts with these credentials,
  // which its own addition says. Any other target gained or lost changes what its requests present.
  const [was, now] = [targetIds(base), targetIds(head)];
  const changed = [
    ...now.filter((id) => !was.some((other) => sameId(id, other)) && declares(context.base, id)),
    ...was.filter((id) => !now.some((other) => sameId(id, other))),
  ];
  out.add({
    class: changed.length > 0 ? "trust.changed" : "resource.changed",
    summary:
      changed.length > 0
        ? `targets ${targets(base)} → ${targets(head)}: other backends are sent with these credentials`
        : `targets ${targets(base)} → ${targets(head)}: only backends this PR adds gain them, which start with these credentials`,
    side: "head",
    path: ["spec", "targetRefs"],
  });
};

const targetIds = (policy: Resource): ResourceId[] =>
  list(spec(policy).targetRefs).map((ref) => ({
    group: text(record(ref).group) ?? AI_GATEWAY_GROUP,
    kind: text(record(ref).kind) ?? "AIServiceBackend",
    namespace: policy.id.namespace,
    name: text(record(ref).name) ?? "?",
  }));
const sameId = (a: ResourceId, b: ResourceId): boolean => resourceKey(a) === resourceKey(b);

/** The first field of the spec (besides targets) that differs, to point at. */
const firstChanged = (base: Resource, head: Resource): string =>
  Object.keys({ ...spec(base), ...spec(head) }).find(
    (key) => key !== "targetRefs" && canonical(record(spec(base))[key] ?? null) !== canonical(record(spec(head))[key] ?? null),
  ) ?? "type";
