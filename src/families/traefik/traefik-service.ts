import type { Check } from "../../core/by-kind.js";
import { list, numeric, record, text } from "../../core/json-access.js";
import { reportMirrorIncreases, reportMirrorsRemoved, type Mirror } from "../../core/mirror-changes.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { backendTlsLosses, dialledServices, traefikServiceEntries } from "./transport-security.js";

/**
 * A TraefikService's mirrors (its weighted shares reach the routes naming it as their flows'
 * backends, judged by the route diff): one added or sending a larger share is mirror.changed, high
 * because Traefik copies requests of every method, writes included; one removed is low.
 */
const mirrorsOf = (resource: Resource | undefined): Mirror[] =>
  list(record(record(resource?.body.spec).mirroring).mirrors).map((item, index) => {
    const mirror = record(item);
    const namespace = text(mirror.namespace) ?? resource!.id.namespace;
    const port = numeric(mirror.port) ?? text(mirror.port);
    return {
      target: `${text(mirror.kind) ?? "Service"} ${namespace}/${text(mirror.name) ?? "?"}${port === undefined ? "" : `:${port}`}`,
      percent: numeric(mirror.percent) ?? 0,
      path: ["spec", "mirroring", "mirrors", index],
    };
  });

export const traefikServiceMirrors: Check = (change, out) => {
  if (!change.head) return;
  const rule = { label: "mirroring", writes: "Traefik mirrors requests of every method", mirrors: mirrorsOf(change.head) };
  const earlier = mirrorsOf(change.base);
  reportMirrorIncreases(out, rule, earlier, "mirror");
  reportMirrorsRemoved(out, rule, earlier, "mirror");
};

/** TLS given up to a Service it reaches (backendTlsLosses): its weighted services', its mirroring's main service's and mirrors', and those of the TraefikServices it names. */
export const traefikServiceTransport: Check = (change, out, context) => {
  if (!change.base || !change.head) return;
  const dialled = (resource: Resource, set: ManifestSet) =>
    dialledServices(traefikServiceEntries(record(resource.body.spec)), resource.id.namespace, set);
  backendTlsLosses(out, dialled(change.base, context.base), dialled(change.head, context.head), "");
};
