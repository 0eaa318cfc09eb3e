/**
 * A Traefik router rule (`Host(`a`) && (PathPrefix(`/api`) || Header(`X-Key`, `k`))`) read as
 * alternatives of one host and one request shape each, in the route diff's spelling (`PathPrefix
 * /api`, `method GET`, `header x-key=k`). Traefik v2 matchers take several values (`Host(`a`, `b`)`,
 * either of them) and v3 one each; both read alike. What cannot be read (a syntax error, a matcher
 * negated or unknown) stays in the alternative as the matcher written, a condition the route diff
 * takes as "narrows, may match anything": a change to it is still a change of match, never silent.
 */

export interface RuleAlternative {
  /** The host it serves, lower-cased (Traefik compares hosts case-insensitively); `*` when it tests none, or one the diff cannot read. */
  readonly host: string;
  readonly signature: string;
  readonly path: string;
}

interface Matcher {
  readonly name: string;
  readonly args: readonly string[];
  readonly negated: boolean;
}

type Expression =
  | { readonly op: "matcher"; readonly matcher: Matcher }
  | { readonly op: "and" | "or"; readonly left: Expression; readonly right: Expression }
  | { readonly op: "not"; readonly operand: Expression };

const TOKEN = /\s*(&&|\|\||!|\(|\)|,|`[^`]*`|"(?:[^"\\]|\\.)*"|[A-Za-z][A-Za-z0-9]*)/y;

function tokens(rule: string): string[] | undefined {
  const found: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < rule.length) {
    if (/^\s*$/.test(rule.slice(TOKEN.lastIndex))) break;
    const token = TOKEN.exec(rule);
    if (!token) return undefined;
    found.push(token[1]!);
  }
  return found;
}

const unquote = (token: string): string | undefined =>
  token.startsWith("`") ? token.slice(1, -1) : token.startsWith('"') ? (JSON.parse(token) as string) : undefined;

/** Recursive descent: `||` binds loosest, then `&&`, then `!`. */
function parse(rule: string): Expression | undefined {
  const list = tokens(rule);
  if (!list || list.length === 0) return undefined;
  let at = 0;
  const or = (): Expression | undefined => {
    let left = and();
    while (left && list[at] === "||") {
      at++;
      const right = and();
      left = right && { op: "or", left, right };
    }
    return left;
  };
  const and = (): Expression | undefined => {
    let left = unary();
    while (left && list[at] === "&&") {
      at++;
      const right = unary();
      left = right && { op: "and", left, right };
    }
    return left;
  };
  const unary = (): Expression | undefined => {
    const token = list[at++];
    if (token === "!") {
      const operand = unary();
      return operand && { op: "not", operand };
    }
    if (token === "(") {
      const inner = or();
      return list[at++] === ")" ? inner : undefined;
    }
    if (token === undefined || !/^[A-Za-z]/.test(token) || list[at++] !== "(") return undefined;
    const args: string[] = [];
    while (list[at] !== ")") {
      const value = unquote(list[at++] ?? "");
      if (value === undefined) return undefined;
      args.push(value);
      if (list[at] === ",") at++;
    }
    at++;
    return { op: "matcher", matcher: { name: token, args, negated: false } };
  };
  const expression = or();
  return at === list.length ? expression : undefined;
}

/** Matchers whose values are alternatives (v2: `Host(`a`, `b`)`, `Path(`/a`, `/b`)`, `Method(`GET`, `POST`)`). */
const ONE_OF = new Set([
  "Host",
  "HostRegexp",
  "HostSNI",
  "HostSNIRegexp",
  "Path",
  "PathPrefix",
  "PathRegexp",
  "Method",
  "ClientIP",
  "ALPN",
]);

/** Past this many alternatives the rule is kept whole, as one opaque alternative. */
const MOST_ALTERNATIVES = 64;

/** The rule in disjunctive normal form: alternatives of matchers all of which must hold. */
function alternativesOf(expression: Expression, negated = false): Matcher[][] | undefined {
  switch (expression.op) {
    case "matcher": {
      const { matcher } = expression;
      if (negated) return [[{ ...matcher, negated: true }]];
      return ONE_OF.has(matcher.name) && matcher.args.length > 1 ? matcher.args.map((arg) => [{ ...matcher, args: [arg] }]) : [[matcher]];
    }
    case "not":
      return alternativesOf(expression.operand, !negated);
    default: {
      // De Morgan: a negated `&&` is an `||` of negations, and the other way round.
      const either = (expression.op === "or") !== negated;
      const [left, right] = [alternativesOf(expression.left, negated), alternativesOf(expression.right, negated)];
      if (!left || !right) return undefined;
      if (either) return left.length + right.length > MOST_ALTERNATIVES ? undefined : [...left, ...right];
      if (left.length * right.length > MOST_ALTERNATIVES) return undefined;
      return left.flatMap((a) => right.map((b) => [...a, ...b]));
    }
  }
}

