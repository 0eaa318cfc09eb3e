import { isFluxVariable } from "./flux-variable.js";

/**
 * Hostname intersection with `*` wildcards, as Gateway API listeners and Istio Gateway servers use
 * them: `*.example.com` covers `shop.example.com` and `a.b.example.com` (one or more labels, not
 * `example.com`), `*` covers everything. The intersection is the more specific of the two, the
 * hostname requests can carry where both apply (Gateway API "intersected hostname").
 */
export function hostIntersection(a: string, b: string): string | undefined {
  if (a === b || b === "*") return a;
  if (a === "*") return b;
  // A host a Flux variable the tree does not resolve stands for (`${FOO_HOST}` in an app repository)
  // may be any: its routes are judged where they may attach, not dropped as attached nowhere.
  if (isFluxVariable(a)) return isFluxVariable(b) || b.startsWith("*.") ? a : b;
  if (isFluxVariable(b)) return a.startsWith("*.") ? b : a;
  const wildA = a.startsWith("*.");
  const wildB = b.startsWith("*.");
  if (wildA && b.endsWith(a.slice(1))) return b;
  if (wildB && a.endsWith(b.slice(1))) return a;
  return undefined;
}

export const hostsOverlap = (a: string, b: string): boolean => hostIntersection(a, b) !== undefined;

/**
 * Whether every implementation sends requests for `host` to rules written for `pattern`: `*` takes
 * every host, wildcard ones too (a route's `*.chestr.dev` widened to `*` still serves them,
 * mchestr/home-cluster 333e4e6b6d); a wildcard takes a name one more label only (Gateway API lets it
 * take several, Envoy's suffix match does, others do not) and no other wildcard (`*.com` may not
 * take `a.b.example.com` of `*.example.com`), so a fallback is never claimed where one may not exist.
 */
export function surelyCovers(pattern: string, host: string): boolean {
  if (pattern === "*" || pattern === host) return true;
  if (host.startsWith("*") || hostIntersection(pattern, host) !== host) return false;
  return !host.slice(0, host.length - pattern.length + 1).includes(".");
}
