import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { runAction } from "./action/run-action.js";

const onPath = (name: string): string | undefined =>
  (process.env.PATH ?? "")
    .split(delimiter)
    .filter(Boolean)
    .map((directory) => join(directory, name))
    .find((path) => {
      try {
        accessSync(path, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });

// The CLI unpacks pinned kubectl and helm from an npm package the Action's bundle does not carry:
// the Action renders with the runner's own (or those a setup step put first on PATH), unless
// ROUTE_GOVERNOR_KUBECTL / ROUTE_GOVERNOR_HELM name others. Without them, rendering fails closed.
for (const tool of ["kubectl", "helm"]) {
  const variable = `ROUTE_GOVERNOR_${tool.toUpperCase()}`;
  const found = process.env[variable] ? undefined : onPath(tool);
  if (found) process.env[variable] = found;
}

process.exitCode = await runAction(process.env, { stdout: (text) => process.stdout.write(text) });
