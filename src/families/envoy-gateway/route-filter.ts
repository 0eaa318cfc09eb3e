import { byKind, type Check } from "../../core/by-kind.js";
import { canonical, sameValue, show } from "../../core/canonical-values.js";
import { isRecord, numeric, spec } from "../../core/json-access.js";
import type { Resource } from "../../core/resource.js";
import { ENVOY_GATEWAY_GROUP } from "./policy-targets.js";
import { rulesNaming } from "./route-references.js";
import { listedNames, removedWhileNamed } from "../../core/removed-while-named.js";

/**
 * Envoy Gateway's HTTPRouteFilter: what an HTTPRoute or GRPCRoute rule that names it by ExtensionRef
 * does with its requests — answer them itself (`directResponse`, status 200 unless set), rewrite
 * their host or path (`urlRewrite`), narrow the requests the rule takes (`matches`, ANDed with the
 * rule's), or add credentials on the way to the backend (`credentialInjection`). An edit changes
 * every rule that names it while those routes stay as they were; a filter removed while still named
 * leaves those rules unresolvable, and Envoy Gateway answers their requests with 500.
 */

/** The status a direct response answers with; undefined when the filter forwards. */
const answers = (filter: Resource | undefined): number | undefined => {
  const response = spec(filter).directResponse;
  return isRecord(response) ? (numeric(response.statusCode) ?? 200) : undefined;
};

const removed = removedWhileNamed(
  rulesNaming,
  (rules) =>
    `removed while ${listedNames(rules)} still ${rules.length === 1 ? "names" : "name"} it: Envoy Gateway cannot resolve the filter and answers their requests with 500`,
);

const edited: Check = (change, out, context) => {
  if (!change.base || !change.head) return;
  const rules = rulesNaming(context.head, change.head);
  if (rules.length === 0) return;
  const scope = listedNames(rules);
  const [was, now] = [answers(change.base), answers(change.head)];
  if (now !== undefined && now >= 400 && (was === undefined || was < 400))
    out.add({
      class: "backend.all-removed",
      summary: `directResponse ${now}${was === undefined ? "" : ` (was ${was})`}: the proxy answers every request of ${scope} with ${now} instead of forwarding it to their backends`,
      side: "head",
      path: ["spec", "directResponse"],
      before: was ?? null,
      after: now,
    });
  else if ((was === undefined) !== (now === undefined))
    out.add({
      class: "route.match-changed",
      summary:
        now === undefined
          ? `directResponse removed: requests of ${scope} reach their backends again (the proxy answered them with ${was})`
          : `directResponse ${now} added: the proxy answers the requests of ${scope} itself, they no longer reach their backends`,
      side: now === undefined ? "base" : "head",
      path: ["spec", "directResponse"],
      before: was ?? null,
      after: now ?? null,
    });
  const field = (name: string) => [spec(change.base)[name], spec(change.head)[name]] as const;
  const [rewriteBefore, rewriteAfter] = field("urlRewrite");
  if (!sameValue(rewriteBefore, rewriteAfter))
    out.add({
      class: "route.match-changed",
      summary: `urlRewrite ${rewriteBefore === undefined ? "(none)" : show(rewriteBefore)} → ${rewriteAfter === undefined ? "(none)" : show(rewriteAfter)}: the backends of ${scope} receive another host or path`,
      side: "head",
      path: ["spec", "urlRewrite"],
      before: rewriteBefore ?? null,
      after: rewriteAfter ?? null,
    });
  const [matchesBefore, matchesAfter] = field("matches");
  if (canonical(matchesBefore ?? []) !== canonical(matchesAfter ?? []))
    out.add({
      class: "route.match-changed",
      summary: `matches ${show(matchesBefore ?? [])} → ${show(matchesAfter ?? [])}: ${scope} take other requests (the filter's matches are ANDed with the rule's)`,
      side: "head",
      path: ["spec", "matches"],
      before: matchesBefore ?? null,
      after: matchesAfter ?? null,
    });
  const [credentialBefore, credentialAfter] = field("credentialInjection");
  if (!sameValue(credentialBefore, credentialAfter))
    out.add({
      class: "resource.changed",
      summary: `credentialInjection changed: the backends of ${scope} receive other credentials${credentialAfter === undefined ? " (none now)" : ""}`,
      side: "head",
      path: ["spec", "credentialInjection"],
      before: credentialBefore ?? null,
      after: credentialAfter ?? null,
      riskFloor: "medium",
    });
};

export const routeFilterDetector = byKind({ HTTPRouteFilter: [removed, edited] }, (id) => id.group === ENVOY_GATEWAY_GROUP);
