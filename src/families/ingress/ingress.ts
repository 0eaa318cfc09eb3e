import { sameValue } from "../../core/canonical-values.js";
import { DetectionList } from "../../core/detection-list.js";
import { list, record, text } from "../../core/json-access.js";
import type { Resource } from "../../core/resource.js";
import type { ResourceDetector } from "../../core/detector.js";
import { accessAnnotations, plaintextAnnotations, upstreamTlsAnnotations } from "./access-annotations.js";
import { snippetAnnotations } from "./snippet-annotations.js";
import { nginxBehaviour } from "./nginx-behaviour.js";
import { albBehaviour } from "./alb-annotations.js";
import { gceBehaviour } from "./gce-annotations.js";
import { addressesTaken } from "./gce-addresses.js";
import { canarySelection } from "./canary.js";
import { CLASS_ANNOTATION, effectiveIngressClass, ingressClass } from "./flows.js";

/**
 * What an Ingress changes beyond its flows (hosts, paths and backends are read off the traffic
 * model by the route diff): the controller that serves it, who may reach it, and the certificates it serves.
 */

/**
 * Each host's certificate as `host: secret`, sorted: what clients see is per host, so how the
 * hosts are grouped into entries, and their order, carry no meaning. A host in two entries keeps
 * every secret named for it.
 */
const tlsOf = (resource: Resource | undefined): string[] => {
  const secrets = new Map<string, Set<string>>();
  for (const item of list(record(resource?.body.spec).tls)) {
    const entry = record(item);
    const secret = text(entry.secretName) ?? "(no secret)";
    const hosts = list(entry.hosts).map((host) => text(host) ?? "");
    for (const host of hosts.length ? hosts : ["*"]) secrets.set(host, (secrets.get(host) ?? new Set()).add(secret));
  }
  return [...secrets].map(([host, names]) => `${host}: ${[...names].sort().join(" | ")}`).sort();
};

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
  const [tlsBefore, tlsAfter] = [tlsOf(change.base), tlsOf(change.head)];
  if (!sameValue(tlsBefore, tlsAfter)) {
    out.add({
      class: "trust.changed",
      summary: `serving certificates change (${tlsBefore.join("; ") || "none"} → ${tlsAfter.join("; ") || "none"}): clients see another certificate, or plain HTTP`,
      side: "head",
      path: ["spec", "tls"],
      before: tlsBefore,
      after: tlsAfter,
    });
  }
  return out.detections;
};
