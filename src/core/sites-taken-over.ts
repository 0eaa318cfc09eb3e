/**
 * Copies of one object that GitOps delivers to sites apart are one object per site: a cluster holds
 * one of them. Where a delivery is pointed at another copy's folder (Application reviews-jkt from
 * `deploy/jkt` to `deploy/sgp`; jkt's Flux Kustomization from `./apps/common` to `./apps/jkt`), the
 * sites a copy's file leaves are served by the copies now delivered there, and what each such site
 * holds is that copy against the one it held. The route diff (flows) and the resource diff (every
 * family's detectors) both compare them so.
 */

/** The sites a file was delivered to at base and is not at head (all of them where it is gone or delivered nowhere). */
export const sitesLeft = (before: readonly string[], after: readonly string[]): readonly string[] =>
  before.filter((site) => !after.includes(site));

/** A copy now delivered to some of the sites another copy left, and those sites. */
export interface Takeover<T> {
  readonly copy: T;
  readonly sites: readonly string[];
}

/** Of the other copies at head, each that is now delivered to some of the sites left, with those sites. */
export function takeoversOf<T>(left: readonly string[], copies: Iterable<T>, sitesOf: (copy: T) => readonly string[]): Takeover<T>[] {
  const takeovers: Takeover<T>[] = [];
  for (const copy of copies) {
    const on = sitesOf(copy);
    const sites = left.filter((site) => on.includes(site));
    if (sites.length > 0) takeovers.push({ copy, sites });
  }
  return takeovers;
}
