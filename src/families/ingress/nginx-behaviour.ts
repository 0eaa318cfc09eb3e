import type { DetectionList } from "../../core/detection-list.js";
import { reportMirrorIncreases } from "../../core/mirror-changes.js";
import { reportRedirection } from "../../core/redirect-changes.js";
import type { Resource } from "../../core/resource.js";

/**
 * What ingress-nginx does to an Ingress's requests by its annotations, beyond who may reach it
 * (access-annotations.ts) and its snippets: the Ingress twins of Gateway API filters and policies.
 * Each was a low annotation line: a `rewrite-target` rewrites every path as URLRewrite does, a
 * `permanent-redirect` answers every request as RequestRedirect does, a `mirror-target` mirrors
 * every request (bodies too, by default) as RequestMirror does; shortened proxy timeouts and
 * widened retry conditions are retry-timeout.changed, and a rate limit lifted or raised lets
 * more load through (medium-high, as an Envoy Gateway BackendTrafficPolicy's).
 */
const PREFIX = "nginx.ingress.kubernetes.io/";
const path = (key: string) => ["metadata", "annotations", `${PREFIX}${key}`];
const value = (resource: Resource, key: string): string | undefined => resource.annotations[`${PREFIX}${key}`]?.trim();
const numberIn = (text: string | undefined): number | undefined => {
  const parsed = text === undefined ? Number.NaN : Number(text);
  return Number.isFinite(parsed) ? parsed : undefined;
};

/** How each answers or reroutes requests, as a Gateway API filter would: redirects answer, rewrites reach backends changed. */
const REDIRECTIONS = [
  { key: "permanent-redirect", kind: "redirect" },
  { key: "temporal-redirect", kind: "redirect" },
  { key: "app-root", kind: "redirect" },
  { key: "rewrite-target", kind: "rewrite" },
] as const;

/** Proxy timeouts in seconds, with ingress-nginx's defaults: a shorter one fails slow requests that passed. */
const TIMEOUTS: Readonly<Record<string, number>> = { "proxy-connect-timeout": 5, "proxy-send-timeout": 60, "proxy-read-timeout": 60 };

/** ingress-nginx's default `proxy-next-upstream`: what a request is retried on. */
const DEFAULT_RETRY_ON = "error timeout";

/** Request and connection limits: lifted or raised, more load reaches the backends. */
const LIMITS = ["limit-rps", "limit-rpm", "limit-connections", "limit-burst-multiplier"] as const;

export function nginxBehaviour(base: Resource, head: Resource, out: DetectionList): void {
  for (const { key, kind } of REDIRECTIONS)
    reportRedirection(out, {
      kind,
      subject: `${PREFIX}${key}`,
      before: value(base, key),
      after: value(head, key),
      path: path(key),
    });

  // Mirrored requests carry their bodies unless `mirror-request-body: off`: an Ingress's rules take every method.
  const mirrorOf = (resource: Resource) => {
    const target = value(resource, "mirror-target");
    return target ? [{ target, percent: 100, path: path("mirror-target") }] : [];
  };
  reportMirrorIncreases(
    out,
    {
      label: "all its requests",
      writes: value(head, "mirror-request-body") === "off" ? undefined : "an Ingress rule takes every method, bodies mirrored too",
      mirrors: mirrorOf(head),
    },
    mirrorOf(base),
    "mirrored",
  );

  for (const [key, fallback] of Object.entries(TIMEOUTS)) {
    const [was, now] = [numberIn(value(base, key)) ?? fallback, numberIn(value(head, key)) ?? fallback];
    if (now < was)
      out.add({
        class: "retry-timeout.changed",
        summary: `${PREFIX}${key} ${was}s → ${now}s: requests slower than that now fail`,
        side: "head",
        path: path(key),
        before: value(base, key) ?? null,
        after: value(head, key) ?? null,
      });
  }

  const conditions = (resource: Resource) =>
    new Set((value(resource, "proxy-next-upstream") ?? DEFAULT_RETRY_ON).split(/\s+/).filter(Boolean));
  const [retriedOn, retriesOn] = [conditions(base), conditions(head)];
  const added = [...retriesOn].filter((condition) => condition !== "off" && !retriedOn.has(condition));
  const tries = (resource: Resource) => numberIn(value(resource, "proxy-next-upstream-tries")) ?? 3;
  const triesUp = !retriesOn.has("off") && tries(head) > tries(base);
  if (added.length > 0 || triesUp)
    out.add({
      class: "retry-timeout.changed",
      summary: `${PREFIX}proxy-next-upstream ${[...retriedOn].join(" ")} → ${[...retriesOn].join(" ")}, tries ${tries(base)} → ${tries(head)}: failed requests are retried on more upstreams, or more often`,
      side: "head",
      path: path(added.length > 0 ? "proxy-next-upstream" : "proxy-next-upstream-tries"),
      before: { on: [...retriedOn], tries: tries(base) },
      after: { on: [...retriesOn], tries: tries(head) },
    });

  for (const key of LIMITS) {
    const [was, now] = [numberIn(value(base, key)), numberIn(value(head, key))];
    if (was === undefined || (now !== undefined && now <= was)) continue;
    out.add({
      class: "resource.changed",
      summary: `${PREFIX}${key} ${now === undefined ? `removed (was ${was})` : `${was} → ${now}`}: more load reaches its backends`,
      side: "head",
      path: path(key),
      before: value(base, key),
      after: value(head, key) ?? null,
      riskFloor: "medium-high",
    });
  }

  const [vhost, nowVhost] = [value(base, "upstream-vhost"), value(head, "upstream-vhost")];
  if (nowVhost !== undefined && nowVhost !== vhost)
    out.add({
      class: "resource.changed",
      summary: `${PREFIX}upstream-vhost ${vhost ?? "(unset)"} → ${nowVhost}: its backends see another Host header`,
      side: "head",
      path: path("upstream-vhost"),
      before: vhost ?? null,
      after: nowVhost,
      riskFloor: "medium",
    });
}
