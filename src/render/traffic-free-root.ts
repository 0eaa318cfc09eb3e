import { posix } from "node:path";
import { NAMES_DELIVERY_KIND, trafficDocuments, type RenderRoot, type TreeTexts } from "./render-plan.js";
import { isKustomizationFile, isYamlFile } from "../core/kustomization-files.js";
import { folderOf, normalize, patchFilesNamedBy, readKustomization, resourceEntries } from "./kustomize-tree.js";
import { generatesReadObject } from "./unread-generators.js";
import { namesTraffic } from "./traffic-names.js";
import { isRecord, record, text as stringValue } from "../core/json-access.js";
import { loadAllAsGoYaml } from "../manifests/yaml-documents.js";

/**
 * Whether a root applies no traffic config on this side: a release of a known chart whose values
 * ask for none (RenderRoot.trafficFree), or a kustomize root whatever kustomize makes of it:
 * nothing it reads as a document is traffic config (or what a GitOps tool renders further), and
 * nothing it does could make one out of another. Such a root needs no render: one kustomize v5
 * refuses (rancher/fleet-examples' legacy `patches:` strings, an overlay reading a file `make`
 * writes) is no unknown traffic change to block on.
 *
 * Only kustomize creates documents from what a tree holds (resources), from fields that carry values
 * between documents or run code over them (RenderRoot.crossed), from remote sources
 * (RenderRoot.offline), and, under Flux, from post-build variables (a `kind: ${KIND}`): a root with
 * any of those is not judged here. Its patches may rewrite a document, even its kind
 * (`allowKindChange`): one that names a traffic kind or group, or shows a text kind (`type:
 * ExternalName`), is not judged either. Nor is one whose generators make a ConfigMap or Secret
 * that is read as traffic config (istiod's mesh ConfigMap from a `mesh.yaml`), or read from the
 * cluster (a release's `valuesFrom`, a Flux substitution): generator-only roots of app config stay quiet.
 */
export function rendersNoTraffic(root: RenderRoot, texts: TreeTexts): boolean {
  if (root.trafficFree) return !podsSelectedInTree(root, texts);
  const { run } = root;
  if (run.tool !== "kustomize" || run.postBuild || root.offline !== undefined || root.crossed || root.releaseFingerprint !== undefined)
    return false;
  const patches = new Set<string>();
  const listed = new Set<string>();
  const held = foldersOf(texts);
  for (const file of root.inputs.filter(isKustomizationFile)) {
    const text = texts.get(file);
    const fields = readKustomization(text);
    // Its own apiVersion and kind name kustomize's group: the rest is what it does.
    if (text === undefined || !fields || namesTraffic(text.replace(HEADER_LINE, ""))) return false;
    if (generatesReadObject(fields, folderOf(file), texts)) return false;
    const at = (entry: string) => normalize(posix.join(folderOf(file), entry));
    for (const entry of patchFilesNamedBy(fields)) patches.add(at(entry));
    for (const entry of resourceEntries(fields)) {
      const path = at(entry);
      // An entry the tree does not hold (the machine's own file, outside the repository, or not read) is unknown.
      if (posix.isAbsolute(entry) || (!texts.has(path) && !held.has(path))) return false;
      listed.add(path);
    }
  }
  // Only what a kustomization lists is read as documents (a folder it lists is read through the
  // kustomization there, among the inputs): the other files beside it (a README, Fleet's
  // fleet.yaml, generator inputs) never become one.
  for (const path of listed) if (!fileHoldsNoTraffic(texts.get(path))) return false;
  for (const path of patches) {
    const text = texts.get(path);
    if (text === undefined || namesTraffic(text)) return false;
  }
  return true;
}

/**
 * The labels app-template puts on its pods (its chart's name or `global.nameOverride`, the release,
 * the controller's key): a Service the tree declares may select them, so a release with no traffic
 * config of its own still decides that Service's endpoints. Renaming a controller (`main` → `web`),
 * overriding the name, disabling a controller, renaming or removing the release empties them.
 */
const POD_LABELS = ["app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/controller"];
const INSTANCE = "app.kubernetes.io/instance";

