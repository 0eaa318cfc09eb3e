import { hostsOverlap } from "./host-match.js";
import { selectsByValue } from "./header-values.js";

/**
 * A flow's canonical match read back as request shapes, to reason about which requests two rules
 * share. The grammar is the one the *-flows modules write: alternatives joined by ` | `, each a path
 * (`PathPrefix /api`, `Exact /`, `RegularExpression …`, `grpc svc/method`) then `, `-separated parts. What cannot be
 * read is taken as "may match anything" (for overlap) and "narrows the rule" (for capture), so a
 * misread errs towards a finding, never away from one. An Ingress's `ImplementationSpecific /api` is
 * a path too, whose meaning its controller defines: it overlaps any path and only itself or the root
 * prefix takes all of it.
 */

export interface RequestShape {
  readonly path?: { readonly type: string; readonly value: string };
  /**
   * The HTTP methods it admits (an exact method, or the known methods a regex or prefix method
   * match admits); undefined for any. A method pattern admitting none of them is a condition.
   */
  readonly methods?: readonly string[];
  /** Whatever else narrows the requests: headers, query parameters, port, source, SNI… */
  readonly conditions: readonly string[];
  readonly ignoreCase: boolean;
}

const PATH = /^(PathPrefix|Exact|RegularExpression|ImplementationSpecific|grpc) (.*)$/;
const METHOD = /^method (?:([A-Z]+)|([~^])(.*))$/;
/** The request methods of RFC 9110 and PATCH (RFC 5789): what a method pattern is read against. */
const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];

/**
 * The methods a `method …` part admits; undefined when it is no method test or cannot be read. Istio
 * writes are usually pinned by a pattern (`method: {regex: "POST|PUT|PATCH|DELETE"}`), which is as
 * much a method limit as an exact method; one admitting every known method limits nothing.
 */
function methodsOf(part: string): readonly string[] | undefined {
  const method = METHOD.exec(part);
  if (!method) return undefined;
  if (method[1] !== undefined) return [method[1]];
  const value = method[3]!;
  let admits: (name: string) => boolean;
  if (method[2] === "^") admits = (name) => name.startsWith(value);
  else {
    try {
      const pattern = new RegExp(`^(?:${value})$`);
      admits = (name) => pattern.test(name);
    } catch {
      return undefined;
    }
  }
  const admitted = HTTP_METHODS.filter(admits);
  return admitted.length === 0 ? undefined : admitted;
}

const IGNORE_URI_CASE = "ignore-uri-case";
/** How Gloo spells a case-insensitive string match. */
const GLOO_CASELESS = " (ignore case)";
/** TCP/TLS rules with no match. */
const ANY_L4 = "*";

function requestShape(signature: string): RequestShape {
  const [first = "", ...rest] = signature.split(", ");
  const path = PATH.exec(first);
  const parts = path ? rest : signature === ANY_L4 ? [] : [first, ...rest];
  const read = parts.map(methodsOf);
  const methodAt = read.findIndex((methods) => methods !== undefined);
  const methods = read[methodAt];
  const conditions = parts.filter((part, index) => part !== IGNORE_URI_CASE && index !== methodAt);
  const value = path?.[2] ?? "";
  const caseless = value.endsWith(GLOO_CASELESS);
  return {
    ...(path ? { path: { type: path[1]!, value: caseless ? value.slice(0, -GLOO_CASELESS.length) : value } } : {}),
    ...(methods && methods.length < HTTP_METHODS.length ? { methods } : {}),
    conditions,
    ignoreCase: caseless || parts.includes(IGNORE_URI_CASE),
  };
}

export const requestShapes = (match: string): RequestShape[] => match.split(" | ").map(requestShape);

const portOf = (shape: RequestShape) => shape.conditions.find((part) => part.startsWith("port "));

/** A gRPC match's service and method (`*` for any), or undefined for a regular expression. */
const grpcParts = (shape: RequestShape): readonly [string, string] | undefined => {
  if (shape.path?.type !== "grpc" || shape.path.value.startsWith("~")) return undefined;
  const slash = shape.path.value.lastIndexOf("/");
  return [shape.path.value.slice(0, slash), shape.path.value.slice(slash + 1)];
};

/** Whether a gRPC service or method test takes what another does (`*` takes any). */
const grpcPartCovers = (a: string, b: string): boolean => a === "*" || a === b;

