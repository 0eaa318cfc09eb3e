/**
 * Hostname overlap with `*` wildcards, as Gateway API listeners and Istio Gateway servers use them:
 * `*.example.com` covers `shop.example.com` and `a.b.example.com`, `*` covers everything.
 */
export function hostsOverlap(a: string, b: string): boolean {
  if (a === b || a === "*" || b === "*") return true;
  const wildA = a.startsWith("*.");
  const wildB = b.startsWith("*.");
  if (wildA && wildB) return a.slice(1).endsWith(b.slice(1)) || b.slice(1).endsWith(a.slice(1));
  if (wildA) return b.endsWith(a.slice(1));
  if (wildB) return a.endsWith(b.slice(1));
  return false;
}
