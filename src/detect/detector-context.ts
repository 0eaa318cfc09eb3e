import type { DetectorContext, FileApplication, TreeFiles } from "../core/detector.js";
import { textsByPath } from "../core/source-file.js";
import type { ManifestSet, Resource } from "../core/resource.js";
import { groupOf } from "../core/api-group.js";
import { kindSpecFor, readForContext, trafficGroups, trafficKindNames } from "../manifests/kinds.js";
import { routeRules } from "../model/build-model.js";
import { byFamilyKind, TRUST_KINDS } from "../families/index.js";
import type { ClusterOfFile } from "../model/file-placement.js";
import { buildGitopsPlacement, deliveriesOf } from "../model/gitops-placement.js";
import type { Policy } from "../policy/policy-schema.js";
import { resourceChangedDetection } from "./resource-changes.js";
import { firstRootNamespace, meshConfigsOf } from "../graph/mesh-scope.js";
import { readYamlText as readYaml, sameYamlContent, splitYamlDocuments } from "../manifests/yaml-documents.js";
import { releaseValues, type ValuesSource } from "../render/release-values.js";
import { fileSites } from "../core/gitops-delivery.js";
import { list, record, text } from "../core/json-access.js";
import type { ValuesLayer } from "../core/values-layers.js";
import { applicationSourceRoot, isKustomizeRootOf } from "../render/render-plan.js";
import type { RenderResult } from "../render/render-result.js";
import { servicesDeclared, type DeclaredService } from "../core/declared-services.js";
import { unreadOutput } from "../core/unread-output.js";
import { objectsMentioning, type MentioningObject } from "../core/service-mentions.js";
import { patchedObject } from "../render/kustomize-patch.js";
import { artifactRepository, unversionedUrl } from "../render/artifact-versions.js";
import picomatch from "picomatch";

const servicesMadeBy = byFamilyKind((family) => family.madeServices);
const referentsOf = byFamilyKind((family) => family.referents);
const proxyParameters = byFamilyKind((family) => family.proxyParameters);

const oncePerTree = <T extends object>(read: (set: ManifestSet) => T): ((set: ManifestSet) => T) => {
  const known = new WeakMap<ManifestSet, T>();
  return (set) => {
    const found = known.get(set);
    if (found) return found;
    const value = read(set);
    known.set(set, value);
    return value;
  };
};

/** Where the review knows no kustomization or path scope: every file applied, in the namespaces its documents name. */
const NO_NAMESPACE_GIVEN: FileApplication = {};
const EVERY_FILE_APPLIED = (): FileApplication => NO_NAMESPACE_GIVEN;

/**
 * What detectors may read beyond the resource they judge, with the stages' engines they need
 * handed in (families import no stage): every family's route rules and kinds, the placement of
 * files, the mesh's root namespace, the resource.changed fallback.
 */
