import { posix } from "node:path";
import { displayName, type Resource } from "../../core/resource.js";
import type { RuleShape } from "../../core/route-rules.js";
import { ingressSpecRules } from "../../core/ingress-spec.js";
import { portKeys, selectorText } from "../../core/service-spec.js";
import { list, record, text } from "../../core/json-access.js";
import { sameValue, sortedSet } from "../../core/canonical-values.js";
import { byKind, type Check } from "../../core/by-kind.js";
import { UNKNOWN_MULTI_CLUSTER } from "../../core/traffic-model.js";
import type { PlacementHints } from "../family.js";

/**
 * GKE multi-cluster Ingress (networking.gke.io/v1): a MultiClusterIngress, applied in the fleet's
 * config cluster, is one Google Cloud load balancer whose hosts and paths send to
 * MultiClusterServices; a MultiClusterService runs its backends in the member clusters its
 * `clusters` list names (`us-central1/gke-1`), or in every member cluster when it names none. So a
 * cluster taken off that list is drained from every path that sends to the service.
 */

const GKE_GROUP = "networking.gke.io";
const serviceKey = (namespace: string, name: string) => `${namespace}/${name}`;

/** Each MultiClusterIngress is its own load balancer: its own entry point. */
export function multiClusterIngressRules(resource: Resource): RuleShape[] {
  if (resource.id.kind !== "MultiClusterIngress" || resource.id.group !== GKE_GROUP) return [];
  const { namespace, name } = resource.id;
  return ingressSpecRules(templateSpec(resource), {
    entry: `MultiClusterIngress ${namespace}/${name}`,
    namespace,
    file: resource.source.file,
    at: ["spec", "template", "spec"],
    backend: { group: GKE_GROUP, kind: "MultiClusterService" },
    // Google Cloud's URL map path matchers.
    pathPatterns: true,
  });
}

/** A MultiClusterIngress's Ingress-shaped spec. */
const templateSpec = (resource: Resource) => record(record(record(resource.body.spec).template).spec);

/** A member cluster as `clusters[].link` names it: `location/name`, the region a zone's (`us-central1-a` → `us-central1`). */
function memberOf(link: string): { cluster: string; region?: string } {
  const parts = link.split("/").filter(Boolean);
  const cluster = parts.at(-1) ?? link;
  const location = parts.length > 1 ? parts.at(-2) : undefined;
  return { cluster, ...(location ? { region: location.replace(/^([a-z]+-[a-z]+\d+)-[a-z]$/, "$1") } : {}) };
}

const membersOf = (resource: Resource | undefined): string[] =>
  sortedSet(list(record(resource?.body.spec).clusters).flatMap((entry) => text(record(entry).link) ?? []));

/**
 * Where a MultiClusterService's backends run. Sample and multi-tenant repositories define a
 * service of one name in several folders (one per recipe, each applied on its own): a
 * MultiClusterIngress takes the one beside it, else every one the tree holds (the union of their
 * clusters; all member clusters if any lists none).
 */
export const multiClusterPlacement: PlacementHints = {
  hints: {
    MultiClusterService: (resource, tools) => {
      const members = membersOf(resource).map(memberOf);
      const regions = new Map(members.flatMap(({ cluster, region }) => (region ? [[cluster, region] as const] : [])));
      const placement =
        members.length > 0
          ? tools.ofClusters(
              members.map((member) => member.cluster),
              true,
              (cluster) => regions.get(cluster),
            )
          : UNKNOWN_MULTI_CLUSTER;
      const key = serviceKey(resource.id.namespace, resource.id.name);
      return [
        { key, placement },
        { key: `${posix.dirname(resource.source.file)}:${key}`, placement },
      ];
    },
  },
  destinations: {
    MultiClusterService: {
      place: (ref, hints) => {
        const key = serviceKey(ref.namespace, ref.name);
        const beside = hints(`${posix.dirname(ref.routeFile)}:${key}`).at(-1);
        if (beside) return beside;
        // One this tree does not hold runs somewhere in the fleet: several clusters, unknown.
        const all = hints(key);
        if (all.length === 0 || all.some((placement) => placement.clusters.length === 0)) return UNKNOWN_MULTI_CLUSTER;
        return {
          clusters: sortedSet(all.flatMap((placement) => placement.clusters)),
          regions: sortedSet(all.flatMap((placement) => placement.regions)),
          multiCluster: true,
        };
      },
    },
  },
};

const listed = (members: readonly string[]) => (members.length > 0 ? members.join(", ") : "every member cluster");

