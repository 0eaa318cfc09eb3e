import type { DeclaredService } from "../core/declared-services.js";
import { answers } from "../core/declared-services.js";
import { flatText } from "../core/flat-text.js";
import type { NamedPort } from "../core/route-rules.js";
import { portNumberNamed } from "../core/service-spec.js";
import type { Flow, TrafficModel } from "../core/traffic-model.js";

type Side = "base" | "head";

/**
 * A Service port named by its name is the port its Service numbers so: an Ingress's `servicePort:
 * 80` rewritten `port: {name: http}` (rollouts-demo c2e4167c0f's v1 migration) read as a cutover
 * from `:80` to `:http`. Each backend naming a core Service port by name gets the key it would
 * have named by number (Backend.numbered), read off that tree's declarations of the Service, so
 * the route diff pairs the two spellings. A name the tree's Service does not declare, or that its
 * copies number apart, stays as written. Only flows the PR changed are read: one the head shares
 * with the base (its route left as it was) pairs as written, and a large tree's other Ingresses
 * send no lookup through its files.
 */
export function withNamedPortsNumbered(
  models: Readonly<Record<Side, TrafficModel>>,
  numberOf: Readonly<Record<Side, (port: NamedPort) => number | undefined>>,
): Record<Side, TrafficModel> {
  return {
    base: numbered(models.base, models.head, numberOf.base),
    head: numbered(models.head, models.base, numberOf.head),
  };
}

function numbered(model: TrafficModel, other: TrafficModel, numberOf: (port: NamedPort) => number | undefined): TrafficModel {
  let flows: Map<string, Flow> | undefined;
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

/** The number a tree's declarations of a Service give a port name: one their copies agree on, else none. Asked once per port. */
export function servicePortNumbers(servicesNamed: (name: string) => readonly DeclaredService[]): (port: NamedPort) => number | undefined {
  const known = new Map<string, number | undefined>();
  return (port) => {
    const key = `${port.namespace}/${port.service}:${port.name}`;
    if (known.has(key)) return known.get(key);
    const numbers = new Set(
      servicesNamed(port.service)
        .filter((service) => !service.unreadable && answers(service, { name: port.service, namespace: port.namespace }))
        .map((service) => portNumberNamed(service.spec, port.name)),
    );
    const number = numbers.size === 1 ? [...numbers][0] : undefined;
    known.set(key, number);
    return number;
  };
}
