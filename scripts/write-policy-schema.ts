// Regenerates policies/route-governor.schema.json from the zod policy schema.
// Run after changing src/policy/policy-schema.ts: `npx tsx scripts/write-policy-schema.ts`.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { policyJsonSchema } from "../src/policy/policy-json-schema.js";

const target = fileURLToPath(new URL("../policies/route-governor.schema.json", import.meta.url));
writeFileSync(target, `${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
