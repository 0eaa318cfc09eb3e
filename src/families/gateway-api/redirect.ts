import { isRecord } from "../../core/json-access.js";

/**
 * A RequestRedirect filter's body as the Gateway API defaults it: `statusCode` 302 when unset
 * (`+kubebuilder:default=302`), so writing the default out is no change of where requests go.
 */
export const redirectWithDefaults = (requestRedirect: unknown): unknown =>
  isRecord(requestRedirect) ? { statusCode: 302, ...requestRedirect } : requestRedirect;
