import { isRecord, list, record, text, type JsonRecord } from "../../core/json-access.js";
import { conditionKey } from "./policy-sections.js";

/**
 * AuthPolicy rules in the spelling of today's Authorino AuthConfig (v1beta2 and v1beta3, which
 * Kuadrant's AuthPolicy v1beta2 and later embed), whatever version wrote them, so that a migration
 * compares as no change and only what it really changes is judged. Kuadrant's v1beta1 AuthPolicy
 * embedded Authorino's v1beta1 (authorino api/v1beta1/auth_config_conversion.go, the mapping its
 * conversion webhook applies): authentication methods `oidc` (its `endpoint` the `jwt` method's
 * `issuerUrl`), `oauth2` (`tokenIntrospectionUrl` → `oauth2Introspection.endpoint`), `kubernetes`
 * (`kubernetesTokenReview`), `mtls` (`x509`), `plain.authJSON` (`plain.selector`); authorization
 * `json.rules` (`patternMatching.patterns`), `opa.inlineRego` and `externalRegistry.endpoint`
 * (`opa.rego`, `externalPolicy.url`), `kubernetes` (`kubernetesSubjectAccessReview`), `authzed`
 * (`spicedb`); `extendedProperties` (the `overrides` and `defaults` of the identity, by
 * `overwrite`); every `valueFrom.authJSON` (`selector`). Conditions and pattern-matching rules name
 * their patterns, which are read in: a named pattern edited changes the rules that refer to it.
 */

/** A field renamed, and the renames inside it. */
type Renames = Readonly<Record<string, string | readonly [string, Renames]>>;

const METHODS: Readonly<Record<string, Renames>> = {
  authentication: {
    oidc: ["jwt", { endpoint: "issuerUrl" }],
    oauth2: ["oauth2Introspection", { tokenIntrospectionUrl: "endpoint" }],
    kubernetes: "kubernetesTokenReview",
    mtls: "x509",
    plain: ["plain", { authJSON: "selector" }],
  },
  authorization: {
    json: ["patternMatching", { rules: "patterns" }],
    opa: ["opa", { inlineRego: "rego", externalRegistry: ["externalPolicy", { endpoint: "url" }] }],
    kubernetes: "kubernetesSubjectAccessReview",
    authzed: "spicedb",
  },
};

const renamed = (fields: JsonRecord, renames: Renames): JsonRecord =>
  Object.fromEntries(
    Object.entries(fields).map(([field, value]) => {
      const rename = renames[field];
      if (rename === undefined) return [field, value];
      return typeof rename === "string" ? [rename, value] : [rename[0], isRecord(value) ? renamed(value, rename[1]) : value];
    }),
  );

/** v1beta1's static-or-dynamic value: `valueFrom.authJSON` is today's `selector`. */
const withSelectors = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withSelectors);
  if (!isRecord(value)) return value;
  const { valueFrom, ...rest } = value;
  const selector = text(record(valueFrom).authJSON);
  const fields = Object.fromEntries(Object.entries(rest).map(([field, item]) => [field, withSelectors(item)]));
  return selector === undefined ? (valueFrom === undefined ? fields : { ...fields, valueFrom }) : { ...fields, selector };
};

/** v1beta1's `extendedProperties` list: the identity's `overrides` (`overwrite: true`) and `defaults`, by name. */
function extendedProperties(entry: JsonRecord): JsonRecord {
  const { extendedProperties: properties, ...rest } = entry;
  if (properties === undefined) return entry;
  const by = (overwrite: boolean) =>
    Object.fromEntries(
      list(properties)
        .map(record)
        .filter((property) => (property.overwrite === true) === overwrite)
        .map(({ name, overwrite: _overwrite, ...value }) => [text(name) ?? "?", value]),
    );
  const [overrides, defaults] = [by(true), by(false)];
  return {
    ...rest,
    ...(Object.keys(overrides).length > 0 ? { overrides } : {}),
    ...(Object.keys(defaults).length > 0 ? { defaults } : {}),
  };
}

/** A policy's named patterns (v1beta1/v1beta2: a list each; v1beta3/v1: `allOf`), by name. */
export const namedPatterns = (value: unknown): ReadonlyMap<string, readonly unknown[]> =>
  new Map(
    Object.entries(record(value)).map(([name, patterns]) => [name, Array.isArray(patterns) ? patterns : list(record(patterns).allOf)]),
  );

/** Conditions with their pattern references read in (one the policy does not name kept as written). */
export const withPatterns = (conditions: readonly unknown[], patterns: ReadonlyMap<string, readonly unknown[]>): unknown[] =>
  conditions.flatMap((condition) => {
    const named = text(record(condition).patternRef);
    return named !== undefined && patterns.has(named) ? [...patterns.get(named)!] : [condition];
  });

/** One authentication, metadata, authorization, response or callback rule (`kind`) in today's spelling. */
export function currentRule(kind: string, rule: unknown, patterns: ReadonlyMap<string, readonly unknown[]>): unknown {
  if (!isRecord(rule)) return rule;
  const entry = renamed(extendedProperties(record(withSelectors(rule))), METHODS[kind] ?? {});
  const matching = record(entry.patternMatching);
  return {
    ...entry,
    ...(entry.when === undefined ? {} : { when: withPatterns(list(entry.when), patterns) }),
    // All of them must hold, in any order, each in one spelling.
    ...(matching.patterns === undefined
      ? {}
      : { patternMatching: { ...matching, patterns: withPatterns(list(matching.patterns), patterns).map(conditionKey).sort() } }),
  };
}
