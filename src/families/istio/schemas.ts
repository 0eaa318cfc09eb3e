import * as z from "zod";
import { duration, kubeObject, labelSelector, looseSpec, percent, port, stringList, stringMap } from "../../core/kube-object.js";

/** Istio networking.istio.io and security.istio.io, typed as their CRDs' structural schemas type them. */

const stringMatch = z.looseObject({ exact: z.string().optional(), prefix: z.string().optional(), regex: z.string().optional() });

export const destination = z.looseObject({
  host: z.string(),
  subset: z.string().optional(),
  port: z.looseObject({ number: port.optional() }).optional(),
});

/** Weights are relative: share = weight / sum over the rule (Istio normalises them). */
const routeDestination = z.looseObject({
  destination,
  weight: z.int().min(0).optional(),
  headers: looseSpec.optional(),
});

const httpMatch = z.looseObject({
  name: z.string().optional(),
  uri: stringMatch.optional(),
  scheme: stringMatch.optional(),
  method: stringMatch.optional(),
  authority: stringMatch.optional(),
  headers: z.record(z.string(), stringMatch).optional(),
  withoutHeaders: z.record(z.string(), stringMatch).optional(),
  queryParams: z.record(z.string(), stringMatch).optional(),
  port: port.optional(),
  sourceLabels: stringMap.optional(),
  sourceNamespace: z.string().optional(),
  gateways: stringList.optional(),
});

const mirrorPercentage = z.looseObject({ value: percent });

export const httpRoute = z.looseObject({
  name: z.string().optional(),
  match: z.array(httpMatch).optional(),
  route: z.array(routeDestination).optional(),
  redirect: looseSpec.optional(),
  directResponse: looseSpec.optional(),
  delegate: z.looseObject({ name: z.string(), namespace: z.string().optional() }).optional(),
  rewrite: looseSpec.optional(),
  timeout: duration.optional(),
  retries: z
    .looseObject({
      attempts: z.int().min(0).optional(),
      perTryTimeout: duration.optional(),
      retryOn: z.string().optional(),
      retryRemoteLocalities: z.boolean().optional(),
    })
    .optional(),
  fault: z.looseObject({ delay: looseSpec.optional(), abort: looseSpec.optional() }).optional(),
  mirror: destination.optional(),
  mirrorPercentage: mirrorPercentage.optional(),
  mirrors: z.array(z.looseObject({ destination, percentage: mirrorPercentage.optional() })).optional(),
  headers: looseSpec.optional(),
});

const l4Match = z.looseObject({
  port: port.optional(),
  sniHosts: stringList.optional(),
  destinationSubnets: stringList.optional(),
  sourceLabels: stringMap.optional(),
  sourceNamespace: z.string().optional(),
  gateways: stringList.optional(),
});

const l4Route = z.looseObject({ match: z.array(l4Match).optional(), route: z.array(routeDestination).optional() });

export const virtualService = kubeObject(
  z
    .looseObject({
      hosts: stringList.optional(),
      gateways: stringList.optional(),
      exportTo: stringList.optional(),
      http: z.array(httpRoute).optional(),
      tls: z.array(l4Route).optional(),
      tcp: z.array(l4Route).optional(),
    })
    .optional(),
);

const localityLbSetting = z.looseObject({
  enabled: z.boolean().optional(),
  distribute: z.array(z.looseObject({ from: z.string(), to: z.record(z.string(), z.int().min(0)) })).optional(),
  failover: z.array(z.looseObject({ from: z.string(), to: z.string() })).optional(),
  failoverPriority: stringList.optional(),
});

export const trafficPolicy = z.looseObject({
  loadBalancer: z
    .looseObject({
      simple: z.string().optional(),
      consistentHash: looseSpec.optional(),
      localityLbSetting: localityLbSetting.optional(),
      warmupDurationSecs: duration.optional(),
    })
    .optional(),
  connectionPool: looseSpec.optional(),
  outlierDetection: z
    .looseObject({
      consecutive5xxErrors: z.int().min(0).optional(),
      consecutiveGatewayErrors: z.int().min(0).optional(),
      consecutiveLocalOriginFailures: z.int().min(0).optional(),
      interval: duration.optional(),
      baseEjectionTime: duration.optional(),
      maxEjectionPercent: z.int().min(0).max(100).optional(),
      minHealthPercent: z.int().min(0).max(100).optional(),
    })
    .optional(),
  tls: z
    .looseObject({
      mode: z.enum(["DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"]).optional(),
      credentialName: z.string().optional(),
      caCertificates: z.string().optional(),
      subjectAltNames: stringList.optional(),
      sni: z.string().optional(),
      insecureSkipVerify: z.boolean().optional(),
    })
    .optional(),
  portLevelSettings: z.array(looseSpec).optional(),
});

export const destinationRule = kubeObject(
  z.looseObject({
    host: z.string(),
    trafficPolicy: trafficPolicy.optional(),
    subsets: z.array(z.looseObject({ name: z.string(), labels: stringMap.optional(), trafficPolicy: trafficPolicy.optional() })).optional(),
    exportTo: stringList.optional(),
    workloadSelector: looseSpec.optional(),
  }),
);

