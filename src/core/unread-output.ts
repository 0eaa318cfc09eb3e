import { documentTexts, kindLine } from "./document-texts.js";
import { record, text } from "./json-access.js";
import type { SourceFile } from "./source-file.js";
import { FILLED_IN } from "./declared-services.js";

/**
 * Where a tree makes objects the review does not read: a Flux HelmRelease installs its chart, and an
 * Argo CD Application or ApplicationSet its source, in a namespace, and what they install is read
 * only where the PR changes it (the render stage renders changed roots); a root the render stage
 * could not render, or rendered without its remote resources, may make objects anywhere. A
 * detector that concludes from every object of a kind a namespace holds (a label selector's
 * matches) cannot conclude there (a HelmRelease beside the Gateways of `networking` may install
 * another Gateway a selector picks).
 */

const INSTALLER_KIND = kindLine(["HelmRelease", "Application", "ApplicationSet"]);

/** The namespace an installer puts what it installs in; undefined where it does not say (each object's own, a template's). */
function installsIn(installer: Record<string, unknown>, applied: string | undefined): string | undefined {
  const spec = record(installer.spec);
  const namespace =
    installer.kind === "HelmRelease"
      ? (text(spec.targetNamespace) ?? text(record(installer.metadata).namespace) ?? applied)
      : text(record((installer.kind === "ApplicationSet" ? record(record(spec.template).spec) : spec).destination).namespace);
  return namespace === undefined || FILLED_IN.test(namespace) ? undefined : namespace;
}

/**
 * `files`: a tree as the review reads it (rendered output in place of its inputs); `appliedIn`: the
 * namespace the tree applies a file's documents in where they name none; `unrendered`: whether the
 * render stage left roots unrendered or without their remote resources.
 */
export function unreadOutput(
  files: readonly SourceFile[],
  appliedIn: (path: string) => string | undefined,
  unrendered: boolean,
  readYaml: (text: string) => unknown,
): (namespace: string) => boolean {
  const everywhere = () => true;
  if (unrendered) return everywhere;
  const namespaces = new Set<string>();
  for (const file of files) {
    if (file.binary || !INSTALLER_KIND.test(file.text)) continue;
    for (const document of documentTexts(file.text)) {
      if (!INSTALLER_KIND.test(document)) continue;
      const installer = record(readYaml(document));
      // A document that does not read as one may be one all the same.
      const namespace = installsIn(installer, appliedIn(file.path));
      if (namespace === undefined) return everywhere;
      namespaces.add(namespace);
    }
  }
  return (namespace) => namespaces.has(namespace);
}
