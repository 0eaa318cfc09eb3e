import * as z from "zod";
import { kubeObject, looseSpec, percent, port, stringList } from "../../core/kube-object.js";

/**
 * Traefik's Kubernetes CRD provider (traefik.io/v1alpha1, and traefik.containo.us/v1alpha1 before
 * Traefik v3, the same API): the fields the flows and detectors read typed as the CRDs type them
 * (a port is a number or a port name), the rest kept as read.
 */

/** A Kubernetes Service by port, or a TraefikService (`kind: TraefikService`), with its share of the requests. */
const serviceRef = z.looseObject({
  name: z.string().min(1),
  namespace: z.string().optional(),
  kind: z.enum(["Service", "TraefikService"]).optional(),
  port: z.union([port, z.string().min(1)]).optional(),
  weight: z.int().min(0).optional(),
});

const middlewareRef = z.looseObject({ name: z.string().min(1), namespace: z.string().optional() });

const tls = z.looseObject({
  secretName: z.string().optional(),
  certResolver: z.string().optional(),
  options: z.looseObject({ name: z.string(), namespace: z.string().optional() }).optional(),
  passthrough: z.boolean().optional(),
});

const routeSpec = <Route extends z.ZodType>(route: Route) =>
  kubeObject(z.looseObject({ entryPoints: stringList.optional(), routes: z.array(route), tls: tls.optional() }));

export const ingressRoute = routeSpec(
  z.looseObject({
    match: z.string().min(1),
    kind: z.string().optional(),
    priority: z.int().optional(),
    services: z.array(serviceRef).optional(),
    middlewares: z.array(middlewareRef).optional(),
  }),
);

/** TCP routes match by SNI (`HostSNI(`*`)` for any); UDP routes match every datagram of their entry points. */
export const ingressRouteTcp = routeSpec(
  z.looseObject({
    match: z.string().min(1),
    priority: z.int().optional(),
    services: z.array(serviceRef).optional(),
    middlewares: z.array(middlewareRef).optional(),
  }),
);
export const ingressRouteUdp = routeSpec(z.looseObject({ services: z.array(serviceRef).optional() }));

export const traefikService = kubeObject(
  z.looseObject({
    weighted: z.looseObject({ services: z.array(serviceRef).optional() }).optional(),
    mirroring: serviceRef.extend({ mirrors: z.array(serviceRef.extend({ percent: percent.optional() })).optional() }).optional(),
  }),
);

const sourceRange = z.looseObject({ sourceRange: stringList.optional() });

/** What a Middleware does is one key of its spec; those judged are typed. */
export const middleware = kubeObject(
  z.looseObject({
    basicAuth: looseSpec.optional(),
    digestAuth: looseSpec.optional(),
    forwardAuth: z.looseObject({ address: z.string().optional() }).optional(),
    ipAllowList: sourceRange.optional(),
    ipWhiteList: sourceRange.optional(),
    chain: z.looseObject({ middlewares: z.array(middlewareRef).optional() }).optional(),
  }),
);
export const middlewareTcp = kubeObject(z.looseObject({ ipAllowList: sourceRange.optional(), ipWhiteList: sourceRange.optional() }));

export const serversTransport = kubeObject(
  z.looseObject({
    insecureSkipVerify: z.boolean().optional(),
    serverName: z.string().optional(),
    rootCAs: z.array(z.unknown()).optional(),
  }),
);
export const serversTransportTcp = kubeObject(
  z.looseObject({ tls: z.looseObject({ insecureSkipVerify: z.boolean().optional() }).optional() }),
);
export const tlsOption = kubeObject(
  z.looseObject({
    minVersion: z.string().optional(),
    cipherSuites: stringList.optional(),
    clientAuth: z.looseObject({ clientAuthType: z.string().optional(), secretNames: stringList.optional() }).optional(),
  }),
);
