import { isRecord, numeric, record, text } from "../../core/json-access.js";

/** The ports a redirect's scheme implies when it names none (HTTPRequestRedirectFilter.port). */
const WELL_KNOWN_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443 };

/**
 * Where a RequestRedirect filter sends clients: its scheme, hostname, port and path, the port as the
 * Gateway API derives it when unset (a scheme's well-known one: `scheme: https` with or without
 * `port: 443` is one destination). The status code is how clients are sent there, not where: see
 * redirectStatus.
 */
export const redirectDestination = (requestRedirect: unknown): unknown => {
  if (!isRecord(requestRedirect)) return requestRedirect;
  const { statusCode: _statusCode, ...destination } = requestRedirect;
  const scheme = text(destination.scheme);
  const port = numeric(destination.port) ?? (scheme === undefined ? undefined : WELL_KNOWN_PORTS[scheme.toLowerCase()]);
  return port === undefined ? destination : { ...destination, port };
};

/** A RequestRedirect's status code, 302 when unset (`+kubebuilder:default=302`). */
export const redirectStatus = (requestRedirect: unknown): number => numeric(record(requestRedirect).statusCode) ?? 302;
