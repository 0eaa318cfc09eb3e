/**
 * The prefixes of external-dns annotations, and of Cloudflare's providerSpecific names: external-dns
 * v0.22 reads `external-dns.kubernetes.io/` by default, earlier versions the alpha one, and a
 * controller reads one prefix only (`--annotation-prefix`), with no fallback to the other — which
 * one the repository's controllers read it does not say. The GA prefix first.
 */
export const EXTERNAL_DNS_PREFIXES = ["external-dns.kubernetes.io/", "external-dns.alpha.kubernetes.io/"] as const;

/** An annotation's external-dns setting (`target`, `hostname`, …), or undefined for any other annotation. */
export const externalDnsSetting = (key: string): string | undefined => {
  const prefix = EXTERNAL_DNS_PREFIXES.find((candidate) => key.startsWith(candidate));
  return prefix && key.slice(prefix.length);
};
