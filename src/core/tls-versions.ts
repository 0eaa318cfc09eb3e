/**
 * TLS protocol versions as each API spells them (Envoy Gateway `1.2`, Istio `TLSV1_2`, Go's
 * `VersionTLS12`), ranked. A server's minimum lowered lets clients negotiate an older protocol;
 * below 1.2 (deprecated by RFC 8996, and every implementation's default floor) it is a weakening
 * of transport security, above it a medium change.
 */
const VERSIONS = ["1.0", "1.1", "1.2", "1.3"];

/** `1.2` for any spelling of TLS 1.2; undefined for what names no version (`Auto`, `TLS_AUTO`). */
export const tlsVersion = (spelled: string | undefined): string | undefined => {
  const digits = spelled?.replace(/^(?:TLS_?V?|VersionTLS)/i, "").replace("_", ".");
  const version = digits && /^1\d$/.test(digits) ? `${digits[0]}.${digits[1]}` : digits;
  return version !== undefined && VERSIONS.includes(version) ? version : undefined;
};

/** The floor every implementation here defaults to. */
export const DEFAULT_TLS_FLOOR = "1.2";

export const tlsVersionRank = (version: string): number => VERSIONS.indexOf(version);
