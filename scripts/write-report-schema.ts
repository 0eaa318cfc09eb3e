// Regenerates policies/report.schema.json from the zod schema of the JSON report.
// Run after changing src/report/json-report-schema.ts: `npx tsx scripts/write-report-schema.ts`.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { reportJsonSchema } from "../src/report/json-report-schema.js";

const target = fileURLToPath(new URL("../policies/report.schema.json", import.meta.url));
writeFileSync(target, `${JSON.stringify(reportJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
