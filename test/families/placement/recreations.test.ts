import { describe, expect, it } from "vitest";
import { analyze } from "../../helpers/review-trees.js";

type Tree = Record<string, string>;

const kustomization = (name: string, path: string, extra = "  prune: true\n", namespace = "flux-system") =>
  `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec:\n  interval: 1h\n  sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}\n  path: ${path}\n${extra}`;

const RELEASE = `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: ingress-nginx, namespace: ingress-nginx}
spec: {interval: 24h, url: "https://kubernetes.github.io/ingress-nginx"}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: ingress-nginx, namespace: ingress-nginx}
spec:
  interval: 30m
  chart: {spec: {chart: ingress-nginx, version: "4.11.0", sourceRef: {kind: HelmRepository, name: ingress-nginx}}}
  values: {controller: {service: {type: LoadBalancer}}}
`;

const NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata: {name: ingress-nginx}\n";

/** The root Kustomization applying `clusters/prod`, as `flux bootstrap` writes it. */
const SYNC = { "clusters/prod/flux-system/gotk-sync.yaml": kustomization("flux-system", "./clusters/prod") };

const CONTROLLERS = { "infra/controllers/ingress-nginx.yaml": RELEASE, "infra/controllers/namespace.yaml": NAMESPACE };

/** Findings above low, as [class, risk, summary]. */
const above = (base: Tree, head: Tree) =>
  analyze({ ...SYNC, ...base }, { ...SYNC, ...head })
    .findings.filter((finding) => finding.risk !== "low" && finding.risk !== "none")
    .map((finding) => [finding.class, finding.risk, finding.summary]);

const renamed = (before: string, after: string, extra?: string, files: Tree = CONTROLLERS) =>
  above(
    { ...files, "clusters/prod/infra.yaml": kustomization(before, "./infra/controllers", extra) },
    { ...files, "clusters/prod/infra.yaml": kustomization(after, "./infra/controllers", extra) },
  );

