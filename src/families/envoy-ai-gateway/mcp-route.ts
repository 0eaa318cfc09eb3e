import type { Check } from "../../core/by-kind.js";
import { canonical, show } from "../../core/canonical-values.js";
import { list, record, spec, text, texts, type JsonRecord } from "../../core/json-access.js";
import type { Resource } from "../../core/resource.js";

/**
 * An MCPRoute serves the tools of MCP servers (its backendRefs) to agents at a path of its
 * Gateways: a server added serves its tools (route.added), one removed stops serving them
 * (route.removed); a tool selector that lets more tools through, or authentication or
 * authorization taken off the route, widens who may call what (access.widened); the credentials
 * sent to a server are trust; where it is served (parents, hostnames, path, headers) is its match.
 * MCP servers answer tool calls with actions on their systems, so a narrower selector is a change
 * too (clients lose tools), and is said as one.
 */
const AUTHENTICATION = ["oauth", "apiKeyAuth", "extAuth"] as const;

const backends = (route: Resource): Map<string, { readonly index: number; readonly ref: JsonRecord }> =>
  new Map(list(spec(route).backendRefs).map((item, index) => [text(record(item).name) ?? `#${index}`, { index, ref: record(item) }]));

/** What a selector lets through, field by field; no selector lets every tool through. */
interface Selector {
  readonly all: boolean;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}
const selectorOf = (ref: JsonRecord): Selector => {
  const selector = record(ref.toolSelector);
  const include = [...texts(selector.include), ...texts(selector.includeRegex).map((regex) => `~${regex}`)];
  return {
    all: include.length === 0,
    include,
    exclude: [...texts(selector.exclude), ...texts(selector.excludeRegex).map((regex) => `~${regex}`)],
  };
};

/** Tools let through that were not, and tools no longer let through, as far as the lists tell. */
function selectorChange(was: Selector, now: Selector): { widened: string[]; narrowed: string[] } {
  const widened: string[] = [];
  const narrowed: string[] = [];
  if (now.all && !was.all) widened.push("every tool (no include list)");
  if (was.all && !now.all) narrowed.push(`only ${now.include.join(", ")}`);
  if (!was.all && !now.all) {
    widened.push(...now.include.filter((tool) => !was.include.includes(tool)).map((tool) => `+${tool}`));
    narrowed.push(...was.include.filter((tool) => !now.include.includes(tool)).map((tool) => `-${tool}`));
  }
  widened.push(...was.exclude.filter((tool) => !now.exclude.includes(tool)).map((tool) => `${tool} no longer excluded`));
  narrowed.push(...now.exclude.filter((tool) => !was.exclude.includes(tool)).map((tool) => `${tool} excluded`));
  return { widened, narrowed };
}

const guards = (route: Resource): string[] => AUTHENTICATION.filter((method) => record(spec(route).securityPolicy)[method] !== undefined);

const authorization = (route: Resource): JsonRecord | undefined => {
  const found = record(spec(route).securityPolicy).authorization;
  return found === undefined ? undefined : record(found);
};

/** Authorization that lets more through: none where there was, a default turned to Allow, a Deny rule dropped or an Allow rule added. */
function authorizationWidened(was: JsonRecord | undefined, now: JsonRecord | undefined): string | undefined {
  if (!was) return undefined;
  if (!now) return "authorization removed";
  if ((text(was.defaultAction) ?? "Deny") === "Deny" && text(now.defaultAction) === "Allow") return "defaultAction Deny → Allow";
  const rules = (side: JsonRecord, action: string) =>
    list(side.rules)
      .filter((rule) => (text(record(rule).action) ?? "Allow") === action)
      .map(canonical);
  if (rules(was, "Deny").some((rule) => !rules(now, "Deny").includes(rule))) return "a Deny rule removed";
  if (rules(now, "Allow").some((rule) => !rules(was, "Allow").includes(rule))) return "an Allow rule added";
  return undefined;
}

