import type { Finding } from "../core/finding.js";
import type { Policy } from "../policy/policy-schema.js";
import { toFinding, type Placed } from "./to-finding.js";

/** A git tree entry whose content the review cannot read: a symlink's target, a submodule's commit, a file it refuses to read. */
export interface UnreviewedEntry {
  readonly kind: "Symlink" | "Submodule" | "File";
  readonly path: string;
  readonly summary: string;
  /** What it pointed at before and after: null where it did not exist. */
  readonly before: string | null;
  readonly after: string | null;
}

/**
 * A high finding at the entry itself (line 1 of its path), placed where the files it brings would
 * apply: what it adds, moves or removes is not reviewed, so someone must look at it before approving.
 */
export function unreviewedEntryFinding(entry: UnreviewedEntry, policy: Policy, where: Placed): Finding {
  const { kind, path, summary, before, after } = entry;
  const detection = {
    class: "resource.changed" as const,
    summary,
    resource: { group: "", kind, namespace: "", name: path },
    side: after === null ? ("base" as const) : ("head" as const),
    path: [],
    before,
    after,
    riskFloor: "high" as const,
  };
  return { ...toFinding(detection, undefined, policy, where), file: path, line: 1 };
}
