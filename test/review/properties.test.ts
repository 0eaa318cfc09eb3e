import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import fc from "fast-check";
import * as jsyaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { riskRank } from "../../src/core/risk-level.js";
import { parseYamlDocument, splitYamlDocuments } from "../../src/manifests/yaml-documents.js";
import { analyze, CORPUS, corpusFile, describeCorpus } from "../helpers/review-trees.js";

/**
 * Properties of the semantic diff (issue 2): cosmetic edits never yield a finding above `low`, and a
 * single weight change always yields backend.weight-changed.
 */
interface Backend {
  name: string;
  weight: number;
}
interface Route {
  kind: "HTTPRoute" | "VirtualService";
  name: string;
  backends: Backend[];
}

const backendsArb = fc.uniqueArray(
  fc.record({ name: fc.constantFrom("a", "b", "c", "d", "e"), weight: fc.integer({ min: 1, max: 100 }) }),
  { minLength: 2, maxLength: 4, selector: (b) => b.name },
);
const routeArb = fc.record({
  kind: fc.constantFrom("HTTPRoute" as const, "VirtualService" as const),
  name: fc.constantFrom("r1", "r2", "r3", "r4", "r5"),
  backends: backendsArb,
});
const routesArb = fc.uniqueArray(routeArb, { minLength: 1, maxLength: 5, selector: (r) => `${r.kind}/${r.name}` });

function toDocument(route: Route): object {
  if (route.kind === "HTTPRoute") {
    return {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: route.name, namespace: "shop" },
      spec: {
        parentRefs: [{ name: "public", namespace: "infra" }],
        hostnames: [`${route.name}.example.com`],
        rules: [
          {
            backendRefs: route.backends.map((b) => ({
              group: "multicluster.x-k8s.io",
              kind: "ServiceImport",
              name: `${route.name}-${b.name}`,
              port: 8080,
              weight: b.weight,
            })),
          },
        ],
      },
    };
  }
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { name: route.name, namespace: "shop" },
    spec: {
      hosts: [route.name],
      http: [{ route: route.backends.map((b) => ({ destination: { host: route.name, subset: b.name }, weight: b.weight })) }],
    },
  };
}

interface Style {
  flowLevel: number;
  forceQuotes: boolean;
  sortKeys: boolean;
  indent: number;
}
const styleArb = fc.record({
  flowLevel: fc.constantFrom(-1, 2, 3),
  forceQuotes: fc.boolean(),
  sortKeys: fc.boolean(),
  indent: fc.constantFrom(2, 4),
});

/** Documents spread over files by `spread` (document index → file index), written in `style`. */
function toTree(documents: object[], spread: number[], style: Style, fileOrder: number[] = []): Record<string, string> {
  const files = new Map<number, object[]>();
  documents.forEach((document, i) => {
    const file = spread[i % spread.length]! % 3;
    files.set(file, [...(files.get(file) ?? []), document]);
  });
  const order = [...files.keys()].sort((a, b) => (fileOrder[a] ?? a) - (fileOrder[b] ?? b));
  return Object.fromEntries(
    order.map((file) => [
      `routes/f${file}.yaml`,
      files
        .get(file)!
        .map((d) => jsyaml.dump(d, style))
        .join("---\n"),
    ]),
  );
}

const PLAIN: Style = { flowLevel: -1, forceQuotes: false, sortKeys: false, indent: 2 };
const aboveLow = (findings: readonly { risk: Parameters<typeof riskRank>[0] }[]) =>
  findings.filter((f) => riskRank(f.risk) > riskRank("low"));

describe("semantic diff properties", () => {
  it("reordering documents, files and backend lists, scaling weights and re-dumping YAML yield nothing above low", () => {
    fc.assert(
      fc.property(
        routesArb,
        fc.array(fc.nat(5), { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(5), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 20 }),
        styleArb,
        fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
        fc.infiniteStream(fc.nat()),
        (routes, spreadBase, spreadHead, scale, style, fileOrder, seeds) => {
          const shuffled = <T>(items: T[]) =>
            items
              .map((item) => [seeds.next().value, item] as const)
              .sort((a, b) => a[0] - b[0])
              .map(([, item]) => item);
          const head = shuffled(routes).map((route) => ({
            ...route,
            backends: shuffled(route.backends).map((b) => ({ ...b, weight: b.weight * scale })),
          }));
          const result = analyze(
            toTree(routes.map(toDocument), spreadBase, PLAIN),
            toTree(head.map(toDocument), spreadHead, style, fileOrder),
          );
          expect(aboveLow(result.findings)).toEqual([]);
          expect(result.routeDiffs).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("any single weight change yields backend.weight-changed", () => {
    fc.assert(
      fc.property(routesArb, fc.nat(), fc.nat(), fc.integer({ min: 1, max: 100 }), (routes, r, b, weight) => {
        const route = routes[r % routes.length]!;
        const backend = route.backends[b % route.backends.length]!;
        // Every route has two or more backends, so any other weight for one of them moves shares.
        fc.pre(weight !== backend.weight);
        const head = routes.map((x) =>
          x !== route ? x : { ...x, backends: x.backends.map((y) => (y === backend ? { ...y, weight } : y)) },
        );
        const result = analyze(toTree(routes.map(toDocument), [0], PLAIN), toTree(head.map(toDocument), [0], PLAIN));
        expect(result.findings.map((f) => f.class)).toContain("backend.weight-changed");
      }),
      { numRuns: 150 },
    );
  });
});

describeCorpus("the corpus rewritten without changing what it says (../shared/corpus)", () => {
  const files = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
      const path = join(folder, entry.name);
      return entry.isDirectory() ? files(path) : /\.ya?ml$/.test(entry.name) ? [relative(CORPUS, path)] : [];
    });
  /** Reversed key order at every level: what a different tool's serializer may write. */
  const reordered = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(reordered)
      : value !== null && typeof value === "object"
        ? Object.fromEntries(
            Object.keys(value)
              .reverse()
              .map((key) => [key, reordered((value as Record<string, unknown>)[key])]),
          )
        : value;

  it("as JSON, or as YAML with keys reordered, every string quoted and comments added, yields no finding", () => {
    const noisy: string[] = [];
    for (const path of files(CORPUS)) {
      const text = corpusFile(path);
      // Values as Kubernetes reads them (go-yaml's booleans and integers), so the rewrite keeps them.
      const parsed = splitYamlDocuments(text).map((chunk) => parseYamlDocument(chunk));
      if (parsed.some((document) => !document.ok)) continue;
      const documents = parsed.flatMap((document) => (document.ok && document.value != null ? [document.value] : []));
      if (documents.length === 0) continue;
      const rewrites = {
        json: documents.map((document) => JSON.stringify(document, null, 2)).join("\n---\n"),
        yaml: `# rewritten\n${documents.map((document) => jsyaml.dump(reordered(document), { forceQuotes: true, flowLevel: 4, lineWidth: -1 })).join("---\n")}# end\n`,
      };
      for (const [name, head] of Object.entries(rewrites)) {
        const findings = analyze({ [path]: text }, { [path]: head }).findings.filter((finding) => finding.risk !== "none");
        noisy.push(...findings.map((finding) => `${name} ${path}: ${finding.class} ${finding.summary}`));
      }
    }
    expect(noisy).toEqual([]);
  });
});
