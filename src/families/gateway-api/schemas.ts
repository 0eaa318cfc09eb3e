import * as z from "zod";
import { isRecord } from "../../core/json-access.js";
import { duration, kubeObject, labelSelector, looseSpec, port, stringList, stringMap } from "../../core/kube-object.js";

/** Gateway API (gateway.networking.k8s.io, gateway.networking.x-k8s.io), typed as its CRDs type it. */

const objectRefShape = {
  group: z.string().optional(),
  kind: z.string().optional(),
  name: z.string(),
  namespace: z.string().optional(),
};
const objectRef = z.looseObject(objectRefShape);
const targetRef = z.looseObject({ group: z.string(), kind: z.string(), name: z.string(), sectionName: z.string().optional() });

export const parentRef = z.looseObject({ ...objectRefShape, sectionName: z.string().optional(), port: port.optional() });

/**
 * The CRDs' own rule (CEL, "Must have port for Service reference"): a reference to a core Service,
 * the default group and kind, names its port. Without one the API server refuses the whole route.
 */
const servicePortRule = (ref: {
  readonly group?: string | undefined;
  readonly kind?: string | undefined;
  readonly port?: number | undefined;
}) => !((ref.group ?? "") === "" && (ref.kind ?? "Service") === "Service" && ref.port === undefined);
const SERVICE_PORT = { message: "required when the reference is to a Service (the CRD's validation refuses the route)", path: ["port"] };

const requestMirror = z.looseObject({
  backendRef: z.looseObject({ ...objectRefShape, port: port.optional() }).refine(servicePortRule, SERVICE_PORT),
  percent: z.int().min(0).max(100).optional(),
  fraction: z.looseObject({ numerator: z.int().min(0), denominator: z.int().min(1).optional() }).optional(),
});

const routeFilter = z.looseObject({
  type: z.string(),
  requestMirror: requestMirror.optional(),
  requestRedirect: z.looseObject({ hostname: z.string().optional(), port: port.optional(), statusCode: z.int().optional() }).optional(),
  urlRewrite: z.looseObject({ hostname: z.string().optional() }).optional(),
  requestHeaderModifier: looseSpec.optional(),
  responseHeaderModifier: looseSpec.optional(),
  extensionRef: looseSpec.optional(),
});

export const backendRef = z
  .looseObject({
    ...objectRefShape,
    port: port.optional(),
    weight: z.int().min(0).max(1_000_000).optional(),
    filters: z.array(routeFilter).optional(),
  })
  .refine(servicePortRule, SERVICE_PORT);

const valueMatch = z.looseObject({
  type: z.enum(["Exact", "RegularExpression"]).optional(),
  name: z.string(),
  value: z.string(),
});

const httpRouteMatch = z.looseObject({
  path: z.looseObject({ type: z.enum(["Exact", "PathPrefix", "RegularExpression"]).optional(), value: z.string().optional() }).optional(),
  headers: z.array(valueMatch).optional(),
  queryParams: z.array(valueMatch).optional(),
  method: z.enum(["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"]).optional(),
});

const grpcRouteMatch = z.looseObject({
  method: z
    .looseObject({
      type: z.enum(["Exact", "RegularExpression"]).optional(),
      service: z.string().optional(),
      method: z.string().optional(),
    })
    .optional(),
  headers: z.array(valueMatch).optional(),
});

const ruleShape = {
  name: z.string().optional(),
  backendRefs: z.array(backendRef).optional(),
};

const httpRouteRule = z.looseObject({
  ...ruleShape,
  matches: z.array(httpRouteMatch).optional(),
  filters: z.array(routeFilter).optional(),
  timeouts: z.looseObject({ request: duration.optional(), backendRequest: duration.optional() }).optional(),
  retry: z
    .looseObject({ codes: z.array(z.int()).optional(), attempts: z.int().min(0).optional(), backoff: duration.optional() })
    .optional(),
  sessionPersistence: looseSpec.optional(),
});

const grpcRouteRule = z.looseObject({
  ...ruleShape,
  matches: z.array(grpcRouteMatch).optional(),
  filters: z.array(routeFilter).optional(),
  sessionPersistence: looseSpec.optional(),
});

const l4RouteRule = z.looseObject(ruleShape);

const routeShape = { parentRefs: z.array(parentRef).optional() };
const hostnames = stringList.optional();

export const httpRoute = kubeObject(z.looseObject({ ...routeShape, hostnames, rules: z.array(httpRouteRule).optional() }));
export const grpcRoute = kubeObject(z.looseObject({ ...routeShape, hostnames, rules: z.array(grpcRouteRule).optional() }));
export const tlsRoute = kubeObject(z.looseObject({ ...routeShape, hostnames, rules: z.array(l4RouteRule).optional() }));
/** TCPRoute and UDPRoute. */
export const l4Route = kubeObject(z.looseObject({ ...routeShape, rules: z.array(l4RouteRule).optional() }));

