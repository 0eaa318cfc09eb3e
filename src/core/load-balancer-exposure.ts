import { record } from "./json-access.js";

/**
 * Whether the load balancer of a gateway's Service is internal, from the annotations that cloud
 * load-balancer controllers read (GKE, AWS, Azure). Without one of them a LoadBalancer Service is
 * internet-facing, so dropping the annotation, or spelling it to mean external, exposes every
 * listener of the gateway to the internet (gateway-api-inference-extension 2e721bf0 edited one).
 * Values are compared case-insensitively: GKE reads "Internal" and "internal" alike.
 */
const INTERNAL: readonly (readonly [string, (value: string) => boolean | undefined])[] = [
  ["networking.gke.io/load-balancer-type", (value) => value === "internal"],
  ["cloud.google.com/load-balancer-type", (value) => value === "internal"],
  ["service.beta.kubernetes.io/aws-load-balancer-internal", (value) => value === "true" || value === "0.0.0.0/0"],
  [
    "service.beta.kubernetes.io/aws-load-balancer-scheme",
    (value) => (value === "internal" ? true : value === "internet-facing" ? false : undefined),
  ],
  ["service.beta.kubernetes.io/azure-load-balancer-internal", (value) => value === "true"],
];

/** The annotation that keeps it internal, or undefined when none does (internet-facing). */
export function internalBy(annotations: unknown): string | undefined {
  const written = record(annotations);
  for (const [key, internal] of INTERNAL) {
    const value = written[key];
    if (typeof value === "string" && internal(value.trim().toLowerCase())) return `${key}: ${value}`;
  }
  return undefined;
}

/** What becoming internet-facing means, for a summary; undefined when it stays internal or was not. */
export function becomesExternal(before: unknown, after: unknown): string | undefined {
  const was = internalBy(before);
  if (was === undefined || internalBy(after) !== undefined) return undefined;
  return `its load balancer is no longer internal (${was} gone): every listener becomes reachable from the internet`;
}
