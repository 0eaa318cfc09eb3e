import { describe, expect, it } from "vitest";
import { namesService, objectsMentioning } from "../../src/core/service-mentions.js";
import { readYamlText } from "../../src/manifests/yaml-documents.js";

const SERVICE = { name: "legacy", namespace: "backend" };
const mentions = (text: string, applied: { namespace?: string } = {}) =>
  objectsMentioning({ path: "x.yaml", text }, "legacy", applied, { clusterOfFile: () => undefined, readYaml: readYamlText });
const names = (text: string, applied: { namespace?: string } = {}) => mentions(text, applied).some((found) => namesService(found, SERVICE));

describe("who names a core Service in documents the review reads no routes of", () => {
  it("reads only the documents whose text holds the name, each in the namespace it lands in", () => {
    const found = mentions("kind: A\nmetadata: {name: a}\n---\nkind: B\nmetadata: {name: legacy-b}\n", { namespace: "backend" });
    expect(found.map(({ object, namespace, source }) => [object.kind, namespace, source.line])).toEqual([["B", "backend", 3]]);
  });

  it("its cluster name from anywhere; its bare name or a URL to it in its namespace", () => {
    expect(names("kind: X\nmetadata: {namespace: web}\ndata: {url: 'legacy.backend.svc.cluster.local.'}")).toBe(true);
    expect(names("kind: X\nmetadata: {namespace: web}\ndata: {url: 'http://legacy.backend:8080/x'}")).toBe(true);
    expect(names("kind: X\nmetadata: {namespace: backend}\ndata: {url: 'http://legacy:8080'}")).toBe(true);
    expect(names("kind: X\nmetadata: {namespace: web}\nspec: {ref: {name: legacy, namespace: backend}}")).toBe(true);
    // A document without a namespace lands where it is applied.
    expect(names("kind: X\nspec: {service: legacy}", { namespace: "backend" })).toBe(true);
    expect(names("kind: X\nspec: {service: legacy}", { namespace: "web" })).toBe(false);
  });

  it("another host, another namespace, another kind's name, labels, selectors and its own name are none", () => {
    expect(names("kind: X\nmetadata: {namespace: web}\ndata: {url: 'legacy.backend.example.com'}")).toBe(false);
    expect(names("kind: X\nmetadata: {namespace: web}\nspec: {service: legacy}")).toBe(false);
    expect(names("kind: X\nmetadata: {namespace: web}\nspec: {ref: {name: legacy, namespace: other}}")).toBe(false);
    expect(names("kind: X\nmetadata: {namespace: backend}\nspec: {target: {kind: Deployment, name: legacy}}")).toBe(false);
    expect(names("kind: X\nmetadata: {name: legacy, namespace: backend, labels: {app: legacy}}\nspec: {selector: {app: legacy}}")).toBe(
      false,
    );
  });
});