describe("a GitOps object renamed or moved while another applies what it applied: what deleting those takes with it", () => {
  it("a pruning Kustomization delivering an ingress controller's HelmRelease renamed: Flux uninstalls it before the new one installs it again (high, naming both)", () => {
    expect(renamed("infra-controllers-sync", "infra-controllers")).toEqual([
      [
        "resource.changed",
        "high",
        "Kustomization flux-system/infra-controllers-sync: removed while Kustomization flux-system/infra-controllers applies what it applied: under prune it deletes them from a cluster the tree does not name before Kustomization flux-system/infra-controllers applies them again, and with them HelmRelease ingress-nginx/ingress-nginx (its release uninstalled: everything its chart installed), Namespace ingress-nginx (every object in it, whoever applied it)",
      ],
    ]);
  });

  it("moved to another namespace, its name kept: the same delete-and-recreate (high)", () => {
    const moved = above(
      { ...CONTROLLERS, "clusters/prod/infra.yaml": kustomization("infra", "./infra/controllers") },
      { ...CONTROLLERS, "clusters/prod/infra.yaml": kustomization("infra", "./infra/controllers", "  prune: true\n", "infra") },
    );
    expect(moved.map(([, risk, summary]) => [risk, summary?.split(": ")[0]])).toEqual([["high", "Kustomization flux-system/infra"]]);
  });

  it("deletionPolicy Delete deletes them with prune off (high); prune off, Orphan, or the old one suspended: the new one adopts them, nothing above low", () => {
    expect(renamed("infra-sync", "infra", "  prune: false\n  deletionPolicy: Delete\n")).toEqual([
      ["resource.changed", "high", expect.stringContaining("under deletionPolicy Delete it deletes them")],
    ]);
    expect(renamed("infra-sync", "infra", "  prune: false\n")).toEqual([]);
    expect(renamed("infra-sync", "infra", "  prune: true\n  deletionPolicy: Orphan\n")).toEqual([]);
    expect(renamed("infra-sync", "infra", "  prune: true\n  suspend: true\n")).toEqual([]);
  });

  it("objects whose deletion takes nothing with them, or that Flux spares, or a suspended or orphaning release: nothing above low", () => {
    const config = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: ingress-nginx}\ndata: {a: b}\n";
    expect(renamed("infra-sync", "infra", undefined, { "infra/controllers/settings.yaml": config })).toEqual([]);
    const spared = NAMESPACE.replace(
      "{name: ingress-nginx}",
      "{name: ingress-nginx, labels: {kustomize.toolkit.fluxcd.io/prune: disabled}}",
    );
    expect(renamed("infra-sync", "infra", undefined, { "infra/controllers/namespace.yaml": spared })).toEqual([]);
    const suspended = RELEASE.replace("  interval: 30m\n", "  interval: 30m\n  suspend: true\n");
    expect(renamed("infra-sync", "infra", undefined, { "infra/controllers/ingress-nginx.yaml": suspended })).toEqual([]);
    const orphaning = RELEASE.replace("  interval: 30m\n", "  interval: 30m\n  uninstall: {deletionPropagation: orphan}\n");
    expect(renamed("infra-sync", "infra", undefined, { "infra/controllers/ingress-nginx.yaml": orphaning })).toEqual([]);
  });

  it("a child Kustomization deleted with its pruning parent renamed takes what it applied with it; a child that prunes nothing does not", () => {
    const child = (extra: string) => ({ "infra/controllers/apps.yaml": kustomization("apps", "./apps", extra) });
    expect(renamed("infra-sync", "infra", undefined, child("  prune: true\n"))).toEqual([
      ["resource.changed", "high", expect.stringContaining("Kustomization flux-system/apps (everything it applied)")],
    ]);
    expect(renamed("infra-sync", "infra", undefined, child("  prune: false\n"))).toEqual([]);
  });

  it("removed from one cluster while another cluster's Kustomization applies the same files: nothing is recreated there, so no recreation", () => {
    const staging = { "clusters/staging/flux-system/gotk-sync.yaml": kustomization("flux-system", "./clusters/staging") };
    const prod = { "clusters/prod/infra.yaml": kustomization("infra", "./infra/controllers") };
    const removed = above(
      { ...staging, ...prod, ...CONTROLLERS, "clusters/staging/infra.yaml": kustomization("infra-staging", "./infra/controllers") },
      { ...staging, ...prod, ...CONTROLLERS },
    );
    expect(removed.map(([, , summary]) => summary)).not.toContainEqual(expect.stringContaining("applies them again"));
    // Renamed on its own cluster, beside the other cluster's: recreated there.
    const renamedThere = above(
      { ...staging, ...prod, ...CONTROLLERS, "clusters/staging/infra.yaml": kustomization("infra-staging", "./infra/controllers") },
      { ...staging, ...prod, ...CONTROLLERS, "clusters/staging/infra.yaml": kustomization("infra-controllers", "./infra/controllers") },
    );
    expect(renamedThere).toEqual([
      ["resource.changed", "high", expect.stringContaining("removed while Kustomization flux-system/infra-controllers applies")],
    ]);
  });

  it("where nothing in the tree applies the file it is in (a hub's folder): renamed in place, recreated beside it (high); another folder's object is not taken for its successor", () => {
    const hub = (file: string, name: string) => ({ [file]: kustomization(name, "./infra/controllers") });
    const rename = (base: Tree, head: Tree) =>
      analyze({ ...CONTROLLERS, ...base }, { ...CONTROLLERS, ...head })
        .findings.filter((finding) => finding.risk === "high")
        .map((finding) => finding.summary.split(": ")[1]);
    expect(rename(hub("hub/staging.yaml", "infra-sync"), hub("hub/staging.yaml", "infra"))).toEqual([
      "removed while Kustomization flux-system/infra applies what it applied",
    ]);
    const other = hub("fleet/prod/infra.yaml", "infra-prod");
    expect(rename({ ...other, ...hub("fleet/staging/infra.yaml", "infra-staging") }, other)).toEqual([]);
  });

  it("removed with no successor is not a recreation: what it deletes is judged as a removal", () => {
    const removed = analyze(
      { ...SYNC, ...CONTROLLERS, "clusters/prod/infra.yaml": kustomization("infra", "./infra/controllers") },
      { ...SYNC, ...CONTROLLERS },
    );
    expect(removed.findings.map((finding) => finding.summary)).not.toContainEqual(expect.stringContaining("applies them again"));
  });

  it("kept, but handing part of its path to a new Kustomization: under prune it deletes what it no longer applies before that one applies it (high); without prune, nothing above low", () => {
    const split = (extra: string) =>
      above(
        { ...CONTROLLERS, "clusters/prod/infra.yaml": kustomization("infra", "./infra", extra) },
        {
          ...CONTROLLERS,
          "infra/other/settings.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s, namespace: default}\n",
          "clusters/prod/infra.yaml": kustomization("infra", "./infra/other", extra),
          "clusters/prod/controllers.yaml": kustomization("controllers", "./infra/controllers", extra),
        },
      );
    expect(split("  prune: true\n")).toEqual([
      [
        "resource.changed",
        "high",
        expect.stringContaining(
          "Kustomization flux-system/infra: no longer applies what Kustomization flux-system/controllers now applies: under prune it deletes them",
        ),
      ],
    ]);
    expect(split("  prune: false\n")).toEqual([]);
  });

  it("an Argo CD Application renamed with the resources finalizer deletes the HelmRelease it delivered before the new one applies it (high); without it, nothing above low", () => {
    const app = (name: string, finalizer: boolean) =>
      `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: ${name}, namespace: argocd${finalizer ? ", finalizers: [resources-finalizer.argocd.argoproj.io]" : ""}}\nspec:\n  project: default\n  source: {repoURL: https://github.com/example/platform.git, path: infra/controllers}\n  destination: {server: https://kubernetes.default.svc}\n`;
    const argo = (finalizer: boolean) =>
      above(
        { ...CONTROLLERS, "argocd/infra.yaml": app("infra", finalizer) },
        { ...CONTROLLERS, "argocd/infra.yaml": app("controllers", finalizer) },
      );
    expect(argo(true)).toEqual([
      [
        "resource.changed",
        "high",
        expect.stringContaining(
          "Application argocd/infra: removed while Application argocd/controllers applies what it applied: with the resources finalizer it deletes them",
        ),
      ],
    ]);
    expect(argo(false)).toEqual([]);
  });
});
