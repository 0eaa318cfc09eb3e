import { show } from "./canonical-values.js";
import type { DetectionList } from "./detection-list.js";
import type { FieldPath } from "./finding.js";
import { record } from "./json-access.js";

export const FAULT_KINDS = ["abort", "delay"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** One side's fault of a kind: the percent of requests it hits (0 without one) and how it is written. */
export interface Fault {
  readonly share: number;
  readonly fault: unknown;
}

/** How a family words where its faults are: `for routes to …`, the faults object, whose requests. */
export interface FaultWording {
  readonly subject: string;
  /** The object holding `abort` and `delay`, whose fields the findings point at. */
  readonly path: FieldPath;
  /** Whose requests a share is of: `requests`, `the requests it matches, with no narrow …match`. */
  readonly requests: string;
}

/**
 * Faults that reach more requests (fault.injected, DESIGN §5): Istio, Envoy Gateway and Gloo all
 * write an abort's `httpStatus` (or `grpcStatus`) and a delay's `fixedDelay` with a share of requests.
 */
export function reportFaultIncreases(
  out: DetectionList,
  wording: FaultWording,
  faultOf: (side: "base" | "head", kind: FaultKind) => Fault,
): void {
  for (const kind of FAULT_KINDS) {
    const was = faultOf("base", kind).share;
    const { share: now, fault } = faultOf("head", kind);
    if (now <= was) continue;
    const written = record(fault);
    const detail = kind === "abort" ? `HTTP ${show(written.httpStatus ?? written.grpcStatus)}` : `${show(written.fixedDelay)} delay`;
    out.add({
      class: "fault.injected",
      summary: `${wording.subject}: fault ${kind} (${detail}) on ${was === 0 ? "" : `${was}% → `}${now}% of ${wording.requests}: real users get the injected failures`,
      side: "head",
      path: [...wording.path, kind],
      before: was === 0 ? undefined : { [kind]: was },
      after: { [kind]: now },
    });
  }
}
