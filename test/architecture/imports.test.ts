import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The module graph of src/, read from the import statements themselves: a cycle between modules
 * means two concepts that cannot be understood (or tested) apart.
 */
const SRC = resolve(import.meta.dirname, "../../src");

function moduleGraph(): Map<string, string[]> {
  const files = readdirSync(SRC, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(join(SRC, file), "utf8"), true, false);
    const targets = importedFiles
      .map((imported) => imported.fileName)
      .filter((name) => name.startsWith("."))
      .map((name) => relative(SRC, resolve(SRC, dirname(file), name)).replace(/\.js$/, ".ts"));
    graph.set(file, targets.filter((target) => target.endsWith(".ts")));
  }
  return graph;
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

describe("architecture", () => {
  const graph = moduleGraph();

  it("reads every module of src/", () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get("review.ts")).toContain("diff/resource-pairing.ts");
  });

  it("finds a cycle where there is one", () => {
    const sample = new Map([["a.ts", ["b.ts"]], ["b.ts", ["c.ts", "a.ts"]], ["c.ts", []], ["d.ts", ["d.ts"]]]);
    expect(cycles(sample)).toEqual([["a.ts", "b.ts"], ["d.ts"]]);
  });

  it("has no import cycles", () => {
    expect(cycles(graph)).toEqual([]);
  });
});
