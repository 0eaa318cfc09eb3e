import { isRecord } from "./json-access.js";

const KIND_VALUE = /\bkind["']?[ \t]*:[ \t]*["']?([A-Za-z]+)/g;

/**
 * Every kind a text names, at any depth, in YAML or JSON (`kind: VirtualService`, `"kind": "Gateway"`):
 * what a patch, a trigger's embedded resource or a replacement written as text could touch.
 */
export const namedKinds = (text: string): string[] => [...text.matchAll(KIND_VALUE)].map((match) => match[1]!);

/**
 * Every kind a parsed value names: its `kind` fields at any depth, and the kinds the texts among its
 * strings name (an inline patch, a values template). Not its JSON: there the line break before a
 * text's `kind:` is the two characters `\n`, past which the text's pattern sees no word boundary
 * (an inline `patch: |-` whose second line is `kind: Deployment` read as naming no kind).
 */
export const kindsIn = (value: unknown): string[] => {
  if (typeof value === "string") return namedKinds(value);
  if (Array.isArray(value)) return value.flatMap(kindsIn);
  if (!isRecord(value)) return [];
  return Object.entries(value).flatMap(([key, field]) =>
    key === "kind" && typeof field === "string" ? namedKinds(`kind: ${field}`) : kindsIn(field),
  );
};
