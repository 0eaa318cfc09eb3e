import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The module graph of src/, read from the import statements themselves: a cycle between modules
 * means two concepts that cannot be understood (or tested) apart.
 */
const SRC = resolve(import.meta.dirname, "../../src");

/** Modules and the modules each imports (relative imports), and the packages each imports. */
function moduleGraph(): Map<string, string[]> {
  return readModules().graph;
}

function readModules(): { graph: Map<string, string[]>; packages: Map<string, string[]> } {
  const files = readdirSync(SRC, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"));
  const graph = new Map<string, string[]>();
  const packages = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(join(SRC, file), "utf8"), true, false);
    const names = importedFiles.map((imported) => imported.fileName);
    const targets = names
      .filter((name) => name.startsWith("."))
      .map((name) => relative(SRC, resolve(SRC, dirname(file), name)).replace(/\.js$/, ".ts"));
    graph.set(
      file,
      targets.filter((target) => target.endsWith(".ts")),
    );
    packages.set(
      file,
      names.filter((name) => !name.startsWith(".")),
    );
  }
  return { graph, packages };
}

/** Strongly connected components with more than one module (Tarjan), or a module importing itself. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || graph.get(node)?.includes(node)) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** Where a module sits in the layers of docs/architecture.md. */
type Layer =
  | { readonly kind: "core" }
  | { readonly kind: "family"; readonly family: string }
  | { readonly kind: "table" }
  | { readonly kind: "stage" }
  | { readonly kind: "adapter" };

const ADAPTERS =
  /^(?:cli|command-line|action|app|server|lambda|lambda-secrets|lambda-worker|worker|webhook-handler|read-ahead-worker)\.ts$|^(?:action|github|sources|queue|isolation)\//;

function layerOf(file: string): Layer {
  if (file.startsWith("core/")) return { kind: "core" };
  if (file === "families/index.ts") return { kind: "table" };
  if (file.startsWith("families/")) return { kind: "family", family: file.split("/")[1]!.replace(/\.ts$/, "") };
  if (ADAPTERS.test(file)) return { kind: "adapter" };
  return { kind: "stage" };
}

/**
 * The packages core and the families may import besides node built-ins: pure libraries with no
 * dependencies of their own, no I/O and no state, that compute what a family would otherwise
 * rewrite by hand. zod (the schemas); picomatch (globs: the placement family reads Argo CD and Flux
 * paths, which are globs, and asks picomatch both to match them and to `scan` a glob for its base).
 * Handing a glob matcher in instead would put a picomatch-shaped interface in core and wire it
 * through every stage that reads placement, to guard against nothing: the rule keeps I/O, parsing
 * and stage knowledge out of families, which these cannot bring in. A YAML parser (the manifests
 * stage's) or anything talking to the outside does not belong here.
 */
const PURE_PACKAGES: ReadonlySet<string> = new Set(["zod", "picomatch"]);

/**
 * An upward arrow is an import against the layers: core imports only core (and the pure packages,
 * node); a family only core, its own folder and the family contract (families/family.ts); the table
 * only families; a stage never a family but through the table, and never an adapter. Adapters import anything.
 */
function upwardArrows(graph: ReadonlyMap<string, readonly string[]>, packages: ReadonlyMap<string, readonly string[]>): string[] {
  const found: string[] = [];
  for (const [file, targets] of graph) {
    const from = layerOf(file);
    for (const target of targets) {
      const to = layerOf(target);
      const allowed =
        from.kind === "adapter" ||
        to.kind === "core" ||
        (from.kind === "family" && to.kind === "family" && (to.family === from.family || target === "families/family.ts")) ||
        (from.kind === "table" && to.kind === "family") ||
        (from.kind === "stage" && (to.kind === "stage" || to.kind === "table"));
      if (!allowed) found.push(`${file} → ${target}`);
    }
    if (from.kind === "core" || from.kind === "family") {
      for (const name of packages.get(file) ?? [])
        if (!PURE_PACKAGES.has(name) && !name.startsWith("node:")) found.push(`${file} → ${name}`);
    }
  }
  return found.sort();
}

describe("architecture", () => {
  const graph = moduleGraph();

  it("reads every module of src/", () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get("review.ts")).toContain("diff/resource-pairing.ts");
  });

  it("finds a cycle where there is one", () => {
    const sample = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts", "a.ts"]],
      ["c.ts", []],
      ["d.ts", ["d.ts"]],
    ]);
    expect(cycles(sample)).toEqual([["a.ts", "b.ts"], ["d.ts"]]);
  });

  it("has no import cycles", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("finds an upward arrow where there is one", () => {
    const sample = new Map([
      ["core/a.ts", ["model/b.ts"]],
      ["families/x/index.ts", ["core/a.ts", "families/family.ts", "families/y/flows.ts"]],
      ["model/b.ts", ["families/x/index.ts", "families/index.ts", "github/c.ts"]],
      ["cli.ts", ["families/x/index.ts"]],
    ]);
    const packages = new Map([
      ["core/a.ts", ["zod", "node:path", "yaml"]],
      ["families/x/index.ts", ["picomatch", "js-yaml"]],
    ]);
    expect(upwardArrows(sample, packages)).toEqual([
      "core/a.ts → model/b.ts",
      "core/a.ts → yaml",
      "families/x/index.ts → families/y/flows.ts",
      "families/x/index.ts → js-yaml",
      "model/b.ts → families/x/index.ts",
      "model/b.ts → github/c.ts",
    ]);
  });

  it("has no upward arrows: core imports only core and pure packages, families only core and their own folder, stages reach families only through the table", () => {
    const { packages } = readModules();
    expect(upwardArrows(graph, packages)).toEqual([]);
  });
});
