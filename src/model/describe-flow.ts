import type { Backend, Flow } from "../core/traffic-model.js";

/** How reviewers read shares: `90%`, `33.3%`, `0%`. */
export const percent = (share: number | undefined): string => (share === undefined ? "—" : `${Number((share * 100).toFixed(1))}%`);

const UNKNOWN_REGION = "unknown";
/** A backend that spans clusters with no known placement: all we know is "several". */
const CLUSTERSET = "clusterset";

/** A multi-cluster backend the tree's exports place nowhere. */
const UNEXPORTED_REGION = "no exporting cluster";

/** Where a backend runs, as reports name it: its regions (`us-east1+eu-west1`), else `clusterset`, `no exporting cluster` or `unknown`. */
export const regionLabel = (backend: Backend): string =>
  backend.placement.regions.length > 0
    ? backend.placement.regions.join("+")
    : backend.placement.multiCluster
      ? CLUSTERSET
      : backend.placement.unexported
        ? UNEXPORTED_REGION
        : UNKNOWN_REGION;

const DEFAULT_MATCH = "PathPrefix /";

/** A match as reviewers read it: `/checkout, method POST`; empty for the catch-all. */
export function describeMatch(match: string): string {
  if (match === DEFAULT_MATCH) return "";
  return match
    .split(" | ")
    .map((alternative) => alternative.replace(/^PathPrefix (\/\S*)/, "$1").replace(/^\/, /, ""))
    .filter((alternative) => alternative !== "/")
    .join(" | ");
}

/** `shop.example.com /checkout POST` — the match is left out when it is the catch-all. */
export function describeFlow(flow: Flow): string {
  const match = describeMatch(flow.match);
  const host = flow.audience ? `${flow.host} (as ${flow.audience} imports it)` : flow.host;
  return match ? `${host} ${match}` : host;
}

/** Backend labels as shown within one flow: a shared Istio host is named once, by the flow. */
export function shortLabel(label: string, flowHost: string): string {
  const [first, ...rest] = label.split(" ");
  if (rest.length > 0 && first !== undefined && (first === flowHost || first.split(".")[0] === flowHost.split(".")[0]))
    return rest.join(" ");
  return label;
}

/** How a reviewer names a rule among its host's rules: its match, or the catch-all. */
export const ruleLabel = (flow: Flow): string =>
  flow.takesUnmatched ? "default backend" : (flow.match === "*" ? "" : describeMatch(flow.match)) || "catch-all";
