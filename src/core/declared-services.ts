import { listItems, record, text, type JsonRecord } from "./json-access.js";
import { documentsWithLines, kindLine } from "./document-texts.js";
import type { DocumentSource } from "./resource.js";
import type { SourceFile } from "./source-file.js";

/**
 * Core Services as the files of a tree declare them. Core Services are not traffic kinds (DESIGN
 * §4) and the loader keeps none of them: who needs one (a Service the PR changes under routes, a
 * policy's target the PR adds) reads the Service documents of the files.
 */

/** A core Service as its document declares it; no namespace where the document names none and nothing gives it one (it lands where it is applied). */
export interface ServiceName {
  readonly name: string;
  readonly namespace?: string;
  /** The cluster its file lands in (the policy's placement), when known. */
  readonly cluster?: string;
}

/** Unknown on either side (a namespace, a cluster) matches: the object lands wherever it is applied. */
export const agree = (a: string | undefined, b: string | undefined): boolean => a === undefined || b === undefined || a === b;

/** A document whose kind is Service, in YAML or JSON. */
const SERVICE_KIND = kindLine(["Service"]);

/** A name or namespace a template or a Flux substitution fills in: which object it is cannot be told. */
export const FILLED_IN = /\{\{|\$\{/;

export interface DeclaredService extends ServiceName {
  readonly file: string;
  /** Its document, where a finding about the Service itself points. */
  readonly source: DocumentSource;
  readonly spec: JsonRecord;
  readonly annotations: JsonRecord;
  /** A Service document of the file that cannot be read: which Service it declares, and how, cannot be told. */
  readonly unreadable?: true;
}

/** The core Services a file declares, as the tree applies it: none where the review reads no objects of it. */
export function servicesDeclared(
  file: SourceFile,
  applied: { readonly namespace?: string } | undefined,
  context: { readonly clusterOfFile: (file: string) => string | undefined; readonly readYaml: (text: string) => unknown },
): DeclaredService[] {
  if (!applied || file.binary || !SERVICE_KIND.test(file.text)) return [];
  const cluster = context.clusterOfFile(file.path);
  return documentsWithLines(file.text).flatMap(({ text: document, line }): DeclaredService[] => {
    if (!SERVICE_KIND.test(document)) return [];
    const source = { file: file.path, line, text: document };
    const read = context.readYaml(document);
    if (read === undefined) return [{ name: "", file: file.path, source, spec: {}, annotations: {}, unreadable: true }];
    const objects = listItems(read) ?? [read];
    return objects.flatMap((object): DeclaredService[] => {
      const value = record(object);
      if (value.apiVersion !== "v1" || value.kind !== "Service") return [];
      const metadata = record(value.metadata);
      const name = text(metadata.name);
      const namespace = text(metadata.namespace) ?? applied.namespace;
      if (!name || FILLED_IN.test(name) || (namespace !== undefined && FILLED_IN.test(namespace))) return [];
      return [
        {
          name,
          file: file.path,
          source,
          spec: record(value.spec),
          annotations: record(metadata.annotations),
          ...(namespace ? { namespace } : {}),
          ...(cluster ? { cluster } : {}),
        },
      ];
    });
  });
}

/**
 * Whether a declaration answers for a Service: the same name, namespace and cluster where both know
 * them. An unreadable Service document answers for any: a file that will not apply is no removal.
 */
export const answers = (declared: DeclaredService, service: ServiceName): boolean =>
  declared.unreadable === true ||
  (declared.name === service.name && agree(declared.namespace, service.namespace) && agree(declared.cluster, service.cluster));
