import type { ChangeClassId } from "../../core/change-classes.js";
import { setChange, sortedSet } from "../../core/canonical-values.js";
import { texts } from "../../core/json-access.js";
import type { RiskLevel } from "../../core/risk-level.js";

/** cert-manager's default usages (Certificate API reference). */
export const DEFAULT_USAGES = ["digital signature", "key encipherment"];

/** A usage as cert-manager reads it: `signing` is the digital signature bit (pki/keyusage.go). */
const ALIASES: Readonly<Record<string, string>> = { signing: "digital signature" };

/** The usages a Certificate requests, cert-manager's defaults where it names none. */
export const usagesOf = (written: unknown): string[] =>
  written === undefined ? DEFAULT_USAGES : sortedSet(texts(written).map((usage) => ALIASES[usage] ?? usage));

/** Extended key usages; the rest are key usage bits. */
const EXTENDED: ReadonlySet<string> = new Set([
  "any",
  "server auth",
  "client auth",
  "code signing",
  "email protection",
  "s/mime",
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
 * static RSA key exchange (TLS 1.2 `TLS_RSA_*` suites), medium; the rest is low.
 */
export function usageVerdicts(before: readonly string[], after: readonly string[], algorithm: string): UsageVerdict[] {
  const { added, removed } = setChange(before, after);
  const verdicts: UsageVerdict[] = [];
  const ca = [...added, ...removed].filter((usage) => SIGNING_CA.has(usage));
  if (ca.length > 0)
    verdicts.push({
      class: "trust.changed",
      effect: added.some((usage) => SIGNING_CA.has(usage))
        ? "the key may now sign certificates"
        : `the key may no longer ${ca.map((usage) => (usage === "cert sign" ? "sign certificates" : "sign revocation lists")).join(" or ")}`,
    });
  const lost = (extended: string) => allows(before, extended) && !allows(after, extended);
  const gained = [...EXTENDED].filter((extended) => extended !== "any" && !allows(before, extended) && allows(after, extended));
  const serving = [
    ...(removed.includes("digital signature") ? ["digital signature"] : []),
    ...(lost("server auth") ? ["server auth"] : []),
  ];
  if (serving.length > 0)
    verdicts.push({
      class: "listener.changed",
      effect: `${serving.join(" and ")} no longer ${serving.length === 1 ? "a usage" : "usages"}: TLS clients refuse it where it is served`,
    });
  if (lost("client auth"))
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
  const otherExtendedLost = removed.filter(
    (usage) => EXTENDED.has(usage) && usage !== "server auth" && usage !== "client auth" && lost(usage),
  );
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
  if (verdicts.length === 0)
    verdicts.push({ class: "resource.changed", effect: "what the key may be used for changes, no handshake it served fails" });
  return verdicts;
}