/**
 * Whether a Service of the tree, in the release's namespace (or naming none: kustomize or Flux may
 * give it that one), selects by a label a release's pods carry: any of POD_LABELS, and where it
 * selects by the release label, this release's name. Such a release is not traffic-free.
 */
function podsSelectedInTree(root: RenderRoot, texts: TreeTexts): boolean {
  if (root.run.tool !== "helm") return false;
  const { release, namespace } = root.run;
  return labelSelectorsOf(texts).some(
    (selector) =>
      (selector.namespace === undefined || selector.namespace === namespace) &&
      POD_LABELS.some((label) => selector.labels[label] !== undefined) &&
      (selector.labels[INSTANCE] === undefined || selector.labels[INSTANCE] === release),
  );
}

interface ServiceSelector {
  readonly namespace: string | undefined;
  readonly labels: Readonly<Record<string, unknown>>;
}

/** The selectors of the tree's Services that select by an app-template pod label, read once a tree. */
function labelSelectorsOf(texts: TreeTexts): readonly ServiceSelector[] {
  let found = selectorsOfTree.get(texts);
  if (found) return found;
  const selectors: ServiceSelector[] = [];
  for (const [path, text] of texts) {
    if (!isYamlFile(path) || !/\bkind:\s*["']?Service\b/.test(text) || !POD_LABELS.some((label) => text.includes(label))) continue;
    let documents: unknown[];
    try {
      documents = loadAllAsGoYaml(text);
    } catch {
      continue;
    }
    for (const document of documents) {
      const { kind, metadata, spec } = record(document);
      if (kind !== "Service" || !isRecord(record(spec).selector)) continue;
      selectors.push({ namespace: stringValue(record(metadata).namespace), labels: record(record(spec).selector) });
    }
  }
  selectorsOfTree.set(texts, (found = selectors));
  return found;
}
const selectorsOfTree = new WeakMap<TreeTexts, readonly ServiceSelector[]>();

const HEADER_LINE = /^(?:apiVersion|kind)[ \t]*:.*$/gm;

/**
 * Whether a resource file holds no traffic config, read as written. One that does not parse (a
 * duplicated key kustomize refuses) held none before, nor would once mended, when its text names
 * no traffic, delivery or GitOps kind or group: a document's kind is written in it (rafaribe/home-ops
 * 59bb3b0d43, a kopiur ClusterRepository's annotations written twice).
 */
export function fileHoldsNoTraffic(text: string | undefined): boolean {
  if (text === undefined) return true;
  // A file that reads as documents is judged by them, whatever its text spells (a kind written with
  // YAML escapes, `HTTP\x52oute`, is an HTTPRoute); only one that does not is judged by its words.
  const documents = trafficDocuments(text);
  return documents ? documents.length === 0 : !(namesTraffic(text) || NAMES_DELIVERY_KIND.test(text) || GITOPS_GROUP.test(text));
}

const GITOPS_GROUP = /\.toolkit\.fluxcd\.io|\bargoproj\.io|\bconfigsync\.gke\.io/;

/**
 * Whether the files a Flux Kustomization builds where its path holds no kustomization (Flux
 * generates one naming every file under it) hold no traffic config, read as written: a file there
 * that stops the build stops nothing of traffic then.
 */
export function generatedBuildHoldsNoTraffic(files: Iterable<string>, texts: TreeTexts): boolean {
  for (const path of files) {
    const text = texts.get(path);
    if (text === undefined || !isYamlFile(path)) continue;
    if (isKustomizationFile(path) ? namesTraffic(text.replace(HEADER_LINE, "")) : !fileHoldsNoTraffic(text)) return false;
  }
  return true;
}

/** Every folder that holds a file of the tree, once per tree. */
const heldFolders = new WeakMap<TreeTexts, ReadonlySet<string>>();

function foldersOf(texts: TreeTexts): ReadonlySet<string> {
  let folders = heldFolders.get(texts);
  if (!folders) {
    const found = new Set<string>();
    for (const path of texts.keys())
      for (let folder = folderOf(path); folder && !found.has(folder); folder = folderOf(folder)) found.add(folder);
    heldFolders.set(texts, (folders = found));
  }
  return folders;
}
