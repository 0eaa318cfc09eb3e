import { text, type JsonRecord } from "./json-access.js";

/** Header values a match that selects some requests tells apart: a regex taking them all selects none. */
const PROBES = ["0", "yes", "canary", "curl/8.5.0", "Mozilla/5.0 (X11; Linux x86_64)", "https://shop.example.com/"];

/**
 * Whether a header value match (`exact`, `prefix`, `suffix`, `regex`: Argo Rollouts' header routes,
 * Flagger's and Istio's string matches) takes any value of its header: an empty prefix or suffix, or
 * a regex that takes every probe, matched whole as Envoy and the meshes match it, or anywhere in the
 * value as ingress-nginx matches its canary pattern. A pattern JavaScript cannot read is not judged
 * so: its change stays a match change. A match taking any value of `user-agent` or `accept` selects
 * nearly every request.
 */
export function takesAnyHeaderValue(value: JsonRecord, regexMatches: "whole" | "anywhere" = "whole"): boolean {
  if (text(value.prefix) === "" || text(value.suffix) === "") return true;
  const regex = text(value.regex);
  if (regex === undefined) return false;
  try {
    const whole = new RegExp(regexMatches === "whole" ? `^(?:${regex})$` : regex);
    return PROBES.every((probe) => whole.test(probe));
  } catch {
    return false;
  }
}

/** `header name=value`, `header name~regex`, `header name^prefix`; `header name` or `header name*`: present, any value. */
const HEADER_TEST = /^header ([^=~^*!]+)(?:([=~^])(.*)|\*)?$/;
const OPERATORS: Readonly<Record<string, string>> = { "=": "exact", "^": "prefix", "~": "regex" };

/** A header test of a canonical match: its header, and whether it takes any value (an inverted or unread test does not). */
function headerTest(part: string): { readonly name: string; readonly anyValue: boolean } {
  const parsed = HEADER_TEST.exec(part);
  if (!parsed) return { name: part.slice("header ".length), anyValue: false };
  const [, name, operator, value] = parsed;
  return { name: name!, anyValue: operator === undefined || takesAnyHeaderValue({ [OPERATORS[operator]!]: value }) };
}

/**
 * The headers of a canonical match (`PathPrefix /, header user-agent~.*`, as the families spell a
 * rule's match: src/core/istio-http-match.ts, Gateway API's, Gloo's) when it tests some and each
 * test takes any value: the rule then captures every request carrying them. Undefined when it tests
 * none, or one that tells values apart.
 */
export function headersTakingAnyValue(match: string): string[] | undefined {
  const tests = match
    .split(", ")
    .filter((part) => part.startsWith("header "))
    .map(headerTest);
  return tests.length > 0 && tests.every((test) => test.anyValue) ? tests.map((test) => test.name) : undefined;
}
