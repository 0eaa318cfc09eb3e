import { describe, expect, it } from "vitest";
import { kindSpec } from "../../../src/manifests/kinds.js";
import { ruleAlternatives } from "../../../src/families/traefik/rule-match.js";
import { analyze } from "../../helpers/review-trees.js";

/** IngressRoutes as teams write them (bloopySphere's radarr-bypass, ghost's admin route), with their Middlewares. */

const route = (routes: string, extra = "  tls:\n    secretName: tls-radarr\n", entry = "websecure") => `apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: radarr
  namespace: media
spec:
  entryPoints:
    - ${entry}
  routes:
${routes}${extra}`;

const rule = (match: string, services = "        - name: radarr\n          port: 7878\n", middlewares = "") =>
  `    - kind: Rule
      match: ${match}
      services:
${services}${middlewares ? `      middlewares:\n${middlewares}` : ""}`;

const HOST = "Host(`radarr.example.com`)";
const AUTH = "        - name: networking-forward-auth@kubernetescrd\n";
const COMPRESS = "        - name: networking-compress@kubernetescrd\n";

const MIDDLEWARES = `apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata:
  name: forward-auth
  namespace: networking
spec:
  forwardAuth:
    address: http://authelia.auth.svc:9091/api/verify
---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata:
  name: compress
  namespace: networking
spec:
  compress: {}
`;

/** A ServersTransport that verifies the backends' certificates, and one that does not. */
const TRANSPORTS = `apiVersion: traefik.io/v1alpha1
kind: ServersTransport
metadata: {name: verify, namespace: media}
spec: {serverName: radarr.internal}
---
apiVersion: traefik.io/v1alpha1
kind: ServersTransport
metadata: {name: insecure, namespace: media}
spec: {insecureSkipVerify: true}
`;

const FILE = "cluster/apps/media/radarr/route.yaml";
const MW_FILE = "cluster/apps/networking/traefik/middlewares.yaml";
const judged = (base: Record<string, string>, head: Record<string, string>) =>
  analyze(base, head).findings.map((f) => `${f.class} ${f.risk}: ${f.summary}`);
const routes = (base: string, head: string) => judged({ [FILE]: base, [MW_FILE]: MIDDLEWARES }, { [FILE]: head, [MW_FILE]: MIDDLEWARES });

describe("Traefik rules read as request shapes", () => {
  it("hosts, paths, headers, queries and methods in the shared spelling, one alternative per host and shape", () => {
    expect(ruleAlternatives("Host(`A.example.com`) && (Header(`X-Api-Key`, `k`) || Query(`apikey`, `k`))")).toEqual([
      { host: "a.example.com", signature: "PathPrefix /, header x-api-key=k", path: "PathPrefix /" },
      { host: "a.example.com", signature: "PathPrefix /, query apikey=k", path: "PathPrefix /" },
    ]);
    // A Flux variable keeps its case: its name is case-sensitive.
    expect(ruleAlternatives("Host(`Radarr.${XYZ_DOMAIN}`)").map((a) => a.host)).toEqual(["radarr.${XYZ_DOMAIN}"]);
    // Traefik v2's several values per matcher are alternatives.
    expect(ruleAlternatives('Host(`a`, `b`) && PathPrefix("/api") && Method(`POST`)').map((a) => `${a.host} ${a.signature}`)).toEqual([
      "a PathPrefix /api, method POST",
      "b PathPrefix /api, method POST",
    ]);
  });

  it("a negated or unknown matcher stays as written; an unreadable rule is one opaque alternative", () => {
    expect(ruleAlternatives("Host(`a`) && !PathPrefix(`/admin`) && ClientIP(`10.0.0.0/8`)")).toEqual([
      { host: "a", signature: "PathPrefix /, !PathPrefix(`/admin`), ClientIP(`10.0.0.0/8`)", path: "PathPrefix /" },
    ]);
    expect(ruleAlternatives("Host(`a`) && (")).toEqual([{ host: "*", signature: "rule Host(`a`) && (", path: "rule Host(`a`) && (" }]);
  });
});

