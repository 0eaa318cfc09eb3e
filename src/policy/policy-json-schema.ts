import * as z from "zod";
import { PolicySchema } from "./policy-schema.js";

/**
 * The JSON Schema of a policy file, for editors (`# yaml-language-server: $schema=...`).
 * Input mode: keys with defaults are optional, as they are in a file.
 */
export const policyJsonSchema = (): Record<string, unknown> => ({
  ...z.toJSONSchema(PolicySchema, { io: "input" }),
  title: "Route Governor policy",
  description: "A .github/route-governor.yml file: merged over the built-in defaults, and may only tighten them.",
});
