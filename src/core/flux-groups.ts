/** Flux's API groups, as the loader, the render stage and the placement family read its objects. */
export const FLUX_SOURCE = "source.toolkit.fluxcd.io";
export const FLUX_KUSTOMIZE = "kustomize.toolkit.fluxcd.io";
export const FLUX_HELM = "helm.toolkit.fluxcd.io";
/** The Flux Operator's group: FluxInstance (a cluster's Flux and its sync), ResourceSet. */
export const FLUX_OPERATOR = "fluxcd.controlplane.io";
