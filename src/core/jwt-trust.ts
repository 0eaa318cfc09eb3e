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
   * Who holds the keys, to compare: the owner of a JWKS URL (the issuer's own when it names none,
   * since discovery serves its keys there), or the inline keys themselves. A path moved within the
   * issuer's URL, or within one tenant of a host, is the same signer; another host, another tenant of
   * a shared one (a GitHub owner, a bucket), or other inline keys, is another.
   */
  readonly signer: string;
  /** Audiences a token may be minted for; empty: any (neither Istio nor Envoy Gateway checks the claim then). */
  readonly audiences: readonly string[];
  readonly path: FieldPath;
}

/**
 * Hosts that serve many tenants by path, and how many leading path segments name the tenant:
 * whoever can write there is that owner (a GitHub repository, a bucket, a storage container, an
 * identity provider's tenant), not the host's operator. `Infinity`: no stable tenant prefix is known,
 * so any path change is another signer.
 */
const SHARED_HOSTS: readonly (readonly [RegExp, number])[] = [
  [/^(raw\.githubusercontent|github|gist\.githubusercontent|gist\.github|bitbucket)\.(com|org)$/, 2],
  [/^(storage|storage\.cloud)\.googleapis\.com$|^storage\.cloud\.google\.com$/, 1],
  [/^s3([.-][a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/, 1],
  [/\.blob\.core\.windows\.net$|\.digitaloceanspaces\.com$/, 1],
  [/^cognito-idp\.[a-z0-9-]+\.amazonaws\.com$|^(login\.microsoftonline|login\.microsoft)\.com$|^(login|sts)\.windows\.net$/, 1],
  [/\.b2clogin\.com$|^securetoken\.google\.com$/, 1],
  [/^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com$/, 2],
  [/^(www|container)\.googleapis\.com$|^(cdn\.jsdelivr\.net|unpkg\.com)$/, Infinity],
];

const segmentsOf = (url: URL): string[] => url.pathname.split("/").filter((segment) => segment !== "");

/** How many leading segments name the tenant on a shared host (GitLab: the project path, up to `/-/`); 0 where none is known. */
const tenantDepth = (url: URL): number => {
  if (url.hostname === "gitlab.com") {
    const end = segmentsOf(url).indexOf("-");
    return end < 0 ? Infinity : end;
  }
  return SHARED_HOSTS.find(([host]) => host.test(url.hostname))?.[1] ?? 0;
};

/**
 * Who controls a key URL, as a key to compare: the host with the path segments that name its tenant.
 * Where the host's tenancy is unknown, the issuer's path tells it (`/realms/a`, `/id/<cluster>`: its
 * identity provider keeps tenants there), and at least the first segment counts, since a different one
 * may be another tenant; on the issuer's own host its own path is its space (discovery is served there,
 * so whoever holds it already chooses the keys), the whole host for an issuer at its root.
 */
const signerOf = (url: string, issuer: string): string => {
  if (!URL.canParse(url)) return url;
  const keys = new URL(url);
  const owner = URL.canParse(issuer) ? new URL(issuer) : undefined;
  const issuerDepth = owner === undefined ? 0 : segmentsOf(owner).length;
  const depth = tenantDepth(keys) || (owner?.origin === keys.origin ? issuerDepth : Math.max(1, issuerDepth));
  return [keys.origin, ...segmentsOf(keys).slice(0, depth)].join("/");
};

/** Where the keys come from: a JWKS URL, keys written inline, else the issuer's OpenID discovery (Istio and Envoy Gateway both fetch it). */
export const keySource = (
  issuer: string,
  jwksUri: string | undefined,
  inlineKeys: string | undefined,
): Pick<TrustedIssuer, "keys" | "signer"> =>
  jwksUri !== undefined
    ? { keys: jwksUri, signer: signerOf(jwksUri, issuer) }
    : inlineKeys !== undefined
      ? { keys: "keys written inline (jwks)", signer: `inline ${inlineKeys}` }
      : { keys: `${issuer}'s OpenID discovery`, signer: signerOf(issuer, issuer) };

export interface IssuerChangeOptions {
  /** What the policy applies to, for the summaries (`workloads matching app=shop in shop`). */
  readonly scope: string;
  /** What the policy applied to before, where the dropped issuers were honoured. */
  readonly formerScope: string;
  /**
   * Whether tokens were validated here before at all: the first issuer a workload validates makes
   * requests bearing a bad token fail and gives identities to the rest — a new requirement (medium),
   * not a new trust anchor beside the ones already honoured. It may hold where `before` is empty:
   * tokens a policy validated that may, not surely, apply here (Istio's, in another folder).
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
              summary: `tokens issued by ${now.issuer} (keys: ${now.keys}) now authenticate requests (${scope})${before.length > 0 ? `, beside ${sortedSet(before.map((other) => other.issuer)).join(", ")}` : ""}: whoever holds those keys mints identities that authorization rules honour`,
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
