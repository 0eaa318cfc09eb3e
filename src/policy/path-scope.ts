import { posix } from "node:path";
import picomatch from "picomatch";
import type { Paths } from "./policy-schema.js";

/**
 * The default exclude that leaves out vendored Helm subcharts' templates (policies/default.yml),
 * which are YAML only once their parent chart renders. A glob cannot say "beside a Chart.yaml", so
 * it is read as Helm means it: a `charts/<name>/templates/` folder whose `charts/` sits beside a
 * Chart.yaml. A first-party chart kept in a top-level `charts/<name>/` (or any `…/charts/<app>/`
 * with no chart above it) is reviewed: gke-fleet-management's `2-workload/charts/<app>/` and
 * istio-on-eks's pattern charts added literal Gateways the glob hid (an internet-facing :80
 * listener, an AUTO_PASSTHROUGH cross-network gateway), passing with nothing reviewed.
 */
export const SUBCHART_TEMPLATES = "**/charts/*/templates/**";

/**
 * Whether the policy's `paths` review a file: it matches an include glob and no exclude glob.
 * `trees` are the files of the trees reviewed, whose Chart.yaml files say which `charts/` folders
 * hold subcharts (SUBCHART_TEMPLATES); without them no template is taken for a subchart's.
 */
export function compilePathScope(paths: Paths, trees: readonly (readonly { readonly path: string }[])[] = []): (path: string) => boolean {
  const included = picomatch([...paths.include], { dot: true });
  const globs = paths.exclude.filter((glob) => glob !== SUBCHART_TEMPLATES);
  const excluded = globs.length > 0 ? picomatch(globs, { dot: true }) : () => false;
  const subchart = globs.length < paths.exclude.length ? subchartTemplate(trees) : () => false;
  return (path) => included(path) && !excluded(path) && !subchart(path);
}

/** Whether a path is in the `templates/` folder of a subchart: `<chart>/charts/<name>/templates/…`, `<chart>` holding a Chart.yaml. */
function subchartTemplate(trees: readonly (readonly { readonly path: string }[])[]): (path: string) => boolean {
  const charts = new Set(
    trees.flatMap((files) => files.flatMap((file) => (posix.basename(file.path) === "Chart.yaml" ? [posix.dirname(file.path)] : []))),
  );
  if (charts.size === 0) return () => false;
  return (path) => {
    const segments = path.split("/");
    for (let at = segments.indexOf("charts"); at !== -1 && at + 3 < segments.length; at = segments.indexOf("charts", at + 1))
      if (segments[at + 2] === "templates" && charts.has(at === 0 ? "." : segments.slice(0, at).join("/"))) return true;
    return false;
  };
}
