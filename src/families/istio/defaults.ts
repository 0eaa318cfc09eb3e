import type { FieldDefault } from "../../core/field-defaults.js";

/** Istio's documented defaults (https://istio.io/latest/docs/reference/config/). */

/**
 * exportTo: "If no namespaces are specified then the [resource] is exported to all namespaces by
 * default." A MeshConfig `default*ExportTo` can move that default: the family's exportTo detector
 * judges the field against the tree's MeshConfig and speaks for it whenever the two differ.
 */
const exportTo: FieldDefault = { path: ["spec", "exportTo"], value: ["*"] };

/** A lone destination: "If there is only one destination in a rule, it will receive all traffic." */
const loneWeights: FieldDefault[] = ["http", "tcp", "tls"].map((rules) => ({
  path: ["spec", rules, "*", "route", "*", "weight"],
  value: 100,
  alone: true,
}));

export const istioDefaults: Readonly<Record<string, readonly FieldDefault[]>> = {
  VirtualService: [exportTo, ...loneWeights],
  DestinationRule: [exportTo],
  ServiceEntry: [exportTo],
  // AuthorizationPolicy.action: "Optional. The action to take if the request is matched with the rules. Default is ALLOW if not specified."
  AuthorizationPolicy: [{ path: ["spec", "action"], value: "ALLOW" }],
};
