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

const AWS_SCHEME = "service.beta.kubernetes.io/aws-load-balancer-scheme";
const AWS_DEFAULT = "internal by the AWS Load Balancer Controller's default, with no aws-load-balancer-scheme";

/**
 * Whether the AWS Load Balancer Controller makes the load balancer (`aws-load-balancer-type:
 * external` or `nlb-ip`, or its `loadBalancerClass`): since v2.2 it makes an internal one unless
 * `aws-load-balancer-scheme: internet-facing` says otherwise, where the in-tree controller made an
 * internet-facing one.
 */
const madeByAwsController = (written: Readonly<Record<string, unknown>>, loadBalancerClass: unknown): boolean => {
  const type = written["service.beta.kubernetes.io/aws-load-balancer-type"];
  return (
    loadBalancerClass === "service.k8s.aws/nlb" || (typeof type === "string" && ["external", "nlb-ip"].includes(type.trim().toLowerCase()))
  );
};

/** The annotation (or controller default) that keeps it internal, or undefined when none does (internet-facing). */
export function internalBy(annotations: unknown, loadBalancerClass?: unknown): string | undefined {
  const written = record(annotations);
  for (const [key, internal] of INTERNAL) {
    const value = written[key];
    if (typeof value === "string" && internal(value.trim().toLowerCase())) return `${key}: ${value}`;
  }
  if (written[AWS_SCHEME] === undefined && madeByAwsController(written, loadBalancerClass)) return AWS_DEFAULT;
  return undefined;
}

/** What becoming internet-facing means, for a summary; undefined when it stays internal or was not. */
export function becomesExternal(
  before: unknown,
  after: unknown,
  classes: { readonly before?: unknown; readonly after?: unknown } = {},
): string | undefined {
  const was = internalBy(before, classes.before);
  const now = internalBy(after, classes.after);
  if (was === undefined) return undefined;
  // Another cloud's annotation gone, the AWS controller's default keeps it internal only on AWS: which
  // cloud the cluster runs in, the annotations written for both do not say.
  if (now !== undefined && !(now === AWS_DEFAULT && !was.startsWith("service.beta.kubernetes.io/aws-"))) return undefined;
  const why = was === AWS_DEFAULT ? `was ${was}` : `${was} gone`;
  const onlyOnAws = now === undefined ? "" : "; only on AWS would its controller's default keep it internal";
  return `its load balancer is no longer internal (${why}${onlyOnAws}): every listener becomes reachable from the internet`;
}

/** A Service as its load balancer is concerned: its type (undefined: the installer's default), annotations and ports. */
export interface LoadBalancing {
  readonly type: string | undefined;
  readonly annotations: unknown;
  /** Its `loadBalancerClass`: the controller that makes its load balancer. */
  readonly loadBalancerClass?: unknown;
  /** Its `ports` list as written; not a list where the installer's defaults apply (unknown here). */
  readonly ports?: unknown;
}

const REFUSED = "clients outside the cluster are refused";

/** Why a load balancer stopped facing the internet: what that means, and the field of LoadBalancing that did it. */
export interface Closing {
  readonly summary: string;
  readonly field: "type" | "annotations" | "ports";
}

/**
 * What losing the internet-facing load balancer means, for a summary; undefined when it keeps one or
 * had none. `defaultType`: the type an unset `type` means (an Istio ingress gateway's is
 * LoadBalancer, a core Service's ClusterIP). Turned into another type or made internal, the
 * external address is released or closed to the internet: clients that reach the gateway from
 * outside (the DNS records pointing at it) are refused, and every route behind it with them. Still
 * facing the internet, a port written on both sides that it no longer listens on refuses the
 * clients that connect there.
 */
export function stopsFacingInternet(before: LoadBalancing, after: LoadBalancing, defaultType: string): Closing | undefined {
  const type = (side: LoadBalancing) => side.type ?? defaultType;
  if (type(before) !== "LoadBalancer" || internalBy(before.annotations, before.loadBalancerClass) !== undefined) return undefined;
  if (type(after) !== "LoadBalancer")
    return {
      summary: `type LoadBalancer → ${type(after)}: its internet-facing load balancer and address are released, so ${REFUSED}, and every route behind it with them`,
      field: "type",
    };
  const internal = internalBy(after.annotations, after.loadBalancerClass);
  if (internal !== undefined)
    return {
      summary: `its load balancer becomes internal (${internal}): clients on the internet are refused, and every route behind it with them`,
      field: "annotations",
    };
  if (!Array.isArray(before.ports) || !Array.isArray(after.ports)) return undefined;
  const numbers = (ports: readonly unknown[]) => ports.map((port) => record(port).port).filter((port) => typeof port === "number");
  const kept = new Set(numbers(after.ports));
  const closed = numbers(before.ports).filter((port) => !kept.has(port));
  return closed.length === 0
    ? undefined
    : {
        summary: `its internet-facing load balancer no longer listens on port${closed.length > 1 ? "s" : ""} ${closed.join(", ")}: clients connecting there from outside the cluster are refused`,
        field: "ports",
      };
}
