/** A Flux Kustomization of the tree's own GitRepository `flux-system`, delivering `path`; `extra`: more `spec` lines. */
export const fluxKustomization = (name: string, path: string, extra = "") => `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: ${name}, namespace: flux-system}
spec:
  interval: 10m
  sourceRef: {kind: GitRepository, name: flux-system}
  path: ${path}
  prune: true
${extra}`;
