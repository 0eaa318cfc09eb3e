import type { DetectionList } from "../../core/detection-list.js";
import { list, record } from "../../core/json-access.js";
import type { FieldPath } from "../../core/finding.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { middlewareChanges } from "../../core/traefik-middlewares.js";
import { rangesBeyond } from "../../core/cidr.js";

/**
 * Who may reach an Ingress, as its controller reads its annotations (ingress-nginx, the AWS Load
 * Balancer Controller). Taking one away, or widening it, opens the hosts to more clients, and was a
 * low annotation line: the source ranges a controller admits or denies, the authentication it
 * demands (external auth, basic auth, client certificates), the Traefik Middlewares it names, and
 * an ALB turning internet-facing.
 */
const ALLOWED_SOURCES = [
  // One setting by its names, the first set one read: ingress-nginx reads `whitelist-source-range` as an alias.
  ["nginx.ingress.kubernetes.io/allowlist-source-range", "nginx.ingress.kubernetes.io/whitelist-source-range"],
  ["alb.ingress.kubernetes.io/inbound-cidrs"],
] as const;
const DENIED_SOURCES = "nginx.ingress.kubernetes.io/denylist-source-range";
const AUTHENTICATION: Readonly<Record<string, string>> = {
  "nginx.ingress.kubernetes.io/auth-url": "external authentication",
  "nginx.ingress.kubernetes.io/auth-type": "basic or digest authentication",
  "alb.ingress.kubernetes.io/auth-type": "the load balancer's authentication",
};
const CLIENT_CERTIFICATES = "nginx.ingress.kubernetes.io/auth-tls-verify-client";
/** What decides who passes, and whether swapping it changes whom the hosts trust (an authorizer, a CA) or only which credentials. */
const AUTHORITIES: readonly (readonly [key: string, effect: string, trust: boolean])[] = [
  ["nginx.ingress.kubernetes.io/auth-url", "another external authorizer decides which requests reach its hosts", true],
  ["nginx.ingress.kubernetes.io/auth-tls-secret", "client certificates are verified against other CAs", true],
  ["nginx.ingress.kubernetes.io/auth-secret", "other credentials (another htpasswd Secret) let requests through", false],
];
const ALB_SCHEME = "alb.ingress.kubernetes.io/scheme";
/**
 * The Traefik Middlewares a router passes an Ingress's requests through, `<namespace>-<name>@kubernetescrd`,
 * comma-separated: judged as an IngressRoute's route's (core/traefik-middlewares.ts), by what the
 * tree holds them to do — one no longer listed may have been its authentication or allow list, a
 * `compress: {}` one only compressed.
 */
const TRAEFIK_MIDDLEWARES = "traefik.ingress.kubernetes.io/router.middlewares";

/** A comma-separated annotation's entries (source ranges, middlewares). */
const commaList = (value: string | undefined): Set<string> =>
  new Set((value ?? "").split(",").flatMap((range) => (range.trim() ? [range.trim()] : [])));

const annotationPath = (key: string) => ["metadata", "annotations", key];

const traefikMiddlewares = (resource: Resource): Map<string, FieldPath> =>
  new Map([...commaList(resource.annotations[TRAEFIK_MIDDLEWARES])].map((key) => [key, annotationPath(TRAEFIK_MIDDLEWARES)]));

