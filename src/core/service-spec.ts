import { list, numeric, record, text, type JsonRecord } from "./json-access.js";

/**
 * What routes and load balancers rely on in a Service-shaped spec (a core Service's, a GKE
 * MultiClusterService's template): the pods it selects and the ports it answers on.
 */

/** A selector as reviewers read it, its labels sorted; "" where it selects nothing itself. */
export const selectorText = (spec: JsonRecord): string =>
  Object.entries(record(spec.selector))
    .map(([key, value]) => `${key}=${String(value)}`)
    .sort()
    .join(", ");

/**
 * Its port a backend names, by number or by name: the number, and the port of the pods it sends to
 * (`targetPort`, a number or a container port's name; the port itself where unset).
 */
export const servicePort = (spec: JsonRecord, named: number | string): { number: number; target: string } | undefined => {
  const port = list(spec.ports)
    .map(record)
    .find((item) => (typeof named === "number" ? numeric(item.port) : text(item.name)) === named);
  const number = port && numeric(port.port);
  if (number === undefined) return undefined;
  return { number, target: String(numeric(port!.targetPort) ?? text(port!.targetPort) ?? number) };
};

/** Its ports as a backend names them: by number, or (an Ingress, Gloo) by name. */
export const portKeys = (spec: JsonRecord): (number | string)[] =>
  list(spec.ports).flatMap((item) => {
    const port = record(item);
    return [numeric(port.port), text(port.name)].filter((value): value is number | string => value !== undefined);
  });
