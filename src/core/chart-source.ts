/**
 * How the policy's `render.trusted` names a chart from outside the repository: `<repository URL>/<chart>`
 * (a HelmRelease's HelmRepository, an Argo CD source's repoURL, a Chart.yaml dependency, a
 * kustomization's `helmCharts` entry), so one glob trusts it wherever it is installed from.
 */
export const chartAt = (repository: string, chart: string): string => `${repository.replace(/\/+$/, "")}/${chart}`;
