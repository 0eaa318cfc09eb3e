import * as z from "zod";
import { kubeObject, port, stringList } from "../../core/kube-object.js";

/** A backend that is a resource of the controller's own (both versions). */
const resourceBackend = z.looseObject({ apiGroup: z.string().optional(), kind: z.string(), name: z.string() });

/** networking.k8s.io/v1 IngressBackend: a Service port, or a resource. */
const backend = z.looseObject({
  service: z
    .looseObject({ name: z.string().min(1), port: z.looseObject({ number: port.optional(), name: z.string().optional() }).optional() })
    .optional(),
  resource: resourceBackend.optional(),
});

/** v1beta1 IngressBackend (extensions and networking.k8s.io, served until Kubernetes 1.22): `serviceName` and `servicePort`. */
const betaBackend = z.looseObject({
  serviceName: z.string().min(1).optional(),
  servicePort: z.union([port, z.string().min(1)]).optional(),
  resource: resourceBackend.optional(),
});

const pathType = z.enum(["Exact", "Prefix", "ImplementationSpecific"]);

const spec = <Backend extends z.ZodType, PathType extends z.ZodType>(backendOf: Backend, pathTypeOf: PathType) =>
  z.looseObject({
    ingressClassName: z.string().optional(),
    tls: z.array(z.looseObject({ hosts: stringList.optional(), secretName: z.string().optional() })).optional(),
    rules: z
      .array(
        z.looseObject({
          host: z.string().optional(),
          http: z
            .looseObject({ paths: z.array(z.looseObject({ path: z.string().optional(), pathType: pathTypeOf, backend: backendOf })) })
            .optional(),
        }),
      )
      .optional(),
  });

/** An IngressClass: the controller of every Ingress that names it, and that controller's parameters. */
export const ingressClass = kubeObject(
  z.looseObject({ controller: z.string().optional(), parameters: z.looseObject({ kind: z.string(), name: z.string() }).optional() }),
);

/** The AWS Load Balancer Controller's parameters of an IngressClass (`elbv2.k8s.aws`): read for the IngressGroup every Ingress of the class joins. */
export const ingressClassParams = kubeObject(
  z.looseObject({ group: z.looseObject({ name: z.string().optional() }).optional() }).optional(),
);

/**
 * The API server's own check differs by version: v1 requires `pathType` (v1beta1 defaulted it to
 * ImplementationSpecific) and names the default backend `defaultBackend` (v1beta1: `backend`).
 */
export const ingress = z.discriminatedUnion("apiVersion", [
  kubeObject(spec(backend, pathType).extend({ defaultBackend: backend.optional() })).extend({
    apiVersion: z.literal("networking.k8s.io/v1"),
  }),
  kubeObject(spec(betaBackend, pathType.optional()).extend({ backend: betaBackend.optional() })).extend({
    apiVersion: z.enum(["networking.k8s.io/v1beta1", "extensions/v1beta1"]),
  }),
]);
