import { isRecord, list, record, spec, text } from "./json-access.js";
import type { Resource } from "./resource.js";

/**
 * An object a policy attaches to by name (Gateway API policy attachment), local to the policy's
 * namespace: a ResourceId of it (`resourceKey`, `declares`), and the listener section it names.
 */
export interface PolicyTarget {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly section?: string;
}

/**
 * The objects a policy names in `targetRef` (older APIs, GKE's) and `targetRefs`, with `group`
 * defaulted as its API does. Undefined where it names none, or also selects by label
 * (`targetSelectors`): what that reaches the tree cannot list, so nothing may be concluded from it.
 */
export function namedTargets(policy: Resource, defaultGroup: string): PolicyTarget[] | undefined {
  const fields = spec(policy);
  if (list(fields.targetSelectors).length > 0) return undefined;
  const refs = [...(isRecord(fields.targetRef) ? [fields.targetRef] : []), ...list(fields.targetRefs).map(record)];
  if (refs.length === 0) return undefined;
  return refs.map((ref) => {
    const section = text(ref.sectionName);
    return {
      group: text(ref.group) ?? defaultGroup,
      kind: text(ref.kind) ?? "?",
      namespace: text(ref.namespace) ?? policy.id.namespace,
      name: text(ref.name) ?? "?",
      ...(section ? { section } : {}),
    };
  });
}

/** `HTTPRoute default/web`, `Service shop/api:https`. */
export const targetName = (target: PolicyTarget): string =>
  `${target.kind} ${target.namespace}/${target.name}${target.section ? `:${target.section}` : ""}`;