const written = ({ name, args, negated }: Matcher): string => `${negated ? "!" : ""}${name}(${args.map((arg) => `\`${arg}\``).join(", ")})`;

const PATHS: Readonly<Record<string, string>> = { Path: "Exact", PathPrefix: "PathPrefix", PathRegexp: "RegularExpression" };

/** A matcher other than the alternative's host and path, as a part of the shared spelling (a negated or unknown one as written). */
function conditionOf(matcher: Matcher): string {
  const [first = "", second = ""] = matcher.args;
  if (matcher.negated) return written(matcher);
  switch (matcher.name) {
    case "Method":
      return `method ${first.toUpperCase()}`;
    case "Header":
    case "Headers":
      return `header ${first.toLowerCase()}=${second}`;
    case "HeaderRegexp":
    case "HeadersRegexp":
      return `header ${first.toLowerCase()}~${second}`;
    case "Query":
      return matcher.args.length > 1 ? `query ${first}=${second}` : `query ${first}`;
    case "QueryRegexp":
      return `query ${first}~${second}`;
    default:
      return written(matcher);
  }
}

/** A host lower-cased as Traefik compares it, but for the Flux variables in it (`radarr.${XYZ_DOMAIN}`), whose names are case-sensitive. */
const hostName = (host: string): string =>
  host
    .split(/(\$\{[^}]*\})/)
    .map((part, index) => (index % 2 === 1 ? part : part.toLowerCase()))
    .join("");

function alternativeOf(matchers: readonly Matcher[]): RuleAlternative {
  const hosts = new Set<string>();
  const paths: string[] = [];
  const conditions: string[] = [];
  for (const matcher of matchers) {
    const value = matcher.args[0] ?? "";
    if (!matcher.negated && (matcher.name === "Host" || matcher.name === "HostSNI") && matcher.args.length === 1)
      hosts.add(hostName(value));
    else if (!matcher.negated && PATHS[matcher.name] !== undefined && matcher.args.length === 1)
      paths.push(`${PATHS[matcher.name]} ${value}`);
    else conditions.push(conditionOf(matcher));
  }
  // Two hosts that must both hold, or two paths, are not one request shape the diff knows: kept as written.
  if (hosts.size > 1) conditions.push(...[...hosts].map((host) => `Host(\`${host}\`)`));
  if (paths.length > 1) conditions.push(...paths.splice(1));
  // No path test is every path, spelled as the other families spell it.
  const path = paths[0] ?? "PathPrefix /";
  return { host: hosts.size === 1 ? [...hosts][0]! : "*", signature: [path, ...conditions.sort()].join(", "), path };
}

/** A rule in disjunctive normal form, undefined where it does not parse (or has too many alternatives). */
const normalForm = (rule: string): Matcher[][] | undefined => {
  const expression = parse(rule);
  return expression && alternativesOf(expression);
};

/** One alternative of a rule as the clients it admits: its request shape without its ClientIP tests, and those tests. */
export interface ClientAlternative extends RuleAlternative {
  /** The ranges of its ClientIP matchers, every one of which a client's address must be in; none: any address. */
  readonly within: readonly string[];
  /** The ranges of its negated ClientIP matchers, none of which a client's address may be in. */
  readonly excluded: readonly string[];
}

/**
 * A rule's alternatives with their ClientIP tests apart, read off the whole expression: `&&`
 * intersects (`ClientIP(a) && ClientIP(b)` admits addresses in both), `||` is another alternative,
 * `!` excludes. Undefined for a rule it cannot read.
 */
export function clientAlternatives(rule: string): ClientAlternative[] | undefined {
  return normalForm(rule)?.map((matchers) => {
    const tests = matchers.filter((matcher) => matcher.name === "ClientIP");
    const ranges = (negated: boolean) =>
      tests.filter((test) => test.negated === negated).flatMap((test) => test.args.map((arg) => arg.trim()));
    return { ...alternativeOf(matchers.filter((matcher) => matcher.name !== "ClientIP")), within: ranges(false), excluded: ranges(true) };
  });
}

/** A rule's alternatives; one opaque alternative (`rule <as written>`) for a rule it cannot read. */
export function ruleAlternatives(rule: string): RuleAlternative[] {
  const normal = normalForm(rule);
  if (!normal) {
    const opaque = `rule ${rule.replace(/\s+/g, " ").trim()}`;
    return [{ host: "*", signature: opaque, path: opaque }];
  }
  const seen = new Map<string, RuleAlternative>();
  for (const alternative of normal.map(alternativeOf)) seen.set(`${alternative.host}|${alternative.signature}`, alternative);
  return [...seen.values()];
}
