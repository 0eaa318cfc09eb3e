import type { Flow } from "./traffic-model.js";

/** How reviewers read shares: `90%`, `33.3%`, `0%`. */
export const percent = (share: number | undefined): string =>
  share === undefined ? "—" : `${Number((share * 100).toFixed(1))}%`;

const DEFAULT_MATCH = "PathPrefix /";

/** `shop.example.com /checkout POST` — the match is left out when it is the catch-all. */
export function describeFlow(flow: Flow): string {
  const match = flow.match
    .split(" | ")
    .map((alternative) => alternative.replace(/^PathPrefix (\/\S*)/, "$1").replace(/^\/, /, ""))
    .filter((alternative) => alternative !== "/")
    .join(" | ");
  const host = flow.host === "*" ? "*" : flow.host;
  return flow.match === DEFAULT_MATCH || !match ? host : `${host} ${match}`;
}

/** Backend labels as shown within one flow: a shared Istio host is named once, by the flow. */
export function shortLabel(label: string, flowHost: string): string {
  const [first, ...rest] = label.split(" ");
  if (rest.length > 0 && first !== undefined && (first === flowHost || first.split(".")[0] === flowHost.split(".")[0])) return rest.join(" ");
  return label;
}
