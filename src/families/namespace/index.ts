import type { Family } from "../family.js";
import { metadataOnly } from "../../core/kube-object.js";
import { namespaceRemovalDetector } from "./namespace-removal.js";

/**
 * Core Namespaces, for their labels: a Gateway listener with `allowedRoutes.namespaces.from:
 * Selector` admits routes from the namespaces its selector matches, so relabelling a Namespace can
 * expose its routes on a shared Gateway (gateway-api's entry points read the labels; the route diff
 * shows what lands). Last in the table: a Namespace with mesh labels is the mesh's (istio-mesh), and
 * its labels are read the same. Removing a Namespace whose objects stay is judged here too.
 */
export const namespaceFamily: Family = {
  name: "namespace",
  kinds: [],
  // Before parsing, a document that names the kind; after, the kind the parsed document has.
  textKinds: [
    {
      kind: "Namespace",
      // Anywhere on a line: JSON and flow style write `"kind": "Namespace"` indented or inline.
      when: /\bkind["']?[ \t]*:[ \t]*["']?Namespace\b/,
      schema: metadataOnly,
      namespaced: false,
      context: true,
    },
  ],
  detectors: [namespaceRemovalDetector],
  // A Namespace with mesh labels is the mesh's resource: removing it leaves its objects behind all the same.
  detectsOn: { "istio-mesh": [namespaceRemovalDetector] },
};