/** `trees`: where the Middlewares an Ingress names are read (each side's). */
export function accessAnnotations(
  base: Resource,
  head: Resource,
  out: DetectionList,
  trees: { readonly base: ManifestSet; readonly head: ManifestSet },
): void {
  const [before, after] = [base.annotations, head.annotations];
  const widened = (key: string, summary: string, was: string | undefined = before[key], now: string | null = after[key] ?? null) =>
    out.add({ class: "access.widened", summary, side: "head", path: annotationPath(key), before: was, after: now });
  for (const names of ALLOWED_SOURCES) {
    const set = (annotations: Readonly<Record<string, string>>) => names.find((name) => annotations[name] !== undefined);
    const key = set(after) ?? set(before) ?? names[0];
    const [was, now] = [commaList(before[set(before) ?? key]), commaList(after[key])];
    if (was.size === 0) continue;
    // A range inside one it admitted (10.1.0.0/16 for 10.0.0.0/8) admits no one new.
    const added = rangesBeyond(now, [...was]);
    if (now.size > 0 && added.length === 0) continue;
    widened(
      key,
      now.size === 0
        ? `${key} removed (was ${[...was].join(", ")}): any client address reaches its hosts`
        : `${key} admits ${added.join(", ")} too: more client addresses reach its hosts`,
    );
  }
  const stillDenied = [...commaList(after[DENIED_SOURCES])];
  const lifted = rangesBeyond(commaList(before[DENIED_SOURCES]), stillDenied);
  if (lifted.length > 0)
    widened(DENIED_SOURCES, `${DENIED_SOURCES} no longer denies ${lifted.join(", ")}: those client addresses reach its hosts`);
  for (const [key, what] of Object.entries(AUTHENTICATION)) {
    if (before[key] === undefined || after[key] !== undefined) continue;
    widened(key, `${key} removed: requests reach its hosts without ${what}`);
  }
  middlewareChanges(out, traefikMiddlewares(base), traefikMiddlewares(head), trees, TRAEFIK_MIDDLEWARES);
  // Who vouches for callers, swapped: another authorizer, other credentials, other client CAs.
  for (const [key, effect, trust] of AUTHORITIES) {
    const [was, now] = [before[key]?.trim(), after[key]?.trim()];
    if (was === undefined || now === undefined || was === now) continue;
    out.add({
      class: trust ? "trust.changed" : "resource.changed",
      summary: `${key} ${was} → ${now}: ${effect}`,
      side: "head",
      path: annotationPath(key),
      before: was,
      after: now,
      ...(trust ? {} : { riskFloor: "medium" as const }),
    });
  }
  const [verified, verifies] = [before[CLIENT_CERTIFICATES]?.trim(), after[CLIENT_CERTIFICATES]?.trim()];
  if (verified === "on" && verifies !== "on")
    widened(
      CLIENT_CERTIFICATES,
      `${CLIENT_CERTIFICATES} on → ${verifies ?? "(unset: off)"}: clients without a valid certificate reach its hosts`,
      verified,
      verifies ?? null,
    );
  // The AWS Load Balancer Controller's default scheme is internal.
  const [scheme, nowScheme] = [before[ALB_SCHEME]?.trim() ?? "internal", after[ALB_SCHEME]?.trim() ?? "internal"];
  if (scheme !== "internet-facing" && nowScheme === "internet-facing")
    out.add({
      class: "listener.changed",
      summary: `${ALB_SCHEME} ${before[ALB_SCHEME] ?? "(unset: internal)"} → internet-facing: its hosts become reachable from the internet`,
      side: "head",
      path: annotationPath(ALB_SCHEME),
      before: before[ALB_SCHEME] ?? null,
      after: after[ALB_SCHEME],
    });
}

/**
 * What keeps plain HTTP off an Ingress's hosts, if anything: ingress-nginx redirects to HTTPS when
 * the Ingress has TLS unless `ssl-redirect: "false"` (`implicit`: by that default, no annotation),
 * and always with `force-ssl-redirect`; the ALB redirects with its `ssl-redirect` port; GKE serves no
 * HTTP with `kubernetes.io/ingress.allow-http: "false"`. Losing it serves the hosts in plaintext.
 */
function httpsOnly(resource: Resource, className: string | undefined): { readonly key: string; readonly implicit?: true } | undefined {
  const annotations = resource.annotations;
  const value = (key: string) => annotations[key]?.trim().toLowerCase();
  if (value(FORCE_REDIRECT) === "true") return { key: FORCE_REDIRECT };
  const explicit = value(NGINX_REDIRECT);
  if (explicit === "true") return { key: NGINX_REDIRECT };
  if (explicit === undefined && hasTls(resource) && /nginx/i.test(className ?? "")) return { key: NGINX_REDIRECT, implicit: true };
  if (annotations["alb.ingress.kubernetes.io/ssl-redirect"] !== undefined) return { key: "alb.ingress.kubernetes.io/ssl-redirect" };
  if (value("kubernetes.io/ingress.allow-http") === "false") return { key: "kubernetes.io/ingress.allow-http" };
  return undefined;
}

