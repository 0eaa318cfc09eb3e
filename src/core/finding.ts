import type { DocumentSource, ResourceId } from "./resource.js";
import type { ChangeClassId } from "./change-classes.js";
import type { RiskLevel } from "./risk-level.js";

/** A field inside a resource, as a path from the document root (`["spec", "rules", 0]`). */
export type FieldPath = readonly (string | number)[];

/**
 * What a detector says about one change, before it is placed in a file and given a risk.
 * `side` says which tree the path points into (a removal points at the base file).
 */
export interface Detection {
  readonly class: ChangeClassId;
  readonly summary: string;
  readonly resource: ResourceId;
  /** The resource's key in its tree when it differs from its id (scoped by cluster or file). */
  readonly resourceKey?: string;
  readonly side: "base" | "head";
  readonly path: FieldPath;
  /**
   * Identity of the rule (and the thing within it) a route finding is about: with class, resource
   * and before/after it makes the fingerprint, so two rules changed the same way are two approvals.
   */
  readonly rule?: string;
  /**
   * The flows a route finding reaches, each `entry | host | match`: the same change to the same rule
   * on another Gateway, listener or host is another change, so it joins the fingerprint.
   */
  readonly reaches?: readonly string[];
  /** Normalised before/after values: what an approval binds to (the fingerprint). */
  readonly before?: unknown;
  readonly after?: unknown;
  /**
   * Where the traffic the change moves runs, beyond where the resource's file lands: the clusters
   * and regions of the backends it adds, drains or re-weights.
   */
  readonly lands?: { readonly clusters: readonly string[]; readonly regions: readonly string[] };
  /** Raise the class's risk for this one finding (e.g. mirroring a write path is high). */
  readonly riskFloor?: RiskLevel;
  /**
   * Where the finding points: the document it is about, where the loader keeps no resource of it (a
   * core Service), or the one holding the value judged, where that is not the resource's own (a
   * release's values in a ConfigMap it reads).
   */
  readonly at?: DocumentSource;
}

export interface Finding {
  readonly class: ChangeClassId;
  readonly risk: RiskLevel;
  readonly summary: string;
  readonly file: string;
  readonly line: number;
  readonly resource: ResourceId;
  /** Stable hash of what an approval binds to: class, resource and its scope, rule, flows reached, clusters, normalised before/after (DESIGN §10). */
  readonly fingerprint: string;
  /** Clusters and regions the change lands in, when known. */
  readonly clusters: readonly string[];
  readonly regions: readonly string[];
}
