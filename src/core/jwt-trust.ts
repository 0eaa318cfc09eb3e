import type { DetectionDraft } from "./detection-list.js";
import type { FieldPath } from "./finding.js";
import { sortedSet } from "./canonical-values.js";

/**
 * The JSON Web Token issuers a policy trusts (Istio RequestAuthentication, Envoy Gateway
 * SecurityPolicy `jwt`). An issuer and the keys that verify its signatures are a trust anchor like
 * a CA: whoever holds those keys mints identities that authorization rules honour. So a new issuer,
 * or an issuer's keys fetched from elsewhere, is trust.changed; tokens minted for other audiences
 * accepted is access.widened; an issuer no longer accepted refuses its callers (medium).
 */
export interface TrustedIssuer {
  readonly issuer: string;
  /** Where the verification keys come from, as reviewers read it: a JWKS URL, inline keys, or the issuer's own discovery. */
  readonly keys: string;
  /**
   * Who holds the keys, to compare: a JWKS URL's origin (the issuer's own origin when it names none,
   * since discovery serves its keys there), or the inline keys themselves. A path moved on the same
   * host is the same signer; another host, or other inline keys, is another.
   */
  readonly signer: string;
  /** Audiences a token may be minted for; empty: any (neither Istio nor Envoy Gateway checks the claim then). */
  readonly audiences: readonly string[];
  readonly path: FieldPath;
}

const originOf = (url: string): string => (URL.canParse(url) ? new URL(url).origin : url);

/** Where the keys come from: a JWKS URL, keys written inline, else the issuer's OpenID discovery (Istio and Envoy Gateway both fetch it). */
export const keySource = (
  issuer: string,
  jwksUri: string | undefined,
  inlineKeys: string | undefined,
): Pick<TrustedIssuer, "keys" | "signer"> =>
  jwksUri !== undefined
    ? { keys: jwksUri, signer: originOf(jwksUri) }
    : inlineKeys !== undefined
      ? { keys: "keys written inline (jwks)", signer: `inline ${inlineKeys}` }
      : { keys: `${issuer}'s OpenID discovery`, signer: originOf(issuer) };

export interface IssuerChangeOptions {
  /** What the policy applies to, for the summaries (`workloads matching app=shop in shop`). */
  readonly scope: string;
  /** What the policy applied to before, where the dropped issuers were honoured. */
  readonly formerScope: string;
  /**
   * Whether tokens were validated here before at all: the first issuer a workload validates makes
   * requests bearing a bad token fail and gives identities to the rest — a new requirement (medium),
   * not a new trust anchor beside the ones already honoured.
   */
  readonly validatedBefore: boolean;
}

/**
 * What moved between the issuers trusted before (`before`: every issuer the scope honoured, across
 * the policies that combine there) and those a policy trusts now (`after`); `dropped` are the issuers
 * this policy trusted and nothing in its scope trusts any more.
 */
export function issuerChanges(
  before: readonly TrustedIssuer[],
  after: readonly TrustedIssuer[],
  dropped: readonly TrustedIssuer[],
  options: IssuerChangeOptions,
): DetectionDraft[] {
  const drafts: DetectionDraft[] = [];
  const { scope } = options;
  const trustedBefore = (issuer: string) => before.filter((candidate) => candidate.issuer === issuer);
  for (const now of after) {
    const was = trustedBefore(now.issuer);
    if (was.length === 0) {
      drafts.push(
        options.validatedBefore
          ? {
              class: "trust.changed",
              summary: `tokens issued by ${now.issuer} (keys: ${now.keys}) now authenticate requests (${scope}), beside ${sortedSet(before.map((other) => other.issuer)).join(", ")}: whoever holds those keys mints identities that authorization rules honour`,
              side: "head",
              path: now.path,
              after: { issuer: now.issuer, keys: now.keys },
            }
          : {
              class: "resource.changed",
              summary: `now validates tokens issued by ${now.issuer} (keys: ${now.keys}, ${scope}): requests bearing an invalid token are refused, and valid ones carry an identity that authorization rules can allow`,
              side: "head",
              path: now.path,
              after: { issuer: now.issuer, keys: now.keys },
              riskFloor: "medium",
            },
      );
      continue;
    }
    if (!was.some((other) => other.signer === now.signer))
      drafts.push({
        class: "trust.changed",
        summary: `keys for tokens issued by ${now.issuer} now come from ${now.keys} (was ${sortedSet(was.map((other) => other.keys)).join(", ")}, ${scope}): whoever holds those keys mints identities that authorization rules honour`,
        side: "head",
        path: now.path,
        before: sortedSet(was.map((other) => other.keys)),
        after: now.keys,
      });
    const accepted = (audiences: readonly string[]) => (audiences.length === 0 ? undefined : audiences);
    const acceptedBefore = was.map((other) => accepted(other.audiences));
    const acceptedNow = accepted(now.audiences);
    if (acceptedBefore.includes(undefined)) continue;
    const gained =
      acceptedNow === undefined
        ? ["any audience"]
        : acceptedNow.filter((audience) => !acceptedBefore.some((audiences) => audiences!.includes(audience)));
    if (gained.length > 0)
      drafts.push({
        class: "access.widened",
        summary: `tokens issued by ${now.issuer} for ${gained.join(", ")} are now accepted (${scope}): a token minted for another service can be replayed here`,
        side: "head",
        path: now.path,
        before: sortedSet(acceptedBefore.flatMap((audiences) => audiences!)),
        after: acceptedNow ?? "any",
      });
  }
  for (const gone of dropped)
    drafts.push({
      class: "resource.changed",
      summary: `no longer validates tokens issued by ${gone.issuer} (${options.formerScope}): requests bearing them are refused or lose their identity, so authorization rules that require it deny them`,
      side: "base",
      path: gone.path,
      before: { issuer: gone.issuer, keys: gone.keys },
      riskFloor: "medium",
    });
  return drafts;
}