/** Prefixes are string prefixes, as in Istio, Gloo and Envoy (`/api` also matches `/apis`). */
function pathsOverlap(a: RequestShape, b: RequestShape): boolean {
  if (!a.path || !b.path) return true;
  const [grpcA, grpcB] = [grpcParts(a), grpcParts(b)];
  // Either side's `*` meets anything; two names meet when they are the same.
  if (grpcA && grpcB) return grpcA.every((part, index) => grpcPartCovers(part, grpcB[index]!) || grpcPartCovers(grpcB[index]!, part));
  const known = ["PathPrefix", "Exact"];
  if (!known.includes(a.path.type) || !known.includes(b.path.type)) return true;
  const fold = a.ignoreCase || b.ignoreCase ? (value: string) => value.toLowerCase() : (value: string) => value;
  const [x, y] = [fold(a.path.value), fold(b.path.value)];
  if (a.path.type === "Exact" && b.path.type === "Exact") return x === y;
  if (a.path.type === "Exact") return x.startsWith(y);
  if (b.path.type === "Exact") return y.startsWith(x);
  return x.startsWith(y) || y.startsWith(x);
}

/** Whether the alternative admits requests of this method. */
export const admitsMethod = (shape: RequestShape, method: string): boolean => !shape.methods || shape.methods.includes(method);

/** The SNI hosts a TLS rule's alternative takes (`sni legacy.example.com`): any one of them, none when it tests none. */
const sniHostsOf = (shape: RequestShape): string[] =>
  shape.conditions.flatMap((part) => (part.startsWith("sni ") ? [part.slice("sni ".length)] : []));

/** `header end-user=jason`, `query v=2`: a test that one header (names fold case) or query parameter has exactly one value. */
const EXACT_VALUE = /^(header|query) ([^=~^!*]+)=(.*)$/;

const exactValues = (shape: RequestShape): Map<string, string> =>
  new Map(
    shape.conditions.flatMap((part) => {
      const test = EXACT_VALUE.exec(part);
      return test ? [[`${test[1]} ${test[1] === "header" ? test[2]!.toLowerCase() : test[2]}`, test[3]!] as const] : [];
    }),
  );

/**
 * Whether two alternatives' tests of the same header or query parameter want different exact
 * values: a request carries one (Envoy joins a repeated header's values with commas, which then
 * equal neither), so none meets both (bookinfo's `end-user: {exact: jason}` and `{exact: bob}`).
 * Prefix, regex and presence tests may meet, so they never keep rules apart.
 */
function exactValuesDiffer(a: RequestShape, b: RequestShape): boolean {
  const wanted = exactValues(a);
  if (wanted.size === 0) return false;
  for (const [name, value] of exactValues(b)) if (wanted.has(name) && wanted.get(name) !== value) return true;
  return false;
}

/**
 * Whether some request can match both: only different exact methods, ports, paths, SNI hosts or
 * exact values of one header or query parameter keep them apart.
 */
export function mayOverlap(a: RequestShape, b: RequestShape): boolean {
  if (a.methods && b.methods && !a.methods.some((method) => admitsMethod(b, method))) return false;
  const [portA, portB] = [portOf(a), portOf(b)];
  if (portA && portB && portA !== portB) return false;
  const [sniA, sniB] = [sniHostsOf(a), sniHostsOf(b)];
  if (sniA.length > 0 && sniB.length > 0 && !sniA.some((host) => sniB.some((other) => hostsOverlap(host, other)))) return false;
  if (exactValuesDiffer(a, b)) return false;
  return pathsOverlap(a, b);
}

/** Whether every request `b` matches, `a` matches too. */
export function covers(a: RequestShape, b: RequestShape): boolean {
  // A test `b` makes too holds for each of its requests: `/east` with `x-beta=1` still takes all of
  // `/east` with `x-beta=1` and `x-user=a`, and a regular expression all of itself.
  if (!a.conditions.every((part) => b.conditions.includes(part))) return false;
  if (a.methods && (!b.methods || !b.methods.every((method) => admitsMethod(a, method)))) return false;
  if (!a.path) return true;
  if (!b.path) return false;
  if (a.path.type === b.path.type && a.path.value === b.path.value && (a.ignoreCase || !b.ignoreCase)) return true;
  // Every request path begins with `/`, whatever its case, so the root prefix takes whatever a
  // regular expression or a controller-defined path matches (Kong's example kept `Prefix /` to
  // httpbin and dropped the same backend's `ImplementationSpecific /`). Of a narrower prefix nothing
  // is sure: NGINX and Envoy differ on whether a regex is anchored, and the controller reads the rest.
  if (a.path.type === "PathPrefix" && a.path.value === "/" && b.path.type !== "grpc") return true;
  if (b.ignoreCase && !a.ignoreCase) return false;
  const [grpcA, grpcB] = [grpcParts(a), grpcParts(b)];
  if (grpcA && grpcB) return grpcPartCovers(grpcA[0], grpcB[0]) && grpcPartCovers(grpcA[1], grpcB[1]);
  const fold = a.ignoreCase ? (value: string) => value.toLowerCase() : (value: string) => value;
  if (a.path.type === "PathPrefix")
    return ["PathPrefix", "Exact"].includes(b.path.type) && fold(b.path.value).startsWith(fold(a.path.value));
  return a.path.type === "Exact" && b.path.type === "Exact" && fold(a.path.value) === fold(b.path.value);
}

