/** Narrowing accessors for validated-but-loose YAML data: one place, so model code stays readable. */
export type PlainObject = Readonly<Record<string, unknown>>;

export const asObject = (value: unknown): PlainObject =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as PlainObject) : {};

export const asList = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);

export const asText = (value: unknown): string | undefined =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;

export const asNumber = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) ? value : undefined);