export const mcpRoute: Check = (change, out) => {
  if (!change.base || !change.head) return;
  const [base, head] = [change.base, change.head];
  const [before, after] = [backends(base), backends(head)];
  for (const [name, { index, ref }] of after) {
    const was = before.get(name);
    if (!was) {
      out.add({
        class: "route.added",
        summary: `serves the tools of MCP server ${name}`,
        side: "head",
        path: ["spec", "backendRefs", index],
      });
      continue;
    }
    const path = ["spec", "backendRefs", index];
    const { toolSelector: _now, securityPolicy: credentialsNow, ...whereNow } = ref;
    const { toolSelector: _was, securityPolicy: credentialsWas, ...whereWas } = was.ref;
    if (canonical(whereWas) !== canonical(whereNow))
      out.add({
        class: "resource.changed",
        summary: `MCP server ${name} → ${show(whereNow)}: its tool calls go to another server`,
        side: "head",
        path,
        before: whereWas,
        after: whereNow,
        riskFloor: "high",
      });
    if (canonical(credentialsWas ?? null) !== canonical(credentialsNow ?? null))
      out.add({
        class: "trust.changed",
        summary: `MCP server ${name}: the credentials the gateway presents to it change`,
        side: "head",
        path: [...path, "securityPolicy"],
      });
    const { widened, narrowed } = selectorChange(selectorOf(was.ref), selectorOf(ref));
    if (widened.length > 0)
      out.add({
        class: "access.widened",
        summary: `MCP server ${name} tool selector lets more tools through: ${widened.join(", ")}`,
        side: "head",
        path: [...path, "toolSelector"],
        before: was.ref.toolSelector ?? null,
        after: ref.toolSelector ?? null,
      });
    else if (narrowed.length > 0)
      out.add({
        class: "resource.changed",
        summary: `MCP server ${name} tool selector lets fewer tools through: ${narrowed.join(", ")}: agents calling those fail`,
        side: "head",
        path: [...path, "toolSelector"],
        before: was.ref.toolSelector ?? null,
        after: ref.toolSelector ?? null,
        riskFloor: "medium",
      });
  }
  for (const [name, { index }] of before)
    if (!after.has(name))
      out.add({
        class: "route.removed",
        summary: `no longer serves the tools of MCP server ${name}`,
        side: "base",
        path: ["spec", "backendRefs", index],
      });
  const lost = guards(base).filter((method) => !guards(head).includes(method));
  if (lost.length > 0)
    out.add({
      class: "access.widened",
      summary: `securityPolicy no longer requires ${lost.join(", ")}: agents reach its tools without it`,
      side: "head",
      path: ["spec", "securityPolicy"],
      before: guards(base),
      after: guards(head),
    });
  const opened = authorizationWidened(authorization(base), authorization(head));
  if (opened)
    out.add({
      class: "access.widened",
      summary: `securityPolicy authorization: ${opened}: more tool calls are allowed`,
      side: "head",
      path: ["spec", "securityPolicy", "authorization"],
    });
  if (canonical(spec(base).parentRefs ?? null) !== canonical(spec(head).parentRefs ?? null))
    out.add({
      class: "route.attachment-changed",
      summary: "served on other Gateways (parentRefs)",
      side: "head",
      path: ["spec", "parentRefs"],
    });
  const served = (route: Resource) => canonical([spec(route).hostnames ?? null, spec(route).path ?? null, spec(route).headers ?? null]);
  if (served(base) !== served(head))
    out.add({ class: "route.match-changed", summary: "served at other hostnames, path or headers", side: "head", path: ["spec"] });
};

/** An MCPRoute added serves its servers' tools; removed, it stops: the route's own finding, with whether it asks agents who they are. */
export const mcpRouteAddedOrRemoved: Check = (change, out) => {
  if (change.base && change.head) return;
  const route = (change.head ?? change.base)!;
  const auth = guards(route);
  const servers = [...backends(route).keys()].join(", ");
  out.add(
    change.head
      ? {
          class: "route.added",
          summary: `serves the tools of ${servers} ${auth.length > 0 ? `to agents with ${auth.join(", ")}` : "to any agent that reaches its Gateway (no authentication)"}`,
          side: "head",
          path: ["spec"],
        }
      : { class: "route.removed", summary: `no longer serves the tools of ${servers}`, side: "base", path: ["spec"] },
  );
};
