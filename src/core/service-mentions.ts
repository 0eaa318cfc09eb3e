import { agree, type ServiceName } from "./declared-services.js";
import { documentsWithLines } from "./document-texts.js";
import { isRecord, listItems, record, text, type JsonRecord } from "./json-access.js";
import type { DocumentSource } from "./resource.js";
import type { SourceFile } from "./source-file.js";

/**
 * Who names a core Service in documents the review does not read as routes: a Gloo Edge Upstream
 * (`kube: {serviceName: legacy, serviceNamespace: backend}`) or VirtualService (`kube.ref`), a k8gb
 * Gslb's embedded Ingress, a proxy's or an application's config calling `legacy.backend.svc`. Any of
 * them sends its traffic where the Service leads, as a route does (service/external-name.ts).
 */

/** An object of a tree's files, read where its document's text holds a name. */
export interface MentioningObject {
  readonly source: DocumentSource;
  readonly object: JsonRecord;
  /** The namespace it lands in: its own, else the one its kustomization or Flux gives it. */
  readonly namespace?: string;
  readonly cluster?: string;
}

/** The objects of a file whose document text holds `name` (a text pre-filter: only those documents are read). */
export function objectsMentioning(
  file: SourceFile,
  name: string,
  applied: { readonly namespace?: string } | undefined,
  context: { readonly clusterOfFile: (file: string) => string | undefined; readonly readYaml: (text: string) => unknown },
): MentioningObject[] {
  if (!applied || file.binary || !file.text.includes(name)) return [];
  const cluster = context.clusterOfFile(file.path);
  return documentsWithLines(file.text).flatMap(({ text: document, line }) => {
    if (!document.includes(name)) return [];
    const read = context.readYaml(document);
    return (listItems(read) ?? [read]).filter(isRecord).map((object) => {
      const namespace = text(record(object.metadata).namespace) ?? applied.namespace;
      return {
        source: { file: file.path, line, text: document },
        object,
        ...(namespace ? { namespace } : {}),
        ...(cluster ? { cluster } : {}),
      };
    });
  });
}

const escaped = (value: string): string => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** An object's fields that say what it is, not what it names. */
const OWN_FIELDS = new Set(["apiVersion", "kind", "metadata"]);

/** Keys whose values are labels or selectors of them (`matchLabels`, a Service's `selector`), never a reference to a Service. */
const LABELS = /(?:labels|selector)$/i;

/**
 * Whether an object names the Service: a value `name.namespace`, `name.namespace.svc…` (a URL's host
 * alike) from anywhere; or, in the Service's namespace (the object's, or a `…namespace` key beside
 * it: Gloo's `serviceNamespace`, a ref's `namespace`), the bare name or a URL to it, unless a `kind`
 * beside it names another kind (an HPA's `scaleTargetRef: {kind: Deployment}`). Its own name,
 * labels and selectors name nothing.
 */
export function namesService({ object, namespace }: MentioningObject, service: ServiceName): boolean {
  const name = escaped(service.name);
  const qualified =
    service.namespace === undefined
      ? undefined
      : new RegExp(`(?<![\\w.-])${name}\\.${escaped(service.namespace)}(?=$|[^\\w.-]|\\.svc(?:$|[^\\w-]))`, "i");
  const local = new RegExp(`^(?:[a-z][a-z0-9+.-]*://)?${name}(?::\\d+)?(?:/.*)?$`, "i");
  const names = (value: unknown, inNamespace: boolean): boolean => {
    if (typeof value === "string") return qualified?.test(value) === true || (inNamespace && local.test(value));
    if (Array.isArray(value)) return value.some((item) => names(item, inNamespace));
    if (!isRecord(value)) return false;
    const beside = Object.entries(value).find(([key, item]) => /namespace$/i.test(key) && typeof item === "string");
    const here = beside ? agree(beside[1] as string, service.namespace) : inNamespace;
    const otherKind = typeof value.kind === "string" && !/^Service(?:Import)?$/.test(value.kind);
    return Object.entries(value).some(([key, item]) => !LABELS.test(key) && names(item, here && !otherKind));
  };
  const inNamespace = agree(namespace, service.namespace);
  // Its own apiVersion, kind and name are no reference; its annotations may be (a controller's backend).
  const fields = Object.entries(object).filter(([key]) => !OWN_FIELDS.has(key));
  return fields.some(([, value]) => names(value, inNamespace)) || names(record(object.metadata).annotations, inNamespace);
}