const FORCE_REDIRECT = "nginx.ingress.kubernetes.io/force-ssl-redirect";
const NGINX_REDIRECT = "nginx.ingress.kubernetes.io/ssl-redirect";
const hasTls = (resource: Resource): boolean => list(record(resource.body.spec).tls).length > 0;

/** Why what kept plain HTTP off no longer does, as the head says it (ingress-nginx d27829ce lost its default redirect with its class). */
function whyLost(
  kept: { readonly key: string; readonly implicit?: true },
  base: Resource,
  head: Resource,
  classes: IngressClasses,
): string {
  const [was, now] = [base.annotations[kept.key], head.annotations[kept.key]];
  if (!kept.implicit) return now === undefined ? `${kept.key} gone` : `${kept.key} ${was} → ${now}`;
  if (now !== undefined) return `${kept.key}: "${now}" turns off ingress-nginx's redirect of an Ingress with TLS`;
  if (!hasTls(head)) return "its tls section is gone: ingress-nginx redirects only an Ingress with TLS";
  return `IngressClass ${classes.base ?? "(default)"} → ${classes.head ?? "(default)"}: ingress-nginx's redirect of an Ingress with TLS no longer applies`;
}

/** Each side's class as the cluster reads it: named, or the tree's default class (flows.ts effectiveIngressClass). */
interface IngressClasses {
  readonly base: string | undefined;
  readonly head: string | undefined;
}

export function plaintextAnnotations(base: Resource, head: Resource, out: DetectionList, classes: IngressClasses): void {
  const kept = httpsOnly(base, classes.base);
  if (kept === undefined || httpsOnly(head, classes.head) !== undefined) return;
  out.add({
    class: "listener.changed",
    summary: `plain HTTP to its hosts is no longer redirected or refused (${whyLost(kept, base, head, classes)}): requests are served unencrypted`,
    side: "head",
    path: annotationPath(kept.key),
    before: base.annotations[kept.key] ?? "(TLS default)",
    after: head.annotations[kept.key] ?? null,
  });
}

/**
 * How the controller talks to the Ingress's backends: ingress-nginx's and the ALB's `backend-protocol`
 * (HTTPS or GRPCS: TLS to the pods), ingress-nginx's `proxy-ssl-verify` (the pods' certificates
 * checked). Dropping either is the DestinationRule `tls.mode: DISABLE` of an Ingress.
 */
const BACKEND_PROTOCOLS = ["nginx.ingress.kubernetes.io/backend-protocol", "alb.ingress.kubernetes.io/backend-protocol"] as const;
const ENCRYPTED = new Set(["HTTPS", "GRPCS"]);
const VERIFY = "nginx.ingress.kubernetes.io/proxy-ssl-verify";

export function upstreamTlsAnnotations(base: Resource, head: Resource, out: DetectionList): void {
  const [before, after] = [base.annotations, head.annotations];
  const weakened = (key: string, summary: string) =>
    out.add({ class: "mtls.weakened", summary, side: "head", path: annotationPath(key), before: before[key], after: after[key] ?? null });
  for (const key of BACKEND_PROTOCOLS) {
    const [was, now] = [before[key]?.trim().toUpperCase(), after[key]?.trim().toUpperCase()];
    if (was !== undefined && ENCRYPTED.has(was) && !ENCRYPTED.has(now ?? "HTTP"))
      weakened(key, `${key} ${was} → ${now ?? "(unset: HTTP)"}: traffic from the controller to its backends is sent in plaintext`);
  }
  if (before[VERIFY]?.trim().toLowerCase() === "on" && after[VERIFY]?.trim().toLowerCase() !== "on")
    weakened(VERIFY, `${VERIFY} on → ${after[VERIFY] ?? "(unset: off)"}: the backends' certificates are no longer verified`);
}
