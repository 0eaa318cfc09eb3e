import type { DeclaredService } from "../core/declared-services.js";
import { answers } from "../core/declared-services.js";
import { flatText } from "../core/flat-text.js";
import type { NamedPort } from "../core/route-rules.js";
import { servicePort } from "../core/service-spec.js";
import type { Flow, TrafficModel } from "../core/traffic-model.js";

type Side = "base" | "head";

/** A Service port as a tree's declarations of the Service give it: its number and the pods' port it sends to (service-spec.ts servicePort). */
export interface ResolvedPort {
  readonly number: number;
  readonly target: string;
}

/** A tree's reading of a Service's port, named by name or number (servicePorts). */
export type ServicePorts = (service: Pick<NamedPort, "namespace" | "service">, port: number | string) => ResolvedPort | undefined;

/**
 * A Service port named by its name is the port its Service numbers so: an Ingress's `servicePort:
 * 80` rewritten `port: {name: http}` (rollouts-demo c2e4167c0f's v1 migration) read as a cutover
 * from `:80` to `:http`. Each backend naming a core Service port by name gets the key it would
 * have named by number (Backend.numbered), read off that tree's declarations of the Service, so
 * the route diff pairs the two spellings — where the other tree's Service sends that number to the
 * same pods' port: a name moved onto another number in the same PR (`http` 80 → 8080 and `grpc`
 * 81 → 9090 become `grpc` 80 → 9090 and `http` 81 → 8080, the Ingress rewritten from `http` to
 * `grpc`) reaches other pods' port though both read `:80`. A name the tree's Service does not
 * declare, or that its copies number apart, stays as written. Only flows the PR changed are read:
 * one the head shares with the base (its route left as it was) pairs as written, and a large
 * tree's other Ingresses send no lookup through its files.
 */
export function withNamedPortsNumbered(
  models: Readonly<Record<Side, TrafficModel>>,
  ports: Readonly<Record<Side, ServicePorts>>,
): Record<Side, TrafficModel> {
  return {
    base: numbered(models.base, models.head, ports.base, ports.head),
    head: numbered(models.head, models.base, ports.head, ports.base),
  };
}

function numbered(model: TrafficModel, other: TrafficModel, ports: ServicePorts, otherPorts: ServicePorts): TrafficModel {
  let flows: Map<string, Flow> | undefined;
  const numberOf = (named: NamedPort): number | undefined => {
    const port = ports(named, named.name);
    const there = port && otherPorts(named, port.number);
    return there?.target === port?.target ? port?.number : undefined;
  };
  for (const flow of model.flows.values()) {
    if (!flow.backends.some((backend) => backend.namedPort) || other.flows.get(flow.key) === flow) continue;
    const backends = flow.backends.map((backend) => {
      const number = backend.namedPort && numberOf(backend.namedPort);
      return number === undefined ? backend : { ...backend, numbered: flatText(`${backend.namedPort!.keyWithout}${number}`) };
    });
    if (backends.every((backend, index) => backend === flow.backends[index])) continue;
    (flows ??= new Map(model.flows)).set(flow.key, { ...flow, backends });
  }
  return flows ? { ...model, flows } : model;
}

/** A Service's port as a tree's declarations of it give it: one their copies agree on, else none. Asked once per port. */
export function servicePorts(servicesNamed: (name: string) => readonly DeclaredService[]): ServicePorts {
  const known = new Map<string, ResolvedPort | undefined>();
  return (service, named) => {
    const key = `${service.namespace}/${service.service}:${typeof named}:${named}`;
    if (known.has(key)) return known.get(key);
    const read = new Map(
      servicesNamed(service.service)
        .filter((declared) => !declared.unreadable && answers(declared, { name: service.service, namespace: service.namespace }))
        .map((declared) => servicePort(declared.spec, named))
        .map((port) => [port && `${port.number}>${port.target}`, port] as const),
    );
    const port = read.size === 1 ? [...read.values()][0] : undefined;
    known.set(key, port);
    return port;
  };
}
