import type { DetectionList } from "../../core/detection-list.js";
import { sameValue, show } from "../../core/canonical-values.js";
import { isRecord, list, numeric, record, text } from "../../core/json-access.js";
import type { Resource } from "../../core/resource.js";
import { DEFAULT_TLS_FLOOR, tlsVersionRank } from "../../core/tls-versions.js";
import { describeShares, sharesOf } from "../../core/weight-shares.js";

/**
 * What the AWS Load Balancer Controller does by an Ingress's annotations, beyond who may reach it
 * (access-annotations.ts): weighted forward actions split its traffic between target groups (the
 * controller's traffic-splitting guide), a WAF web ACL guards it, an SSL policy sets the TLS
 * versions its listeners accept, certificate ARNs are what it serves, and listen ports say whether
 * it serves plain HTTP. Each was a low annotation line.
 */
const PREFIX = "alb.ingress.kubernetes.io/";
const path = (key: string) => ["metadata", "annotations", key];
const value = (resource: Resource, key: string): string | undefined => resource.annotations[key]?.trim();

/** `{service:port: weight}` of a weighted forward action; undefined when it is not one. */
function forwardWeights(written: string | undefined): Record<string, number> | undefined {
  if (written === undefined) return undefined;
  let action: unknown;
  try {
    action = JSON.parse(written);
  } catch {
    return undefined;
  }
  const groups = list(record(record(action).forwardConfig).targetGroups).map(record);
  if (groups.length === 0) return undefined;
  return Object.fromEntries(
    groups.map((group) => [
      `${text(group.serviceName) ?? text(group.targetGroupARN) ?? text(group.targetGroupName) ?? "?"}:${show(group.servicePort ?? "")}`,
      numeric(group.weight) ?? 1,
    ]),
  );
}

/**
 * The lowest TLS version an ELB security policy accepts, by its name (`ELBSecurityPolicy-2016-08`
 * takes TLS 1.0, `-TLS-1-1-2017-01` 1.1, `-TLS13-1-2-2021-06` 1.2, `-TLS13-1-3-2021-06` 1.3).
 */
function policyFloor(policy: string): string | undefined {
  const version = /TLS13-1-([0-3])-|(?:TLS|FS)-1-([0-3])-/.exec(policy);
  if (version) return `1.${version[1] ?? version[2]}`;
  return /ELBSecurityPolicy-(?:2016-08|2015-05|2015-03|2015-02|2014-10|2014-01|2011-08)|FS-2018-06|TLS-1-0/.test(policy)
    ? "1.0"
    : undefined;
}

/** Whether its listen ports serve plain HTTP (`[{"HTTP": 80}, {"HTTPS": 443}]`; the controller's default is HTTP 80). */
function servesHttp(written: string | undefined): boolean {
  if (written === undefined) return true;
  try {
    const ports = JSON.parse(written) as unknown;
    return Array.isArray(ports) && ports.some((port) => isRecord(port) && port.HTTP !== undefined);
  } catch {
    return false;
  }
}

export function albBehaviour(base: Resource, head: Resource, out: DetectionList): void {
  const keys = new Set(
    [...Object.keys(base.annotations), ...Object.keys(head.annotations)].filter((key) => key.startsWith(`${PREFIX}actions.`)),
  );
  for (const key of [...keys].sort()) {
    const [was, now] = [forwardWeights(value(base, key)), forwardWeights(value(head, key))];
    if (!was || !now || sameValue(sharesOf(was), sharesOf(now))) continue;
    out.add({
      class: "backend.weight-changed",
      summary: `${key}: ${describeShares(was, now)} of the requests its rules forward there`,
      side: "head",
      path: path(key),
      before: was,
      after: now,
    });
  }

  for (const key of [`${PREFIX}wafv2-acl-arn`, `${PREFIX}waf-acl-id`]) {
    const [was, now] = [value(base, key), value(head, key)];
    if (was === undefined || was === now) continue;
    out.add(
      now === undefined || now === ""
        ? {
            class: "access.widened",
            summary: `${key} removed (was ${was}): no web ACL filters requests to its hosts any more`,
            side: "head",
            path: path(key),
            before: was,
            after: null,
          }
        : {
            class: "resource.changed",
            summary: `${key} ${was} → ${now}: another web ACL decides which requests reach its hosts`,
            side: "head",
            path: path(key),
            before: was,
            after: now,
            riskFloor: "medium",
          },
    );
  }

  const sslPolicy = `${PREFIX}ssl-policy`;
  const [floorBefore, floorAfter] = [value(base, sslPolicy), value(head, sslPolicy)].map((policy) =>
    policy === undefined ? undefined : policyFloor(policy),
  );
  if (
    floorBefore !== undefined &&
    floorAfter !== undefined &&
    tlsVersionRank(floorAfter) < tlsVersionRank(floorBefore) &&
    tlsVersionRank(floorAfter) < tlsVersionRank(DEFAULT_TLS_FLOOR)
  )
    out.add({
      class: "mtls.weakened",
      summary: `${sslPolicy} ${value(base, sslPolicy)} → ${value(head, sslPolicy)}: clients may connect with TLS ${floorAfter}, a deprecated protocol`,
      side: "head",
      path: path(sslPolicy),
      before: value(base, sslPolicy) ?? null,
      after: value(head, sslPolicy) ?? null,
    });

  const certificates = `${PREFIX}certificate-arn`;
  const arns = (resource: Resource) =>
    [
      ...new Set(
        (value(resource, certificates) ?? "")
          .split(",")
          .map((arn) => arn.trim())
          .filter(Boolean),
      ),
    ].sort();
  const [served, serves] = [arns(base), arns(head)];
  if (served.length > 0 && !sameValue(served, serves))
    out.add({
      class: "trust.changed",
      summary: `${certificates} ${served.join(", ")} → ${serves.join(", ") || "(unset)"}: the certificates its HTTPS listeners serve change`,
      side: "head",
      path: path(certificates),
      before: served,
      after: serves,
    });

  const listenPorts = `${PREFIX}listen-ports`;
  const redirects = (resource: Resource) => value(resource, `${PREFIX}ssl-redirect`) !== undefined;
  if (!servesHttp(value(base, listenPorts)) && servesHttp(value(head, listenPorts)) && !redirects(head))
    out.add({
      class: "listener.changed",
      summary: `${listenPorts} ${show(value(base, listenPorts))} → ${show(value(head, listenPorts) ?? "(unset: HTTP 80)")}: its hosts are served over plain HTTP, unencrypted (no ssl-redirect)`,
      side: "head",
      path: path(listenPorts),
      before: value(base, listenPorts) ?? null,
      after: value(head, listenPorts) ?? null,
    });
}
