import { list, record, spec, stringMap, text, type JsonRecord } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { canonical, show, sortedSet } from "../../core/canonical-values.js";

/**
 * Gloo selectors (common.gloo.solo.io ObjectSelector, DestinationSelector, RouteSelector) in a
 * readable, comparable form. An empty field selects everything in the workspace.
 */

const SELECTOR_FIELDS = ["name", "namespace", "cluster", "workspace"] as const;

/** `{app=checkout, cluster=eu-1}`, or `everything` for an empty selector. */
export const describeSelector = (value: unknown): string => {
  const fields = record(value);
  const parts = [
    ...Object.entries(stringMap(fields.labels))
      .map(([key, item]) => `${key}=${item}`)
      .sort(),
    ...SELECTOR_FIELDS.flatMap((field) => (text(fields[field]) ? [`${field}=${text(fields[field])}`] : [])),
  ];
  return parts.length === 0 ? "everything" : `{${parts.join(", ")}}`;
};

/** Destination selectors of a policy, sorted: `VIRTUAL_DESTINATION {app=checkout}`. */
export const destinationSelectors = (value: unknown): string[] =>
  sortedSet(
    list(value).map((item) => {
      const selector = record(item);
      const port = record(selector.port);
      const portLabel = text(port.name) ?? (port.number === undefined ? "" : `:${show(port.number)}`);
      return `${text(selector.kind) ?? "SERVICE"} ${describeSelector(selector.selector)}${portLabel}`;
    }),
  );

/** What a policy's `applyToDestinations` reaches, for summaries. */
export const describeDestinations = (value: unknown): string => {
  const selectors = destinationSelectors(value);
  return selectors.length === 0 ? "every destination of the workspace" : selectors.join(", ");
};

/** Route selectors of a policy (`route` labels or `withDestinations`), sorted. */
export const routeSelectors = (value: unknown): string[] =>
  sortedSet(
    list(value).map((item) => {
      const selector = record(item);
      if (selector.withDestinations !== undefined) return `routes to ${destinationSelectors([selector.withDestinations]).join("")}`;
      // A selector that names nothing (`{}`) picks every route.
      return Object.keys(record(selector.route)).length === 0 ? "every route" : `routes ${describeSelector(selector.route)}`;
    }),
  );

export const describeRoutes = (value: unknown): string => {
  const selectors = routeSelectors(value);
  return selectors.length === 0 ? "every route of the workspace" : selectors.join(", ");
};

/** The DestinationSelector `kind` that names each Gloo destination kind (SERVICE, the default, names core Services). */
const DESTINATION_KINDS: Readonly<Record<string, string>> = {
  VirtualDestination: "VIRTUAL_DESTINATION",
  ExternalService: "EXTERNAL_SERVICE",
};

/**
 * Whether a policy's `applyToDestinations` selects this destination by kind, name, namespace and
 * labels (an empty list selects every destination of the workspace). Cluster and workspace are not
 * resolved: taken to match, as they are the same on both sides of a relabel.
 */
export const selectsDestination = (value: unknown, destination: Resource): boolean => {
  const selectors = list(value).map(record);
  return (
    selectors.length === 0 ||
    selectors.some((selector) => {
      const fields = record(selector.selector);
      return (
        (text(selector.kind) ?? "SERVICE") === DESTINATION_KINDS[destination.id.kind] &&
        (!text(fields.name) || text(fields.name) === destination.id.name) &&
        (!text(fields.namespace) || text(fields.namespace) === destination.id.namespace) &&
        Object.entries(stringMap(fields.labels)).every(([key, item]) => destination.labels[key] === item)
      );
    })
  );
};

/** Whether a resource is a destination a DestinationSelector names (a VirtualDestination or ExternalService). */
export const isDestination = (resource: Resource): boolean =>
  resource.family === "gloo" && DESTINATION_KINDS[resource.id.kind] !== undefined;

/** A tree's destinations policies select (VirtualDestinations, ExternalServices). */
export const destinationsIn = (tree: ManifestSet): Resource[] =>
  Object.keys(DESTINATION_KINDS)
    .flatMap((kind) => resourcesOfKind(tree, kind))
    .filter(isDestination);

/**
 * Whether every destination the `narrow` selector list can select, `wide` selects too (empty =
 * all): each narrow selector meets a wide one of its kind whose port, fields and labels ask no more.
 */
export const destinationsCover = (wide: unknown, narrow: unknown): boolean => {
  const widest = list(wide).map(record);
  const narrowest = list(narrow).map(record);
  if (widest.length === 0) return true;
  if (narrowest.length === 0) return false;
  return narrowest.every((n) =>
    widest.some((w) => {
      const [x, y] = [record(w.selector), record(n.selector)];
      return (
        (text(w.kind) ?? "SERVICE") === (text(n.kind) ?? "SERVICE") &&
        (w.port === undefined || canonical(w.port) === canonical(n.port)) &&
        SELECTOR_FIELDS.every((field) => !text(x[field]) || text(x[field]) === text(y[field])) &&
        Object.entries(stringMap(x.labels)).every(([key, item]) => stringMap(y.labels)[key] === item)
      );
    }),
  );
};

/** Whether two destination selector lists can select a common destination (empty = all). */
export const destinationsOverlap = (a: unknown, b: unknown): boolean => {
  const left = list(a).map((item) => record(record(item).selector));
  const right = list(b).map((item) => record(record(item).selector));
  if (left.length === 0 || right.length === 0) return true;
  const compatible = (x: Readonly<Record<string, unknown>>, y: Readonly<Record<string, unknown>>) => {
    for (const field of SELECTOR_FIELDS) {
      const one = text(x[field]);
      const two = text(y[field]);
      if (one && two && one !== two) return false;
    }
    const xLabels = stringMap(x.labels);
    const yLabels = stringMap(y.labels);
    return Object.keys(xLabels).every((key) => yLabels[key] === undefined || yLabels[key] === xLabels[key]);
  };
  return left.some((x) => right.some((y) => compatible(x, y)));
};

export const normal = (value: unknown): unknown => (value === undefined ? undefined : (JSON.parse(canonical(value)) as unknown));

/** A Gloo policy's `config` (every policy kind keeps its settings there). */
export const config = (resource: Resource | undefined): JsonRecord => record(spec(resource).config);
