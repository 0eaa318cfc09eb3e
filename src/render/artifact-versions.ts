import { isRecord, record, text } from "../core/json-access.js";

/**
 * OCI artifacts that release values name at a version: `oci://<repository>:<tag>` with a
 * version-like tag, or `@sha256:<digest>`. Flux Operator's `flux-instance` chart takes the Flux
 * distribution it installs so (`instance.distribution.artifact:
 * oci://ghcr.io/controlplaneio-fluxcd/flux-operator-manifests:v0.58.1`), and Renovate's
 * flux-operator group bumps it beside the chart's own tag (haraldkoch/kochhaus-home 55c0bac7f,
 * Diaoul/home-ops 5394654e2): a new version of a remote source, as the chart's tag is, which
 * `render.trusted` spares a render when the policy trusts that artifact too.
 */
const VERSION = String.raw`v?\d+(?:\.\d+){0,3}(?:[-+][0-9A-Za-z.-]+)?`;
const VERSIONED_ARTIFACT = new RegExp(String.raw`^(oci:\/\/[^\s@]+\/[^\s@:/]+)(?::${VERSION}|@sha256:[0-9a-f]{64})$`);

/** The repository of an OCI artifact named at a version (VERSIONED_ARTIFACT); undefined for any other value. */
export const artifactRepository = (value: string): string | undefined => VERSIONED_ARTIFACT.exec(value)?.[1];

/**
 * A path segment that names a version: a release tag with a dot in it (`v1.2.3`, `1.2`,
 * `v1.3.0-rc.5`; a bare `v1` is as often a folder, `config/v1` beside `config/v2`, and a file
 * `1.0-crds.yaml` no version: a pre-release's later parts hold a digit), a git commit, or either
 * after `@`.
 */
const VERSION_SEGMENT = new RegExp(
  String.raw`^(?:[^@]+@)?(?:v?\d+(?:\.\d+){1,3}(?:[-+][0-9A-Za-z-]+(?:\.[0-9A-Za-z-]*\d[0-9A-Za-z-]*)*)?|[0-9a-f]{40})$`,
  "i",
);
/**
 * Query parameters that may name a version: kustomize's `ref` and its older `version`. Their value
 * is one only where it reads as one (VERSION_SEGMENT: a release tag, a commit): a branch is no
 * version, and `?ref=main` moved to `?ref=wip-open-all` applies whatever that branch holds.
 */
const VERSION_PARAMETER = /^(?:ref|version)=(.*)$/i;

/**
 * A remote source's location with each part that names a version marked as such: a path segment
 * that is one, and the value of a `ref` or `version` query parameter that is one. Two locations
 * alike but there name versions of one source (Renovate's `?ref=v1.3.1` → a commit, Kong's
 * kubernetes-ingress-controller); any other path, file, repository, host, query or branch is another source.
 */
function unversioned(origin: string, path: string, query: string, fragment: string): string {
  const segments = path.split("/").map((segment) => (VERSION_SEGMENT.test(segment) ? segment.replace(/[^@]*$/, "\0version") : segment));
  const parameters = query
    .slice(1)
    .split("&")
    .map((parameter) =>
      VERSION_SEGMENT.test(VERSION_PARAMETER.exec(parameter)?.[1] ?? "") ? parameter.replace(/=.*/, "=\0version") : parameter,
    );
  return `${origin}${segments.join("/")}${query ? `?${parameters.join("&")}` : ""}${fragment}`;
}

/**
 * An HTTP(S) file's URL with each part that is a version, as an artifact's tag is, marked as such
 * (unversioned): two URLs alike but there name versions of one file, as a GitHub release asset's
 * (`…/releases/download/v1.0.0/auth.wasm` → `…/v1.1.0/auth.wasm`); another file name, host or
 * query is another file (`…/v1.0.0/allow-all.wasm`). Undefined for a URL of another scheme.
 */