describe("Traefik family (traefik.io, traefik.containo.us)", () => {
  it("its kinds are in the kinds table under both groups", () => {
    expect(kindSpec("traefik.io", "IngressRoute")).toMatchObject({ family: "traefik", namespaced: true });
    expect(kindSpec("traefik.containo.us", "Middleware")).toMatchObject({ family: "traefik" });
  });

  it("reads each route as a flow per entry point and host, through a TraefikService's weights", () => {
    const weighted = `apiVersion: traefik.io/v1alpha1
kind: TraefikService
metadata: {name: radarr-wrr, namespace: media}
spec:
  weighted:
    services:
      - {name: radarr, port: 7878, weight: 3}
      - {name: radarr-next, port: 7878, weight: 1}
`;
    const tree = {
      [FILE]: route(rule(`${HOST} || Host(\`movies.example.com\`)`, "        - name: radarr-wrr\n          kind: TraefikService\n")),
      "ts.yaml": weighted,
    };
    const flows = [...analyze({}, tree).head.model.flows.values()];
    expect(flows.map((flow) => [flow.entry, flow.host, flow.match, flow.backends.map((b) => `${b.label} ${b.share}`)])).toEqual([
      ["Traefik entryPoint websecure", "radarr.example.com", "PathPrefix /", ["media/radarr:7878 0.75", "media/radarr-next:7878 0.25"]],
      ["Traefik entryPoint websecure", "movies.example.com", "PathPrefix /", ["media/radarr:7878 0.75", "media/radarr-next:7878 0.25"]],
    ]);
  });

  it("weights changed, a backend swapped, a host added or removed are judged as any route's", () => {
    const two = (a: number, b: number) =>
      `        - {name: radarr, port: 7878, weight: ${a}}\n        - {name: radarr-next, port: 7878, weight: ${b}}\n`;
    expect(routes(route(rule(HOST, two(90, 10))), route(rule(HOST, two(50, 50))))).toEqual([
      "backend.weight-changed medium-high: radarr.example.com: media/radarr:7878 90% → 50%, media/radarr-next:7878 10% → 50%",
    ]);
    expect(routes(route(rule(HOST)), route(rule(`${HOST} || Host(\`www.example.com\`)`)))).toEqual([
      expect.stringMatching(/^route.added medium: www.example.com via Traefik entryPoint websecure/),
    ]);
    expect(routes(route(rule(`${HOST} || Host(\`www.example.com\`)`)), route(rule(HOST)))).toEqual([
      expect.stringMatching(/^route.removed high: www.example.com via Traefik entryPoint websecure/),
    ]);
  });

  it("another entry point is an attachment change; an unreadable rule edited is a match change", () => {
    expect(routes(route(rule(HOST)), route(rule(HOST), undefined, "web")).map((f) => f.split(":")[0])).toEqual([
      "route.attachment-changed high",
    ]);
    const opaque = (range: string) => route(rule(`${HOST} && ClientIP(\`${range}\`)`));
    expect(routes(opaque("10.0.0.0/8"), opaque("10.1.0.0/16")).map((f) => f.split(":")[0])).toEqual(["route.match-changed medium-high"]);
    // ClientIP widened or dropped admits more clients, as an allow list widened does.
    expect(routes(opaque("10.0.0.0/8"), opaque("10.0.0.0/8`, `0.0.0.0/0")).map((f) => f.split(":")[0])).toEqual([
      "access.widened high",
      "route.match-changed medium-high",
    ]);
    expect(routes(opaque("10.0.0.0/8"), route(rule(HOST)))).toContainEqual(
      "access.widened high: IngressRoute media/radarr: route Host(`radarr.example.com`): no longer tests ClientIP (was 10.0.0.0/8): any client address reaches it",
    );
  });

  it("ClientIP read by what the whole rule admits: `&&` intersects, `||` adds, `!` excludes", () => {
    const widened = (before: string, after: string) =>
      routes(route(rule(before)), route(rule(after))).filter((f) => f.startsWith("access.widened"));
    const both = `${HOST} && ClientIP(\`10.0.0.0/8\`) && ClientIP(\`10.1.0.0/16\`)`;
    // Two tests that must both hold admit 10.1.0.0/16 only: dropping the narrower one admits the rest of 10.0.0.0/8.
    expect(widened(both, `${HOST} && ClientIP(\`10.0.0.0/8\`)`)).toEqual([
      "access.widened high: IngressRoute media/radarr: route Host(`radarr.example.com`) && ClientIP(`10.0.0.0/8`): ClientIP admits 10.0.0.0/8 too: more client addresses reach it",
    ]);
    expect(widened(`${HOST} && ClientIP(\`10.0.0.0/8\`)`, both)).toEqual([]);
    // An address taken out by `!ClientIP`, let back in.
    expect(
      widened(`${HOST} && ClientIP(\`10.0.0.0/8\`) && !ClientIP(\`10.9.0.0/16\`)`, `${HOST} && ClientIP(\`10.0.0.0/8\`)`),
    ).toHaveLength(1);
    expect(widened(`${HOST} && ClientIP(\`10.0.0.0/8\`)`, `${HOST} && ClientIP(\`10.0.0.0/8\`) && !ClientIP(\`10.9.0.0/16\`)`)).toEqual([]);
    // Only /admin was restricted: its test dropped opens it, whatever /public admitted.
    const split = (admin: string) => `${HOST} && ((PathPrefix(\`/admin\`)${admin}) || PathPrefix(\`/public\`))`;
    expect(widened(split(" && ClientIP(`10.0.0.0/8`)"), split(""))).toEqual([
      expect.stringMatching(/no longer tests ClientIP \(was 10.0.0.0\/8\): any client address reaches it$/),
    ]);
    // Another alternative already admitted any client to all of /admin: nothing is opened.
    const shadowed = (admin: string) => `(${HOST} && PathPrefix(\`/admin\`)${admin}) || ${HOST}`;
    expect(widened(shadowed(" && ClientIP(`10.0.0.0/8`)"), shadowed(""))).toEqual([]);
    // The same allow list beside another edit of the rule admits no one new.
    expect(widened(`${HOST} && ClientIP(\`10.0.0.0/8\`)`, `${HOST} && ClientIP(\`10.0.0.0/8\`) && PathPrefix(\`/api\`)`)).toEqual([]);
  });

  it("an authenticating middleware taken off a route is access.widened; a harmless one is low, one added medium", () => {
    expect(routes(route(rule(HOST, undefined, AUTH + COMPRESS)), route(rule(HOST, undefined, COMPRESS)))).toEqual([
      "access.widened high: IngressRoute media/radarr: route Host(`radarr.example.com`): middleware networking-forward-auth@kubernetescrd removed: requests no longer pass through it; if it authenticated, restricted or rate-limited them they now pass unchecked",
    ]);
    expect(routes(route(rule(HOST, undefined, AUTH + COMPRESS)), route(rule(HOST, undefined, AUTH)))).toEqual([
      "resource.changed low: IngressRoute media/radarr: route Host(`radarr.example.com`): middleware networking-compress@kubernetescrd removed (it only compressed, retried, served error pages, set response headers or allowed cross-origin requests)",
    ]);
    expect(routes(route(rule(HOST)), route(rule(HOST, undefined, AUTH))).map((f) => f.split(":")[0])).toEqual(["resource.changed medium"]);
    // The same Middleware by name and namespace instead of its provider name: nothing moved.
    const spelled = "        - name: forward-auth\n          namespace: networking\n";
    expect(
      routes(route(rule(HOST, undefined, AUTH)), route(rule(HOST, undefined, spelled))).filter(
        (f) => !f.startsWith("resource.changed low"),
      ),
    ).toEqual([]);
  });

  it("a headers Middleware of CORS allowances and security headers dropped is low, CORS added weighs; retry added is retry-timeout.changed", () => {
    const tree = `${MIDDLEWARES}---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata: {name: cors, namespace: networking}
spec:
  headers:
    accessControlAllowMethods: [GET, OPTIONS]
    accessControlAllowOriginList: ["https://app.example.com"]
    hostsProxyHeaders: [X-Forwarded-Host]
    frameDeny: true
    stsSeconds: 31536000
---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata: {name: https-only, namespace: networking}
spec:
  headers: {sslRedirect: true, allowedHosts: [radarr.example.com]}
---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata: {name: retry, namespace: networking}
spec:
  retry: {attempts: 4}
`;
    const named = (name: string) => (name ? `        - name: networking-${name}@kubernetescrd\n` : "");
    const edit = (before: string, after: string) =>
      judged(
        { [FILE]: route(rule(HOST, undefined, named(before))), [MW_FILE]: tree },
        { [FILE]: route(rule(HOST, undefined, named(after))), [MW_FILE]: tree },
      ).map((f) => f.split(":")[0]);
    expect(edit("cors", "")).toEqual(["resource.changed low"]);
    expect(edit("", "cors")).toEqual(["resource.changed medium"]);
    expect(edit("https-only", "")).toEqual(["access.widened high"]);
    expect(edit("", "retry")).toEqual(["retry-timeout.changed medium-high"]);
    expect(edit("retry", "")).toEqual(["resource.changed low"]);
  });

  it("a chain swapped for one of its members gives up only the others (bloopySphere's dashboard: xyz-auth → bloopnet-xyz-auth)", () => {
    const chains = `${MIDDLEWARES}---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata: {name: cloudflare-ips, namespace: networking}
spec:
  ipAllowList: {sourceRange: [173.245.48.0/20]}
---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata: {name: xyz-auth, namespace: networking}
spec:
  chain:
    middlewares:
      - name: cloudflare-ips
      - name: networking-compress@kubernetescrd
      - name: networking-forward-auth@kubernetescrd
`;
    const swapped = judged(
      { [FILE]: route(rule(HOST, undefined, "        - name: networking-xyz-auth@kubernetescrd\n")), [MW_FILE]: chains },
      { [FILE]: route(rule(HOST, undefined, AUTH)), [MW_FILE]: chains },
    );
    expect(swapped.map((f) => f.replace(/: requests no .*| \(it only .*/, ""))).toEqual([
      "access.widened high: IngressRoute media/radarr: route Host(`radarr.example.com`): middleware networking-cloudflare-ips@kubernetescrd (of chain networking-xyz-auth@kubernetescrd) removed",
      "resource.changed low: IngressRoute media/radarr: route Host(`radarr.example.com`): middleware networking-compress@kubernetescrd (of chain networking-xyz-auth@kubernetescrd) removed",
    ]);
  });

  it("a route with a middleware removed, its requests falling through to one without it, is access.widened", () => {
    const admin = rule(`${HOST} && PathPrefix(\`/admin\`)`, undefined, AUTH);
    expect(routes(route(admin + rule(HOST)), route(rule(HOST)))).toEqual([
      expect.stringMatching(
        /^access.widened high: IngressRoute media\/radarr: route .*PathPrefix\(`\/admin`\) .*fall through.*middleware networking-forward-auth@kubernetescrd removed/,
      ),
    ]);
  });

  it("a removed route's requests go to the router that ranks first by priority, not to the most specific one of its host", () => {
    const admin = rule(`${HOST} && PathPrefix(\`/admin\`)`, undefined, AUTH);
    const catchAll = (priority: number) =>
      route(
        rule("PathPrefix(`/`)", "        - name: maintenance\n          port: 80\n").replace(
          "      match:",
          `      priority: ${priority}\n      match:`,
        ),
      ).replace("name: radarr\n  namespace", "name: fallback\n  namespace");
    const removed = (priority: number) =>
      judged(
        { [FILE]: route(admin + rule(HOST, undefined, AUTH)), "fallback.yaml": catchAll(priority), [MW_FILE]: MIDDLEWARES },
        { [FILE]: route(rule(HOST, undefined, AUTH)), "fallback.yaml": catchAll(priority), [MW_FILE]: MIDDLEWARES },
      );
    // Priority 40 ranks the catch-all ahead of `Host(…)` (26, its length) though it is less specific: /admin reaches it, unauthenticated.
    expect(removed(40)).toContainEqual(
      expect.stringMatching(
        /^access.widened high: IngressRoute media\/fallback: route .*PathPrefix\(`\/admin`\).*fall through to catch-all.*middleware networking-forward-auth@kubernetescrd removed/,
      ),
    );
    // Priority 10 ranks it behind: the host's own authenticated rule takes /admin.
    expect(removed(10).filter((f) => f.startsWith("access.widened"))).toEqual([]);
  });

  it("a priority set is a match change; TLS removed is listener.changed, another certificate trust.changed", () => {
    const prioritized = route(rule(HOST).replace("      match:", "      priority: 100\n      match:"));
    expect(routes(route(rule(HOST)), prioritized).map((f) => f.split(":")[0])).toEqual(["route.match-changed medium-high"]);
    expect(routes(route(rule(HOST)), route(rule(HOST), "")).map((f) => f.split(":")[0])).toEqual(["listener.changed high"]);
    expect(routes(route(rule(HOST)), route(rule(HOST), "  tls:\n    certResolver: letsencrypt\n"))).toEqual([
      "trust.changed critical: IngressRoute media/radarr: serving certificate secret tls-radarr → certResolver letsencrypt: clients see another certificate",
    ]);
  });

  it("routers ranked by rule length across routes: a catch-all grown longer than /admin takes it, by another route too", () => {
    const admin = rule(`${HOST} && PathPrefix(\`/admin\`)`, undefined, AUTH);
    const longer = `${HOST} || Host(\`www.radarr.example.com\`) || Host(\`b.example.com\`)`;
    expect(routes(route(admin + rule(HOST)), route(admin + rule(longer))).map((f) => f.split(":")[0])).toEqual([
      "access.widened high",
      "route.match-changed medium-high",
      "route.added medium",
    ]);
    // Still shorter than `/admin`'s: each keeps its requests.
    const shorter = `${HOST} || Host(\`b.io\`)`;
    expect(routes(route(admin + rule(HOST)), route(admin + rule(shorter))).map((f) => f.split(":")[0])).toEqual(["route.added medium"]);
    // A HostRegexp catch-all of another route, longer than every rule of the host, takes some of each.
    const catchAll = route(rule("HostRegexp(`^[a-z0-9-]+\\.example\\.com$`) && PathPrefix(`/`)")).replace(
      "name: radarr\n  namespace",
      "name: errors\n  namespace",
    );
    expect(
      judged(
        { [FILE]: route(admin + rule(HOST)), [MW_FILE]: MIDDLEWARES },
        { [FILE]: route(admin + rule(HOST)), "errors.yaml": catchAll, [MW_FILE]: MIDDLEWARES },
      ).map((f) => f.split(":")[0]),
    ).toEqual(["access.widened high", "route.match-changed medium-high", "route.added medium"]);
    // A new rule carving a path out of the host's catch-all, ranked ahead of it, takes only its own requests: a new route.
    const api = rule(`${HOST} && PathPrefix(\`/api\`)`, "        - name: radarr-api\n          port: 7878\n");
    expect(routes(route(rule(HOST)), route(rule(HOST) + api)).map((f) => f.split(":")[0])).toEqual(["route.added medium"]);
    // A Flux variable's length is unknown: the same one in both rules cancels out, a new one leaves the order unknown.
    const flux = (host: string, extra: string) =>
      route(rule(`${host} && PathPrefix(\`/admin\`)`, undefined, AUTH) + rule(`${host}${extra}`));
    const domain = "Host(`radarr.${SECRET_DOMAIN}`)";
    expect(routes(flux(domain, ""), flux(domain, " || Host(`b`)")).map((f) => f.split(":")[0])).toEqual(["route.added medium"]);
    expect(routes(flux(domain, ""), flux(domain, " || Host(`b.${OTHER_DOMAIN}`)"))).toContainEqual(
      expect.stringMatching(/^route.match-changed medium-high: .*catch-all now may be evaluated before \/admin \(their order is not known/),
    );
  });

  it("TLS to a backend given up: scheme https → http, or a ServersTransport skipping verification swapped in", () => {
    const dialled = (how: string) => route(rule(HOST, `        - {name: radarr, port: 443${how}}\n`));
    const tls = (before: string, after: string) =>
      judged({ [FILE]: dialled(before), "st.yaml": TRANSPORTS }, { [FILE]: dialled(after), "st.yaml": TRANSPORTS }).map(
        (f) => f.split(":")[0],
      );
    expect(tls(", scheme: https, serversTransport: verify", ", scheme: https, serversTransport: insecure")).toEqual([
      "mtls.weakened critical",
    ]);
    expect(tls("", ", serversTransport: insecure")).toEqual(["mtls.weakened critical"]);
    expect(tls(", scheme: https, serversTransport: verify", ", scheme: http")).toEqual(["mtls.weakened critical"]);
    // One the tree does not hold is not known to skip verification; the other way round tightens.
    expect(tls("", ", serversTransport: elsewhere")).toEqual(["resource.changed low"]);
    expect(tls(", serversTransport: insecure", ", serversTransport: verify")).toEqual(["resource.changed low"]);
  });

  it("TLS given up wherever a service reference dials: a TraefikService's weighted services, its mirroring, its mirrors", () => {
    const service = (spec: string) => `apiVersion: traefik.io/v1alpha1
kind: TraefikService
metadata: {name: radarr-wrr, namespace: media}
spec:
${spec}`;
    const weighted = (how: string, weight = 3) =>
      service(
        `  weighted:\n    services:\n      - {name: radarr, port: 443, weight: ${weight}${how}}\n      - {name: radarr-next, port: 7878, weight: 1}\n`,
      );
    const viaService = route(rule(HOST, "        - {name: radarr-wrr, kind: TraefikService}\n"));
    const edited = (before: string, after: string) =>
      judged(
        { [FILE]: viaService, "ts.yaml": before, "st.yaml": TRANSPORTS },
        { [FILE]: viaService, "ts.yaml": after, "st.yaml": TRANSPORTS },
      );
    expect(edited(weighted(""), weighted(", scheme: http"))).toEqual([
      "mtls.weakened critical: TraefikService media/radarr-wrr: service media/radarr:443 dialled over https → http: requests reach the backend unencrypted",
    ]);
    expect(edited(weighted(", serversTransport: verify"), weighted(", serversTransport: insecure")).map((f) => f.split(":")[0])).toEqual([
      "mtls.weakened critical",
    ]);
    // Its weights moved, or TLS taken up: no backend's TLS is given up.
    expect(edited(weighted(""), weighted("", 1)).map((f) => f.split(":")[0])).not.toContain("mtls.weakened critical");
    expect(edited(weighted(", scheme: http"), weighted(""))).not.toContainEqual(expect.stringMatching(/^mtls.weakened/));
    const mirroring = (main: string, mirror: string) =>
      service(
        `  mirroring:\n    name: radarr\n    port: 443\n${main}    mirrors:\n      - {name: radarr-shadow, port: 443, percent: 10${mirror}}\n`,
      );
    expect(edited(mirroring("", ""), mirroring("    scheme: http\n", "")).map((f) => f.split(":")[0])).toEqual(["mtls.weakened critical"]);
    expect(edited(mirroring("", ""), mirroring("", ", serversTransport: insecure"))).toContainEqual(
      expect.stringMatching(
        /^mtls.weakened critical: TraefikService media\/radarr-wrr: service mirror media\/radarr-shadow:443 serversTransport/,
      ),
    );
  });

  it("a route's Service swapped for a TraefikService that dials it in the clear gives up TLS; one dialling it over https does not", () => {
    const tree = (scheme: string) => `apiVersion: traefik.io/v1alpha1
kind: TraefikService
metadata: {name: radarr-wrr, namespace: media}
spec:
  weighted:
    services:
      - {name: radarr, port: 443${scheme}}
`;
    const swapped = (scheme: string) =>
      judged(
        { [FILE]: route(rule(HOST, "        - {name: radarr, port: 443}\n")), "ts.yaml": tree(scheme) },
        { [FILE]: route(rule(HOST, "        - {name: radarr-wrr, kind: TraefikService}\n")), "ts.yaml": tree(scheme) },
      );
    expect(swapped(", scheme: http")).toContainEqual(
      "mtls.weakened critical: IngressRoute media/radarr: route Host(`radarr.example.com`): TraefikService media/radarr-wrr: service media/radarr:443 dialled over https → http: requests reach the backend unencrypted",
    );
    expect(swapped("")).not.toContainEqual(expect.stringMatching(/^mtls.weakened/));
    // The route (given another entry point) names the same TraefikService on both sides: the TraefikService's edit is judged once, on it.
    const same = route(rule(HOST, "        - {name: radarr-wrr, kind: TraefikService}\n"));
    expect(
      judged(
        { [FILE]: same, "ts.yaml": tree("") },
        { [FILE]: same.replace("websecure", "websecure\n    - web"), "ts.yaml": tree(", scheme: http") },
      ).filter((f) => f.startsWith("mtls.weakened")),
    ).toEqual([expect.stringMatching(/^mtls.weakened critical: TraefikService media\/radarr-wrr: /)]);
  });

  it("an IngressRouteTCP service no longer dialled over TLS, or through a ServersTransportTCP skipping verification, is mtls.weakened", () => {
    const transports = `apiVersion: traefik.io/v1alpha1
kind: ServersTransportTCP
metadata: {name: insecure, namespace: db}
spec: {tls: {insecureSkipVerify: true}}
`;
    const tcp = (how: string) => `apiVersion: traefik.io/v1alpha1
kind: IngressRouteTCP
metadata: {name: postgres, namespace: db}
spec:
  entryPoints: [postgres]
  routes:
    - match: HostSNI(\`db.example.com\`)
      services:
        - {name: postgres, port: 5432${how}}
  tls: {passthrough: false, secretName: db-tls}
`;
    const edited = (before: string, after: string) =>
      judged({ "tcp.yaml": tcp(before), "st.yaml": transports }, { "tcp.yaml": tcp(after), "st.yaml": transports }).map(
        (f) => f.split(":")[0],
      );
    expect(edited(", tls: true", "")).toEqual(["mtls.weakened critical"]);
    expect(edited(", tls: true", ", tls: true, serversTransport: insecure")).toEqual(["mtls.weakened critical"]);
    // Taking TLS up, or a port of 443 that TCP does not read as TLS, gives nothing up.
    expect(edited("", ", tls: true")).not.toContain("mtls.weakened critical");
  });

  it("a Middleware or TLSOption deleted while a route or an Ingress still names it is reference.broken (Traefik refuses the router)", () => {
    const admin = rule(`${HOST} && PathPrefix(\`/admin\`)`, undefined, AUTH);
    const COMPRESS_ONLY = MIDDLEWARES.slice(MIDDLEWARES.indexOf("apiVersion", 10));
    expect(
      judged(
        { [FILE]: route(admin + rule(HOST)), [MW_FILE]: MIDDLEWARES },
        { [FILE]: route(admin + rule(HOST)), [MW_FILE]: COMPRESS_ONLY },
      ),
    ).toContainEqual(
      expect.stringMatching(/^reference.broken high: Middleware networking\/forward-auth: .*still names it: Traefik refuses their routers/),
    );
    const ingress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: sonarr
  namespace: media
  annotations: {traefik.ingress.kubernetes.io/router.middlewares: networking-forward-auth@kubernetescrd}
spec:
  ingressClassName: traefik
  rules: [{host: sonarr.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: sonarr, port: {number: 80}}}}]}}]
`;
    expect(
      judged({ "ing.yaml": ingress, [MW_FILE]: MIDDLEWARES }, { "ing.yaml": ingress, [MW_FILE]: COMPRESS_ONLY }).map(
        (f) => f.split(":")[0],
      ),
    ).toEqual(["reference.broken high"]);
    // Deleted with the route that named it: nothing names it any more.
    expect(
      judged({ [FILE]: route(admin), [MW_FILE]: MIDDLEWARES }, { [MW_FILE]: COMPRESS_ONLY }).map((f) => f.split(":")[0]),
    ).not.toContain("reference.broken high");
  });

  it("tls.options swapped or dropped is judged by what each side's TLSOption (or the default one) accepts", () => {
    const options = `apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata: {name: mtls, namespace: media}
spec:
  clientAuth: {secretNames: [client-ca], clientAuthType: RequireAndVerifyClientCert}
---
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata: {name: modern, namespace: media}
spec: {minVersion: VersionTLS13}
`;
    const withOptions = (name: string) =>
      route(rule(HOST), `  tls:\n    secretName: tls-radarr\n${name ? `    options: {name: ${name}}\n` : ""}`);
    const tls = (before: string, after: string, tree = options) =>
      judged({ [FILE]: withOptions(before), "tls.yaml": tree }, { [FILE]: withOptions(after), "tls.yaml": tree }).map(
        (f) => f.split(":")[0],
      );
    expect(tls("mtls", "")).toEqual(["mtls.weakened critical"]);
    expect(tls("modern", "")).toEqual(["resource.changed medium"]);
    expect(tls("", "modern")).toEqual(["resource.changed low"]);
    expect(tls("mtls", "elsewhere")).toEqual(["resource.changed medium"]);
    // The default TLSOption deleted: every router naming none meets Traefik's defaults.
    const defaults = options.replace("name: mtls", "name: default");
    expect(judged({ "tls.yaml": defaults }, { "tls.yaml": defaults.slice(defaults.indexOf("---")) }).map((f) => f.split(":")[0])).toEqual([
      "mtls.weakened critical",
    ]);
  });

  it("an external-dns target annotation retargeted on an IngressRoute is read as on an Ingress", () => {
    const annotated = (target: string) =>
      route(rule(HOST)).replace(
        "  namespace: media\n",
        `  namespace: media\n  annotations:\n    external-dns.alpha.kubernetes.io/target: ${target}\n`,
      );
    expect(routes(annotated("external.example.com"), annotated("internal.example.com"))).toEqual([
      "route.attachment-changed high: IngressRoute media/radarr: external-dns.alpha.kubernetes.io/target external.example.com → internal.example.com: its DNS names resolve to another entry point",
    ]);
  });

  it("harmless: keys reordered, traefik.containo.us → traefik.io, a Deployment's image bumped", () => {
    const base = route(rule(HOST, undefined, AUTH));
    const reordered = `# radarr
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {namespace: media, name: radarr}
spec:
  tls: {secretName: tls-radarr}
  routes:
    - middlewares: [{name: networking-forward-auth@kubernetescrd}]
      services: [{port: 7878, name: radarr}]
      match: Host(\`radarr.example.com\`)
      kind: Rule
  entryPoints: [websecure]
`;
    expect(routes(base, reordered)).toEqual([]);
    expect(routes(base.replace("traefik.io/v1alpha1", "traefik.containo.us/v1alpha1"), base)).toEqual([]);
  });
});

