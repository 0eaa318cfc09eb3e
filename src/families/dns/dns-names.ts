/**
 * A DNS name as external-dns compares it: trimmed, without the root's trailing dot, in lower case —
 * but for the variables a tree writes in it (`external.${SECRET_DOMAIN}`): Flux substitutes them by
 * their case-sensitive names, so a finding that lowered one would name a variable the tree lacks.
 */
export const dnsName = (name: string): string =>
  name
    .trim()
    .replace(/\.$/, "")
    .split(/(\$\{[^}]*\})/)
    .map((part, index) => (index % 2 === 1 ? part : part.toLowerCase()))
    .join("");
