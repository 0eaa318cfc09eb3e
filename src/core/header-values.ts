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

/** `name=value`, `name~regex`, `name^prefix`; `name` or `name*`: present, any value. */
const TEST = /^([^=~^*!]+)(?:([=~^])(.*)|\*)?$/;
const OPERATORS: Readonly<Record<string, string>> = { "=": "exact", "^": "prefix", "~": "regex" };

/** A header test of a canonical match, after its `header ` or `without-header `: its header, and whether it takes any value (an inverted or unread test does not). */
function headerTest(test: string): { readonly name: string; readonly anyValue: boolean } {
  const parsed = TEST.exec(test);
  if (!parsed) return { name: test, anyValue: false };
  const [, name, operator, value] = parsed;
  return { name: name!, anyValue: operator === undefined || takesAnyHeaderValue({ [OPERATORS[operator]!]: value }) };
}

const VALUE_TEST = /^(?:header|query) (.*)$/;

/**
 * Whether a part of a canonical match is a header or query parameter test that selects by value
 * (`header x-cart-beta=1`, `query v^2`, `header x-user~a.+`): a request without that header or
 * parameter fails it, and so do most of those carrying it. A presence test, one taking any value,
 * an inverted or unread test, or any other part (a port, a source) is not: it may take nearly every
 * request, or every request there is.
 */
export function selectsByValue(part: string): boolean {
  const test = VALUE_TEST.exec(part)?.[1];
  return test !== undefined && TEST.exec(test)?.[2] !== undefined && !headerTest(test).anyValue;
}

/** Header tests that leave nearly every request in: the headers tested for any value, and the values tested against. */
export interface BroadHeaderTests {
  /** Headers a request must carry, with any value. */
  readonly carrying: readonly string[];
  /** `name=value` tests a request must fail (Istio `withoutHeaders` of one value): all others pass. */
  readonly lacking: readonly string[];
}

/**
 * The header tests of a canonical match (`PathPrefix /, header user-agent~.*`, as the families spell
 * a rule's match: src/core/istio-http-match.ts, Gateway API's, Gloo's) when it has some and each
 * leaves nearly every request in: a header tested for any value (every request carrying it), or a
 * `without-header` test of values (every request but those). Undefined when it has none, or one
 * that selects: a value, or a header's absence.
 */
export function broadHeaderTests(match: string): BroadHeaderTests | undefined {
  // Alternatives (` | `) are ORed: one that leaves nearly every request in takes them, whatever the others test.
  for (const alternative of match.split(" | ")) {
    const broad = broadAlternative(alternative);
    if (broad) return broad;
  }
  return undefined;
}

function broadAlternative(match: string): BroadHeaderTests | undefined {
  const carrying: string[] = [];
  const lacking: string[] = [];
  for (const part of match.split(", ")) {
    if (part.startsWith("header ")) {
      const test = headerTest(part.slice("header ".length));
      if (!test.anyValue) return undefined;
      carrying.push(test.name);
    } else if (part.startsWith("without-header ")) {
      const test = part.slice("without-header ".length);
      if (headerTest(test).anyValue) return undefined;
      lacking.push(test);
    }
  }
  return carrying.length + lacking.length > 0 ? { carrying, lacking } : undefined;
}

/** `its test of user-agent takes any value, so every request carrying it`: what a rule with these tests takes (the caller says where it goes). */
export function describeBroad({ carrying, lacking }: BroadHeaderTests): string {
  const tests = [
    ...(carrying.length > 0 ? [`its test of ${carrying.join(" and ")} takes any value`] : []),
    ...(lacking.length > 0
      ? [`its test without ${lacking.join(" and ")} leaves out only ${lacking.length > 1 ? "those values" : "that value"}`]
      : []),
  ];
  const them = carrying.length > 1 ? "them" : "it";
  return `${tests.join(", and ")}, so ${lacking.length > 0 ? "nearly " : ""}every request${carrying.length > 0 ? ` carrying ${them}` : ""}`;
}