export function detectorContext(
  policy: Policy,
  base: ManifestSet,
  head: ManifestSet,
  clusterOfFile: ClusterOfFile,
  rendered?: RenderResult,
  files: TreeFiles = { base: [], head: [] },
  appliedAs: DetectorContext["appliedAs"] = EVERY_FILE_APPLIED,
  applies: DetectorContext["applies"] = () => true,
  commonLabels: DetectorContext["commonLabels"] = () => undefined,
): DetectorContext {
  // Roots the render stage rendered, failed, vouched for or found to render alike though their
  // installer changed; one it left alone (unchanged) is none.
  const judged = new Set([
    ...(rendered?.roots ?? []).map((root) => root.id),
    ...(rendered?.failures ?? []).map((failure) => failure.id),
    ...(rendered?.trusted ?? []),
    ...(rendered?.alike ?? []),
  ]);
  // A tree's GitOps placement and deliveries are read once, not once for every GitOps object the PR changes.
  const placementOf = oncePerTree((set) => buildGitopsPlacement(set, policy.topology, clusterOfFile));
  const deliveriesIn = oncePerTree((set) => deliveriesOf(set, policy.topology.clusters));
  const meshConfigs = oncePerTree((set) => meshConfigsOf(set));
  const madeServices = oncePerTree((set) => {
    const made = new Set<string>();
    set.resources.forEach((resource) => {
      for (const { namespace, name } of servicesMadeBy(resource)?.(resource) ?? []) made.add(`${namespace}/${name}`);
    });
    return made;
  });
  const serviceExporters = oncePerTree((set) => {
    const exporters = new Map<string, Resource[]>();
    set.resources.forEach((resource) => {
      for (const service of referentsOf(resource)?.(resource).exports ?? []) {
        const known = exporters.get(service);
        if (known) known.push(resource);
        else exporters.set(service, [resource]);
      }
    });
    return exporters;
  });
  // Roots left unrendered, or rendered without their remote resources, may make objects anywhere.
  const unrendered = (rendered?.failures.length ?? 0) > 0 || (rendered?.roots ?? []).some((root) => root.withoutRemote);
  const unread: Partial<Record<"base" | "head", (namespace: string) => boolean>> = {};
  // Most reviews read no file's text through the context: the maps are made for the first that does.
  const texts: Partial<Record<"base" | "head", Map<string, string>>> = {};
  const mentioning = { base: new Map<string, readonly MentioningObject[]>(), head: new Map<string, readonly MentioningObject[]>() };
  const declared = { base: new Map<string, readonly DeclaredService[]>(), head: new Map<string, readonly DeclaredService[]>() };
  const servicesDeclaredIn: DetectorContext["servicesDeclared"] = (side, file) => {
    let found = declared[side].get(file.path);
    if (!found) declared[side].set(file.path, (found = servicesDeclared(file, appliedAs(side, file.path), { clusterOfFile, readYaml })));
    return found;
  };
  const fileText: DetectorContext["fileText"] = (side, path) => (texts[side] ??= textsByPath(files[side])).get(path);
  const trusts = policy.render.trusted.map((glob) => ({ glob, matches: picomatch(glob) }));
  return {
    policy,
    base,
    head,
    routeRules,
    clusterOfFile,
    resourceChanged: resourceChangedDetection,
    trafficKinds: { groups: trafficGroups, names: trafficKindNames },
    trustKinds: TRUST_KINDS,
    readsKind: (apiVersion, kind, text) => kindSpecFor(groupOf(apiVersion), kind, text) !== undefined,
    placementOf,
    deliveryOf: (resource, set) => deliveriesIn(set)(resource),
    proxyParameters,
    meshRootNamespace: (set) => firstRootNamespace(meshConfigs(set)),
    meshConfigs,
    madeServices,
    serviceExporters,
    readYaml,
    patchedObject,
    sameYaml: sameYamlContent,
    appliedAs,
    applies,
    commonLabels,
    madeUnread: (side, namespace) =>
      (unread[side] ??= unreadOutput(files[side], (path) => appliedAs(side, path)?.namespace, unrendered, readYaml))(namespace),
    servicesDeclared: servicesDeclaredIn,
    servicesNamed: (side, name) => files[side].flatMap((file) => (file.text.includes(name) ? servicesDeclaredIn(side, file) : [])),
    // Where a file is applied is asked only of those that name it: most do not, and asking costs. Once
    // a name: the dns family asks for "external-dns" from its controllers and each of its detectors.
    objectsMentioning: (side, name) => {
      let found = mentioning[side].get(name);
      if (!found)
        mentioning[side].set(
          name,
          (found = files[side].flatMap((file) =>
            file.text.includes(name) ? objectsMentioning(file, name, appliedAs(side, file.path), { clusterOfFile, readYaml }) : [],
          )),
        );
      return found;
    },
    fileText,
    valuesFrom: (side, release) => {
      const read = releaseValues(files[side], release.id.namespace || "default", list(record(release.body.spec).valuesFrom), undefined, {
        file: release.source.file,
        sitesOf: fileSites(placementOf(side === "base" ? base : head)),
      });
      return "unresolved" in read ? read : { layers: read.sources.map((source) => sourceLayer(source, fileText(side, source.file) ?? "")) };
    },
    readForContext,
    renderJudged: (application, index, count) =>
      judged.has(applicationSourceRoot(application.source.file, application.id.name, index, count)),
    kustomizeJudged: (folder) => {
      for (const id of judged) if (isKustomizeRootOf(id, folder)) return true;
      return false;
    },
    trustedSource: (url) => {
      // The globs match an OCI source as the render stage does (render-plan.ts onlyTrustedVersionsMoved): by its repository.
      const repository = artifactRepository(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `oci://${url}`);
      if (repository !== undefined) return trusts.some(({ matches }) => matches(repository)) ? repository : undefined;
      // An HTTP file is one source at any version, not every file the glob names (allow-all.wasm beside auth.wasm).
      return trusts.some(({ matches }) => matches(url)) ? unversionedUrl(url) : undefined;
    },
  };
}

/**
 * A `valuesFrom` source as a layer of the release's values: the values file a generator read,
 * whose fields are found in it; else the ConfigMap's or Secret's document, at the data key that
 * holds the text (a generator's literal: its kustomization).
 */
function sourceLayer(source: ValuesSource, fileText: string): ValuesLayer {
  if (source.whole) return { values: source.values, at: { file: source.file, line: 1, text: fileText }, path: [] };
  const chunks = splitYamlDocuments(fileText);
  const named = (value: unknown) => text(record(value).kind) === source.kind && text(record(record(value).metadata).name) === source.name;
  const chunk = chunks.find((candidate) => named(readYaml(candidate.text))) ?? chunks[0] ?? { line: 1, text: fileText };
  const data = record(readYaml(chunk.text));
  const field = record(data.stringData)[source.key] !== undefined ? "stringData" : "data";
  return { values: source.values, at: { file: source.file, line: chunk.line, text: chunk.text }, path: [field, source.key], inText: true };
}
