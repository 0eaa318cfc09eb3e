import type { ChangeClassId } from "../../core/change-classes.js";
import { setChange, sortedSet } from "../../core/canonical-values.js";
import { texts } from "../../core/json-access.js";
import type { RiskLevel } from "../../core/risk-level.js";

/** cert-manager's default usages (Certificate API reference). */
export const DEFAULT_USAGES = ["digital signature", "key encipherment"];

/**
 * A usage as cert-manager reads it (pkg/api/util's usage tables): `signing` is the digital
 * signature bit, `s/mime` the email protection extended usage.
 */
const ALIASES: Readonly<Record<string, string>> = { signing: "digital signature", "s/mime": "email protection" };

/**
 * The usages a Certificate requests, cert-manager's defaults where it names none; `cert sign` where
 * `ca` says it is a CA, as cert-manager gives every isCA certificate that bit whatever it lists
 * (pki BuildKeyUsages).
 */
export const usagesOf = (written: unknown, ca = false): string[] =>
  sortedSet([
    ...(written === undefined ? DEFAULT_USAGES : texts(written).map((usage) => ALIASES[usage] ?? usage)),
    ...(ca ? ["cert sign"] : []),
  ]);

/** Extended key usages; the rest are key usage bits. */
const EXTENDED: ReadonlySet<string> = new Set([
  "any",
  "server auth",
  "client auth",
  "code signing",
  "email protection",
  "ipsec end system",
  "ipsec tunnel",
  "ipsec user",
  "timestamping",
  "ocsp signing",
  "microsoft sgc",
  "netscape sgc",
]);

/** Usages that make the key a CA's: it may sign certificates or revocation lists. */
const SIGNING_CA: ReadonlySet<string> = new Set(["cert sign", "crl sign"]);

/**
 * Whether a certificate requested with `usages` may be used for an extended usage: one with no
 * extended usage (or `any`) carries no such restriction (RFC 5280 §4.2.1.12).
 */
const allows = (usages: readonly string[], extended: string): boolean => {
  const listed = usages.filter((usage) => EXTENDED.has(usage));
  return listed.length === 0 || listed.includes("any") || listed.includes(extended);
};

export interface UsageVerdict {
  readonly class: ChangeClassId;
  readonly effect: string;
  readonly riskFloor?: RiskLevel;
}

/**
 * What a change of usages does, usage by usage, judged by what each one is for rather than as
 * any change of trust (drag0n141/home-ops dcbfcd684d dropped `key encipherment` from an ECDSA
 * certificate: critical, though that bit means nothing for an ECDSA or Ed25519 key — RSA key
 * transport only; Go's generate_cert.go stopped setting it for them, golang/go#36499). A CA's
 * capabilities (`cert sign`, `crl sign`) are trust.changed; a usage a handshake needs lost —
 * `server auth` or `digital signature` where it is served, `client auth` where it authenticates a
 * client — breaks it (high); an extended usage newly allowed widens what the key authenticates as
 * (a server trusting its CA takes it as a client); key encipherment lost from an RSA key fails only
 * static RSA key exchange (TLS 1.2 `TLS_RSA_*` suites), medium; the rest is low. A CA's usages are
 * judged by what they do to the certificates it signs (caUsageVerdicts).
 */
export function usageVerdicts(before: readonly string[], after: readonly string[], algorithm: string, ca = false): UsageVerdict[] {
  const { added, removed } = setChange(before, after);
  const verdicts: UsageVerdict[] = [];
  const signing = [...added, ...removed].filter((usage) => SIGNING_CA.has(usage));
  if (signing.length > 0)
    verdicts.push({
      class: "trust.changed",
      effect: added.some((usage) => SIGNING_CA.has(usage))
        ? "the key may now sign certificates"
        : `the key may no longer ${signing.map((usage) => (usage === "cert sign" ? "sign certificates" : "sign revocation lists")).join(" or ")}`,
    });
  verdicts.push(...(ca ? caUsageVerdicts(before, after) : leafUsageVerdicts(before, after, algorithm)));
  if (verdicts.length === 0)
    verdicts.push({ class: "resource.changed", effect: "what the key may be used for changes, no handshake it served fails" });
  return verdicts;
}

