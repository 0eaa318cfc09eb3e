import { byKind, type Check } from "../../core/by-kind.js";
import { removedWhileNamed, stillName } from "../../core/removed-while-named.js";
import { setChange } from "../../core/canonical-values.js";
import { spec, texts } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";

/**
 * GKE's ManagedCertificate (networking.gke.io): the Google-managed certificate the Ingresses that
 * name it in their `networking.gke.io/managed-certificates` annotation serve. Its `domains` are the
 * names it covers: a domain dropped fails the handshake of every client of that host; one added
 * makes Google provision the certificate again, and a domain that does not yet point at the load
 * balancer leaves it in Provisioning. Removed while an Ingress of the tree still names it, those
 * Ingresses lose the certificate.
 */

const GKE_GROUP = "networking.gke.io";
const ANNOTATION = "networking.gke.io/managed-certificates";

/** The Ingresses of a tree that name a certificate in their annotation (comma-separated names, same namespace). */
const ingressesNaming = (tree: ManifestSet, certificate: Resource): string[] => {
  const found: string[] = [];
  for (const resource of tree.resources.values()) {
    if (resource.id.kind !== "Ingress" || resource.id.namespace !== certificate.id.namespace) continue;
    const names = (resource.annotations[ANNOTATION] ?? "").split(",").map((name) => name.trim());
    if (names.includes(certificate.id.name)) found.push(`Ingress ${resource.id.namespace}/${resource.id.name}`);
  }
  return [...new Set(found)].sort();
};

const domains: Check = (change, out, context) => {
  if (!change.base || !change.head) return;
  const [was, now] = [texts(spec(change.base).domains), texts(spec(change.head).domains)];
  const { added, removed } = setChange(was, now);
  const users = ingressesNaming(context.head, change.head);
  const where = users.length > 0 ? users.join(", ") : "the Ingresses that name it";
  if (removed.length > 0)
    out.add({
      class: "listener.changed",
      summary: `domains no longer cover ${removed.join(", ")}: HTTPS clients of ${removed.length === 1 ? "that host" : "those hosts"} on ${where} get a certificate that does not name it`,
      side: "head",
      path: ["spec", "domains"],
      before: was,
      after: now,
    });
  if (added.length > 0)
    out.add({
      class: "resource.changed",
      summary: `domains gain ${added.join(", ")}: Google provisions the certificate of ${where} again, and it stays in Provisioning until every domain points at the load balancer`,
      side: "head",
      path: ["spec", "domains"],
      before: was,
      after: now,
      riskFloor: "medium-high",
    });
};

const removed = removedWhileNamed(
  ingressesNaming,
  (users, certificate) =>
    `removed while ${stillName(users)} (${ANNOTATION}): ${texts(spec(certificate).domains).join(", ")} lose their certificate`,
);

export const managedCertificateDetector = byKind({ ManagedCertificate: [domains, removed] }, (id) => id.group === GKE_GROUP);
