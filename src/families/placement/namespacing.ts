import type { Resource } from "../../core/resource.js";
import { record, text } from "../../core/json-access.js";
import type { FieldPath } from "../../core/finding.js";

/** Where an object lands that names no namespace and is given none: nowhere, as Flux refuses to apply it. */
const NO_NAMESPACE = "(none: Flux refuses it, namespace not specified)";

/** How a GitOps object namespaces what it applies: the field that says so, and where an object lands by it. */
export interface Namespacing {
  readonly group: string;
  readonly kind: string;
  readonly path: FieldPath;
  /** The namespace an object lands in, from the one kustomize gives its file and the one it names itself. */
  readonly landsIn: (resource: Resource) => (kustomized: string | undefined, own: string | undefined) => string;
}

const NAMESPACINGS: readonly Namespacing[] = [
  {
    // A Flux Kustomization's targetNamespace overrides the namespace of every namespaced object it applies.
    group: "kustomize.toolkit.fluxcd.io",
    kind: "Kustomization",
    path: ["spec", "targetNamespace"],
    landsIn: (resource) => {
      const target = text(record(resource.body.spec).targetNamespace);
      return (kustomized, own) => target ?? kustomized ?? own ?? NO_NAMESPACE;
    },
  },
  {
    // An Argo CD Application's destination namespace is only for objects that name none once rendered.
    group: "argoproj.io",
    kind: "Application",
    path: ["spec", "destination", "namespace"],
    landsIn: (resource) => {
      const destination = text(record(record(resource.body.spec).destination).namespace);
      return (kustomized, own) => kustomized ?? own ?? destination ?? "(none: Argo CD has no namespace to give it)";
    },
  },
];

/** How a GitOps object namespaces what it applies; undefined for a kind that gives no namespace (an ApplicationSet's templates are read as written). */
export const namespacingOf = (resource: Resource): Namespacing | undefined =>
  NAMESPACINGS.find((candidate) => candidate.group === resource.id.group && candidate.kind === resource.id.kind);
