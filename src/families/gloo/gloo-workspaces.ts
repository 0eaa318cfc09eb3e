import { flag, list, record, spec, stringMap, text } from "../../core/json-access.js";
import type { Resource } from "../../core/resource.js";
import {
  canonical,
  sameValue,
  setChange,
  show,
  showLabels,
  showSetChange,
  sortedByCanonical,
  sortedSet,
} from "../../core/canonical-values.js";
import type { DetectionList } from "../../core/detection-list.js";
import type { ResourceChange } from "../../core/resource-change.js";
import { normal } from "./gloo-selectors.js";

/**
 * Gloo workspaces (admin.gloo.solo.io/v2; research §1.4): which clusters and namespaces a
 * workspace spans, and what it exports to or imports from other workspaces. A `*` name or the
 * `ALL` kind (also what an export without resources means) widens access to everything.
 */

const isWildcard = (name: string | undefined) => name === undefined || name === "" || name === "*";

/** `{app=x, tier=y}`, or "" for no labels. */
const bracedLabels = (labels: Readonly<Record<string, string>>): string =>
  Object.keys(labels).length > 0 ? `{${showLabels(labels)}}` : "";

// ---------------------------------------------------------------------------------------------
// Workspace

/** A workloadClusters namespace name takes a trailing `*` as a prefix match (`ns1*`); labelled ones match only themselves. */
const namespaceCovers = (pattern: string, namespace: string): boolean =>
  pattern === namespace ||
  pattern === "*" ||
  (pattern.endsWith("*") && !pattern.includes("{") && namespace.startsWith(pattern.slice(0, -1)));

/** `cluster-1: ns-a, ns-b`; a selector-only entry is shown by its selector. */
const clusterScopes = (resource: Resource | undefined): Map<string, { namespaces: string[]; index: number }> => {
  const scopes = new Map<string, { namespaces: string[]; index: number }>();
  list(spec(resource).workloadClusters).forEach((item, index) => {
    const entry = record(item);
    const selector = stringMap(entry.selector);
    const name = text(entry.name) || bracedLabels(selector) || "*";
    const namespaces = list(entry.namespaces).map((namespace) => {
      const labelled = bracedLabels(stringMap(record(namespace).labels));
      return `${text(record(namespace).name) ?? (labelled ? "" : "*")}${labelled}`;
    });
    const known = scopes.get(name);
    scopes.set(name, { namespaces: sortedSet([...(known?.namespaces ?? []), ...namespaces]), index: known?.index ?? index });
  });
  return scopes;
};

export const workspace = (change: ResourceChange, out: DetectionList): void => {
  const before = clusterScopes(change.base);
  const after = clusterScopes(change.head);
  const clusters = setChange(before.keys(), after.keys());
  for (const cluster of clusters.added) {
    const scope = after.get(cluster)!;
    const every = cluster === "*";
    out.add({
      class: every ? "access.widened" : "resource.changed",
      summary: every
        ? `workloadClusters name "*": the workspace spans every cluster, so their namespaces' services and gateways join it`
        : `workloadClusters adds ${cluster} (${scope.namespaces.join(", ") || "no namespaces"}): that cluster's services join the workspace`,
      side: "head",
      path: ["spec", "workloadClusters", scope.index],
      before: sortedSet(before.keys()),
      after: sortedSet(after.keys()),
      ...(every ? {} : { riskFloor: "medium-high" as const }),
    });
  }
  // A cluster dropped while a `*` entry takes the same namespaces of every cluster is still in the
  // workspace (gloo-d24: cluster-east → "*" keeps cluster-east).
  const everyCluster = after.get("*");
  const stillIncluded = (cluster: string) =>
    everyCluster !== undefined &&
    before.get(cluster)!.namespaces.every((namespace) => everyCluster.namespaces.some((pattern) => namespaceCovers(pattern, namespace)));
  for (const cluster of clusters.removed) {
    if (stillIncluded(cluster)) continue;
    out.add({
      class: "resource.changed",
      summary: `workloadClusters no longer includes ${cluster}: routes and policies of the workspace stop reaching its services`,
      side: "base",
      path: ["spec", "workloadClusters", before.get(cluster)!.index],
      before: sortedSet(before.keys()),
      after: sortedSet(after.keys()),
      riskFloor: "medium-high",
    });
  }
  for (const [cluster, scope] of after) {
    const was = before.get(cluster);
    if (!was || sameValue(was.namespaces, scope.namespaces)) continue;
    const namespaces = setChange(was.namespaces, scope.namespaces);
    const every = namespaces.added.some((namespace) => namespace === "*") && !was.namespaces.includes("*");
    out.add({
      class: every ? "access.widened" : "resource.changed",
      summary: `${cluster} namespaces ${show(was.namespaces)} → ${show(scope.namespaces)}${every ? ": every namespace of the cluster joins the workspace" : ""}`,
      side: "head",
      path: ["spec", "workloadClusters", scope.index, "namespaces"],
      before: was.namespaces,
      after: scope.namespaces,
      ...(every ? {} : { riskFloor: "medium" as const }),
    });
  }
};

// ---------------------------------------------------------------------------------------------
// WorkspaceSettings

interface ExportView {
  /** Workspace names and selectors, sorted: the export's identity. */
  readonly workspaces: string[];
  /** Kinds exported; `ALL` when the entry lists no resources or a resource names no kind. */
  readonly kinds: string[];
  readonly resources: unknown;
  /** The entry names no resource selector: it exports everything of the workspace. */
  readonly everything: boolean;
  readonly index: number;
}

