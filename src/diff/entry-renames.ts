import { sharedText } from "../core/string-table.js";
import { flatText } from "../core/flat-text.js";
import { unscopedEntry, type Flow, type RouteEntries, type TrafficModel } from "../core/traffic-model.js";

/**
 * The base model with the entries the PR renamed (src/detect/renamed-resources.ts: an Istio Gateway
 * renamed, its VirtualServices' `gateways` following) called by their head names, scope kept: the
 * route diff then pairs their flows as the same flows and finds their routes attached where they
 * were, so what the routes send, and where, is still compared. A model with no renamed entry is itself.
 */
export function withEntriesRenamed(model: TrafficModel, renamed: ReadonlyMap<string, string>): TrafficModel {
  if (renamed.size === 0) return model;
  const rename = (entry: string): string => {
    const unscoped = unscopedEntry(entry);
    const to = renamed.get(unscoped);
    return to === undefined ? entry : sharedText(`${to}${entry.slice(unscoped.length)}`);
  };
  const flows = new Map<string, Flow>();
  for (const flow of model.flows.values()) {
    const entry = rename(flow.entry);
    // A flow's key starts with its entry (src/model/flow-builder.ts).
    const renamedFlow = entry === flow.entry ? flow : { ...flow, entry, key: flatText(`${entry}${flow.key.slice(flow.entry.length)}`) };
    flows.set(renamedFlow.key, renamedFlow);
  }
  const routes = new Map<string, RouteEntries>();
  for (const [key, route] of model.routes) {
    const entries = route.entries.map(rename);
    routes.set(key, entries.some((entry, i) => entry !== route.entries[i]) ? { ...route, entries } : route);
  }
  return { ...model, flows, routes };
}
