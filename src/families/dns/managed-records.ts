import type { FileDetector } from "../../core/detector.js";
import type { Detection } from "../../core/finding.js";
import type { ChangeClassId } from "../../core/change-classes.js";
import { setChange } from "../../core/canonical-values.js";
import { externalDnsControllers, type ExternalDnsController, type ManagedRecords } from "./external-dns-controllers.js";

/**
 * An external-dns controller that manages other records: the DNS names of every object it reads
 * change with its `--provider`, `--source` and `--domain-filter`, which a PR edits on a Deployment
 * or a release that is no traffic kind (they passed as no change at all).
 * - Another provider: the records are published in another DNS service, which clients reach only
 *   where the zones are delegated to it, while those left in the old one are no longer updated.
 *   `route.attachment-changed`.
 * - A source dropped: its objects' records are no longer published; under `--policy=sync` (the
 *   default before v0.22) external-dns deletes them, `route.removed`; under upsert-only or
 *   create-only they stay, no longer updated (medium).
 * - A source added, or a zone: external-dns publishes records for more names. `route.added`.
 * - A zone dropped (a filter where there was none, or one domain fewer): the records under it are
 *   left as they are, no longer updated: medium (external-dns reads only the zones it filters on,
 *   so it deletes none there).
 * Judged only where both trees say the controller's settings in full (records).
 */

interface Judged {
  readonly class: ChangeClassId;
  readonly summary: string;
  readonly riskFloor?: "medium";
}

function judge(was: ManagedRecords, now: ManagedRecords): Judged[] {
  const found: Judged[] = [];
  if (was.provider !== undefined && now.provider !== undefined && was.provider !== now.provider)
    found.push({
      class: "route.attachment-changed",
      summary: `--provider ${was.provider} → ${now.provider}: its records are published in another DNS service, which clients reach only where the zones are delegated to it, and those left in ${was.provider} are no longer updated`,
    });
  const sources = setChange(was.sources, now.sources);
  if (sources.removed.length > 0) {
    const deletes = now.policy === undefined || now.policy === "sync";
    found.push({
      class: deletes ? "route.removed" : "resource.changed",
      summary: `--source ${sources.removed.join(", ")} dropped: the records of the objects only ${sources.removed.length === 1 ? "it reads" : "they read"} are no longer published${deletes ? `; under --policy=sync${now.policy ? "" : " (the default before v0.22)"} external-dns deletes them` : `; under --policy=${now.policy} they stay, no longer updated`}`,
      ...(deletes ? {} : { riskFloor: "medium" as const }),
    });
  }
  if (sources.added.length > 0)
    found.push({
      class: "route.added",
      summary: `--source ${sources.added.join(", ")} added: external-dns publishes records for the objects ${sources.added.length === 1 ? "it reads" : "they read"}`,
    });
  // No filter is every zone the provider serves.
  const domains = setChange(was.domains, now.domains);
  const narrowed = now.domains.length > 0 && (was.domains.length === 0 || domains.removed.length > 0);
  const widened = was.domains.length > 0 && (now.domains.length === 0 || domains.added.length > 0);
  const show = (list: readonly string[]) => (list.length === 0 ? "(any zone)" : list.join(", "));
  if (narrowed)
    found.push({
      class: "resource.changed",
      summary: `--domain-filter ${show(was.domains)} → ${show(now.domains)}: the records outside it are no longer managed, left as they are and no longer updated`,
      riskFloor: "medium",
    });
  if (widened)
    found.push({
      class: "route.added",
      summary: `--domain-filter ${show(was.domains)} → ${show(now.domains)}: external-dns publishes its objects' names under ${now.domains.length === 0 ? "any zone its provider serves" : domains.added.join(", ")} too`,
    });
  return found;
}

export const managedRecordsDetector: FileDetector = (_files, context) => {
  const before = new Map(externalDnsControllers(context, "base").map((controller) => [controller.id, controller]));
  return externalDnsControllers(context, "head").flatMap((now: ExternalDnsController): Detection[] => {
    const was = before.get(now.id);
    if (!was?.records || !now.records) return [];
    return judge(was.records, now.records).map((found) => ({
      class: found.class,
      summary: `${now.name}: ${found.summary}`,
      resource: now.resource,
      side: "head",
      path: [],
      before: was.records,
      after: now.records,
      ...(found.riskFloor ? { riskFloor: found.riskFloor } : {}),
      at: now.source,
    }));
  });
};
