import { record, text } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { classControllers, classDefinitions, definitions } from "./ingress-class.js";

/**
 * The AWS Load Balancer Controller's Ingresses (its guide's IngressGroup and IngressClass pages).
 * Unlike a proxy that merges every Ingress of its class, it gives each Ingress an ALB of its own
 * (an "implicit IngressGroup" of the Ingress alone), except that Ingresses naming one IngressGroup
 * share one ALB: their rules merged into its listeners, in the group's order.
 */

/** The class its Helm chart and EKS create, served by it where the tree does not define the class otherwise. */
const ALB_CLASS = "alb";

/** The controllers of its IngressClasses: the controller's own, and EKS Auto Mode's. */
const ALB_CONTROLLERS: ReadonlySet<string> = new Set(["ingress.k8s.aws/alb", "eks.amazonaws.com/alb"]);

/**
 * The group of its IngressClassParams, which index.ts reads for the group they set. EKS Auto Mode's
 * (`eks.amazonaws.com`) are not read: that group is mostly the IRSA annotation on every
 * ServiceAccount, which would all be parsed and listed as skipped; the group they set is unknown.
 */
export const PARAMS_GROUP = "elbv2.k8s.aws";

const GROUP_NAME = "alb.ingress.kubernetes.io/group.name";
const GROUP_ORDER = "alb.ingress.kubernetes.io/group.order";

/** Whether the controller serves the class: `alb` unless the tree's IngressClass of that name names another, another name where the tree's names it. */
export function servedByAlb(className: string | undefined, set: ManifestSet, cluster: string | undefined): boolean {
  if (className === undefined) return false;
  const controllers = classControllers(set, className, cluster);
  if (controllers.length === 0) return className === ALB_CLASS;
  return controllers.every((controller) => controller !== undefined && ALB_CONTROLLERS.has(controller));
}

/** What one IngressClass says of the group: none, a group, or unknown (undefined) where it names parameters the tree does not hold or read. */
function classGroup(definition: Resource, set: ManifestSet): { readonly group?: string } | undefined {
  const parameters = record(record(definition.body.spec).parameters);
  const apiGroup = text(parameters.apiGroup);
  const name = text(parameters.name);
  if (text(parameters.kind) !== "IngressClassParams") return {};
  if (!name || (apiGroup !== undefined && apiGroup !== PARAMS_GROUP)) return undefined;
  const held = definitions(set, "IngressClassParams", name, definition.cluster).filter((params) => params.id.group === PARAMS_GROUP);
  const groups = new Set(held.map((params) => text(record(record(params.body.spec).group).name)?.trim() || undefined));
  if (groups.size !== 1) return undefined;
  const [group] = groups;
  return group === undefined ? {} : { group };
}

/**
 * The IngressGroup an Ingress of the controller joins: `group` unset, none (an ALB of its own). The
 * group its class's IngressClassParams set comes first, for every Ingress of the class, where the
 * class is the Ingress's field (or the default class): the controller reads no IngressClass for one
 * naming its class by the `kubernetes.io/ingress.class` annotation. Else its `group.name`
 * annotation. Undefined where the tree cannot tell: its class names parameters the tree does not
 * hold, or copies of the class say different groups. A class the tree does not define is taken as
 * its chart makes it: parameters that set no group.
 */
export function albGroupOf(
  resource: Resource,
  set: ManifestSet,
  className: string,
  byAnnotation: boolean,
): { readonly group?: string } | undefined {
  if (!byAnnotation) {
    const said = classDefinitions(set, className, resource.cluster).map((definition) => classGroup(definition, set));
    if (said.some((one) => one === undefined) || new Set(said.map((one) => one?.group)).size > 1) return undefined;
    if (said[0]?.group !== undefined) return said[0];
  }
  const group = resource.annotations[GROUP_NAME]?.trim();
  return group ? { group } : {};
}

/** Its place in its group's rule order, before its namespace/name: `group.order`, 0 where unset (or unreadable: the controller then reconciles none of the group). */
export const groupOrder = (resource: Resource): number => {
  const order = Number(resource.annotations[GROUP_ORDER]?.trim() || "0");
  return Number.isInteger(order) ? order : 0;
};
