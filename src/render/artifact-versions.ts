import { isRecord } from "../core/json-access.js";

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

const VERSION_SEGMENT = new RegExp(`^${VERSION}$`);

/**
 * An HTTP(S) file's URL with each path segment that is a version, as an artifact's tag is, marked
 * as such: two URLs alike but there name versions of one file, as a GitHub release asset's
 * (`…/releases/download/v1.0.0/auth.wasm` → `…/v1.1.0/auth.wasm`); another file name, host or
 * query is another file (`…/v1.0.0/allow-all.wasm`). Undefined for a URL of another scheme.
 */
export function unversionedUrl(url: string): string | undefined {
  const parts = /^(https?:\/\/[^/?#]*)([^?#]*)(.*)$/i.exec(url);
  if (!parts) return undefined;
  const [origin = "", path = "", rest = ""] = parts.slice(1);
  const segments = path.split("/").map((segment) => (VERSION_SEGMENT.test(segment) ? "\0version" : segment));
  return `${origin.toLowerCase()}${segments.join("/")}${rest}`;
}

/** Values with each OCI artifact whose repository `unpinned` says of named without its version. */
export function withoutArtifactVersions(values: unknown, unpinned: (repository: string) => boolean): unknown {
  if (typeof values === "string") {
    const repository = artifactRepository(values);
    return repository !== undefined && unpinned(repository) ? repository : values;
  }
  if (Array.isArray(values)) return values.map((value) => withoutArtifactVersions(value, unpinned));
  if (!isRecord(values)) return values;
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, withoutArtifactVersions(value, unpinned)]));
}

const strings = (values: unknown): string[] =>
  typeof values === "string"
    ? [values]
    : Array.isArray(values)
      ? values.flatMap(strings)
      : isRecord(values)
        ? Object.values(values).flatMap(strings)
        : [];

/** The OCI artifacts values name at a version, as written, sorted. */
export const versionedArtifacts = (values: unknown): string[] =>
  [...new Set(strings(values).filter((value) => artifactRepository(value) !== undefined))].sort();
