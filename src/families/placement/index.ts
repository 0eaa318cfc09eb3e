import type { Family } from "../family.js";
import { gitopsDeliveries } from "./deliveries.js";
import { kustomizeDetector, kustomizePatchFileDetector } from "./kustomize.js";
import { generatedApplicationsDetector, placementDetector } from "./placement.js";
import { thisRepositoryDetector } from "./this-repository.js";
import { instanceSyncDetector } from "./instance-sync.js";
import * as kustomize from "./kustomize-schemas.js";
import * as placement from "./schemas.js";
import { FLUX_OPERATOR } from "../../core/flux-groups.js";

/**
 * GitOps placement: Argo CD Applications, Flux Kustomizations and ArtifactGenerators (and the
 * GitRepositories Kustomizations read, to tell this repository from others), and
 * kustomize's own Kustomization (not placement strictly: the closest family, since it decides
 * what is rendered from a path, not where). Its `deliveries` say what the GitOps objects deliver
 * where; the model composes from them which clusters each file lands in, and its detectors read
 * that placement and every family's kinds through their context, handed in by the detect stage.
 */
export const placementFamily: Family = {
  name: "placement",
  kinds: [
    [
      ["argoproj.io"],
      [
        ["Application", placement.application],
        ["ApplicationSet", placement.applicationSet, "own-templates"],
      ],
    ],
    [["kustomize.toolkit.fluxcd.io"], [["Kustomization", placement.fluxKustomization]]],
    [["source.extensions.fluxcd.io"], [["ArtifactGenerator", placement.artifactGenerator]]],
    [
      ["kustomize.config.k8s.io"],
      [
        // kustomize reads its own file as plain YAML: a `{{ }}` there is data a patch carries into the
        // output (microservices-demo's Memorystore component, filled by a script), and the render
        // judges what it becomes (a traffic document with a placeholder is refused there).
        ["Kustomization", kustomize.kustomization, ["cluster-scoped", "own-templates", "tool-file"]],
        ["Component", kustomize.kustomization, ["cluster-scoped", "own-templates", "tool-file"]],
      ],
    ],
  ],
  // Read only to tell this repository's sources from other repositories' (deliveries.ts): a
  // GitRepository is no traffic config, an unreadable one is not read and never gates.
  textKinds: [
    {
      group: "source.toolkit.fluxcd.io",
      kind: "GitRepository",
      when: /\bkind["']?[ \t]*:[ \t]*["']?GitRepository\b/,
      schema: placement.gitRepository,
      namespaced: true,
      context: true,
    },
    // A FluxInstance's sync delivers its cluster's folder (deliveries.ts); both are read to tell a
    // cluster's root kept beside a Kustomization from an archive of copies (archived-kustomizations.ts).
    ...(
      [
        ["FluxInstance", placement.fluxInstance],
        ["ResourceSet", placement.fluxOperatorObject],
      ] as const
    ).map(([kind, schema]) => ({
      group: FLUX_OPERATOR,
      kind,
      when: new RegExp(`\\bkind["']?[ \\t]*:[ \\t]*["']?${kind}\\b`),
      schema,
      namespaced: true,
      context: true,
    })),
  ],
  // Argo CD hands inline Helm values to the chart as they are: a `{{ }}` there is the chart's (`tpl`),
  // and any edit of them is judged by the render or flagged high as not rendered (render-plan.ts).
  dataFields: {
    Application: [
      ["spec", "source", "helm", "values"],
      ["spec", "source", "helm", "valuesObject"],
      ["spec", "sources", "*", "helm", "values"],
      ["spec", "sources", "*", "helm", "valuesObject"],
    ],
  },
  deliveries: gitopsDeliveries,
  detectors: [placementDetector, kustomizeDetector, thisRepositoryDetector, instanceSyncDetector],
  fileDetectors: [kustomizePatchFileDetector, generatedApplicationsDetector],
};