/** The methods an API serves: a narrowed rule giving up one of them gives up real requests (CONNECT and TRACE are none). */
const SERVED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** A path no written prefix extends: a request below a prefix, outside every narrower one. */
const BELOW = "/\0";

/**
 * Whether an alternative whose path is `path` surely takes a request for `request`: a prefix as a
 * string prefix (a segment prefix takes less, so more is given up), an Exact path alike; a regular
 * expression or a controller-defined path may take it.
 */
function takesPath(shape: RequestShape, request: string): boolean {
  if (!shape.path) return true;
  const fold = shape.ignoreCase ? (value: string) => value.toLowerCase() : (value: string) => value;
  if (shape.path.type === "PathPrefix") return fold(request).startsWith(fold(shape.path.value));
  if (shape.path.type === "Exact") return fold(request) === fold(shape.path.value);
  return true;
}

/** A plain request: a path and a method, carrying only the tests of the alternative it was built from (givenUp). */
export interface PlainRequest {
  readonly path: string;
  readonly method: string;
}

/**
 * Whether an alternative may take a plain request of `given` (one carrying only the tests `given`
 * makes): it admits the method, its path may take the path, and each test it makes is one `given`
 * makes or one that does not select by value (a header present, a port: the request may pass it).
 */
export function takesPlain(shape: RequestShape, given: RequestShape, request: PlainRequest): boolean {
  return (
    admitsMethod(shape, request.method) &&
    shape.conditions.every((part) => given.conditions.includes(part) || !selectsByValue(part)) &&
    takesPath(shape, request.path)
  );
}

/**
 * The plain requests of an alternative a rule had (`given`) that its alternatives after its match
 * changed (`kept`) surely give up: a request for its own path, or one below its prefix outside every
 * narrower one, carrying only the tests `given` makes, by a method APIs serve. `/cart` narrowed to
 * `/cart/items`, or to `Exact /cart`, gives up those (the rest of /cart answers 404); a header or query
 * test that selects by value added (`x-cart-beta: "1"`), or a method pinned (`GET`), gives up
 * every request without it. None where it is unsure: a path that is not a prefix or an exact path
 * on either side (a regular expression may take the rest), a test added that may take nearly every
 * request (a header taking any value, Istio's `withoutHeaders`) or every one there is (a port, a
 * source), nor where the kept alternatives take the rest between them (`Exact /cart` and `/cart/`).
 */
export function givenUp(kept: readonly RequestShape[], given: RequestShape): PlainRequest[] {
  const path = given.path;
  if (!path || (path.type !== "PathPrefix" && path.type !== "Exact")) return [];
  const paths = path.type === "Exact" ? [path.value] : [path.value, `${path.value.replace(/\/$/, "")}${BELOW}`];
  return SERVED_METHODS.filter((method) => admitsMethod(given, method)).flatMap((method) =>
    paths.flatMap((request) =>
      kept.some((shape) => takesPlain(shape, given, { path: request, method })) ? [] : [{ path: request, method }],
    ),
  );
}

/** Whether a rule's alternatives after its match changed surely give up plain requests of one it had (givenUp). */
export const givesUpSome = (kept: readonly RequestShape[], given: RequestShape): boolean => givenUp(kept, given).length > 0;

/**
 * Whether a controller that ranks rules by their matches (Gateway API's precedence; Ingress's
 * longest path) surely picks `a` over `b` for a request both match: an Exact path over any prefix,
 * a longer prefix over a shorter (a shape without a path is the root prefix); on the same path, a
 * method test over none, then more header and query tests (all of `b`'s and more). Regular
 * expressions and controller-defined paths rank in ways controllers differ on: never surely.
 */
export function outranks(a: RequestShape, b: RequestShape): boolean {
  const rank = (shape: RequestShape): readonly [number, number] | undefined => {
    const path = shape.path ?? { type: "PathPrefix", value: "/" };
    if (path.type === "Exact") return [2, path.value.length];
    if (path.type === "PathPrefix") return [1, path.value.replace(/\/$/, "").length];
    return undefined;
  };
  const [rankA, rankB] = [rank(a), rank(b)];
  if (rankA === undefined || rankB === undefined) return false;
  if (rankA[0] !== rankB[0] || rankA[1] !== rankB[1]) return rankA[0] > rankB[0] || (rankA[0] === rankB[0] && rankA[1] > rankB[1]);
  if ((a.methods !== undefined) !== (b.methods !== undefined)) return a.methods !== undefined;
  return a.conditions.length > b.conditions.length && b.conditions.every((part) => a.conditions.includes(part));
}

/** Whether the rule takes every request of `method` that its path matches, or only those that meet some condition. */
export function capturesAllOf(match: string, method: string): boolean {
  return requestShapes(match).some((shape) => admitsMethod(shape, method) && shape.conditions.length === 0);
}
