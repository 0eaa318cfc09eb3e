/**
 * Istio's MeshConfig as more than one family reads it. The exportTo a resource of each kind takes
 * where it sets none (`defaultServiceExportTo` also covers
 * the Services of the registry, which ServiceEntries sit beside).
 */
export const DEFAULT_EXPORT_FIELD: Readonly<Record<string, string>> = {
  VirtualService: "defaultVirtualServiceExportTo",
  DestinationRule: "defaultDestinationRuleExportTo",
  ServiceEntry: "defaultServiceExportTo",
};

/** Istio's root namespace where the MeshConfig names none: istiod's own (its chart's `global.istioNamespace`). */
export const DEFAULT_ROOT_NAMESPACE = "istio-system";
