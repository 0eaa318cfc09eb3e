/**
 * A gitops-bridge style ApplicationSet argocd/bootstrap (eks-blueprints-add-ons 2c7800c47a): its
 * source repository read from Argo CD's cluster Secrets, as its `path` may be; `source`: more fields
 * of the source (`directory: {recurse: true}`).
 */
export const bootstrapSet = ({
  path,
  generator = "clusters: {}",
  destination = "name: '{{name}}'",
  source = "",
}: {
  readonly path: string;
  readonly generator?: string;
  readonly destination?: string;
  readonly source?: string;
}) => `
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: bootstrap, namespace: argocd}
spec:
  generators: [{${generator}}]
  template:
    metadata: {name: 'bootstrap-{{name}}'}
    spec:
      project: default
      source: {repoURL: '{{metadata.annotations.addons_repo_url}}', path: '${path}'${source ? `, ${source}` : ""}}
      destination: {${destination}, namespace: argocd}
`;

/** The path gitops-bridge's bootstrap set reads: both parts from the cluster Secret's annotations. */
export const UNFILLED_PATH = "{{metadata.annotations.addons_repo_basepath}}{{metadata.annotations.addons_repo_path}}";