const workspaceSelector = (value: unknown): string => {
  const selector = record(value);
  const name = text(selector.name);
  const labelled = bracedLabels(stringMap(selector.selector));
  return labelled ? `${name ?? ""}${labelled}` : isWildcard(name) ? "*" : (name as string);
};

const exportsOf = (resource: Resource | undefined, field: "exportTo" | "importFrom"): ExportView[] =>
  list(spec(resource)[field]).map((item, index) => {
    const entry = record(item);
    const resources = list(entry.resources);
    return {
      workspaces: sortedSet(list(entry.workspaces).map(workspaceSelector)),
      kinds: resources.length === 0 ? ["ALL"] : sortedSet(resources.map((selector) => text(record(selector).kind) ?? "ALL")),
      // A set: Gloo exports what any of the selectors selects.
      resources: normal(sortedByCanonical(resources)),
      everything: resources.length === 0,
      index,
    };
  });

const everyWorkspace = (view: ExportView) => view.workspaces.includes("*");
const everyKind = (view: ExportView) => view.kinds.includes("ALL");
const describeExport = (view: ExportView) => `${view.kinds.join(", ")} to ${view.workspaces.join(", ") || "(no workspace)"}`;

const exportTo = (change: ResourceChange, out: DetectionList): void => {
  const before = exportsOf(change.base, "exportTo");
  const after = exportsOf(change.head, "exportTo");
  const key = (view: ExportView) => canonical(view.workspaces);
  const wasAllWorkspaces = before.some(everyWorkspace);
  for (const now of after) {
    const was = before.find((candidate) => key(candidate) === key(now));
    if (was && sameValue(was.resources, now.resources)) continue;
    const toEveryWorkspace = everyWorkspace(now) && !wasAllWorkspaces;
    const allKinds = everyKind(now) && !(was && everyKind(was));
    const widened = toEveryWorkspace || allKinds;
    out.add({
      class: widened ? "access.widened" : "export.changed",
      summary: `exportTo ${was ? `${describeExport(was)} → ` : "adds "}${describeExport(now)}${
        toEveryWorkspace
          ? ": exported to every workspace"
          : allKinds
            ? ": every kind (services, VirtualDestinations, RouteTables…) is exported"
            : ": the importing workspaces can route to these resources"
      }`,
      side: "head",
      path: ["spec", "exportTo", now.index],
      before: was ? { workspaces: was.workspaces, kinds: was.kinds, resources: was.resources } : undefined,
      after: { workspaces: now.workspaces, kinds: now.kinds, resources: now.resources },
    });
  }
  // An entry whose workspaces and resources another entry still exports to (`*`, or a list naming them all) loses nothing.
  const stillExported = (was: ExportView) =>
    after.some(
      (now) =>
        (everyWorkspace(now) || was.workspaces.every((workspace) => now.workspaces.includes(workspace))) &&
        (now.everything || sameValue(now.resources, was.resources)),
    );
  for (const was of before) {
    if (after.some((candidate) => key(candidate) === key(was)) || stillExported(was)) continue;
    out.add({
      class: "export.changed",
      summary: `exportTo no longer exports ${describeExport(was)}: routes in those workspaces that use these resources break`,
      side: "base",
      path: ["spec", "exportTo", was.index],
      before: { workspaces: was.workspaces, kinds: was.kinds, resources: was.resources },
    });
  }
};

const importFrom = (change: ResourceChange, out: DetectionList): void => {
  const view = (resource: Resource | undefined) => sortedSet(exportsOf(resource, "importFrom").map(describeExport));
  const before = view(change.base);
  const after = view(change.head);
  if (sameValue(before, after)) return;
  const imports = setChange(before, after);
  out.add({
    class: "resource.changed",
    summary: `importFrom ${showSetChange(imports).join(", ")}: which other workspaces' exported resources this workspace can route to changes`,
    side: "head",
    path: ["spec", "importFrom"],
    before,
    after,
    riskFloor: "medium",
  });
};

const options = (change: ResourceChange, out: DetectionList): void => {
  const was = record(spec(change.base).options);
  const now = record(spec(change.head).options);
  const isolationBefore = flag(record(was.serviceIsolation).enabled) ?? false;
  const isolationAfter = flag(record(now.serviceIsolation).enabled) ?? false;
  if (isolationBefore && !isolationAfter) {
    out.add({
      class: "access.widened",
      summary: "options.serviceIsolation.enabled true → false: workspaces that do not import this one can reach its services again",
      side: "head",
      path: ["spec", "options", "serviceIsolation"],
      before: true,
      after: false,
    });
  }
  const federationBefore = flag(record(was.federation).enabled) ?? false;
  const federationAfter = flag(record(now.federation).enabled) ?? false;
  if (!federationBefore && federationAfter) {
    out.add({
      class: "access.widened",
      summary:
        "options.federation.enabled false → true: selected services get cross-cluster hostnames that every client of the workspace can reach",
      side: "head",
      path: ["spec", "options", "federation"],
      before: false,
      after: true,
    });
  }
  for (const field of ["eastWestGateways", "virtualDestClientMode"] as const) {
    if (sameValue(was[field], now[field])) continue;
    out.add({
      class: "resource.changed",
      summary: `options.${field} ${show(normal(was[field]))} → ${show(normal(now[field]))}: how cross-cluster traffic of the workspace crosses the east-west gateways changes`,
      side: "head",
      path: ["spec", "options", field],
      before: normal(was[field]),
      after: normal(now[field]),
      riskFloor: "medium-high",
    });
  }
};

export const workspaceSettings = (change: ResourceChange, out: DetectionList): void => {
  exportTo(change, out);
  importFrom(change, out);
  options(change, out);
};
