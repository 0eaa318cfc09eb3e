import * as jsyaml from "js-yaml";

/**
 * The `yaml` package as the deployed functions see it (scripts/bundle-options.mjs aliases it here):
 * Probot parses its own config files with it (`context.config`, an app.yml manifest), which Route
 * Governor never reads, and it weighs 115 KB of the worker's 1 MB. The bundles carry js-yaml
 * anyway; those two callers only use `parse`.
 */
export default { parse: (text: string): unknown => jsyaml.load(text) };
