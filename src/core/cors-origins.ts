import type { DetectionDraft } from "./detection-list.js";
import { list, optionalRecord, record, texts } from "./json-access.js";
import type { FieldPath } from "./finding.js";

/**
 * The origins whose pages a browser lets read a host's responses (CORS: a Gateway API route's CORS
 * filter, an Istio VirtualService's corsPolicy, an Envoy Gateway SecurityPolicy's cors). An origin
 * allowed is a site whose scripts act with the visitor's cookies when credentials are allowed: every
 * origin (`*`, a match-everything prefix or regex) is access.widened; another named origin medium.
 * Origins narrowed or CORS removed only make browsers refuse more. CORS set up where there was none
 * names the sites it is for (the usual first setup): only every origin is reported then.
 */
export interface CorsOrigins {
  /** Each allowed origin as written (`https://shop.example.com`, `*`, `prefix:https://`, `regex:.*`). */
  readonly origins: readonly string[];
  readonly credentials: boolean;
}

const EVERY_ORIGIN = new Set([
  "*",
  "http://*",
  "https://*",
  "prefix:",
  "regex:.*",
  "regex:.+",
  "exact:*",
  "prefix:http",
  "prefix:https://",
  "prefix:http://",
]);

const allowsEveryOrigin = (origin: string): boolean => EVERY_ORIGIN.has(origin);

export function corsOriginChanges(
  before: CorsOrigins | undefined,
  after: CorsOrigins | undefined,
  where: string,
  path: FieldPath,
): DetectionDraft[] {
  if (!after) return [];
  const had = new Set(before?.origins ?? []);
  // Credentials allowed for origins already allowed: those sites' scripts now act with the visitor's cookies.
  if (before && !before.credentials && after.credentials && after.origins.length > 0 && after.origins.every((origin) => had.has(origin))) {
    const every = after.origins.filter(allowsEveryOrigin);
    return [
      {
        class: every.length > 0 ? "access.widened" : "resource.changed",
        summary: `${where}CORS allowCredentials false → true for ${every.length > 0 ? `every origin (${every.join(", ")})` : after.origins.join(", ")}: scripts on ${every.length > 0 ? "any site" : after.origins.length === 1 ? "that site" : "those sites"} can read its responses with the visitor's credentials`,
        side: "head",
        path,
        before: false,
        after: true,
        ...(every.length > 0 ? {} : { riskFloor: "medium" as const }),
      },
    ];
  }
  if ([...had].some(allowsEveryOrigin)) return [];
  const gained = after.origins.filter((origin) => !had.has(origin));
  if (gained.length === 0) return [];
  const credentials = after.credentials ? ", with the visitor's credentials" : "";
  const every = gained.filter(allowsEveryOrigin);
  if (!before && every.length === 0) return [];
  return [
    every.length > 0
      ? {
          class: "access.widened",
          summary: `${where}CORS allows every origin (${every.join(", ")}): scripts on any site can read its responses${credentials}`,
          side: "head",
          path,
          before: [...had],
          after: after.origins,
        }
      : {
          class: "resource.changed",
          summary: `${where}CORS allows ${gained.join(", ")}: scripts on ${gained.length === 1 ? "that site" : "those sites"} can read its responses${credentials}`,
          side: "head",
          path,
          before: [...had],
          after: after.origins,
          riskFloor: "medium",
        },
  ];
}

/**
 * The origins an Istio CorsPolicy allows (a VirtualService rule's `corsPolicy`, a Flagger Canary's
 * `service.corsPolicy`, which Flagger writes into the VirtualService it generates): `allowOrigins`
 * string matches as `exact:`/`prefix:`/`regex:`, and the deprecated `allowOrigin` list as exact.
 */
export function istioCorsOrigins(corsPolicy: unknown): CorsOrigins | undefined {
  const policy = optionalRecord(corsPolicy);
  if (!policy) return undefined;
  const matches = list(policy.allowOrigins).flatMap((origin) =>
    Object.entries(record(origin)).flatMap(([how, value]) => (typeof value === "string" ? [`${how}:${value}`] : [])),
  );
  return {
    origins: [...matches, ...texts(policy.allowOrigin).map((origin) => `exact:${origin}`)],
    credentials: policy.allowCredentials === true,
  };
}
