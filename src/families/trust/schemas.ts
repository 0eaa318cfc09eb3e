import * as z from "zod";
import { duration, kubeObject, looseSpec, stringList } from "../../core/kube-object.js";

/** cert-manager.io: the certificate's trust chain and hostnames typed, issuers kept as read. */

export const certificate = kubeObject(
  z.looseObject({
    secretName: z.string(),
    issuerRef: z.looseObject({ name: z.string(), kind: z.string().optional(), group: z.string().optional() }),
    commonName: z.string().optional(),
    dnsNames: stringList.optional(),
    isCA: z.boolean().optional(),
    usages: stringList.optional(),
    uris: stringList.optional(),
    ipAddresses: stringList.optional(),
    duration: duration.optional(),
    renewBefore: duration.optional(),
    renewBeforePercentage: z.int().min(0).max(100).optional(),
    privateKey: z
      .looseObject({ rotationPolicy: z.string().optional(), algorithm: z.string().optional(), size: z.int().optional() })
      .optional(),
  }),
);

export const issuer = kubeObject(looseSpec);

export type Certificate = z.infer<typeof certificate>;
