import type { DetectorContext } from "../../core/detector.js";
import { resolveGatewayName } from "../../core/istio-http-match.js";
import { list, nonEmptyTexts, record, text, type JsonRecord } from "../../core/json-access.js";
import { DEFAULT_EXPORT_FIELD } from "../../core/mesh-config.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { qualifyHost } from "../../core/service-host.js";
import { meshHost } from "./flows.js";
import { meshSetting } from "./istio.js";
import { rootNamespaceIn } from "./mesh-scope.js";
import { namespaceImporters } from "./sidecar-imports.js";

/**
 * A VirtualService moved to another namespace, its spec as it was, is the same routes moved where
 * nothing it names depends on its own namespace (anthos-service-mesh-workshop 6f76c5d8ce gave its
 * 5 s fault-injection VirtualService its host's namespace, `recommendation`: read as a new delay on
 * every request, high). istiod reads in the VirtualService's namespace a dotless host, destination or
 * mirror (a Service there: ResolveShortnameToFQDN), a gateway or delegate named without a namespace,
 * and who sees it: `exportTo: ["."]`, or none written where the mesh default is ".". Spelling any of
 * them so, it names other things where it moved, and is judged as removed there and added here. So
 * too where a Sidecar imports it by its namespace (`backend/*`), in either tree: its workloads lose
 * it, or gain it, where it moves (namespaceImporters).
 */
export function movedAlike(before: Resource, after: Resource, context: DetectorContext): boolean {
  const field = DEFAULT_EXPORT_FIELD.VirtualService!;
  const meshExport = meshSetting(context, context.head, (config) => {
    const values = nonEmptyTexts(config[field]);
    return values.length > 0 ? values : undefined;
  });
  const [was, is] = [before, after].map((resource) => namespaceRelative(record(resource.body.spec), resource.id.namespace, meshExport));
  return JSON.stringify(was) === JSON.stringify(is) && importers(before, context.base, context) === importers(after, context.head, context);
}

/** The Sidecars of `tree` that see the VirtualService by its namespace (namespaceImporters). */
const importers = (resource: Resource, tree: ManifestSet, context: DetectorContext): string => {
  const { namespace } = resource.id;
  const hosts = nonEmptyTexts(record(resource.body.spec).hosts).map((host) => meshHost(host, namespace));
  return namespaceImporters(tree, namespace, hosts, rootNamespaceIn(tree, context));
};

/** What a VirtualService's spec names that its namespace decides, resolved in `namespace`, in spec order. */
function namespaceRelative(spec: JsonRecord, namespace: string, meshExport: readonly string[] | undefined): string[] {
  const rules = (["http", "tls", "tcp"] as const).flatMap((section) => list(spec[section]).map(record));
  const destinations = rules.flatMap((rule) =>
    [
      ...list(rule.route).map((route) => record(route).destination),
      rule.mirror,
      ...list(rule.mirrors).map((mirror) => record(mirror).destination),
    ].flatMap((destination) => text(record(destination).host) ?? []),
  );
  const gateways = [
    ...nonEmptyTexts(spec.gateways),
    ...rules.flatMap((rule) => list(rule.match).flatMap((match) => nonEmptyTexts(record(match).gateways))),
  ];
  const exported = nonEmptyTexts(spec.exportTo);
  return [
    ...nonEmptyTexts(spec.hosts).map((host) => meshHost(host, namespace)),
    ...destinations.map((host) => qualifyHost(host, namespace)),
    ...gateways.map((gateway) => (gateway === "mesh" ? gateway : resolveGatewayName(gateway, namespace))),
    ...rules.flatMap((rule) => (rule.delegate === undefined ? [] : [text(record(rule.delegate).namespace) ?? namespace])),
    ...(exported.length > 0 ? exported : (meshExport ?? ["*"])).map((value) => (value === "." ? namespace : value)),
  ];
}
