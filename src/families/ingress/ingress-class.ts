import { byKind, type Check } from "../../core/by-kind.js";
import { isRecord, record, text } from "../../core/json-access.js";
import { sameValue, show } from "../../core/canonical-values.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";

export const CLASS_ANNOTATION = "kubernetes.io/ingress.class";

/** The class an Ingress names: the field, else the annotation older Ingresses name it with. */
export const ingressClass = (resource: Resource): string | undefined =>
  text(record(resource.body.spec).ingressClassName) ?? resource.annotations[CLASS_ANNOTATION];

/** The annotation that makes a class the cluster's default: Ingresses that name no class are its. */
const DEFAULT_CLASS = "ingressclass.kubernetes.io/is-default-class";

const isDefault = (resource: Resource): boolean => resource.annotations[DEFAULT_CLASS] === "true";

const defaults = new WeakMap<ManifestSet, string | undefined>();

/**
 * The class the tree marks as the cluster's default, when it marks exactly one: an Ingress that
 * names no class is given it when it is created (the DefaultIngressClass admission plugin), so it is
 * that controller's, and writing the name out changes nothing.
 */
export function defaultClassOf(set: ManifestSet): string | undefined {
  if (defaults.has(set)) return defaults.get(set);
  const names = new Set<string>();
  for (const resource of set.resources.values())
    if (resource.id.kind === "IngressClass" && isDefault(resource)) names.add(resource.id.name);
  const found = names.size === 1 ? [...names][0] : undefined;
  defaults.set(set, found);
  return found;
}

/** The definitions of a cluster-scoped object by name: those applied to `cluster` where the tree has any there, else all of them. */
export function definitions(set: ManifestSet, kind: string, name: string, cluster: string | undefined): readonly Resource[] {
  const all = resourcesOfKind(set, kind).filter((resource) => resource.id.name === name);
  const local = all.filter((resource) => resource.cluster === cluster);
  return local.length > 0 ? local : all;
}

/** The tree's IngressClasses of a name, for an Ingress of `cluster`: what controller serves the class, with what parameters. */
export const classDefinitions = (set: ManifestSet, className: string, cluster: string | undefined): readonly Resource[] =>
  definitions(set, "IngressClass", className, cluster);

/** The controllers those IngressClasses name (undefined for one that names none): who serves the class. */
export const classControllers = (set: ManifestSet, className: string, cluster: string | undefined): (string | undefined)[] =>
  classDefinitions(set, className, cluster).map((resource) => text(record(resource.body.spec).controller));

/**
 * The tree's definitions of a class by name: one object, however many files write it (the copies of
 * ingress-nginx's static manifests per provider and Kubernetes version), so one copy removed or
 * added while another stays changes nothing.
 */
const copiesOf = (set: ManifestSet, name: string): Resource[] =>
  [...set.resources.values()].filter((resource) => resource.id.kind === "IngressClass" && resource.id.name === name);

/**
 * An IngressClass names the controller that serves every Ingress of the class, and may be the
 * cluster's default: either changed moves Ingresses to another controller, as a GatewayClass's
 * `controllerName` moves Gateways (gateway-class.changed). Its parameters configure that controller
 * for the class (another load balancer, scheme or group), not modelled. A class removed leaves the
 * Ingresses that name it to no controller.
 */
const classChanges: Check = (change, out, context) => {
  const name = (change.head ?? change.base)!.id.name;
  if (!change.head) {
    const left = copiesOf(context.head, name);
    if (left.length > 0 && left.some(isDefault) === isDefault(change.base!)) return;
    out.add({
      class: "gateway-class.changed",
      summary: `removed: no controller serves the Ingresses of class ${name}${isDefault(change.base!) ? ", nor, as it was the default class, those that name none" : ""}`,
      side: "base",
      path: ["spec"],
      before: text(record(change.base!.body.spec).controller),
      after: null,
    });
    return;
  }
  if (!change.base) {
    if (isDefault(change.head) && !copiesOf(context.base, name).some(isDefault))
      out.add({
        class: "gateway-class.changed",
        summary: `added as the default class: Ingresses that name no class are served by ${show(text(record(change.head.body.spec).controller))}`,
        side: "head",
        path: ["metadata", "annotations", DEFAULT_CLASS],
        after: true,
      });
    return;
  }
  const [before, after] = [text(record(change.base.body.spec).controller), text(record(change.head.body.spec).controller)];
  if (before !== after) {
    out.add({
      class: "gateway-class.changed",
      summary: `controller ${show(before)} → ${show(after)}: every Ingress of class ${name} moves to another controller, with its own addresses, defaults and annotations`,
      side: "head",
      path: ["spec", "controller"],
      before,
      after,
    });
  }
  if (isDefault(change.base) !== isDefault(change.head)) {
    out.add({
      class: "gateway-class.changed",
      summary: isDefault(change.head)
        ? `now the default class: Ingresses that name no class are served by its controller ${show(after)}`
        : "no longer the default class: Ingresses that name no class lose this controller",
      side: "head",
      path: ["metadata", "annotations", DEFAULT_CLASS],
      before: isDefault(change.base),
      after: isDefault(change.head),
    });
  }
  const [paramsBefore, paramsAfter] = [record(change.base.body.spec).parameters, record(change.head.body.spec).parameters];
  if (!sameValue(paramsBefore, paramsAfter)) {
    out.add({
      class: "resource.changed",
      summary: `parameters ${isRecord(paramsBefore) ? "changed" : "added"}: the controller is configured otherwise for every Ingress of class ${name} (not modelled)`,
      side: "head",
      path: ["spec", "parameters"],
      before: paramsBefore ?? null,
      after: paramsAfter ?? null,
      riskFloor: "medium-high",
    });
  }
};

export const ingressClassDetector = byKind({ IngressClass: [classChanges] });
