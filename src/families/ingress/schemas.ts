import * as z from "zod";
import { kubeObject, port, stringList } from "../../core/kube-object.js";

/** networking.k8s.io/v1 IngressBackend: a Service port, or a resource of the controller's own. */
const backend = z.looseObject({
  service: z
    .looseObject({ name: z.string().min(1), port: z.looseObject({ number: port.optional(), name: z.string().optional() }).optional() })
    .optional(),
  resource: z.looseObject({ apiGroup: z.string().optional(), kind: z.string(), name: z.string() }).optional(),
});

export const ingress = kubeObject(
  z.looseObject({
    ingressClassName: z.string().optional(),
    defaultBackend: backend.optional(),
    tls: z.array(z.looseObject({ hosts: stringList.optional(), secretName: z.string().optional() })).optional(),
    rules: z
      .array(
        z.looseObject({
          host: z.string().optional(),
          http: z
            .looseObject({
              paths: z.array(
                z.looseObject({ path: z.string().optional(), pathType: z.enum(["Exact", "Prefix", "ImplementationSpecific"]), backend }),
              ),
            })
            .optional(),
        }),
      )
      .optional(),
  }),
);