export function unversionedUrl(url: string): string | undefined {
  const parts = /^(https?:\/\/[^/?#]*)([^?#]*)(\?[^#]*)?(.*)$/i.exec(url);
  if (!parts) return undefined;
  const [origin = "", path = "", query = "", fragment = ""] = parts.slice(1);
  return unversioned(origin.toLowerCase(), path, query, fragment);
}

/**
 * A remote kustomize resource, base or component as written, with its version marked (unversioned):
 * Renovate moves `?ref=v1.2.0` to `?ref=v1.3.0`, or `…/releases/download/v1.2.0/install.yaml` to
 * `…/v1.3.0/install.yaml`, which a trusted glob spares a render. Its host (a git host's, `git@host:`
 * or the first segment of `github.com/…`) is no version, even when an address reads like one.
 */
export function unversionedRemote(entry: string): string {
  const [, origin = "", path = "", query = "", fragment = ""] =
    /^((?:git::)?(?:[a-z][a-z0-9+.-]*:\/\/[^/?#]*|git@[^:/?#]+:|[^/?#]*))([^?#]*)(\?[^#]*)?(.*)$/i.exec(entry) ?? [];
  return unversioned(origin, path, query, fragment);
}

/**
 * The Flux distribution the flux-instance chart's values install, as the OCI artifact of its
 * manifests at that version (`oci://<registry>/flux-manifests:<version>`, as upstream and the
 * enterprise registries publish each release): `instance.distribution` is the FluxInstance's
 * `spec.distribution`, whose `version` picks the release and `registry` where its controllers come
 * from, `ghcr.io/fluxcd` unless set (the chart's default, fluxoperator.dev/docs/charts/flux-instance).
 * Renovate bumps the version alone (billimek/k8s-gitops 6cc6aaa9c3: 2.9.3 → 2.9.4, high under a
 * policy trusting the chart): a new version of a remote source, which `render.trusted` spares a
 * render when the policy trusts that registry. A semver range (`2.x`) is no version of one release.
 */
function distributionArtifact(values: unknown): string | undefined {
  const distribution = record(record(record(values).instance).distribution);
  const version = text(distribution.version);
  const registry = "registry" in distribution ? text(distribution.registry) : "ghcr.io/fluxcd";
  if (version === undefined || registry === undefined) return undefined;
  const artifact = `oci://${registry.replace(/\/+$/, "")}/flux-manifests:${version}`;
  return artifactRepository(artifact) === undefined ? undefined : artifact;
}

/**
 * Values with each OCI artifact whose repository `unpinned` says of named without its version, and
 * so the Flux distribution's (distributionArtifact): its registry stays, so another one is a change.
 */
export function withoutArtifactVersions(values: unknown, unpinned: (repository: string) => boolean): unknown {
  const distribution = distributionArtifact(values);
  const repository = distribution === undefined ? undefined : artifactRepository(distribution)!;
  const kept = withoutVersionedStrings(values, unpinned);
  if (repository === undefined || !unpinned(repository)) return kept;
  const instance = record(record(kept).instance);
  return { ...record(kept), instance: { ...instance, distribution: { ...record(instance.distribution), version: repository } } };
}

function withoutVersionedStrings(values: unknown, unpinned: (repository: string) => boolean): unknown {
  if (typeof values === "string") {
    const repository = artifactRepository(values);
    return repository !== undefined && unpinned(repository) ? repository : values;
  }
  if (Array.isArray(values)) return values.map((value) => withoutVersionedStrings(value, unpinned));
  if (!isRecord(values)) return values;
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, withoutVersionedStrings(value, unpinned)]));
}

const strings = (values: unknown): string[] =>
  typeof values === "string"
    ? [values]
    : Array.isArray(values)
      ? values.flatMap(strings)
      : isRecord(values)
        ? Object.values(values).flatMap(strings)
        : [];

/** The OCI artifacts values name at a version, as written, and the Flux distribution they install (distributionArtifact), sorted. */
export function versionedArtifacts(values: unknown): string[] {
  const distribution = distributionArtifact(values);
  const written = strings(values).filter((value) => artifactRepository(value) !== undefined);
  return [...new Set(distribution === undefined ? written : [...written, distribution])].sort();
}