/** The member clusters that serve it: a cluster off the list is drained, one on it takes traffic. */
const serviceClusters: Check = (change, out) => {
  const [before, after] = [membersOf(change.base), membersOf(change.head)];
  if (!change.base || !change.head || sameValue(before, after)) return;
  const gone = before.filter((member) => !after.includes(member));
  const joined = after.filter((member) => !before.includes(member));
  const what = [
    ...(gone.length > 0 && after.length > 0 ? [`${gone.join(", ")} stop${gone.length === 1 ? "s" : ""} serving it (drained)`] : []),
    ...(joined.length > 0 && before.length > 0 ? [`${joined.join(", ")} start${joined.length === 1 ? "s" : ""} serving it`] : []),
  ];
  out.add({
    class: "export.changed",
    summary: `backends in ${listed(before)} → ${listed(after)}${what.length > 0 ? `: ${what.join("; ")}` : ""}`,
    side: "head",
    path: ["spec", "clusters"],
    before,
    after,
  });
};

const STATIC_IP = "networking.gke.io/static-ip";
const PRE_SHARED_CERTS = "networking.gke.io/pre-shared-certs";

/** The load balancer's address and the certificates it serves: the front door every client resolves and trusts. */
const ingressFront: Check = (change, out) => {
  if (!change.base || !change.head) return;
  const [ipBefore, ipAfter] = [change.base.annotations[STATIC_IP], change.head.annotations[STATIC_IP]];
  if (ipBefore !== ipAfter)
    out.add({
      class: "listener.changed",
      summary: `load balancer address ${ipBefore ?? "(ephemeral)"} → ${ipAfter ?? "(ephemeral)"}: clients and DNS records that point at the old address stop reaching it`,
      side: "head",
      path: ["metadata", "annotations", STATIC_IP],
      before: ipBefore,
      after: ipAfter,
    });
  const certs = (resource: Resource) =>
    sortedSet([
      ...(resource.annotations[PRE_SHARED_CERTS] ?? "").split(",").map((cert) => cert.trim()),
      ...list(templateSpec(resource).tls).map((entry) => text(record(entry).secretName) ?? ""),
    ]).filter(Boolean);
  const [certsBefore, certsAfter] = [certs(change.base), certs(change.head)];
  if (!sameValue(certsBefore, certsAfter))
    out.add({
      class: "trust.changed",
      summary: `serving certificates ${certsBefore.join(", ") || "none"} → ${certsAfter.join(", ") || "none"}: clients see another certificate, or plain HTTP`,
      side: "head",
      path: ["metadata", "annotations"],
      before: certsBefore,
      after: certsAfter,
    });
};

/**
 * The derived Services a MultiClusterService makes in each member cluster, as the
 * MultiClusterIngresses of its namespace still send to them: a port they name gone, or no selector
 * left, leaves the load balancer's backend with nothing to send to (`reference.broken`); another
 * selector sends every request to other pods (`backend.weight-changed`), as a core Service's does
 * (service-changes.ts). bank-of-anthos's `frontend-mcs` losing its one port passed as low in the
 * mutation sweep.
 */
const serviceTemplate: Check = (change, out, context) => {
  if (!change.base || !change.head) return;
  const { namespace, name } = change.head.id;
  const sends: { ingress: Resource; port: number | string | undefined }[] = [];
  for (const ingress of context.head.resources.values())
    if (ingress.id.kind === "MultiClusterIngress" && ingress.id.group === GKE_GROUP && ingress.id.namespace === namespace)
      for (const rule of multiClusterIngressRules(ingress))
        for (const backend of rule.backends) if (backend.ref.name === name) sends.push({ ingress, port: backend.ref.port });
  if (sends.length === 0) return;
  const names = sortedSet(sends.map(({ ingress }) => displayName(ingress.id)));
  const ingressesSend = `${names.join(", ")} still send${names.length === 1 ? "s" : ""}`;
  const [had, kept] = [new Set(portKeys(templateSpec(change.base))), new Set(portKeys(templateSpec(change.head)))];
  const lost = sortedSet(sends.flatMap(({ port }) => (port !== undefined && had.has(port) && !kept.has(port) ? [String(port)] : [])));
  if (lost.length > 0)
    out.add({
      class: "reference.broken",
      summary: `no longer has port ${lost.join(", ")} while ${ingressesSend} to it there: the load balancer's backend has no port to send to`,
      side: "head",
      path: ["spec", "template"],
      before: lost,
      after: null,
    });
  const [before, after] = [selectorText(templateSpec(change.base)), selectorText(templateSpec(change.head))];
  if (before !== after)
    out.add({
      class: after === "" ? "reference.broken" : "backend.weight-changed",
      summary:
        after === ""
          ? `no longer selects pods (selector ${before} removed) while ${ingressesSend} to it: no endpoint answers in any member cluster`
          : `selects other pods (${before || "none"} → ${after}) while ${ingressesSend} to it: every request goes to the pods the new selector picks`,
      side: "head",
      path: ["spec", "template"],
      before,
      after,
    });
};

export const multiClusterDetector = byKind(
  { MultiClusterService: [serviceClusters, serviceTemplate], MultiClusterIngress: [ingressFront] },
  (id) => id.group === GKE_GROUP,
);
