import { list, record, spec, stringMap, text, type JsonRecord } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { GLOO_NETWORKING_GROUP } from "./flows.js";

/**
 * Which routes of a tree's RouteTables a Gloo policy selects (`applyToRoutes`: RouteSelectors by
 * route or table labels and the table's namespace, or by the destinations a route forwards
 * to). Shared by the policies that act on routes: resilience, traffic control and security.
 */

export interface RouteOfTable {
  readonly table: Resource;
  readonly route: JsonRecord;
  /** Where the route is in its table, for pairing unnamed routes across trees. */
  readonly index: number;
}

/** The routes of a tree's RouteTables, found once a tree: every changed Gloo policy of a PR asks. */
const routesOf = new WeakMap<ManifestSet, readonly RouteOfTable[]>();
export const routesOfTables = (tree: ManifestSet): readonly RouteOfTable[] => {
  let routes = routesOf.get(tree);
  if (!routes) {
    routes = [...tree.resources.values()]
      .filter((resource) => resource.id.kind === "RouteTable" && resource.id.group === GLOO_NETWORKING_GROUP)
      .flatMap((table) => list(spec(table).http).map((route, index) => ({ table, route: record(route), index })));
    routesOf.set(tree, routes);
  }
  return routes;
};

/** One route across trees: its table's key and its name (its place in the table when it has none). */
export const routeId = ({ table, route, index }: RouteOfTable): string => `${table.key}#${text(route.name) ?? index}`;

/** A route as reviewers find it: `route checkout of RouteTable shop/frontend`. */
export const routeLabel = ({ table, route, index }: RouteOfTable): string =>
  `route ${text(route.name) ?? `#${index + 1}`} of RouteTable ${table.id.namespace}/${table.id.name}`;

const labelsMatch = (wanted: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>) =>
  Object.entries(wanted).every(([key, value]) => labels[key] === value);

/** Whether a route selector picks this route (route or table labels, table namespace; destinations by name/namespace). */
export const selectsRoute = (selector: JsonRecord, { table, route }: Pick<RouteOfTable, "table" | "route">): boolean => {
  if (selector.withDestinations !== undefined) {
    const wanted = record(record(selector.withDestinations).selector);
    return list(record(route.forwardTo).destinations).some((destination) => {
      const ref = record(record(destination).ref);
      return (
        (!text(wanted.name) || text(wanted.name) === text(ref.name)) &&
        (!text(wanted.namespace) || text(wanted.namespace) === (text(ref.namespace) ?? table.id.namespace))
      );
    });
  }
  const byRoute = record(selector.route);
  if (text(byRoute.namespace) && text(byRoute.namespace) !== table.id.namespace) return false;
  const wanted = stringMap(byRoute.labels);
  return labelsMatch(wanted, stringMap(route.labels)) || labelsMatch(wanted, table.labels);
};

/** The routes of a tree a policy's `applyToRoutes` selects; `whenEmpty` says what a policy that names none selects. */
export const selectedRoutes = (policy: Resource, tree: ManifestSet, whenEmpty: "all" | "none"): RouteOfTable[] => {
  const selectors = list(spec(policy).applyToRoutes).map(record);
  const routes = routesOfTables(tree);
  if (selectors.length === 0) return whenEmpty === "all" ? [...routes] : [];
  return routes.filter((route) => selectors.some((selector) => selectsRoute(selector, route)));
};
