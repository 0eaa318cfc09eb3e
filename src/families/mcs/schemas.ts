import * as z from "zod";
import { kubeObject, looseSpec, port, stringList } from "../../core/kube-object.js";

/** Multi-Cluster Services: multicluster.x-k8s.io, GKE's net.gke.io and AWS's application-networking.k8s.aws. */

export const serviceExport = kubeObject(looseSpec.optional());

export const serviceImport = kubeObject(
  z
    .looseObject({
      type: z.string().optional(),
      ports: z.array(z.looseObject({ port, protocol: z.string().optional(), name: z.string().optional() })).optional(),
      ips: stringList.optional(),
    })
    .optional(),
);

export type ServiceExport = z.infer<typeof serviceExport>;
export type ServiceImport = z.infer<typeof serviceImport>;
