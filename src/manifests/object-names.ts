/**
 * The names the API server takes (apimachinery's ValidateObjectMeta). A custom resource's name is
 * a DNS-1123 subdomain (the apiextensions server validates every custom resource with
 * NameIsDNSSubdomain), as is that of most built-in kinds; a Service's is a DNS-1035 label, a
 * Namespace's, and every object's `metadata.namespace`, a DNS-1123 label. kubectl and Flux refuse
 * an object named otherwise (`Checkout`, `Checkout_API`, 264 characters), and a Flux Kustomization
 * then stops applying its whole batch: read as a rename with the same spec, such an edit passed.
 */

const DNS_1123_LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
const DNS_1035_LABEL = /^[a-z](?:[-a-z0-9]*[a-z0-9])?$/;

interface NameRule {
  readonly pattern: RegExp;
  readonly most: number;
  readonly says: string;
}

const SUBDOMAIN: NameRule = {
  pattern: DNS_1123_SUBDOMAIN,
  most: 253,
  says: "a DNS-1123 subdomain (lowercase a-z, 0-9, '-' and '.', alphanumeric at both ends, at most 253 characters)",
};
const LABEL: NameRule = {
  pattern: DNS_1123_LABEL,
  most: 63,
  says: "a DNS-1123 label (lowercase a-z, 0-9 and '-', alphanumeric at both ends, at most 63 characters)",
};
const SERVICE: NameRule = {
  pattern: DNS_1035_LABEL,
  most: 63,
  says: "a DNS-1035 label (lowercase a-z, 0-9 and '-', starting with a letter, at most 63 characters)",
};

/** The rule of a kind's names: a core Service's and Namespace's are labels, every other kind's a subdomain. */
const nameRule = (group: string, kind: string): NameRule =>
  group === "" && kind === "Service" ? SERVICE : group === "" && kind === "Namespace" ? LABEL : SUBDOMAIN;

/**
 * What is wrong with a name the API server would refuse, if anything. A name holding a Flux
 * variable (`checkout-${CLUSTER}`) is what the fleet's substitution makes of it, not the name applied.
 */
function problem(name: string, rule: NameRule): string | undefined {
  if (name.includes("${") || (name.length <= rule.most && rule.pattern.test(name))) return undefined;
  return `${JSON.stringify(name.length > 80 ? `${name.slice(0, 77)}...` : name)}${name.length > rule.most ? ` (${name.length} characters)` : ""} is not ${rule.says}: the API server refuses the object`;
}

/** The field of an object's metadata the API server would refuse, and why. */
export function misnamed(
  group: string,
  kind: string,
  metadata: { readonly name?: string; readonly namespace?: string },
  namespaced: boolean,
): { readonly field: "name" | "namespace"; readonly message: string } | undefined {
  const name = metadata.name === undefined ? undefined : problem(metadata.name, nameRule(group, kind));
  if (name) return { field: "name", message: `metadata.name: ${name}` };
  const namespace = namespaced && metadata.namespace ? problem(metadata.namespace, LABEL) : undefined;
  return namespace ? { field: "namespace", message: `metadata.namespace: ${namespace}` } : undefined;
}
