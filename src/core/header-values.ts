import { text, type JsonRecord } from "./json-access.js";

/** Header values a match that selects some requests tells apart: a regex taking them all selects none. */
const PROBES = ["0", "yes", "canary", "curl/8.5.0", "Mozilla/5.0 (X11; Linux x86_64)", "https://shop.example.com/"];

/**
 * Whether a header value match (`exact`, `prefix`, `suffix`, `regex`: Argo Rollouts' header routes,
 * Flagger's and Istio's string matches) takes any value of its header: an empty prefix or suffix, or
 * a regex that, matched whole as Envoy and the meshes match it, takes every probe. A pattern
 * JavaScript cannot read is not judged so: its change stays a match change. A match taking any value
 * of `user-agent` or `accept` selects nearly every request.
 */
export function takesAnyHeaderValue(value: JsonRecord): boolean {
  if (text(value.prefix) === "" || text(value.suffix) === "") return true;
  const regex = text(value.regex);
  if (regex === undefined) return false;
  try {
    const whole = new RegExp(`^(?:${regex})$`);
    return PROBES.every((probe) => whole.test(probe));
  } catch {
    return false;
  }
}
