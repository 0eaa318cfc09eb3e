import { posix } from "node:path";
import { isRecord, list, record, text } from "../core/json-access.js";
import { kindSpecFor } from "../manifests/kinds.js";
import { loadAllAsGoYaml } from "../manifests/yaml-documents.js";

/**
 * The ConfigMaps and Secrets a kustomization generates (`configMapGenerator`, `secretGenerator`)
 * that no traffic config reads. Such an object reaches traffic only through what reads it: a Flux
 * HelmRelease's `valuesFrom`, a Flux Kustomization's `postBuild.substituteFrom`, a family that reads
 * the object itself (istiod's mesh ConfigMap), or kustomize writing a Secret's hashed name into
 * Ingresses (its built-in name references: `spec/tls/secretName`, auth annotations; a ConfigMap's
 * reach only workloads). A generator none of those reads makes no traffic input of its files, and
 * one fetched from a URL keeps nothing of traffic offline (h3mmy/bloopySphere 3ce734cc59: a
 * variable renamed in an SNMP exporter's config blocked as a root a Grafana dashboard's remote JSON
 * kept offline).
 */

/** `ConfigMap name`s and `Secret name`s read by the HelmReleases and Flux Kustomizations of these texts. */
export function dataSourcesIn(texts: Iterable<string | undefined>, { substitutions = false } = {}): Set<string> {
  const sources = new Set<string>();
  for (const written of texts) {
    if (!written?.includes("valuesFrom") && !(substitutions && written?.includes("substituteFrom"))) continue;
    let documents: unknown[];
    try {
      documents = loadAllAsGoYaml(written);
    } catch {
      continue;
    }
    for (const document of documents) {
      if (!isRecord(document)) continue;
      const spec = record(document.spec);
      const read =
        document.kind === "HelmRelease"
          ? list(spec.valuesFrom)
          : substitutions && document.kind === "Kustomization"
            ? list(record(spec.postBuild).substituteFrom)
            : [];
      for (const source of read) {
        const { kind, name } = record(source);
        if (typeof kind === "string" && typeof name === "string") sources.add(`${kind} ${name}`);
      }
    }
  }
  return sources;
}

/** Each tree's data sources (dataSourcesIn, substitutions too), read once. */
const readByTree = new WeakMap<ReadonlyMap<string, string>, readonly string[]>();

const readIn = (texts: ReadonlyMap<string, string>): readonly string[] => {
  let read = readByTree.get(texts);
  if (!read) readByTree.set(texts, (read = [...dataSourcesIn(texts.values(), { substitutions: true })]));
  return read;
};

const GENERATORS = [
  ["configMapGenerator", "ConfigMap"],
  ["secretGenerator", "Secret"],
] as const;

/**
 * A kustomization's fields without the generators whose object nothing in `trees` (base and head)
 * reads as traffic config: what is left names every file that may reach the traffic output. A
 * reader is matched by the generator's name anywhere in its own (a `namePrefix` or hash suffix
 * kustomize adds), in any namespace; a kustomization with `configurations` (name references of its
 * own) keeps them all.
 */
export function withoutUnreadGenerators(
  fields: Readonly<Record<string, unknown>>,
  /** The kustomization's folder, which its generators' paths are relative to. */
  folder: string,
  trees: readonly ReadonlyMap<string, string>[],
): Readonly<Record<string, unknown>> {
  if (fields.configurations !== undefined && fields.configurations !== null) return fields;
  const hashed = (generator: Record<string, unknown>) =>
    (record(generator.options).disableNameSuffixHash ?? record(fields.generatorOptions).disableNameSuffixHash) !== true;
  const read = (kind: string, generator: Record<string, unknown>): boolean => {
    const name = text(generator.name);
    if (name === undefined || (kind === "Secret" && hashed(generator))) return true;
    if (trees.some((texts) => readIn(texts).some((source) => source.startsWith(`${kind} `) && source.includes(name)))) return true;
    // As a family reads a ConfigMap written out: its name and keys (parsedTraits in load-manifests.ts),
    // those of its files, literals and env files alike.
    const keyOf = (entry: string, file: boolean) => {
      const at = entry.indexOf("=");
      return at >= 0 ? entry.slice(0, at) : file ? posix.basename(entry) : entry;
    };
    const envs = [...list(generator.envs), generator.env].flatMap((entry) => text(entry) ?? []);
    const keys = [
      ...list(generator.files).map((entry) => keyOf(text(entry) ?? "", true)),
      ...list(generator.literals).map((entry) => keyOf(text(entry) ?? "", false)),
      ...envs.flatMap((env) =>
        trees.flatMap((texts) => (texts.get(posix.join(folder, env)) ?? "").split("\n").map((line) => keyOf(line.trim(), false))),
      ),
    ];
    return kindSpecFor("", kind, [`name: ${name}`, ...keys.map((key) => `${key}: |`)].join("\n")) !== undefined;
  };
  const pruned = GENERATORS.flatMap(([field, kind]) => {
    const generators = list(fields[field]);
    const reading = generators.filter((generator) => !isRecord(generator) || read(kind, generator));
    return reading.length === generators.length ? [] : [[field, reading] as const];
  });
  return pruned.length === 0 ? fields : { ...fields, ...Object.fromEntries(pruned) };
}
