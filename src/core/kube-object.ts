import * as z from "zod";

/**
 * Building blocks shared by every kind's schema. Objects are loose (unknown fields are kept: the
 * body is the whole document); the fields later stages read are typed strictly, as the API server's
 * structural schema would type them, so `weight: "90"` is an error here as it is there.
 */

export const stringMap = z.record(z.string(), z.string());
export const stringList = z.array(z.string());
export const port = z.int().min(1).max(65535);
export const percent = z.number().min(0).max(100);
/** Duration strings (`10s`, `1m30s`): shortened timeouts are compared later, so the type must hold. */
export const duration = z.string();

export const labelSelector = z.looseObject({
  matchLabels: stringMap.optional(),
  matchExpressions: z.array(z.looseObject({ key: z.string(), operator: z.string(), values: stringList.optional() })).optional(),
});

export const metadata = z.looseObject({
  name: z.string().min(1),
  namespace: z.string().optional(),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
});

/** A Kubernetes object whose `spec` has the given shape. */
export const kubeObject = <Spec extends z.ZodType>(spec: Spec) =>
  z.looseObject({ apiVersion: z.string(), kind: z.string(), metadata, spec });

/** An object whose metadata is all that is read (a Namespace's labels): no spec required. */
export const metadataOnly = z.looseObject({ apiVersion: z.string(), kind: z.string(), metadata });

/** A spec read only loosely: any mapping. */
export const looseSpec = z.looseObject({});

/** What every kind's schema yields: identity fields typed, the rest kept as read. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: z.infer<typeof metadata>;
  readonly [field: string]: unknown;
}
