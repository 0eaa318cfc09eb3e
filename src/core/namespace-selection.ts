import { selects, selectsKnowing, type Labels } from "./label-selector.js";

/**
 * The label the API server gives every Namespace (Kubernetes ≥ 1.22): its name, whatever the
 * manifest writes there. Gateway API's own strict example (http-route-attachment/gateway-strict.yaml)
 * admits routes by it, as NetworkPolicy namespaceSelectors commonly do, though no file writes it.
 */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

const nameOnly = (key: string) => key === NAMESPACE_NAME_LABEL;

/**
 * Whether a namespace selector selects a namespace: by the labels its Namespace is defined with in
 * the tree, plus the automatic name label; where the tree does not define it (a namespace created
 * outside the repository, or defined with different labels in several places), by that label alone,
 * all that is known of it, so a selector that also tests others is "unknown" there.
 */
export function selectsNamespace(selector: unknown, name: string, defined: Labels | undefined): boolean | "unknown" {
  const automatic = { [NAMESPACE_NAME_LABEL]: name };
  return defined ? selects(selector, { ...defined, ...automatic }) : selectsKnowing(selector, automatic, nameOnly);
}
