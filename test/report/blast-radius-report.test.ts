import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { generateFleet } from "../../bench/generate-fleet.js";
import { blastRadiusSection } from "../../src/report/blast-radius-section.js";
import { renderJson } from "../../src/report/json-report.js";
import { renderMarkdown } from "../../src/report/markdown-report.js";
import { blastRadiusDiagram, MAX_FLOWS, mermaidText } from "../../src/report/mermaid-diagram.js";
import { reviewChange } from "../../src/review.js";
import { analyze, NOW, policyWith } from "../helpers/review-trees.js";
import { readFolder } from "../../src/sources/folder-source.js";

const EXAMPLES = resolve(import.meta.dirname, "../../examples");

describe("Mermaid labels cannot break out of the diagram", () => {
  it.each([
    ['a"]; click x "https://evil"', /^a#34;#93;; click x #34;https:\/\/evil#34;$/],
    ["<img src=x onerror=alert(1)>", /^#60;img src=x onerror=alert#40;1#41;#62;$/],
    ["%%{init: {'theme':'dark'}}%%", /^#37;#37;#123;init: #123;'theme':'dark'#125;#125;#37;#37;$/],
    ["line\nbreak `code` & #35;", /^line break #96;code#96; #38; #35;35;$/],
  ])("%j", (text, expected) => {
    expect(mermaidText(text)).toMatch(expected);
  });

  it("a hostile hostname stays inside its quoted label in the whole diagram", () => {
    const route = (host: string, weights: [number, number]) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: r, namespace: shop }
spec:
  parentRefs: [{ name: public }]
  hostnames: ['${host}']
  rules:
  - backendRefs: [{ name: a, port: 80, weight: ${weights[0]} }, { name: b, port: 80, weight: ${weights[1]} }]
`;
    const host = 'x"] --> click e0 "javascript:alert(1)"';
    const result = analyze({ "r.yaml": route(host, [1, 1]) }, { "r.yaml": route(host, [3, 1]) });
    const diagram = blastRadiusDiagram(result.routeDiffs, result.blastRadius);
    for (const line of diagram.split("\n").slice(1)) {
      expect(line).toMatch(
        /^ {2}(\w+(\{\{|\[|\(\[|\()"[^"]*"(\}\}|\]|\]\)|\))|\w+ -->(\|"[^"]*"\|)? \w+|classDef \w+ [\w:#,. -]+|class [\w,]+ \w+|linkStyle [\d,]+ [\w:#,. -]+)$/,
      );
    }
    expect(diagram).not.toContain('javascript:alert(1)"');
  });

  it("caps the flows drawn and says how many more there are", () => {
    const { base, head } = generateFleet({ files: 40, routesPerFile: 1, changeEvery: 2, infrastructure: true });
    const result = reviewChange({ base, head, policy: policyWith(), policySource: "test", body: "", now: NOW });
    expect(result.analysis.routeDiffs.length).toBe(20);
    const diagram = blastRadiusDiagram(result.analysis.routeDiffs, result.analysis.blastRadius);
    expect(diagram.match(/^ {2}f\d+\[/gm)).toHaveLength(MAX_FLOWS);
    expect(diagram).toContain(`+${20 - MAX_FLOWS} more changed flows`);
    // A long diagram is collapsed.
    expect(blastRadiusSection(result.analysis.blastRadius, result.analysis.routeDiffs).join("\n")).toContain(
      "<details><summary>Diagram: 12 of 20 changed flows</summary>",
    );
  });
});

describe("the routes a touched Gateway carries, in the diagram", () => {
  it("those the PR attaches are told apart from those it only reaches (microservices-demo 081e21b67c)", () => {
    const gateway = {
      gateway: "Gateway default/istio-gateway",
      change: "added" as const,
      file: "release/istio-manifests.yaml",
      line: 20,
      routesAttached: 3,
      routes: ["HTTPRoute default/frontend-route", "HTTPRoute default/legacy", "HTTPRoute default/old"],
      attached: ["HTTPRoute default/frontend-route"],
      detached: ["HTTPRoute default/old"],
    };
    const diagram = blastRadiusDiagram([], { gateways: [gateway] });
    expect(diagram).toContain('a1["1 route attached by this PR<br/>HTTPRoute default/frontend-route"]');
    expect(diagram).toContain('a2["1 route attached<br/>HTTPRoute default/legacy"]');
    expect(diagram).toContain('d3["1 route detached<br/>HTTPRoute default/old"]');
    expect(diagram).not.toContain("unchanged files");
    expect(diagram).toMatch(/class g0,a1 added/);
  });
});

describe("the example PR (examples/): blast radius in the comment and the JSON", () => {
  it("renders the decision, why and what to do first; then the blast radius with its diagram, before the route diff", async () => {
    const { files: base } = readFolder(resolve(EXAMPLES, "base"));
    const { files: head } = readFolder(resolve(EXAMPLES, "head"));
    const policySource = base.find((f) => f.path === ".github/route-governor.yml")!.text;
    const result = reviewChange({
      base,
      head,
      policy: policyWith(policySource),
      policySource: "example",
      body: readFileSync(resolve(EXAMPLES, "pr-body.md"), "utf8"),
      now: NOW,
    });
    const markdown = renderMarkdown(result);
    const order = ["## Route Governor", "**Why**", "**To pass**", "### Blast radius", "Route diff: ", "All findings ("].map((heading) =>
      markdown.indexOf(heading),
    );
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // Every critical finding is on the first screen, open.
    const why = markdown.slice(order[1], order[2]);
    for (const finding of result.analysis.findings.filter((f) => f.risk === "critical")) expect(why).toContain(finding.class);
    await expect(blastRadiusSection(result.analysis.blastRadius, result.analysis.routeDiffs).join("\n")).toMatchFileSnapshot(
      "__snapshots__/example-blast-radius.md",
    );
    const json = JSON.parse(renderJson(result)) as { blastRadius: Record<string, unknown> };
    expect(Object.keys(json.blastRadius)).toEqual([
      "hostnames",
      "gateways",
      "routesAttached",
      "clusters",
      "regions",
      "shareShift",
      "services",
      "meshScope",
      "issues",
      "unchecked",
    ]);
    expect(json.blastRadius.shareShift).toContainEqual({
      flow: "shop.example.com /checkout",
      entry: "Gateway infra/public-gateway:https [config]",
      regions: [
        { region: "jkt", before: 90, after: 50 },
        { region: "sgp", before: 10, after: 50 },
      ],
    });
  });
});
