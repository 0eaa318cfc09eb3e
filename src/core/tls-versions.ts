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

/** Cipher suites broken or weak at any TLS version: 3DES (Sweet32), RC4, NULL, export-grade, MD5 MACs. */
const BROKEN_CIPHER = /(?:^|[-_])(?:3DES|DES|RC4|NULL|EXP|EXPORT|MD5)(?:[-_]|$)|DES-CBC3/i;

/** Whether a TLS 1.2 suite agrees keys ephemerally (forward secrecy); TLS 1.3 suites always do. */
const forwardSecret = (cipher: string): boolean => /^(?:ECDHE|DHE|TLS_AES|TLS_CHACHA20)|^TLS_(?:ECDHE|DHE)_/i.test(cipher);

/**
 * What a server's cipher list, set where it was another (or the implementation's default, which
 * holds neither kind), makes weaker: suites it now accepts that are broken, or no suite left with
 * forward secrecy. Undefined when it is no weaker.
 */
export function weakenedCiphers(before: readonly string[] | undefined, after: readonly string[] | undefined): string | undefined {
  if (!after || after.length === 0) return undefined;
  const broken = after.filter((cipher) => BROKEN_CIPHER.test(cipher) && !(before ?? []).includes(cipher));
  if (broken.length > 0) return `it now accepts ${broken.join(", ")}, broken cipher suites`;
  const secretBefore = before === undefined || before.length === 0 || before.some(forwardSecret);
  if (secretBefore && !after.some(forwardSecret))
    return "no suite left agrees keys ephemerally: recorded traffic can be decrypted once the server's key leaks";
  return undefined;
}