/** Extended usages, but `any`, allowed before and not after. */
const lostExtended = (before: readonly string[], after: readonly string[]): string[] =>
  [...EXTENDED].filter((extended) => extended !== "any" && allows(before, extended) && !allows(after, extended));

const gainedExtended = (before: readonly string[], after: readonly string[]): string[] => lostExtended(after, before);

/**
 * A CA's extended usages restrict the certificates it signs: verifiers that check usages along the
 * chain (Go's crypto/x509, so Kubernetes, Istio, Envoy Gateway's Go parts and most controllers)
 * refuse a leaf for a usage a CA above it does not allow. One lost or newly restricted (an
 * unrestricted CA given `server auth` loses `client auth`) refuses what it signs for that (trust.changed);
 * one gained lets what it signs be accepted for it. Its key usage bits sign nothing it issues.
 */
function caUsageVerdicts(before: readonly string[], after: readonly string[]): UsageVerdict[] {
  const lost = lostExtended(before, after);
  const gained = gainedExtended(before, after);
  const verdicts: UsageVerdict[] = [];
  if (lost.length > 0) {
    const allowed = after.filter((usage) => EXTENDED.has(usage));
    const refused = allows(before, "any") ? `any usage but ${allowed.join(", ")}` : lost.join(", ");
    verdicts.push({
      class: "trust.changed",
      effect: `certificates it signs are refused for ${refused} by verifiers that check usages along the chain (Go's crypto/x509 does)`,
    });
  }
  if (gained.length > 0)
    verdicts.push({
      class: "access.widened",
      effect: `certificates it signs may now be used for ${gained.join(", ")}: verifiers that check usages along the chain accept them for that`,
    });
  return verdicts;
}

/** What a change of usages does to a certificate served or presented itself (usageVerdicts). */
function leafUsageVerdicts(before: readonly string[], after: readonly string[], algorithm: string): UsageVerdict[] {
  const { removed } = setChange(before, after);
  const verdicts: UsageVerdict[] = [];
  const lost = lostExtended(before, after);
  const gained = gainedExtended(before, after);
  const serving = [
    ...(removed.includes("digital signature") ? ["digital signature"] : []),
    ...(lost.includes("server auth") ? ["server auth"] : []),
  ];
  if (serving.length > 0)
    verdicts.push({
      class: "listener.changed",
      effect: `${serving.join(" and ")} no longer ${serving.length === 1 ? "a usage" : "usages"}: TLS clients refuse it where it is served`,
    });
  if (lost.includes("client auth"))
    verdicts.push({
      class: "resource.changed",
      effect: "client auth no longer a usage: servers refuse it where it authenticates a client (mTLS)",
      riskFloor: "high",
    });
  if (gained.length > 0)
    verdicts.push({
      class: "access.widened",
      effect: `the key may now be used for ${gained.join(", ")}: whoever trusts its CA accepts it for that`,
    });
  // Only those written: one a certificate with no extended usage merely did not exclude is hardly relied on outside TLS.
  const otherExtendedLost = removed.filter((usage) => usage !== "server auth" && usage !== "client auth" && lost.includes(usage));
  if (otherExtendedLost.length > 0)
    verdicts.push({
      class: "resource.changed",
      effect: `${otherExtendedLost.join(", ")} no longer a usage: whatever checks it for that refuses it`,
      riskFloor: "medium",
    });
  if (removed.includes("key encipherment"))
    verdicts.push(
      algorithm === "RSA"
        ? {
            class: "resource.changed",
            effect:
              "key encipherment no longer a usage: clients negotiating static RSA key exchange (TLS 1.2 TLS_RSA_* suites) refuse it; ECDHE and TLS 1.3 do not use it",
            riskFloor: "medium",
          }
        : { class: "resource.changed", effect: `key encipherment means nothing for an ${algorithm} key, which transports no keys` },
    );
  return verdicts;
}
