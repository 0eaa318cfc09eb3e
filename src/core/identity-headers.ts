import type { DetectionList } from "./detection-list.js";
import type { FieldPath } from "./finding.js";

/** Headers an authenticating proxy sets to tell a backend who the caller is (oauth2-proxy, Authelia, Pomerium, IAP). */
const IDENTITY_HEADER =
  /^(?:x-(?:forwarded|auth-request|remote|authenticated|webauth)-(?:user|userid|email|groups|preferred-username)|x-remote-user|remote-user|x-user(?:-id)?|x-email|x-userinfo)$/;

/** What a rule's request header edits do to who a request says it is. */
export interface HeaderEdits {
  /** Identity headers the rule sets or adds on every request, with the value written. */
  readonly claims: Map<string, { readonly value: string; readonly path: FieldPath }>;
  /** Where it removes the Authorization header, if it does. */
  dropsAuthorization?: FieldPath;
}

export const noHeaderEdits = (): HeaderEdits => ({ claims: new Map() });

/** Records one header a rule sets or adds, when it is an identity header. */
export function claimHeader(edits: HeaderEdits, name: string | undefined, value: string | undefined, path: FieldPath): void {
  const lower = name?.toLowerCase();
  if (lower && IDENTITY_HEADER.test(lower)) edits.claims.set(lower, { value: value ?? "", path });
}

/** Records the headers a rule removes. */
export function removeHeaders(edits: HeaderEdits, names: readonly unknown[], path: FieldPath): void {
  if (names.some((name) => typeof name === "string" && name.toLowerCase() === "authorization")) edits.dropsAuthorization ??= path;
}

/**
 * A rule that starts to write who every request is (`X-Forwarded-User: admin`) hands each caller
 * that identity at a backend that trusts the header its authenticating proxy sets: access.widened.
 * One that starts to drop the Authorization header sends requests on without their credentials
 * (medium: what the backend then does is its own). `subject`: the rule and the field, as said.
 */
export function reportIdentityHeaders(out: DetectionList, was: HeaderEdits, now: HeaderEdits, subject: string): void {
  for (const [name, claim] of now.claims) {
    if (was.claims.get(name)?.value === claim.value) continue;
    out.add({
      class: "access.widened",
      summary: `${subject} sets ${name}: ${claim.value} on every request: a backend that trusts this header from its authenticating proxy takes every caller for that identity`,
      side: "head",
      path: claim.path,
      before: was.claims.get(name)?.value ?? null,
      after: claim.value,
    });
  }
  if (now.dropsAuthorization && !was.dropsAuthorization)
    out.add({
      class: "resource.changed",
      summary: `${subject} removes the Authorization header: requests reach the backend without their credentials`,
      side: "head",
      path: now.dropsAuthorization,
      before: null,
      after: "authorization",
      riskFloor: "medium",
    });
}
