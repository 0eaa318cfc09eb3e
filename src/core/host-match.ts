/**
 * Hostname intersection with `*` wildcards, as Gateway API listeners and Istio Gateway servers use
 * them: `*.example.com` covers `shop.example.com` and `a.b.example.com` (one or more labels, not
 * `example.com`), `*` covers everything. The intersection is the more specific of the two, the
 * hostname requests can carry where both apply (Gateway API "intersected hostname").
 */
export function hostIntersection(a: string, b: string): string | undefined {
  if (a === b || b === "*") return a;
  if (a === "*") return b;
  const wildA = a.startsWith("*.");
  const wildB = b.startsWith("*.");
  if (wildA && b.endsWith(a.slice(1))) return b;
  if (wildB && a.endsWith(b.slice(1))) return a;
  return undefined;
}

export const hostsOverlap = (a: string, b: string): boolean => hostIntersection(a, b) !== undefined;
