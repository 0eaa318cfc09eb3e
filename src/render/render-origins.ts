import * as jsyaml from "js-yaml";

/**
 * Where kustomize read each rendered resource from. The render runs under a wrapper kustomization
 * with `buildMetadata: [originAnnotations]`, so every document carries `config.kubernetes.io/origin`
 * (`path:` relative to the wrapper); the annotation is taken out again, as the cluster never sees
 * it, and kept as a map from the resource to its repository file: a finding on a rendered route
 * points at the file that declares it, not at whichever input sorts first (acm 69d4baf).
 */

/** The folder of the wrapper, beside the materialised tree (`../tree/<path>` from inside it). */
export const ORIGIN_WRAPPER = "origins";
const FROM_WRAPPER = "../tree/";

export const wrapperKustomization = (directory: string): string =>
  `resources:\n- ${JSON.stringify(`${FROM_WRAPPER}${directory}`.replace(/\/$/, ""))}\nbuildMetadata: [originAnnotations]\n`;

/** A rendered resource's key among the origins: its output file, kind, namespace ("" when the document sets none) and name. */
export const originKey = (output: string, kind: string, namespace: string, name: string): string =>
  `${output}\0${kind}/${namespace}/${name}`;

// kustomize tells how it reached the root from the wrapper before what failed there.
const WRAPPER_STEP =
  /accumulating resources: accumulation err='accumulating resources from '[^']*': read [^:']*: is a directory': (?:recursed accumulation of path|couldn't make target for path) '[^']*': /;

/** A tool's message as the reader knows the repository: no wrapper, paths relative to the repository. */
export const fromWrapper = (message: string): string => message.split(FROM_WRAPPER).join("").replace(WRAPPER_STEP, "");

const ORIGIN = /^( *)config\.kubernetes\.io\/origin: *\|-?\n((?:\1 +.*\n?)*)/m;
const SEPARATOR = /^---[ \t]*\n/m;

/** A CustomResourceDefinition, as the tools write one: its kind at the top level of the document. */
const DEFINITION = /^kind: *CustomResourceDefinition[ \t]*$/m;

/**
 * The output without its origin annotations, and the repository file each resource came from (none
 * for generated ones). CustomResourceDefinitions go too: no family reads a schema, and a platform's
 * bundle of them made kubeflow/manifests' `example` 10 MB of output (9.4 MB of CRDs), over the bound
 * the loader reads a YAML file within, so every route and Gateway it holds went unread.
 */
export function withoutOrigins(text: string, output: string): { text: string; origins: Record<string, string> } {
  const origins: Record<string, string> = {};
  const documents = text.split(SEPARATOR).flatMap((document) => {
    if (DEFINITION.test(document)) return [];
    const found = ORIGIN.exec(document);
    if (!found) return [document];
    const path = /^\s*path: *(.+)$/m.exec(found[2] ?? "")?.[1]?.trim();
    let stripped = document.slice(0, found.index) + document.slice(found.index + found[0].length);
    // An annotations map left empty goes too: `annotations:` followed by a line no deeper than it.
    stripped = stripped.replace(/^( *)annotations:\n(?!\1 )/m, "");
    if (path?.startsWith(FROM_WRAPPER)) {
      const identity = identityOf(stripped);
      if (identity) origins[originKey(output, identity.kind, identity.namespace, identity.name)] = path.slice(FROM_WRAPPER.length);
    }
    return [stripped];
  });
  return { text: documents.join("---\n"), origins };
}

function identityOf(document: string): { kind: string; namespace: string; name: string } | undefined {
  try {
    const value: unknown = jsyaml.load(document, { schema: jsyaml.CORE_SCHEMA });
    if (typeof value !== "object" || value === null) return undefined;
    const { kind, metadata } = value as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
    if (typeof kind !== "string" || typeof metadata?.name !== "string") return undefined;
    return { kind, name: metadata.name, namespace: typeof metadata.namespace === "string" ? metadata.namespace : "" };
  } catch {
    return undefined;
  }
}