export const listener = z.looseObject({
  name: z.string(),
  port: port.optional(),
  protocol: z.string(),
  hostname: z.string().optional(),
  tls: z
    .looseObject({
      mode: z.enum(["Terminate", "Passthrough"]).optional(),
      certificateRefs: z.array(objectRef).optional(),
      options: stringMap.optional(),
    })
    .optional(),
  allowedRoutes: z
    .looseObject({
      namespaces: z
        .looseObject({ from: z.enum(["All", "Same", "Selector", "None"]).optional(), selector: labelSelector.optional() })
        .optional(),
      kinds: z.array(z.looseObject({ group: z.string().optional(), kind: z.string() })).optional(),
    })
    .optional(),
});

export const gateway = kubeObject(
  z.looseObject({
    gatewayClassName: z.string(),
    listeners: z.array(listener).optional(),
    addresses: z.array(z.looseObject({ type: z.string().optional(), value: z.string().optional() })).optional(),
    infrastructure: looseSpec.optional(),
    tls: looseSpec.optional(),
    allowedListeners: z
      .looseObject({
        namespaces: z
          .looseObject({ from: z.enum(["All", "Same", "Selector", "None"]).optional(), selector: labelSelector.optional() })
          .optional(),
      })
      .optional(),
  }),
);

export const listenerSet = kubeObject(z.looseObject({ parentRef: objectRef, listeners: z.array(listener).optional() }));

export const gatewayClass = kubeObject(
  z.looseObject({ controllerName: z.string(), parametersRef: looseSpec.optional(), description: z.string().optional() }),
);

export const referenceGrant = kubeObject(
  z.looseObject({
    from: z.array(z.looseObject({ group: z.string(), kind: z.string(), namespace: z.string() })),
    to: z.array(z.looseObject({ group: z.string(), kind: z.string(), name: z.string().optional() })),
  }),
);

/** An external destination routes name as a backendRef (external-backend.ts); TLS read loosely. */
export const xBackend = kubeObject(
  z.looseObject({
    type: z.string(),
    port: z.looseObject({ port: port.optional(), name: z.string().optional() }),
    externalHostname: z.looseObject({ hostname: z.string().optional() }).optional(),
    tls: looseSpec.optional(),
  }),
);

/**
 * v1alpha2 (Gateway API v1.0, its last release to serve it) named one `targetRef` and put the
 * validation under `tls` with shorter names; read as the later shape, so that a CA swap there is
 * judged as one, and a move to v1alpha3 or v1 that keeps the policy is no change.
 */
const fromV1alpha2 = (spec: unknown): unknown => {
  if (!isRecord(spec) || !("targetRef" in spec) || "targetRefs" in spec || !isRecord(spec.tls) || "validation" in spec) return spec;
  const { targetRef: single, tls, ...rest } = spec;
  const { caCertRefs, wellKnownCACerts, ...validation } = tls;
  return {
    ...rest,
    targetRefs: [single],
    validation: {
      ...validation,
      ...(caCertRefs !== undefined ? { caCertificateRefs: caCertRefs } : {}),
      ...(wellKnownCACerts !== undefined ? { wellKnownCACertificates: wellKnownCACerts } : {}),
    },
  };
};

export const backendTlsPolicy = kubeObject(
  z.preprocess(
    fromV1alpha2,
    z.looseObject({
      targetRefs: z.array(targetRef),
      // The CRD's own rules (every version): a hostname to validate, and one source of trust.
      validation: z
        .looseObject({
          caCertificateRefs: z.array(objectRef).optional(),
          wellKnownCACertificates: z.string().optional(),
          hostname: z.string().min(1),
          subjectAltNames: z.array(looseSpec).optional(),
        })
        .refine(
          ({ caCertificateRefs, wellKnownCACertificates }) => (caCertificateRefs?.length ?? 0) > 0 !== Boolean(wellKnownCACertificates),
          "must specify either caCertificateRefs or wellKnownCACertificates, not both",
        ),
      options: stringMap.optional(),
    }),
  ),
);

export const backendTrafficPolicy = kubeObject(
  z.looseObject({
    targetRefs: z.array(targetRef),
    retryConstraint: z
      .looseObject({
        budget: z.looseObject({ percent: z.int().min(0).max(100).optional(), interval: duration.optional() }).optional(),
        minRetryRate: z.looseObject({ count: z.int().min(0).optional(), interval: duration.optional() }).optional(),
      })
      .optional(),
    sessionPersistence: looseSpec.optional(),
  }),
);

export type BackendRef = z.infer<typeof backendRef>;
export type Gateway = z.infer<typeof gateway>;
export type ListenerSet = z.infer<typeof listenerSet>;
export type GatewayClass = z.infer<typeof gatewayClass>;
export type ReferenceGrant = z.infer<typeof referenceGrant>;