describe("Traefik Middlewares, TraefikServices and transports edited in place", () => {
  const middleware = (spec: string) => `apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata: {name: guard, namespace: networking}
spec:
${spec}`;
  const edited = (before: string, after: string) => judged({ "mw.yaml": middleware(before) }, { "mw.yaml": middleware(after) });

  it("authentication removed or allowed sources widened is access.widened; another forwardAuth address trust.changed", () => {
    expect(edited("  basicAuth: {secret: users}\n", "  headers: {frameDeny: true}\n")).toContainEqual(
      "access.widened high: Middleware networking/guard: basicAuth removed: requests of every route naming it reach their backends without basic authentication",
    );
    expect(edited("  forwardAuth: {address: http://a/verify}\n", "  forwardAuth: {address: http://b/verify}\n")).toEqual([
      "trust.changed critical: Middleware networking/guard: forwardAuth.address http://a/verify → http://b/verify: another authorization service decides which requests pass",
    ]);
    expect(edited("  ipAllowList: {sourceRange: [10.0.0.0/8]}\n", "  ipAllowList: {sourceRange: [10.0.0.0/8, 0.0.0.0/0]}\n")).toEqual([
      "access.widened high: Middleware networking/guard: ipAllowList.sourceRange admits 0.0.0.0/0 too: more client addresses reach the routes naming it",
    ]);
    // Traefik v3's rename of the same list, and a narrowing, widen nothing.
    expect(
      edited("  ipWhiteList: {sourceRange: [10.0.0.0/8]}\n", "  ipAllowList: {sourceRange: [10.1.0.0/16]}\n").map((f) => f.split(":")[0]),
    ).toEqual(["resource.changed low"]);
  });

  it("an allow list that starts reading X-Forwarded-For is medium; dropping that is low", () => {
    const allow = (strategy: string) => `  ipAllowList:\n    sourceRange: [10.0.0.0/8]\n${strategy}`;
    const strategy = "    ipStrategy:\n      excludedIPs: [10.1.0.101]\n";
    expect(edited(allow(""), allow(strategy)).map((f) => f.split(":")[0])).toEqual(["resource.changed medium"]);
    expect(edited(allow(strategy), allow("")).map((f) => f.split(":")[0])).toEqual(["resource.changed low"]);
  });

  it("a headers Middleware no longer redirecting to HTTPS is listener.changed; allowedHosts dropped medium", () => {
    expect(
      edited("  headers: {sslRedirect: true, frameDeny: true}\n", "  headers: {frameDeny: true}\n").map((f) => f.split(":")[0]),
    ).toEqual(["listener.changed high"]);
    expect(edited("  headers: {allowedHosts: [a.example.com]}\n", "  headers: {frameDeny: true}\n").map((f) => f.split(":")[0])).toEqual([
      "resource.changed medium",
    ]);
    expect(edited("  headers: {allowedHosts: [a.example.com, b.example.com]}\n", "  headers: {allowedHosts: [a.example.com]}\n")).toEqual([
      "resource.changed low: Middleware networking/guard: spec.headers.allowedHosts[1] removed",
    ]);
  });

  it("a chain that loses a member is access.widened", () => {
    const chain = (members: string) => `  chain:\n    middlewares:\n${members}`;
    expect(
      judged(
        { "mw.yaml": middleware(chain(AUTH + COMPRESS)), [MW_FILE]: MIDDLEWARES },
        { "mw.yaml": middleware(chain(COMPRESS)), [MW_FILE]: MIDDLEWARES },
      ).map((f) => f.split(":")[0]),
    ).toEqual(["access.widened high"]);
  });

  it("a TraefikService mirror sending more is mirror.changed, high: Traefik mirrors writes too", () => {
    const mirroring = (percent: number) => `apiVersion: traefik.io/v1alpha1
kind: TraefikService
metadata: {name: radarr-mirror, namespace: media}
spec:
  mirroring:
    name: radarr
    port: 7878
    mirrors:
      - {name: radarr-shadow, port: 7878, percent: ${percent}}
`;
    expect(judged({ "ts.yaml": mirroring(10) }, { "ts.yaml": mirroring(50) })).toContainEqual(
      "mirror.changed high: TraefikService media/radarr-mirror: mirroring: mirror to Service media/radarr-shadow:7878 10% → 50%; Traefik mirrors requests of every method, so mirrored writes are duplicated",
    );
  });

  it("insecureSkipVerify turned on is mtls.weakened; a TLSOption below TLS 1.2 or no longer verifying clients too", () => {
    const transport = (skip: boolean) => `apiVersion: traefik.io/v1alpha1
kind: ServersTransport
metadata: {name: backend-tls, namespace: media}
spec: {serverName: radarr.internal, insecureSkipVerify: ${skip}}
`;
    expect(judged({ "st.yaml": transport(false) }, { "st.yaml": transport(true) }).map((f) => f.split(":")[0])).toEqual([
      "mtls.weakened critical",
    ]);
    const option = (spec: string) => `apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata: {name: default, namespace: networking}
spec: ${spec}
`;
    const tls = (before: string, after: string) =>
      judged({ "tls.yaml": option(before) }, { "tls.yaml": option(after) }).map((f) => f.split(":")[0]);
    expect(tls("{minVersion: VersionTLS12}", "{minVersion: VersionTLS10}")).toEqual(["mtls.weakened critical"]);
    expect(
      tls("{clientAuth: {clientAuthType: RequireAndVerifyClientCert}}", "{clientAuth: {clientAuthType: VerifyClientCertIfGiven}}"),
    ).toEqual(["mtls.weakened critical"]);
  });
});
