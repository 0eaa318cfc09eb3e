import { DetectionList } from "../../core/detection-list.js";
import { list, record, text } from "../../core/json-access.js";
import { mayShareCluster, type Resource } from "../../core/resource.js";
import type { DetectorContext, ResourceDetector } from "../../core/detector.js";
import { hostsOverlap } from "../../core/host-match.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { accessAnnotations, plaintextAnnotations, upstreamTlsAnnotations } from "./access-annotations.js";
import { snippetAnnotations } from "./snippet-annotations.js";
import { nginxBehaviour } from "./nginx-behaviour.js";
import { albBehaviour } from "./alb-annotations.js";
import { gceBehaviour } from "./gce-annotations.js";
import { addressesTaken } from "./gce-addresses.js";
import { canarySelection } from "./canary.js";
import { effectiveIngressClass } from "./flows.js";
import { CLASS_ANNOTATION, ingressClass } from "./ingress-class.js";

/**
 * What an Ingress changes beyond its flows (hosts, paths and backends are read off the traffic
 * model by the route diff): the controller that serves it, who may reach it, and the certificates it serves.
 */

/**
 * Each host's certificate as the Secrets its TLS entries name (`(no secret)`: the controller's
 * default one; `*`: an entry that names no host): what clients see is per host, so how the hosts are
 * grouped into entries, and their order, carry no meaning. A host in two entries keeps every secret
 * named for it.
 */
function certificatesOf(resource: Resource): Map<string, string> {
  const secrets = new Map<string, Set<string>>();
  for (const item of list(record(resource.body.spec).tls)) {
    const entry = record(item);
    const secret = text(entry.secretName) ?? "(no secret)";
    const hosts = list(entry.hosts).map((host) => text(host) ?? "");
    for (const host of hosts.length ? hosts : ["*"]) secrets.set(host, (secrets.get(host) ?? new Set()).add(secret));
  }
  return new Map([...secrets].map(([host, names]) => [host, [...names].sort().join(" | ")]));
}

/** The hosts an Ingress names, in its rules or its TLS. */
const hostsNamed = (resource: Resource): string[] => [
  ...list(record(resource.body.spec).rules).flatMap((rule) => text(record(rule).host) ?? []),
  ...certificatesOf(resource).keys(),
];

/**
 * The hosts whose certificate changes, as `host: secret` at base and at head (`plain HTTP`: named
 * with no TLS; `not named here`: left to the other Ingresses naming it). A host this Ingress names on
 * one side only is a route added or removed, its certificate part of it, unless some Ingress that may
 * share its cluster names a host it overlaps on the other side: then its requests were, or still are,
 * served there, and ingress-nginx merges the TLS of every Ingress naming a host (and finds a wildcard
 * certificate for hosts its entry does not list), so the certificate clients see may change. An entry
 * that names no host is never a new route.
 */
function certificateChanges(base: Resource, head: Resource, context: DetectorContext): [string[], string[]] {
  const certificates = { base: certificatesOf(base), head: certificatesOf(head) };
  const named = { base: new Set(hostsNamed(base)), head: new Set(hostsNamed(head)) };
  const servedElsewhere = (host: string, side: "base" | "head", resource: Resource) =>
    host === "*" ||
    resourcesOfKind(context[side], "Ingress").some(
      (other) => mayShareCluster(other, resource) && hostsNamed(other).some((name) => hostsOverlap(name, host)),
    );
  const changes: [string, string, string][] = [];
  for (const host of new Set([...named.base, ...named.head])) {
    if (certificates.base.get(host) === certificates.head.get(host)) continue;
    const shown = (side: "base" | "head") => certificates[side].get(host) ?? (named[side].has(host) ? "plain HTTP" : "not named here");
    if (!named.base.has(host) && !servedElsewhere(host, "base", head)) continue;
    if (!named.head.has(host) && !servedElsewhere(host, "head", base)) continue;
    changes.push([host, shown("base"), shown("head")]);
  }
  changes.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [changes.map(([host, was]) => `${host}: ${was}`), changes.map(([host, , now]) => `${host}: ${now}`)];
}

export const ingressDetector: ResourceDetector = (change, context) => {
  // An IngressClass is ingressClassDetector's.
  if ((change.head ?? change.base)!.id.kind !== "Ingress") return [];
  const out = new DetectionList(change);
  snippetAnnotations(change.base, change.head, out);
  addressesTaken(change, context, out);
  if (!change.base || !change.head) return out.detections;
  // The default class written out, or dropped, is the same controller.
  const [classBefore, classAfter] = [ingressClass(change.base), ingressClass(change.head)];
  const classes = { base: effectiveIngressClass(change.base, context.base), head: effectiveIngressClass(change.head, context.head) };
  if (classes.base !== classes.head) {
    out.add({
      class: "gateway-class.changed",
      summary: `IngressClass ${classBefore ?? "(default)"} → ${classAfter ?? "(default)"}: another controller serves its hosts, with its own addresses, defaults and annotations`,
      side: "head",
      // The class is the field, else the annotation older Ingresses name it with.
      path:
        text(record(change.head.body.spec).ingressClassName) !== text(record(change.base.body.spec).ingressClassName)
          ? ["spec", "ingressClassName"]
          : ["metadata", "annotations", CLASS_ANNOTATION],
      before: classBefore,
      after: classAfter,
    });
  }
  canarySelection(change.base, change.head, out);
  accessAnnotations(change.base, change.head, out, context);
  nginxBehaviour(change.base, change.head, out);
  albBehaviour(change.base, change.head, out);
  gceBehaviour(change.base, change.head, out);
  plaintextAnnotations(change.base, change.head, out, classes);
  upstreamTlsAnnotations(change.base, change.head, out);
  const [tlsBefore, tlsAfter] = certificateChanges(change.base, change.head, context);
  if (tlsBefore.length > 0) {
    out.add({
      class: "trust.changed",
      summary: `serving certificates change (${tlsBefore.join("; ")} → ${tlsAfter.join("; ")}): clients see another certificate, or plain HTTP`,
      side: "head",
      path: ["spec", "tls"],
      before: tlsBefore,
      after: tlsAfter,
    });
  }
  return out.detections;
};
