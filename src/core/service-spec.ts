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

/** The number of the port it names `name`, if it has one. */
export const portNumberNamed = (spec: JsonRecord, name: string): number | undefined => {
  const port = list(spec.ports)
    .map(record)
    .find((item) => text(item.name) === name);
  return port && numeric(port.port);
};

/** Its ports as a backend names them: by number, or (an Ingress, Gloo) by name. */
export const portKeys = (spec: JsonRecord): (number | string)[] =>
  list(spec.ports).flatMap((item) => {
    const port = record(item);
    return [numeric(port.port), text(port.name)].filter((value): value is number | string => value !== undefined);
  });
