import type { DetectorContext, FileApplication, FileDetector } from "../../core/detector.js";
import type { Detection } from "../../core/finding.js";
import { record, text } from "../../core/json-access.js";
import { documentTexts } from "../../core/document-texts.js";
import { sortedSet } from "../../core/canonical-values.js";
import type { SourceFile } from "../../core/source-file.js";
import { listedNames } from "../../core/removed-while-named.js";
import { routesSending, type ServiceName } from "./service-routes.js";

/**
 * A core Service removed from the tree while routes still send traffic to it: nothing answers
 * that backend any more, and the requests it took fail (a Gateway API implementation answers its
 * share with 500, Envoy sidecars and ingress controllers with 503). Core Services are not traffic
 * kinds (DESIGN §4) and the loader keeps none of them: this reads the Service documents of the
 * files the PR changes, and the head tree's other files only when one of those Services is gone.
 */

/** A document whose kind is Service, in YAML or JSON. */
const SERVICE_KIND = /^[ \t]*["']?kind["']?[ \t]*:[ \t]*["']?Service["']?[ \t]*,?[ \t]*(?:#.*)?\r?$/m;

/** A name or namespace a template or a Flux substitution fills in: which object it is cannot be told. */
const FILLED_IN = /\{\{|\$\{/;

interface DeclaredService extends ServiceName {
  readonly file: string;
}

/** The core Services a file declares, as the tree applies it: none where the review reads no objects of it. */
function servicesDeclared(file: SourceFile, applied: FileApplication | undefined, context: DetectorContext): DeclaredService[] {
  if (!applied || file.binary || !SERVICE_KIND.test(file.text)) return [];
  const cluster = context.clusterOfFile(file.path);
  return documentTexts(file.text).flatMap((document) => {
    if (!SERVICE_KIND.test(document)) return [];
    const value = record(context.readYaml(document));
    if (value.apiVersion !== "v1" || value.kind !== "Service") return [];
    const metadata = record(value.metadata);
    const name = text(metadata.name);
    const namespace = text(metadata.namespace) ?? applied.namespace;
    if (!name || FILLED_IN.test(name) || (namespace !== undefined && FILLED_IN.test(namespace))) return [];
    return [{ name, file: file.path, ...(namespace ? { namespace } : {}), ...(cluster ? { cluster } : {}) }];
  });
}

/** Whether a declaration answers for a removed Service: the same name, namespace and cluster where both know them. */
const answers = (declared: ServiceName, removed: ServiceName): boolean =>
  declared.name === removed.name &&
  (declared.namespace === undefined || removed.namespace === undefined || declared.namespace === removed.namespace) &&
  (declared.cluster === undefined || removed.cluster === undefined || declared.cluster === removed.cluster);

const labelOf = (service: ServiceName): string => `${service.namespace ? `${service.namespace}/` : ""}${service.name}`;

export const removedServiceDetector: FileDetector = ({ base, head }, context) => {
  let removed: DeclaredService[] = [];
  const stillDeclared = (declared: readonly ServiceName[]) => {
    removed = removed.filter((service) => !declared.some((other) => answers(other, service)));
  };
  for (const file of base) {
    const after = context.fileText("head", file.path);
    if (after === file.text) continue;
    const before = servicesDeclared(file, context.appliedAs("base", file.path), context);
    if (before.length === 0) continue;
    removed.push(...before);
    // Most often the Service is still in the file the PR edits.
    if (after !== undefined)
      stillDeclared(servicesDeclared({ path: file.path, text: after }, context.appliedAs("head", file.path), context));
  }
  if (removed.length === 0) return [];
  // Moved to another file, or declared twice: still there.
  for (const file of head) {
    if (removed.length === 0) return [];
    if (removed.some(({ name }) => file.text.includes(name)))
      stillDeclared(servicesDeclared(file, context.appliedAs("head", file.path), context));
  }
  // Made at run time by an object of the tree (a Flagger Canary's): a route naming it is answered.
  const made = context.madeServices(context.head);
  const isMade = ({ name, namespace }: ServiceName) =>
    namespace === undefined ? [...made].some((key) => key.endsWith(`/${name}`)) : made.has(`${namespace}/${name}`);
  removed = removed.filter((service) => !isMade(service));
  if (removed.length === 0) return [];

  return routesSending(context.head, context.routeRules, removed, true).map(({ route, sends }): Detection => {
    const services = sortedSet(sends.map(({ service }) => labelOf(service)));
    const files = sortedSet(sends.map(({ service }) => service.file));
    const hosts = sortedSet(sends.map(({ host }) => host));
    const plural = services.length > 1;
    return {
      class: "reference.broken",
      summary:
        `Service${plural ? "s" : ""} ${listedNames(services)} ${plural ? "are" : "is"} removed (${listedNames(files)}) while this route ` +
        `still sends traffic for ${listedNames(hosts)} to ${plural ? "them" : "it"}: no Service answers that backend, so its share of ` +
        `the requests fails (a Gateway answers 500, an Envoy sidecar or ingress 503)`,
      resource: route.id,
      resourceKey: route.key,
      side: "head",
      path: sends[0]!.backend.path,
      before: services,
      after: null,
    };
  });
};
