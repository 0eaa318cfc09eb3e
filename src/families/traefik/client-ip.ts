import { rangeWithin, rangesIntersection, rangesMeet } from "../../core/cidr.js";
import { covers, mayOverlap, requestShapes } from "../../core/match-alternatives.js";
import { clientAlternatives, type ClientAlternative } from "./rule-match.js";

/**
 * Which client addresses a Traefik rule admits, read off its whole expression (rule-match.ts's
 * clientAlternatives): an alternative's ClientIP tests all hold, so they intersect, and its
 * negated ones take addresses out; alternatives add up. Whether a rule edit admits clients it
 * refused is asked alternative by alternative, against the base alternatives that took the same
 * requests; where the answer is not sure it is "more", never "fewer".
 */

/** The addresses one alternative admits: one range (`any`: every address; `none`; `unknown`), less the excluded ones, and its tests as written. */
interface Clients {
  readonly within: string | "any" | "none" | "unknown";
  readonly excluded: readonly string[];
  readonly written: string;
}

const clientsOf = (alternative: ClientAlternative): Clients => {
  const written = `${[...alternative.within].sort().join()} / ${[...alternative.excluded].sort().join()}`;
  if (alternative.within.length === 0) return { within: "any", excluded: alternative.excluded, written };
  const range = rangesIntersection(alternative.within);
  return { within: range === undefined ? "unknown" : (range[0] ?? "none"), excluded: alternative.excluded, written };
};

/** Whether every address `inner` admits, `outer` admits too: as written alike, or by what the ranges contain. */
function admitsNoMore(inner: Clients, outer: Clients): boolean {
  if (inner.within === "none") return true;
  if (inner.within === "unknown" || outer.within === "unknown") return inner.written === outer.written;
  if (outer.within === "none" || (outer.within !== "any" && (inner.within === "any" || !rangeWithin(inner.within, outer.within))))
    return false;
  // What `outer` excludes, `inner` must exclude too, or never reach.
  return outer.excluded.every(
    (range) =>
      (inner.within !== "any" && !rangesMeet(range, inner.within as string)) || inner.excluded.some((own) => rangeWithin(range, own)),
  );
}

const describe = (clients: Clients): string =>
  `${clients.within === "any" ? "any address" : clients.within === "unknown" ? clients.written.split(" / ")[0] : clients.within}${clients.excluded.length > 0 ? ` but ${clients.excluded.join(", ")}` : ""}`;

/** Whether two alternatives' hosts meet (`*`: a rule that tests none), and whether `a`'s takes all of `b`'s. */
const hostsMeet = (a: ClientAlternative, b: ClientAlternative): boolean => a.host === b.host || a.host === "*" || b.host === "*";
const hostCovers = (a: ClientAlternative, b: ClientAlternative): boolean => a.host === b.host || a.host === "*";

/**
 * Whether the base alternatives admitted every client `alternative` admits, for its requests: one
 * that takes all of them admits those clients; else, where none does, every one taking some of
 * them does. One taking none of them leaves its requests new to the route, which the route diff
 * judges as a match change, not a client admitted.
 */
function admittedBefore(alternative: ClientAlternative, base: readonly ClientAlternative[]): boolean {
  const clients = clientsOf(alternative);
  const [shape] = requestShapes(alternative.signature);
  const covering = base.filter((was) => hostCovers(was, alternative) && covers(requestShapes(was.signature)[0]!, shape!));
  if (covering.length > 0) return covering.some((was) => admitsNoMore(clients, clientsOf(was)));
  return base
    .filter((was) => hostsMeet(was, alternative) && mayOverlap(requestShapes(was.signature)[0]!, shape!))
    .every((was) => admitsNoMore(clients, clientsOf(was)));
}

/**
 * What a rule edited admits that it did not, as the summary says it: undefined where no client is
 * admitted it refused. A rule that does not read, where the base tested ClientIP, is taken to admit more.
 */
export function clientsWidened(was: string, now: string): string | undefined {
  if (was === now) return undefined;
  const [before, after] = [clientAlternatives(was), clientAlternatives(now)];
  if (!before || !after) return was.includes("ClientIP") ? "its ClientIP test can no longer be read: it may admit any client" : undefined;
  if (!before.some((alternative) => alternative.within.length > 0 || alternative.excluded.length > 0)) return undefined;
  const wider = after.filter((alternative) => !admittedBefore(alternative, before)).map(clientsOf);
  if (wider.length === 0) return undefined;
  if (wider.some((clients) => clients.within === "any" && clients.excluded.length === 0)) {
    const tested = before.map(clientsOf).filter((clients) => clients.within !== "any" || clients.excluded.length > 0);
    return `no longer tests ClientIP (was ${[...new Set(tested.map(describe))].join(", ")}): any client address reaches it`;
  }
  return `ClientIP admits ${[...new Set(wider.map(describe))].join(", ")} too: more client addresses reach it`;
}
