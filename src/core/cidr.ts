import { isIPv4, isIPv6 } from "node:net";

/**
 * Address ranges as access lists write them (`10.0.0.0/8`, `2001:db8::/32`, a bare address): the
 * question is whether a range admits only addresses another already admits, so that an allow-list
 * narrowed to `10.1.0.0/16` from `10.0.0.0/8` reads as no widening. A range that does not parse is
 * contained in nothing but itself.
 */
interface Range {
  readonly family: 4 | 6;
  readonly first: bigint;
  readonly last: bigint;
}

function parseAddress(address: string): { family: 4 | 6; value: bigint } | undefined {
  if (isIPv4(address)) return { family: 4, value: address.split(".").reduce((sum, part) => (sum << 8n) + BigInt(Number(part)), 0n) };
  if (!isIPv6(address)) return undefined;
  // An embedded IPv4 tail (`::ffff:10.0.0.1`) is two groups.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(address)?.[1];
  const v4 = tail === undefined ? undefined : parseAddress(tail)?.value;
  const written =
    tail === undefined || v4 === undefined
      ? address
      : `${address.slice(0, -tail.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  const [head = "", rest] = written.split("::");
  const left = head ? head.split(":") : [];
  const right = rest ? rest.split(":") : [];
  const groups = rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return { family: 6, value: groups.reduce((sum, group) => (sum << 16n) + BigInt(parseInt(group || "0", 16)), 0n) };
}

function parseRange(written: string): Range | undefined {
  const [address = "", prefix] = written.trim().split("/");
  const parsed = parseAddress(address);
  if (!parsed) return undefined;
  const bits = parsed.family === 4 ? 32 : 128;
  const length = prefix === undefined ? bits : Number(prefix);
  if (!Number.isInteger(length) || length < 0 || length > bits) return undefined;
  const host = (1n << BigInt(bits - length)) - 1n;
  const first = parsed.value & ~host & ((1n << BigInt(bits)) - 1n);
  return { family: parsed.family, first, last: first | host };
}

/** Whether every address `inner` admits, `outer` admits too. */
export function rangeWithin(inner: string, outer: string): boolean {
  if (inner.trim() === outer.trim()) return true;
  const [a, b] = [parseRange(inner), parseRange(outer)];
  return a !== undefined && b !== undefined && a.family === b.family && a.first >= b.first && a.last <= b.last;
}

/** The ranges of `now` that admit addresses none of `was` admits: what an allow-list widened by. */
export const rangesBeyond = (now: Iterable<string>, was: readonly string[]): string[] =>
  [...now].filter((range) => !was.some((known) => rangeWithin(range, known)));

/** Whether some address both ranges admit. One that does not parse may admit anything, so it may meet any other. */
export function rangesMeet(a: string, b: string): boolean {
  const [first, second] = [parseRange(a), parseRange(b)];
  if (first === undefined || second === undefined) return true;
  return first.family === second.family && first.first <= second.last && second.first <= first.last;
}

/**
 * The addresses every range admits, as one range: the narrowest where they nest, none (`[]`) where
 * two do not meet (ranges nest or are apart); undefined where that cannot be told (a range that
 * does not parse, beside another).
 */
export function rangesIntersection(ranges: readonly string[]): string[] | undefined {
  let narrowest: string | undefined;
  for (const range of ranges) {
    if (narrowest === undefined || rangeWithin(range, narrowest)) narrowest = range;
    else if (rangeWithin(narrowest, range)) continue;
    else return rangesMeet(narrowest, range) ? undefined : [];
  }
  return narrowest === undefined ? [] : [narrowest];
}
