import type { ManifestSet, Resource } from "../../src/core/resource.js";
import type { Family } from "../../src/families/index.js";

/** A family of a toy table, for proving that an engine composes only what the families' slots say. */
export const toyFamily = (name: string, slots: Partial<Family> = {}): Family => ({ name, kinds: [], detectors: [], ...slots });

/** A resource of a toy family (group `toy.example`, namespace `ops`), its key scoped by its family. */
export const toyResource = (family: string, kind: string, name: string, file: string, body: Record<string, unknown>): Resource => ({
  id: { group: "toy.example", kind, namespace: "ops", name },
  key: `toy.example/${kind}/ops/${name}@${family}`,
  apiVersion: "toy.example/v1",
  family,
  labels: {},
  annotations: {},
  body,
  source: { file, line: 1, text: "" },
});

/** A tree of the given resources, every one of its files read. */
export const toySet = (...resources: Resource[]): ManifestSet => ({
  resources: new Map(resources.map((resource) => [resource.key, resource])),
  invalid: [],
  files: resources.map((resource) => resource.source.file),
  skipped: [],
  excluded: [],
});
