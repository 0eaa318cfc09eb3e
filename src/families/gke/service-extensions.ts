import { canonical, sameValue, show } from "../../core/canonical-values.js";
import type { Check } from "../../core/by-kind.js";
import { flag, list, record, spec, text } from "../../core/json-access.js";
import type { Resource } from "../../core/resource.js";

/**
 * GKE Service Extensions (GCPTrafficExtension, GCPRoutingExtension): callouts a Gateway's load
 * balancer makes for matching requests — authorization, WAF, header rewriting, routing. Which
 * requests a chain matches, which service it calls and what happens when that service fails decide
 * whether those checks still apply (kubernetes-engine-samples 2939f67e turned failOpen off).
 */

interface Extension {
  readonly key: string;
  readonly chain: string;
  readonly value: Record<string, unknown>;
  readonly path: (string | number)[];
}

const extensionsOf = (resource: Resource | undefined): Map<string, Extension> =>
  new Map(
    list(spec(resource).extensionChains).flatMap((chain, chainIndex) => {
      const chainName = text(record(chain).name) ?? String(chainIndex);
      return list(record(chain).extensions).map((extension, index) => {
        const key = `${chainName}/${text(record(extension).name) ?? String(index)}`;
        const path = ["spec", "extensionChains", chainIndex, "extensions", index];
        return [key, { key, chain: chainName, value: { ...record(extension) }, path }] as const;
      });
    }),
  );

const matchOf = (resource: Resource | undefined, chain: string): string =>
  canonical(record(list(spec(resource).extensionChains).find((item) => (text(record(item).name) ?? "") === chain)).matchCondition ?? null);

const backendOf = (extension: Extension): string => {
  const ref = record(extension.value.backendRef);
  return `${text(ref.kind) ?? "Service"} ${text(ref.namespace) ? `${text(ref.namespace)}/` : ""}${text(ref.name) ?? "?"}:${String(ref.port ?? "")}`;
};

/** failOpen is false unless written: a failing callout fails the request. */
const FAIL_EFFECT = {
  true: "when the extension fails or times out, requests go on without it: whatever it checks is skipped",
  false: "when the extension fails or times out, requests fail",
} as const;

export const serviceExtensionCheck: Check = (change, out) => {
  if (!change.base || !change.head) return;
  const [before, after] = [extensionsOf(change.base), extensionsOf(change.head)];
  if (!sameValue(spec(change.base).targetRefs, spec(change.head).targetRefs))
    out.add({
      class: "route.attachment-changed",
      summary: `targetRefs ${show(spec(change.base).targetRefs)} → ${show(spec(change.head).targetRefs)}: its callouts apply to other Gateways`,
      side: "head",
      path: ["spec", "targetRefs"],
      before: spec(change.base).targetRefs ?? null,
      after: spec(change.head).targetRefs ?? null,
    });
  for (const [key, was] of before) {
    const now = after.get(key);
    if (!now) {
      out.add({
        class: "resource.changed",
        summary: `extension ${key} removed: requests it matched are no longer sent to ${backendOf(was)}`,
        side: "base",
        path: was.path,
        before: was.value,
        riskFloor: "high",
      });
      continue;
    }
    const [failedOpen, failsOpen] = [flag(was.value.failOpen) ?? false, flag(now.value.failOpen) ?? false];
    if (failedOpen !== failsOpen)
      out.add({
        class: "health.changed",
        summary: `extension ${key} failOpen ${String(failedOpen)} → ${String(failsOpen)}: ${FAIL_EFFECT[String(failsOpen) as "true" | "false"]}`,
        side: "head",
        path: [...now.path, "failOpen"],
        before: failedOpen,
        after: failsOpen,
      });
    if (backendOf(was) !== backendOf(now))
      out.add({
        class: "resource.changed",
        summary: `extension ${key} calls ${backendOf(now)} instead of ${backendOf(was)}`,
        side: "head",
        path: [...now.path, "backendRef"],
        before: was.value.backendRef ?? null,
        after: now.value.backendRef ?? null,
        riskFloor: "medium-high",
      });
  }
  for (const [key, now] of after)
    if (!before.has(key))
      out.add({
        class: "resource.changed",
        summary: `extension ${key} added: matching requests are sent to ${backendOf(now)}`,
        side: "head",
        path: now.path,
        after: now.value,
        riskFloor: "medium-high",
      });
  const chains = new Set([...before.values(), ...after.values()].map((extension) => extension.chain));
  for (const chain of chains)
    if (matchOf(change.base, chain) !== matchOf(change.head, chain))
      out.add({
        class: "resource.changed",
        summary: `chain ${chain} matchCondition changes: which requests its extensions see changes`,
        side: "head",
        path: ["spec", "extensionChains"],
        riskFloor: "medium",
      });
};
