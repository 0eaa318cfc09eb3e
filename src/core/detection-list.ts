import { displayName, type DocumentSource, type Resource } from "./resource.js";
import type { ChangeClassId } from "./change-classes.js";
import type { ResourceChange } from "./resource-change.js";
import type { Detection, FieldPath } from "./finding.js";
import { existingPath } from "./json-access.js";
import type { RiskLevel } from "./risk-level.js";

export type Side = "base" | "head";

export interface DetectionDraft {
  readonly class: ChangeClassId;
  /** Without the resource name: the list prefixes it. */
  readonly summary: string;
  /** Where the changed thing lives; "base" for something that was removed. */
  readonly side: Side;
  readonly path: FieldPath;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly riskFloor?: RiskLevel;
  readonly lands?: Detection["lands"];
  /** The document `path` is in, where it is not the resource's own (a release's values file): kept whole, as the resource's body cannot trim it. */
  readonly at?: DocumentSource;
}

/**
 * Collects one resource's detections. It names the resource in every summary, points at the
 * side that still holds the field (a removed resource can only be pointed at in base), and
 * trims paths to what exists there, so a removed field points at its parent's line.
 */
export class DetectionList {
  readonly detections: Detection[] = [];
  private readonly subject: Resource;

  constructor(private readonly change: ResourceChange) {
    const subject = change.head ?? change.base;
    if (!subject) throw new Error(`resource change ${change.key} has neither base nor head`);
    this.subject = subject;
  }

  get title(): string {
    return displayName(this.subject.id);
  }

  add(draft: DetectionDraft): void {
    const side: Side = draft.side === "head" ? (this.change.head ? "head" : "base") : this.change.base ? "base" : "head";
    const resource = side === "head" ? this.change.head : this.change.base;
    this.detections.push({
      class: draft.class,
      summary: `${this.title}: ${draft.summary}`,
      resource: this.subject.id,
      side,
      path: draft.at ? draft.path : existingPath(resource?.body, draft.path),
      ...(draft.before === undefined ? {} : { before: draft.before }),
      ...(draft.after === undefined ? {} : { after: draft.after }),
      ...(draft.riskFloor ? { riskFloor: draft.riskFloor } : {}),
      ...(draft.lands ? { lands: draft.lands } : {}),
      ...(draft.at ? { at: draft.at } : {}),
    });
  }
}