const workloadEntryShape = {
  address: z.string().optional(),
  ports: z.record(z.string(), port).optional(),
  labels: stringMap.optional(),
  network: z.string().optional(),
  locality: z.string().optional(),
  weight: z.int().min(0).optional(),
  serviceAccount: z.string().optional(),
};

export const serviceEntry = kubeObject(
  z.looseObject({
    hosts: stringList,
    addresses: stringList.optional(),
    ports: z
      .array(z.looseObject({ number: port, protocol: z.string().optional(), name: z.string().optional(), targetPort: port.optional() }))
      .optional(),
    location: z.string().optional(),
    resolution: z.string().optional(),
    endpoints: z.array(z.looseObject(workloadEntryShape)).optional(),
    workloadSelector: looseSpec.optional(),
    exportTo: stringList.optional(),
  }),
);

export const workloadEntry = kubeObject(z.looseObject(workloadEntryShape));

export const istioGateway = kubeObject(
  z.looseObject({
    selector: stringMap.optional(),
    servers: z
      .array(
        z.looseObject({
          port: z.looseObject({ number: port.optional(), protocol: z.string().optional(), name: z.string().optional() }),
          hosts: stringList,
          bind: z.string().optional(),
          name: z.string().optional(),
          tls: z
            .looseObject({
              mode: z.string().optional(),
              credentialName: z.string().optional(),
              credentialNames: stringList.optional(),
              httpsRedirect: z.boolean().optional(),
            })
            .optional(),
        }),
      )
      .optional(),
  }),
);

export const sidecar = kubeObject(
  z
    .looseObject({
      workloadSelector: looseSpec.optional(),
      egress: z.array(z.looseObject({ hosts: stringList, port: looseSpec.optional(), bind: z.string().optional() })).optional(),
      ingress: z.array(looseSpec).optional(),
      outboundTrafficPolicy: z.looseObject({ mode: z.enum(["REGISTRY_ONLY", "ALLOW_ANY"]).optional() }).optional(),
    })
    .optional(),
);

const mtlsMode = z.looseObject({ mode: z.enum(["UNSET", "DISABLE", "PERMISSIVE", "STRICT"]).optional() });

export const peerAuthentication = kubeObject(
  z
    .looseObject({
      selector: labelSelector.optional(),
      mtls: mtlsMode.optional(),
      portLevelMtls: z.record(z.string(), mtlsMode).optional(),
    })
    .optional(),
);

export const authorizationPolicy = kubeObject(
  z
    .looseObject({
      selector: labelSelector.optional(),
      targetRef: looseSpec.optional(),
      targetRefs: z.array(looseSpec).optional(),
      action: z.enum(["ALLOW", "DENY", "AUDIT", "CUSTOM"]).optional(),
      provider: looseSpec.optional(),
      rules: z
        .array(
          z.looseObject({
            from: z.array(z.looseObject({ source: looseSpec.optional() })).optional(),
            to: z.array(z.looseObject({ operation: looseSpec.optional() })).optional(),
            when: z.array(looseSpec).optional(),
          }),
        )
        .optional(),
    })
    .optional(),
);

export const requestAuthentication = kubeObject(looseSpec.optional());

const targetRefs = { targetRef: looseSpec.optional(), targetRefs: z.array(looseSpec).optional() };

export const envoyFilter = kubeObject(
  z
    .looseObject({
      workloadSelector: z.looseObject({ labels: stringMap.optional() }).optional(),
      workloadLabels: stringMap.optional(),
      ...targetRefs,
      configPatches: z
        .array(
          z.looseObject({
            applyTo: z.string().optional(),
            match: z.looseObject({ context: z.string().optional() }).optional(),
            patch: z.looseObject({ operation: z.string().optional() }).optional(),
          }),
        )
        .optional(),
      priority: z.int().optional(),
    })
    .optional(),
);

export const wasmPlugin = kubeObject(
  z.looseObject({ selector: labelSelector.optional(), ...targetRefs, url: z.string().optional(), phase: z.string().optional() }).optional(),
);

/** Istio's successor of WasmPlugin (extensions.istio.io/v1alpha1): a Wasm module or Lua code in the request path. */
export const trafficExtension = kubeObject(
  z
    .looseObject({
      selector: labelSelector.optional(),
      ...targetRefs,
      phase: z.string().optional(),
      wasm: z.looseObject({ url: z.string().optional() }).optional(),
      lua: z.looseObject({ inlineCode: z.string().optional() }).optional(),
    })
    .optional(),
);

export type VirtualService = z.infer<typeof virtualService>;
export type Destination = z.infer<typeof destination>;
export type DestinationRule = z.infer<typeof destinationRule>;
export type ServiceEntry = z.infer<typeof serviceEntry>;
export type WorkloadEntry = z.infer<typeof workloadEntry>;
export type Sidecar = z.infer<typeof sidecar>;
export type PeerAuthentication = z.infer<typeof peerAuthentication>;
export type AuthorizationPolicy = z.infer<typeof authorizationPolicy>;
