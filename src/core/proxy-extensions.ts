import type { Check } from "./by-kind.js";
import { sameValue, sortedSet } from "./canonical-values.js";
import type { DetectorContext } from "./detector.js";
import { isRecord, spec, type JsonRecord } from "./json-access.js";
import type { FieldPath } from "./finding.js";
import type { ManifestSet, Resource } from "./resource.js";

/**
 * Kinds that change the proxies beneath every routing API: Istio's EnvoyFilter and Envoy Gateway's
 * EnvoyPatchPolicy patch the Envoy configuration the controller generates (listeners, filter
 * chains, clusters, routes); a WasmPlugin or EnvoyExtensionPolicy puts code in the request path.
 * None says in terms the review can model what it does to requests, and a wrong patch can take
 * down every proxy it reaches: any change to what one applies is high, and the finding says which
 * proxies it reaches and what it patches. Metadata alone (labels, annotations) changes nothing the
 * proxies run. A Wasm module moved to another version of a source the policy's `render.trusted`
 * names, with nothing else changed, is a version bump the owners vouch for, as a trusted chart's
 * is: low (ishioni/homelab-ops 2e5b59bef7, Renovate's `oci://ghcr.io/ishioni/eep:0.1.0 → 0.2.0`).
 * Its sha256, where written, must move with it (staleDigest); an HTTP file is one source only at
 * versions of the same path (render/artifact-versions.ts unversionedUrl).
 */

/** Where code an extension runs is fetched from, as its spec writes it: a Wasm module's URL, and the digest that checks it. */
export interface CodeSource {
  readonly url: string;
  readonly digest?: string;
}
export interface ProxyExtension {
  /** What it does, as reviewers read it: `patches Envoy's configuration (HTTP_FILTER INSERT_BEFORE at GATEWAY)`. */
  readonly what: (resource: Resource) => string;
  /** The proxies it reaches in its tree: `every proxy of the mesh (root namespace istio-system)`, `Gateway infra/eg`. */
  readonly reach: (resource: Resource, tree: ManifestSet, context: DetectorContext) => string;
  /** The sources of the code it runs, in the order its spec lists them; none where it fetches none. */
  readonly sources?: (resource: Resource) => readonly CodeSource[];
  /** Its spec as the controller reads it, where it reads two spellings as one (Istio's deprecated Envoy filter names). */
  readonly canonical?: (body: JsonRecord) => JsonRecord;
}

/** A value with each string `marks` names replaced by its mark: a source's URL and digest, whatever version they name. */
const marked = (value: unknown, marks: ReadonlyMap<string, string>): unknown =>
  typeof value === "string"
    ? (marks.get(value) ?? value)
    : Array.isArray(value)
      ? value.map((item) => marked(item, marks))
      : isRecord(value)
        ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, marked(item, marks)]))
        : value;

interface Bump {
  readonly from: string;
  readonly to: string;
  /** The digest the module is verified against, where the spec writes one at both versions. */
  readonly digests?: { readonly from: string; readonly to: string };
}

/**
 * The sources whose version alone moved, each of one source `render.trusted` names on both sides
 * (DetectorContext.trustedSource), where nothing else of the spec changed but their digests;
 * undefined otherwise.
 */
function trustedBumps(
  was: readonly CodeSource[],
  now: readonly CodeSource[],
  specs: { readonly base: unknown; readonly head: unknown },
  trustedSource: DetectorContext["trustedSource"],
): Bump[] | undefined {
  if (was.length !== now.length) return undefined;
  const moved: Bump[] = [];
  const marks = { base: new Map<string, string>(), head: new Map<string, string>() };
  for (const [index, before] of was.entries()) {
    const after = now[index]!;
    if (before.url === after.url) continue;
    const source = trustedSource(before.url);
    if (source === undefined || source !== trustedSource(after.url)) return undefined;
    const digests = before.digest !== undefined && after.digest !== undefined ? { from: before.digest, to: after.digest } : undefined;
    moved.push({ from: before.url, to: after.url, ...(digests ? { digests } : {}) });
    for (const [side, { url, digest }] of [
      ["base", before],
      ["head", after],
    ] as const) {
      marks[side].set(url, `\0source ${index}`);
      if (digest !== undefined) marks[side].set(digest, `\0digest ${index}`);
    }
  }
  return moved.length > 0 && sameValue(marked(specs.base, marks.base), marked(specs.head, marks.head)) ? moved : undefined;
}

const hex = (digest: string): string => digest.toLowerCase().replace(/^sha256:/, "");

/**
 * A bump whose digest stayed the old version's: the sha256 is the checksum the new module is
 * verified against, so it fails the check and is not loaded, and a WasmPlugin (failStrategy
 * FAIL_CLOSE) or an EnvoyExtensionPolicy's Wasm (failOpen false) fails the requests it sits in by
 * default. A URL that now names the module by that very digest (`…@sha256:<it>`) pins the same module.
 */
const staleDigest = ({ to, digests }: Bump): boolean =>
  digests !== undefined && hex(digests.from) === hex(digests.to) && !to.toLowerCase().endsWith(`@sha256:${hex(digests.to)}`);

const UNMODELLED = "what this does to requests is not modelled";

export const proxyExtensionCheck =
  ({ what, reach, sources, canonical = (body) => body }: ProxyExtension): Check =>
  (change, out, context) => {
    const { base, head } = change;
    if (base && head) {
      const specs = { base: canonical(spec(base)), head: canonical(spec(head)) };
      const changed = sortedSet([...Object.keys(specs.base), ...Object.keys(specs.head)]).filter(
        (field) => !sameValue(specs.base[field], specs.head[field]),
      );
      if (changed.length === 0) return;
      const was = reach(base, context.base, context);
      const now = reach(head, context.head, context);
      const path: FieldPath = changed.length === 1 ? ["spec", changed[0]!] : ["spec"];
      const bumps = sources && trustedBumps(sources(base), sources(head), specs, context.trustedSource);
      const stale = bumps?.filter(staleDigest) ?? [];
      if (bumps && stale.length === 0) {
        out.add({
          class: "resource.changed",
          summary: `Wasm module version bump of a trusted source (render.trusted): ${bumps.map(({ from, to }) => `${from} → ${to}`).join(", ")}, run for ${now}`,
          side: "head",
          path,
          before: bumps.map(({ from }) => from),
          after: bumps.map(({ to }) => to),
        });
        return;
      }
      const why = stale.length
        ? `its sha256 was left at the checksum of ${stale.map(({ from }) => from).join(", ")}: ${stale.map(({ to }) => to).join(", ")} fails verification against it and is not loaded, which fails the requests it sits in unless it is set to fail open`
        : UNMODELLED;
      out.add({
        class: "resource.changed",
        summary: `${changed.map((field) => `spec.${field}`).join(", ")} changed: now ${what(head)} for ${now}${was === now ? "" : ` (was ${was})`}; ${why}`,
        side: "head",
        path,
        before: what(base),
        after: what(head),
        riskFloor: "high",
      });
      return;
    }
    const [resource, side] = head ? [head, "head" as const] : [base!, "base" as const];
    const reached = reach(resource, context[side], context);
    out.add({
      class: "resource.changed",
      summary:
        side === "head"
          ? `added: ${what(resource)} for ${reached}; ${UNMODELLED}`
          : `removed: ${what(resource)} no longer applies to ${reached}`,
      side,
      path: ["spec"],
      before: side === "base" ? what(resource) : null,
      after: side === "head" ? what(resource) : null,
      riskFloor: "high",
    });
  };
