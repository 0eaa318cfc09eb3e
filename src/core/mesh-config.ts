/**
 * Istio's MeshConfig fields that families read besides the mesh family's own settings: the
 * exportTo a resource of each kind takes where it sets none (`defaultServiceExportTo` also covers
 * the Services of the registry, which ServiceEntries sit beside).
 */
export const DEFAULT_EXPORT_FIELD: Readonly<Record<string, string>> = {
  VirtualService: "defaultVirtualServiceExportTo",
  DestinationRule: "defaultDestinationRuleExportTo",
  ServiceEntry: "defaultServiceExportTo",
};
