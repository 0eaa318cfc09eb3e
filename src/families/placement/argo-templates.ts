import { isRecord, record } from "../../core/json-access.js";

/**
 * Argo CD ApplicationSet templates as far as the review fills them in: the parameters a generator
 * yields, and the placeholders of a template replaced by them. Where a file's placement is asked
 * (deliveries.ts) and where the Applications a set generates are listed (generated-applications.ts),
 * the same parameters fill the same placeholders.
 */

export type Params = Readonly<Record<string, string>>;

const PLACEHOLDER = /\{\{-?\s*\.?([A-Za-z0-9_.[\]-]+)\s*-?\}\}/g;

/** Fills `{{name}}` (fasttemplate) and `{{.name}}` (goTemplate) placeholders; unknown ones stay as written. */
export const render = (template: string, params: Params): string =>
  template.replace(PLACEHOLDER, (whole, key: string) => params[key] ?? whole);

/** Whether a rendered text still holds a placeholder (one the parameters lack, or a Go template function). */
export const unfilled = (rendered: string): boolean => rendered.includes("{{");

/** List elements and generator files as template parameters, nested values flattened to dotted keys (`values.region`). */
export const flatten = (value: unknown, prefix = ""): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(record(value))) {
    if (isRecord(item)) Object.assign(out, flatten(item, `${prefix}${key}.`));
    else if (typeof item === "string" || typeof item === "number" || typeof item === "boolean") out[`${prefix}${key}`] = String(item);
  }
  return out;
};

/** Argo CD's utils.SanitizeName: a DNS name, lower case, other characters dashes, no dash or dot at either end. */
const sanitizeName = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^-a-z0-9.]/g, "-")
    .slice(0, 253)
    .replace(/^[-.]+|[-.]+$/g, "");

/**
 * The parameters a git generator gives a folder (`path`, `path.basename`, `path[n]`, their goTemplate
 * spelling `.path.path`), under `pathParamPrefix` where it sets one; for a file, its folder's, and
 * the file's own name.
 */
export const pathParams = (folder: string, prefix = "", file?: string): Params => {
  const name = prefix ? `${prefix}.path` : "path";
  const basename = folder.split("/").pop() ?? folder;
  const params: Record<string, string> = {
    [name]: folder,
    [`${name}.path`]: folder,
    [`${name}.basename`]: basename,
    [`${name}.basenameNormalized`]: sanitizeName(basename),
  };
  folder.split("/").forEach((segment, index) => {
    if (segment) params[`${name}[${index}]`] = segment;
  });
  if (file !== undefined) {
    const filename = file.split("/").pop() ?? file;
    Object.assign(params, { [`${name}.filename`]: filename, [`${name}.filenameNormalized`]: sanitizeName(filename) });
  }
  return params;
};
