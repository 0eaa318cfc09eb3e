import type { DetectionDraft } from "./detection-list.js";
import type { Resource } from "./resource.js";

/**
 * What changes for the Gateways whose proxies were configured by the parameters object `was` and
 * now are by `now` (GEP-1867: a GatewayClass's `parametersRef`, a Gateway's
 * `infrastructure.parametersRef`; undefined: the implementation's defaults, where none is named),
 * as edits of such an object are judged: the findings, their paths inside the object; none where
 * nothing that decides how those Gateways are reached differs. Undefined where the two cannot be
 * compared: the change is then judged as one the review does not model. `users` names the Gateways.
 */
export type ProxyParametersJudge = (
  was: Resource | undefined,
  now: Resource | undefined,
  users: string,
) => readonly DetectionDraft[] | undefined;
