import { describe, expect, it } from "vitest";
import { kindSpec } from "../../../src/manifests/kinds.js";
import { analyze } from "../../helpers/review-trees.js";

/** The worked example of docs/architecture.md ("Adding a family"): one folder, one line in the table. */

const ingress = (spec: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
${spec}`;

const BASE = ingress(`  ingressClassName: nginx
  tls:
  - hosts: [shop.example.com]
    secretName: shop-tls
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /api
        pathType: Prefix
        backend: {service: {name: api, port: {number: 80}}}
      - path: /
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}`);

const FILE = "apps/shop/ingress.yaml";
const findingsOf = (head: string) => analyze({ [FILE]: BASE }, { [FILE]: head }).findings.map((f) => [f.class, f.summary]);

describe("Ingress family (networking.k8s.io/v1)", () => {
  it("is in the kinds table, namespaced", () => {
    expect(kindSpec("networking.k8s.io", "Ingress")).toMatchObject({ family: "ingress", namespaced: true });
    expect(kindSpec("networking.k8s.io", "NetworkPolicy")).toBeUndefined();
  });

  it("reads each host and path as a flow entering at the controller of its class", () => {
    const flows = [...analyze({}, { [FILE]: BASE }).head.model.flows.values()];
    expect(flows.map((flow) => [flow.entry, flow.host, flow.match, flow.backends.map((b) => b.label)])).toEqual([
      ["IngressClass nginx", "shop.example.com", "PathPrefix /api", ["shop/api:80"]],
      ["IngressClass nginx", "shop.example.com", "PathPrefix /", ["shop/web:80"]],
    ]);
  });

  it("a path sent to another Service is a backend change, a new path a route.added", () => {
    const moved = BASE.replace("name: api, port", "name: api-v2, port");
    expect(findingsOf(moved)).toEqual([
      [
        "backend.weight-changed",
        "shop.example.com /api: shop/api-v2:80 receives 100%, taken from the backends that served the flow: a cutover, not a canary's first step (shop/api:80 100% → removed, shop/api-v2:80 new 100%)",
      ],
    ]);
    const added = `${BASE}\n      - path: /admin\n        pathType: Exact\n        backend: {service: {name: admin, port: {number: 80}}}`;
    expect(findingsOf(added)).toContainEqual(["route.added", expect.stringContaining("Exact /admin")]);
  });

  it("a path sent to a resource of the controller's own (Kong's KongServiceFacade) is a backend change (a cutover, as to another Service), not every backend removed (Kong/kubernetes-ingress-controller 57f1c0a)", () => {
    const facade = "resource: {apiGroup: incubator.ingress-controller.konghq.com, kind: KongServiceFacade, name: api-facade}";
    const switched = BASE.replace("service: {name: api, port: {number: 80}}", facade);
    expect(findingsOf(switched)).toEqual([
      [
        "backend.weight-changed",
        "shop.example.com /api: KongServiceFacade shop/api-facade receives 100%, taken from the backends that served the flow: a cutover, not a canary's first step (shop/api:80 100% → removed, KongServiceFacade shop/api-facade new 100%)",
      ],
    ]);
    // The path removed names what it sent to, where its requests now land.
    const removed = analyze({ [FILE]: switched }, { [FILE]: BASE.replace(/      - path: \/api\n.*\n.*\n/, "") }).findings;
    expect(removed.map((f) => f.summary)).toContainEqual(expect.stringContaining("(were → KongServiceFacade shop/api-facade 100%)"));
  });

  it("the class the tree marks as the default, written out or dropped, is the same controller", () => {
    const defaultClass = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx, annotations: {ingressclass.kubernetes.io/is-default-class: "true"}}
spec: {controller: k8s.io/ingress-nginx}
`;
    const classless = BASE.replace("  ingressClassName: nginx\n", "");
    const judged = (base: string, head: string) =>
      analyze({ [FILE]: base, "classes.yaml": defaultClass }, { [FILE]: head, "classes.yaml": defaultClass }).findings.map((f) => f.class);
    expect(judged(classless, BASE)).toEqual(["resource.changed"]);
    expect(judged(BASE, classless)).toEqual(["resource.changed"]);
    // Without a default in the tree, which controller takes a classless Ingress is not known: a class change.
    expect(analyze({ [FILE]: classless }, { [FILE]: BASE }).findings.map((f) => f.class)).toContain("gateway-class.changed");
  });

  it("another ingressClassName is gateway-class.changed", () => {
    expect(findingsOf(BASE.replace("ingressClassName: nginx", "ingressClassName: traefik"))).toContainEqual([
      "gateway-class.changed",
      expect.stringContaining("IngressClass nginx → traefik"),
    ]);
  });

  it("a class named by the older annotation is the class: its change is explained there, not listed again as a changed annotation", () => {
    const unnamed = BASE.replace("  ingressClassName: nginx\n", "");
    const annotated = unnamed.replace(
      "metadata: {name: shop, namespace: shop}",
      "metadata: {name: shop, namespace: shop, annotations: {kubernetes.io/ingress.class: gce}}",
    );
    const findings = analyze({ [FILE]: unnamed }, { [FILE]: annotated }).findings;
    expect(findings.map((f) => [f.class, f.line])).toEqual([
      ["gateway-class.changed", 3],
      ["route.attachment-changed", 4],
    ]);
  });

  it("another TLS secret is trust.changed", () => {
    expect(findingsOf(BASE.replace("secretName: shop-tls", "secretName: shop-tls-2024"))).toContainEqual([
      "trust.changed",
      expect.stringContaining("shop.example.com: shop-tls → shop.example.com: shop-tls-2024"),
    ]);
  });

  it("TLS is compared host by host: one entry split in two with the same secret changes no certificate", () => {
    const twoHosts = BASE.replace("hosts: [shop.example.com]", "hosts: [shop.example.com, www.example.com]");
    const split = BASE.replace(
      "hosts: [shop.example.com]\n    secretName: shop-tls",
      "hosts: [www.example.com]\n    secretName: shop-tls\n  - hosts: [shop.example.com]\n    secretName: shop-tls",
    );
    // Only the family-blind fallback lists the edited fields.
    expect(analyze({ [FILE]: twoHosts }, { [FILE]: split }).findings.map((f) => [f.class, f.risk])).toEqual([["resource.changed", "low"]]);
    expect(
      analyze(
        { [FILE]: twoHosts },
        {
          [FILE]: split.replace("hosts: [www.example.com]\n    secretName: shop-tls", "hosts: [www.example.com]\n    secretName: www-tls"),
        },
      ).findings.map((f) => [f.class, f.risk, f.summary]),
    ).toEqual([
      [
        "trust.changed",
        "critical",
        "Ingress shop/shop: serving certificates change (www.example.com: shop-tls → www.example.com: www-tls): clients see another certificate, or plain HTTP",
      ],
    ]);
  });

  describe("a host this Ingress starts or stops naming: its certificate comes and goes with its route", () => {
    const WWW =
      "  - host: www.example.com\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n";
    const withWww = (secret: string) =>
      BASE.replace(
        "hosts: [shop.example.com]\n    secretName: shop-tls",
        `hosts: [shop.example.com, www.example.com]\n    secretName: ${secret}`,
      ).replace("  rules:\n", `  rules:\n${WWW}`);
    const trust = (base: Record<string, string>, head: Record<string, string>) =>
      analyze(base, head)
        .findings.filter((f) => f.class === "trust.changed")
        .map((f) => f.summary);
    const OTHER = "apps/www/ingress.yaml";
    const other = ingress(
      `  ingressClassName: nginx\n  tls:\n  - hosts: [www.example.com]\n    secretName: www-tls\n  rules:\n${WWW}`,
    ).replace("name: shop,", "name: www,");

    it("a host added under the same secret is a new route, its certificate no trust change (k8gb ffaac02eb4)", () => {
      const findings = analyze({ [FILE]: BASE }, { [FILE]: withWww("shop-tls") }).findings;
      expect(findings.map((f) => f.class)).toContain("route.added");
      expect(findings.map((f) => f.class)).not.toContain("trust.changed");
    });

    it("a host renamed, and a host named in TLS alone, with the controller's default certificate", () => {
      const defaultCert = BASE.replace("    secretName: shop-tls\n", "");
      expect(trust({ [FILE]: defaultCert }, { [FILE]: defaultCert.replaceAll("shop.example.com", "shop.example.org") })).toEqual([]);
      expect(
        trust({ [FILE]: defaultCert }, { [FILE]: defaultCert.replace("[shop.example.com]", "[shop.example.com, www.example.com]") }),
      ).toEqual([]);
    });

    it("a host another Ingress serves: the TLS merged for it may change what its clients see", () => {
      expect(trust({ [FILE]: BASE, [OTHER]: other }, { [FILE]: withWww("shop-tls"), [OTHER]: other })).toEqual([
        "Ingress shop/shop: serving certificates change (www.example.com: not named here → www.example.com: shop-tls): clients see another certificate, or plain HTTP",
      ]);
      // Removed here while the other still serves it.
      expect(trust({ [FILE]: withWww("shop-tls"), [OTHER]: other }, { [FILE]: BASE, [OTHER]: other })).toHaveLength(1);
    });

    it("a wildcard or host-less entry added reaches hosts already served; TLS dropped from a host it still serves is plain HTTP", () => {
      const wildcard = BASE.replace(
        "  - hosts: [shop.example.com]\n    secretName: shop-tls\n",
        "  - hosts: [shop.example.com]\n    secretName: shop-tls\n  - hosts: ['*.example.com']\n    secretName: wild-tls\n",
      );
      expect(trust({ [FILE]: BASE }, { [FILE]: wildcard })).toEqual([
        expect.stringContaining("*.example.com: not named here → *.example.com: wild-tls"),
      ]);
      const hostless = BASE.replace(
        "  - hosts: [shop.example.com]\n    secretName: shop-tls\n",
        "  - hosts: [shop.example.com]\n    secretName: shop-tls\n  - secretName: any-tls\n",
      );
      expect(trust({ [FILE]: BASE }, { [FILE]: hostless })).toEqual([expect.stringContaining("*: not named here → *: any-tls")]);
      expect(trust({ [FILE]: BASE }, { [FILE]: BASE.replace(/  tls:\n.*\n.*\n/, "") })).toEqual([
        expect.stringContaining("(shop.example.com: shop-tls → shop.example.com: plain HTTP)"),
      ]);
    });
  });

  it("a Prefix path ignores a trailing slash, as the Ingress spec says; an Exact one does not", () => {
    // The edited field is listed by the family-blind fallback only.
    expect(findingsOf(BASE.replace("path: /api\n", "path: /api/\n"))).toEqual([
      ["resource.changed", "Ingress shop/shop: spec.rules[0].http.paths[0].path: /api → /api/"],
    ]);
    const exact = BASE.replace("pathType: Prefix", "pathType: Exact");
    expect(
      analyze({ [FILE]: exact }, { [FILE]: exact.replace("path: /api\n", "path: /api/\n") }).findings.map((f) => [f.class, f.summary]),
    ).toContainEqual([
      "route.match-changed",
      "shop.example.com via IngressClass nginx: rule now captures Exact /api/ (was Exact /api); Exact /api now falls through to catch-all → shop/web:80 100%",
    ]);
  });

  it("an unchanged Ingress, reformatted, is no finding", () => {
    expect(
      findingsOf(
        BASE.replace(
          "{service: {name: web, port: {number: 80}}}",
          "\n          service:\n            name: web\n            port: {number: 80}",
        ),
      ),
    ).toEqual([]);
  });
});

/** As gke-networking-recipes and many older repositories still hold them (served until Kubernetes 1.22). */
const beta = (apiVersion: string, spec: string) => `apiVersion: ${apiVersion}
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
${spec}`;

const BETA_SPEC = `  backend: {serviceName: web, servicePort: 80}
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /api/*
        backend: {serviceName: api, servicePort: http}`;

describe("Ingress v1beta1 (extensions and networking.k8s.io)", () => {
  for (const apiVersion of ["extensions/v1beta1", "networking.k8s.io/v1beta1"]) {
    it(`${apiVersion}: reads serviceName/servicePort and the default \`backend\`; pathType may be left out`, () => {
      const result = analyze({}, { [FILE]: beta(apiVersion, BETA_SPEC) });
      expect(result.invalid).toEqual([]);
      expect([...result.head.model.flows.values()].map((flow) => [flow.host, flow.match, flow.backends.map((b) => b.label)])).toEqual([
        ["shop.example.com", "ImplementationSpecific /api/*", ["shop/api:http"]],
        ["*", "PathPrefix /", ["shop/web:80"]],
      ]);
    });
  }

  it("moving a v1beta1 path to another Service is a backend change, not a quiet resource.changed", () => {
    const base = beta("extensions/v1beta1", BETA_SPEC);
    const head = base.replace("serviceName: api,", "serviceName: api-v2,");
    const findings = analyze({ [FILE]: base }, { [FILE]: head }).findings.map((f) => f.class);
    expect(findings).toEqual(["backend.weight-changed"]);
  });

  it("a migration to networking.k8s.io/v1 that keeps the routing changes no flow (and keeps its identity across groups)", () => {
    const base = beta("extensions/v1beta1", BETA_SPEC.replace("path: /api/*", "path: /api/*\n        pathType: ImplementationSpecific"));
    const head = ingress(`  defaultBackend: {service: {name: web, port: {number: 80}}}
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /api/*
        pathType: ImplementationSpecific
        backend: {service: {name: api, port: {name: http}}}`);
    const result = analyze({ [FILE]: base }, { [FILE]: head });
    expect(result.routeDiffs).toEqual([]);
    expect(result.findings.map((f) => [f.class, f.risk])).toEqual([["resource.changed", "low"]]);
  });

  it("a port written by number, then by the name its Service gives that number, is one backend (rollouts-demo c2e4167c0f); a name for another number is a cutover", () => {
    const service = (ports: string) => `apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: ${ports}
`;
    const HTTP = service("[{name: http, port: 80, targetPort: 8080}]");
    const base = beta("extensions/v1beta1", BETA_SPEC.replace("servicePort: http", "servicePort: 80"));
    const named = beta("extensions/v1beta1", BETA_SPEC);
    const diffs = (baseService: string, headService: string, head = named) =>
      analyze({ [FILE]: base, "svc.yaml": baseService }, { [FILE]: head, "svc.yaml": headService }).routeDiffs.map((diff) =>
        diff.backends.map(({ label, before, after }) => [label, before, after]),
      );
    expect(diffs(HTTP, HTTP)).toEqual([]);
    // Back from the name to the number, and the Service's port renamed with the Ingress's name: the same port.
    expect(analyze({ [FILE]: named, "svc.yaml": HTTP }, { [FILE]: base, "svc.yaml": HTTP }).routeDiffs).toEqual([]);
    const web = service("[{name: web, port: 80, targetPort: 8080}]");
    expect(diffs(HTTP, web, named.replace("servicePort: http", "servicePort: web"))).toEqual([]);
    // The name the head's Service gives another port, or a name no Service of the tree declares: as written.
    const other = service("[{name: web, port: 80}, {name: http, port: 8081}]");
    expect(diffs(HTTP, other)).toEqual([
      [
        ["shop/api:80", 1, undefined],
        ["shop/api:http", undefined, 1],
      ],
    ]);
    expect(diffs(HTTP, HTTP.replace("name: http", "name: web"))).toEqual([
      [
        ["shop/api:80", 1, undefined],
        ["shop/api:http", undefined, 1],
      ],
    ]);
  });

  it("v1 still requires pathType, as the API server does", () => {
    const result = analyze(
      {},
      { [FILE]: ingress(BETA_SPEC.replace("backend: {serviceName: web, servicePort: 80}", "ingressClassName: gce")) },
    );
    expect(result.invalid.map((item) => item.message)).toEqual([expect.stringContaining("pathType")]);
  });

  it("an extensions/v1beta1 Deployment is nobody's traffic config: not read, not listed", () => {
    const deployment = "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n";
    const result = analyze({ "app.yaml": deployment }, { "app.yaml": deployment.replace("replicas: 1", "replicas: 2") });
    expect(result.skipped).toEqual([]);
    expect(result.findings).toEqual([]);
  });
});

describe("two Ingresses of one class claiming the same host and path (argo-rollouts d6bc690)", () => {
  const ingressNamed = (name: string, service: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}, namespace: default}
spec:
  ingressClassName: alb
  rules:
  - http:
      paths:
      - {path: /*, pathType: ImplementationSpecific, backend: {service: {name: ${service}, port: {name: use-annotation}}}}
`;

  it("one added beside an existing one is the new route; the existing one keeps its flow, whatever their names' order", () => {
    const base = { "one.yaml": ingressNamed("app-one", "one-root") };
    const head = { ...base, "a-new.yaml": ingressNamed("app-aaa", "aaa-root") };
    const findings = analyze(base, head).findings.map((f) => [f.class, f.file]);
    expect(findings).toEqual([["route.added", "a-new.yaml"]]);
  });
});

describe("ImplementationSpecific paths of cloud load balancers are path patterns", () => {
  // aws-load-balancer-controller 46668f11bd: the v1 migration rewrote `/*` as `Prefix /` and `/` as `Exact /`.
  const ingress = (className: string, paths: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  ingressClassName: ${className}
  rules:
  - host: shop.example.com
    http:
      paths:
${paths}`;
  const path = (value: string, type: string) =>
    `      - {path: "${value}", pathType: ${type}, backend: {service: {name: web, port: {number: 80}}}}\n`;
  const classes = (className: string) =>
    analyze(
      {
        "web.yaml": ingress(
          className,
          path("/*", "ImplementationSpecific") + path("/", "ImplementationSpecific") + path("/api/*", "ImplementationSpecific"),
        ),
      },
      { "web.yaml": ingress(className, path("/", "Prefix") + path("/", "Exact") + path("/api", "Prefix")) },
    ).findings.map((finding) => [finding.class, finding.summary]);

  it("on ALB and GCE, `/*` is `Prefix /` and a path without a wildcard is exact; `/api/*` → `Prefix /api` also takes `/api`", () => {
    for (const className of ["alb", "gce"]) {
      expect(classes(className)).toEqual([
        [
          "route.match-changed",
          // GKE and the ALB controller give each Ingress (outside an IngressGroup) a load balancer of its own.
          "shop.example.com via Ingress shop/web: rule now captures PathPrefix /api (was ImplementationSpecific /api/*)",
        ],
      ]);
    }
  });

  it("elsewhere (a class the tree does not say) an ImplementationSpecific path is the controller's own: every rewrite is a match change", () => {
    expect(classes("traefik").filter(([kind]) => kind === "route.match-changed")).toHaveLength(3);
  });

  it("on Istio a path is exact unless `/*` or `.*` ends it (istio 992fb524e9: `Exact` written out is none)", () => {
    // `/*` takes every path, `/` only itself; `/api/*` is a string prefix (`/apidocs` too), which `Prefix /api` is not.
    expect(classes("istio")).toEqual([
      [
        "route.match-changed",
        "shop.example.com via IngressClass istio: rule now captures PathPrefix /api (was ImplementationSpecific /api/*)",
      ],
    ]);
    const written = (type: string, value: string, className = "istio") => ingress(className, path(value, type));
    const judged = (from: [string, string], to: [string, string], className = "istio", extra: Record<string, string> = {}) =>
      analyze({ "web.yaml": written(...from, className), ...extra }, { "web.yaml": written(...to, className), ...extra }).findings.map(
        (f) => f.class,
      );
    expect(judged(["ImplementationSpecific", "/productpage"], ["Exact", "/productpage"])).toEqual(["resource.changed"]);
    // `Prefix` also takes `/productpage/reviews`; Istio's `/` takes `/` alone, where ingress-nginx's takes every path.
    expect(judged(["ImplementationSpecific", "/productpage"], ["Prefix", "/productpage"])).toContain("route.match-changed");
    expect(judged(["ImplementationSpecific", "/"], ["Prefix", "/"])).toContain("route.match-changed");
    // A class of another name whose IngressClass is Istio's reads alike.
    const mesh = {
      "class.yaml":
        "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: mesh}\nspec: {controller: istio.io/ingress-controller}\n",
    };
    expect(judged(["ImplementationSpecific", "/productpage"], ["Exact", "/productpage"], "mesh", mesh)).toEqual(["resource.changed"]);
  });

  it("on ingress-nginx `/` is `Prefix /` (rollouts-demo c2e4167c0f: the pathType written out is none), with `use-regex` too", () => {
    const written = (type: string, value = "/", annotations = "") =>
      ingress("nginx", path(value, type)).replace("namespace: shop}", `namespace: shop${annotations}}`);
    const rewritten = (from: string, to: string, value = "/", annotations = "") =>
      analyze({ "web.yaml": written(from, value, annotations) }, { "web.yaml": written(to, value, annotations) }).findings.map((f) => [
        f.class,
        f.summary,
      ]);
    expect(rewritten("ImplementationSpecific", "Prefix")).toEqual([
      ["resource.changed", expect.stringContaining("pathType: ImplementationSpecific → Prefix")],
    ]);
    // ingress-nginx writes `/` as `~* "^/"` where the host asks for regular expressions: every path still.
    const regex = ", annotations: {nginx.ingress.kubernetes.io/use-regex: 'True'}";
    expect(rewritten("ImplementationSpecific", "Prefix", "/", regex).map(([kind]) => kind)).toEqual(["resource.changed"]);
    // Nor is `Exact` a prefix, nor a regular expression one.
    expect(rewritten("ImplementationSpecific", "Exact").map(([kind]) => kind)).toEqual(["route.removed", "route.match-changed"]);
    expect(rewritten("ImplementationSpecific", "Prefix", "/api/.*").map(([kind]) => kind)).toEqual(["route.match-changed"]);
  });

  it("on ingress-nginx another path is a string prefix (`/api` takes `/apidocs`), which no pathType is: a rewrite beside `Prefix /` moves requests", () => {
    const shop = (className: string, type: string, value: string) =>
      ingress(className, path("/", "Prefix").replace("name: web", "name: frontend") + path(value, type));
    const moved = (from: [string, string], to: [string, string], className = "nginx", extra: Record<string, string> = {}) =>
      analyze({ "web.yaml": shop(className, ...from), ...extra }, { "web.yaml": shop(className, ...to), ...extra }).findings.map((f) => [
        f.class,
        f.risk,
      ]);
    const matchChanged = [["route.match-changed", "medium-high"]];
    expect(moved(["ImplementationSpecific", "/api"], ["Prefix", "/api"])).toEqual(matchChanged);
    expect(moved(["Prefix", "/api"], ["ImplementationSpecific", "/api"])).toEqual(matchChanged);
    // `Prefix /api/` also takes `/api`; nginx's `/api/` does not, and `/api` also takes `/api-v2`.
    expect(moved(["Prefix", "/api/"], ["ImplementationSpecific", "/api/"])).toEqual(matchChanged);
    expect(moved(["Prefix", "/api/"], ["ImplementationSpecific", "/api"])).toEqual(matchChanged);
    expect(moved(["ImplementationSpecific", "/api"], ["ImplementationSpecific", "/api"])).toEqual([]);
    // A class of another name whose IngressClass is ingress-nginx's reads alike: `/` is `Prefix /`.
    const internal = {
      "class.yaml":
        "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: nginx-internal}\nspec: {controller: k8s.io/ingress-nginx}\n",
    };
    expect(moved(["ImplementationSpecific", "/"], ["Prefix", "/"], "nginx-internal", internal)).toEqual([["resource.changed", "low"]]);
    expect(moved(["ImplementationSpecific", "/"], ["Prefix", "/"], "nginx-internal").map(([kind]) => kind)).toContain(
      "route.match-changed",
    );
  });
});

describe("ingress-nginx canaries join the main Ingress's flow", () => {
  const canary = (weight: string, extra = "") => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop-canary
  namespace: shop
  annotations:
    nginx.ingress.kubernetes.io/canary: "true"
    nginx.ingress.kubernetes.io/canary-weight: "${weight}"
${extra}spec:
  ingressClassName: nginx
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /api
        pathType: Prefix
        backend: {service: {name: api-canary, port: {number: 80}}}`;
  const CANARY = "apps/shop/canary.yaml";
  const apiFlow = (tree: Record<string, string>) =>
    [...analyze({}, tree).head.model.flows.values()]
      .filter((flow) => flow.match === "PathPrefix /api")
      .map((flow) => flow.backends.map((b) => `${b.label} ${(b.share * 100).toFixed(0)}%`));

  it("splits the path by canary-weight, and the canary serves no flow of its own", () => {
    expect(apiFlow({ [FILE]: BASE, [CANARY]: canary("20") })).toEqual([
      ["shop/api:80 80%", "shop/api-canary:80 (canary Ingress shop/shop-canary) 20%"],
    ]);
  });

  it("a weight edit on the canary moves traffic (it was a low annotation line)", () => {
    const result = analyze({ [FILE]: BASE, [CANARY]: canary("10") }, { [FILE]: BASE, [CANARY]: canary("50") });
    expect(result.findings.filter((f) => f.risk !== "low").map((f) => [f.class, f.summary])).toEqual([
      ["backend.weight-changed", expect.stringContaining("shop/api-canary:80 (canary Ingress shop/shop-canary) 10% → 50%")],
    ]);
  });

  it("header-selected requests are named, not guessed; a canary without a main Ingress serves nothing", () => {
    expect(apiFlow({ [FILE]: BASE, [CANARY]: canary("0", "    nginx.ingress.kubernetes.io/canary-by-header: X-Canary\n") })).toEqual([
      ["shop/api:80 100%", "shop/api-canary:80 (canary Ingress shop/shop-canary; plus the requests its canary-by-header selects) 0%"],
    ]);
    expect(apiFlow({ [CANARY]: canary("20") })).toEqual([]);
  });

  it("the header or cookie selection changed is a match change; a pattern taking any value of the header moves every request carrying it", () => {
    const BY = "    nginx.ingress.kubernetes.io/canary-by-header: User-Agent\n";
    const selected = (extra: string) => ({ [FILE]: BASE, [CANARY]: canary("0", BY + extra) });
    const judged = (before: string, after: string) =>
      analyze(selected(before), selected(after))
        .findings.filter((f) => f.risk !== "low")
        .map((f) => [f.class, f.risk, f.summary]);
    const PATTERN = (regex: string) => `    nginx.ingress.kubernetes.io/canary-by-header-pattern: "${regex}"\n`;
    expect(judged(PATTERN("^curl/"), PATTERN(".*"))).toEqual([
      [
        "backend.weight-changed",
        "high",
        "Ingress shop/shop-canary: canary-by-header-pattern .* takes any value of User-Agent: every request carrying it goes to the canary's backend, whatever its weight",
      ],
    ]);
    // ingress-nginx matches the pattern anywhere in the value: one character class of any is every value.
    expect(judged(PATTERN("^curl/"), PATTERN(".")).map(([c, r]) => [c, r])).toEqual([["backend.weight-changed", "high"]]);
    expect(judged(PATTERN("^curl/"), PATTERN("^Mozilla"))).toEqual([
      [
        "route.match-changed",
        "medium-high",
        "Ingress shop/shop-canary: the requests the canary takes by header or cookie change: by-header-pattern ^curl/ → ^Mozilla",
      ],
    ]);
    // An exact value, when set, is matched instead of the pattern.
    const VALUE = "    nginx.ingress.kubernetes.io/canary-by-header-value: beta\n";
    expect(judged(VALUE, VALUE + PATTERN(".*")).map(([c, r]) => [c, r])).toEqual([["route.match-changed", "medium-high"]]);
  });
});

describe("who may reach an Ingress (its controller's access annotations)", () => {
  const annotated = (annotations: Record<string, string>) =>
    BASE.replace(
      "metadata: {name: shop, namespace: shop}",
      `metadata:\n  name: shop\n  namespace: shop\n  annotations:\n${Object.entries(annotations)
        .map(([key, value]) => `    ${key}: "${value}"`)
        .join("\n")}`,
    );
  const widened = (before: Record<string, string>, after: Record<string, string>) =>
    analyze({ [FILE]: annotated(before) }, { [FILE]: annotated(after) })
      .findings.filter((f) => f.risk !== "low")
      .map((f) => `${f.class} ${f.risk}: ${f.summary.replace(/^Ingress shop\/shop: /, "")}`);
  const ALLOW = "nginx.ingress.kubernetes.io/whitelist-source-range";

  it("a source range dropped or widened is access.widened; narrowed is not", () => {
    expect(widened({ [ALLOW]: "10.0.0.0/8" }, { "nginx.ingress.kubernetes.io/ssl-redirect": "true" })).toEqual([
      `access.widened high: ${ALLOW} removed (was 10.0.0.0/8): any client address reaches its hosts`,
    ]);
    expect(widened({ [ALLOW]: "10.0.0.0/8" }, { [ALLOW]: "10.0.0.0/8, 0.0.0.0/0" })).toEqual([
      `access.widened high: ${ALLOW} admits 0.0.0.0/0 too: more client addresses reach its hosts`,
    ]);
    expect(widened({ [ALLOW]: "10.0.0.0/8,192.168.0.0/16" }, { [ALLOW]: "10.0.0.0/8" })).toEqual([]);
    // Narrowed inside a range it admitted: no one new.
    expect(widened({ [ALLOW]: "10.0.0.0/8" }, { [ALLOW]: "10.1.0.0/16" })).toEqual([]);
  });

  it("who vouches for callers swapped: another authorizer or client CA is trust.changed, another htpasswd Secret medium", () => {
    const NGINX = "nginx.ingress.kubernetes.io/";
    const judged = (key: string, from: string, to: string) =>
      widened({ [`${NGINX}${key}`]: from }, { [`${NGINX}${key}`]: to }).map((finding) => finding.replace(/:.*$/, ""));
    expect(judged("auth-url", "http://auth.auth.svc/verify", "http://auth-dev.dev.svc/verify")).toEqual(["trust.changed critical"]);
    expect(judged("auth-tls-secret", "shop/client-ca", "shop/other-ca")).toEqual(["trust.changed critical"]);
    expect(judged("auth-secret", "shop/htpasswd", "shop/htpasswd-v2")).toEqual(["resource.changed medium"]);
  });

  it("GKE's Ingress annotations: another static address, other pre-shared certificates, its FrontendConfig unlinked", () => {
    const judged = (key: string, from: string, to?: string) =>
      widened({ [key]: from }, to === undefined ? {} : { [key]: to }).map((finding) => finding.replace(/:.*$/, ""));
    expect(judged("kubernetes.io/ingress.global-static-ip-name", "shop-ip", "shop-ip-v2")).toEqual(["listener.changed high"]);
    expect(judged("ingress.gcp.kubernetes.io/pre-shared-cert", "shop-cert", "other-cert")).toEqual(["trust.changed critical"]);
    expect(judged("networking.gke.io/v1beta1.FrontendConfig", "shop-frontend")).toEqual(["resource.changed medium-high"]);
  });

  it("the AWS Load Balancer Controller's weighted actions, web ACL, SSL policy, certificates and listen ports", () => {
    const ALB = "alb.ingress.kubernetes.io/";
    const forward = (a: number, b: number) =>
      JSON.stringify({
        type: "forward",
        forwardConfig: {
          targetGroups: [
            { serviceName: "v1", servicePort: "80", weight: a },
            { serviceName: "v2", servicePort: "80", weight: b },
          ],
        },
      }).replace(/"/g, '\\"');
    const judged = (before: Record<string, string>, after: Record<string, string>) =>
      widened(before, after).map((finding) => finding.replace(ALB, ""));
    expect(judged({ [`${ALB}actions.split`]: forward(90, 10) }, { [`${ALB}actions.split`]: forward(0, 100) })).toEqual([
      "backend.weight-changed medium-high: actions.split: v1:80 90% → 0%, v2:80 10% → 100% of the requests its rules forward there",
    ]);
    expect(judged({ [`${ALB}actions.split`]: forward(90, 10) }, { [`${ALB}actions.split`]: forward(9, 1) })).toEqual([]);
    expect(judged({ [`${ALB}wafv2-acl-arn`]: "arn:aws:wafv2:acl/shop" }, {})).toEqual([
      "access.widened high: wafv2-acl-arn removed (was arn:aws:wafv2:acl/shop): no web ACL filters requests to its hosts any more",
    ]);
    expect(
      judged({ [`${ALB}ssl-policy`]: "ELBSecurityPolicy-TLS13-1-2-2021-06" }, { [`${ALB}ssl-policy`]: "ELBSecurityPolicy-2016-08" }).map(
        (f) => f.replace(/:.*$/, ""),
      ),
    ).toEqual(["mtls.weakened critical"]);
    expect(
      judged(
        { [`${ALB}ssl-policy`]: "ELBSecurityPolicy-TLS-1-2-2017-01" },
        { [`${ALB}ssl-policy`]: "ELBSecurityPolicy-TLS13-1-3-2021-06" },
      ),
    ).toEqual([]);
    expect(
      judged({ [`${ALB}certificate-arn`]: "arn:aws:acm:cert/a" }, { [`${ALB}certificate-arn`]: "arn:aws:acm:cert/b" }).map((f) =>
        f.replace(/:.*$/, ""),
      ),
    ).toEqual(["trust.changed critical"]);
    expect(
      judged({ [`${ALB}listen-ports`]: '[{\\"HTTPS\\": 443}]' }, { [`${ALB}listen-ports`]: '[{\\"HTTP\\": 80}, {\\"HTTPS\\": 443}]' }).map(
        (f) => f.replace(/:.*$/, ""),
      ),
    ).toEqual(["listener.changed high"]);
  });

  it("allowlist-source-range and its alias whitelist-source-range are one setting: renamed, nothing widens", () => {
    const PRIMARY = "nginx.ingress.kubernetes.io/allowlist-source-range";
    expect(widened({ [ALLOW]: "10.0.0.0/8" }, { [PRIMARY]: "10.0.0.0/8" })).toEqual([]);
    expect(widened({ [ALLOW]: "10.0.0.0/8" }, { [PRIMARY]: "0.0.0.0/0" })).toEqual([
      `access.widened high: ${PRIMARY} admits 0.0.0.0/0 too: more client addresses reach its hosts`,
    ]);
  });

  it("ingress-nginx's rewrites, redirects, mirrors, timeouts, retries and limits are judged as their Gateway API twins", () => {
    const NGINX = "nginx.ingress.kubernetes.io/";
    const judged = (before: Record<string, string>, after: Record<string, string>) =>
      widened(before, after).map((finding) => finding.replace(/:.*$/, "").replace(NGINX, ""));
    expect(judged({}, { [`${NGINX}rewrite-target`]: "/admin" })).toEqual(["route.match-changed medium-high"]);
    expect(judged({}, { [`${NGINX}permanent-redirect`]: "https://elsewhere.example.net" })).toEqual(["route.match-changed medium-high"]);
    expect(judged({}, { [`${NGINX}mirror-target`]: "http://shadow.shop.svc$request_uri" })).toEqual(["mirror.changed high"]);
    expect(judged({}, { [`${NGINX}mirror-target`]: "http://shadow.shop.svc", [`${NGINX}mirror-request-body`]: "off" })).toEqual([
      "mirror.changed medium",
    ]);
    expect(judged({ [`${NGINX}proxy-read-timeout`]: "60" }, { [`${NGINX}proxy-read-timeout`]: "1" })).toEqual([
      "retry-timeout.changed medium-high",
    ]);
    expect(judged({}, { [`${NGINX}proxy-read-timeout`]: "120" })).toEqual([]);
    expect(judged({}, { [`${NGINX}proxy-next-upstream`]: "error timeout http_503" })).toEqual(["retry-timeout.changed medium-high"]);
    expect(judged({ [`${NGINX}limit-rps`]: "10" }, {})).toEqual(["resource.changed medium-high"]);
    expect(judged({ [`${NGINX}limit-rps`]: "10" }, { [`${NGINX}limit-rps`]: "5" })).toEqual([]);
    expect(judged({}, { [`${NGINX}upstream-vhost`]: "admin.internal" })).toEqual(["resource.changed medium"]);
  });

  it("authentication taken away, or client certificates no longer required, is access.widened", () => {
    const AUTH = "nginx.ingress.kubernetes.io/auth-url";
    const MTLS = "nginx.ingress.kubernetes.io/auth-tls-verify-client";
    expect(widened({ [AUTH]: "https://auth.example.com/verify" }, { "nginx.ingress.kubernetes.io/ssl-redirect": "true" })).toEqual([
      `access.widened high: ${AUTH} removed: requests reach its hosts without external authentication`,
    ]);
    expect(widened({ [MTLS]: "on" }, { [MTLS]: "optional" })).toEqual([
      `access.widened high: ${MTLS} on → optional: clients without a valid certificate reach its hosts`,
    ]);
  });

  it("a Traefik Middleware no longer named in router.middlewares is judged as a route's: access.widened unless the tree shows it harmless", () => {
    const MIDDLEWARES = "traefik.ingress.kubernetes.io/router.middlewares";
    expect(
      widened(
        { [MIDDLEWARES]: "networking-forward-auth@kubernetescrd,networking-compress@kubernetescrd" },
        { [MIDDLEWARES]: "networking-compress@kubernetescrd" },
      ),
    ).toEqual([
      `access.widened high: ${MIDDLEWARES}: middleware networking-forward-auth@kubernetescrd removed: requests no longer pass through it; if it authenticated, restricted or rate-limited them they now pass unchecked`,
    ]);
    // Reordered is nothing; one added the tree does not hold is medium, as on an IngressRoute.
    expect(
      widened(
        { [MIDDLEWARES]: "networking-forward-auth@kubernetescrd,networking-compress@kubernetescrd" },
        { [MIDDLEWARES]: "networking-compress@kubernetescrd, networking-forward-auth@kubernetescrd, networking-headers@kubernetescrd" },
      ),
    ).toEqual([
      `resource.changed medium: ${MIDDLEWARES}: middleware networking-headers@kubernetescrd added: requests now pass through it; what it does is not modelled`,
    ]);
    // The tree holds it as `compress: {}`: dropped, it only compressed.
    const compress =
      "apiVersion: traefik.io/v1alpha1\nkind: Middleware\nmetadata: {name: compress, namespace: networking}\nspec: {compress: {}}\n";
    const annotations = (value: string) => ({ [FILE]: annotated(value ? { [MIDDLEWARES]: value } : {}), "mw.yaml": compress });
    expect(analyze(annotations("networking-compress@kubernetescrd"), annotations("")).findings.map((f) => `${f.class} ${f.risk}`)).toEqual([
      "resource.changed low",
    ]);
  });

  it("plain HTTP no longer redirected or refused is listener.changed; keeping the redirect is no finding", () => {
    const REDIRECT = "nginx.ingress.kubernetes.io/ssl-redirect";
    // BASE has TLS and class nginx: ingress-nginx redirects by default, so "false" serves plaintext.
    const TURNED_OFF = `listener.changed high: plain HTTP to its hosts is no longer redirected or refused (${REDIRECT}: "false" turns off ingress-nginx's redirect of an Ingress with TLS): requests are served unencrypted`;
    expect(widened({ "nginx.ingress.kubernetes.io/proxy-body-size": "1m" }, { [REDIRECT]: "false" })).toEqual([TURNED_OFF]);
    expect(widened({ [REDIRECT]: "true" }, { [REDIRECT]: "false" })).toEqual([
      `listener.changed high: plain HTTP to its hosts is no longer redirected or refused (${REDIRECT} true → false): requests are served unencrypted`,
    ]);
    expect(widened({ [REDIRECT]: "true" }, { "nginx.ingress.kubernetes.io/proxy-body-size": "1m" })).toEqual([]);
    expect(
      widened({ "kubernetes.io/ingress.allow-http": "false" }, { "kubernetes.io/ingress.allow-http": "true", [REDIRECT]: "false" }),
    ).toEqual([TURNED_OFF]);
    // The default redirect lost with the class or the TLS section (ingress-nginx d27829ce): said so, not as an annotation gone.
    const lost = (head: string) =>
      analyze({ [FILE]: BASE }, { [FILE]: head })
        .findings.filter((f) => f.class === "listener.changed")
        .map((f) => f.summary.replace(/^Ingress shop\/shop: /, ""));
    expect(lost(BASE.replace("ingressClassName: nginx", "ingressClassName: traefik"))).toEqual([
      "plain HTTP to its hosts is no longer redirected or refused (IngressClass nginx → traefik: ingress-nginx's redirect of an Ingress with TLS no longer applies): requests are served unencrypted",
    ]);
    expect(lost(BASE.replace("  tls:\n  - hosts: [shop.example.com]\n    secretName: shop-tls\n", ""))).toContainEqual(
      "plain HTTP to its hosts is no longer redirected or refused (its tls section is gone: ingress-nginx redirects only an Ingress with TLS): requests are served unencrypted",
    );
  });

  it("an ALB turning internet-facing (the controller's default is internal) is listener.changed", () => {
    expect(widened({ "alb.ingress.kubernetes.io/target-type": "ip" }, { "alb.ingress.kubernetes.io/scheme": "internet-facing" })).toEqual([
      "listener.changed high: alb.ingress.kubernetes.io/scheme (unset: internal) → internet-facing: its hosts become reachable from the internet",
    ]);
  });

  it("TLS to the backends dropped, or their certificates no longer verified, is mtls.weakened", () => {
    const PROTOCOL = "nginx.ingress.kubernetes.io/backend-protocol";
    expect(widened({ [PROTOCOL]: "HTTPS" }, { [PROTOCOL]: "HTTP" })).toEqual([
      `mtls.weakened critical: ${PROTOCOL} HTTPS → HTTP: traffic from the controller to its backends is sent in plaintext`,
    ]);
    expect(widened({ [PROTOCOL]: "GRPCS" }, { "alb.ingress.kubernetes.io/backend-protocol": "HTTPS" })).toEqual([
      `mtls.weakened critical: ${PROTOCOL} GRPCS → (unset: HTTP): traffic from the controller to its backends is sent in plaintext`,
    ]);
    expect(widened({ [PROTOCOL]: "HTTP" }, { [PROTOCOL]: "HTTPS" })).toEqual([]);
    const VERIFY = "nginx.ingress.kubernetes.io/proxy-ssl-verify";
    expect(widened({ [PROTOCOL]: "HTTPS", [VERIFY]: "on" }, { [PROTOCOL]: "HTTPS", [VERIFY]: "off" })).toEqual([
      `mtls.weakened critical: ${VERIFY} on → off: the backends' certificates are no longer verified`,
    ]);
  });

  it("a snippet of raw proxy configuration added, changed or removed is high: what it does is not modelled", () => {
    const SNIPPET = "nginx.ingress.kubernetes.io/configuration-snippet";
    const ALLOWED = { [ALLOW]: "10.0.0.0/8" };
    expect(widened(ALLOWED, { ...ALLOWED, [SNIPPET]: "allow all;" })).toEqual([
      `resource.changed high: ${SNIPPET} added: raw proxy configuration for its hosts; what it does to requests is not modelled`,
    ]);
    expect(widened({ ...ALLOWED, [SNIPPET]: "deny 1.2.3.4;" }, { ...ALLOWED, [SNIPPET]: "allow all;" })).toEqual([
      `resource.changed high: ${SNIPPET} changed: raw proxy configuration for its hosts; what it does to requests is not modelled`,
    ]);
    expect(widened({ ...ALLOWED, [SNIPPET]: "deny 1.2.3.4;" }, ALLOWED)).toEqual([
      `resource.changed high: ${SNIPPET} removed: what it configured no longer applies to its hosts (deny 1.2.3.4;)`,
    ]);
    // Whitespace between nginx tokens means nothing: a chomping indicator or a re-indent is left to
    // the family-blind fallback (low), a quoted string's spaces are a change.
    const block = (indicator: string, lines: string) =>
      BASE.replace(
        "metadata: {name: shop, namespace: shop}",
        `metadata:\n  name: shop\n  namespace: shop\n  annotations:\n    ${SNIPPET}: ${indicator}\n${lines}`,
      );
    const HEADERS = '      more_set_headers "X-Frame-Options: DENY";\n      more_set_headers "X-Content-Type-Options: nosniff";\n';
    const judged = (head: string) => analyze({ [FILE]: block("|", HEADERS) }, { [FILE]: head }).findings.map((f) => `${f.class} ${f.risk}`);
    expect(judged(block("|-", HEADERS))).toEqual(["resource.changed low"]);
    expect(judged(block("|", `\n${HEADERS.replace(/^ {6}/gm, "        ").replace(";\n", ";\n\n")}`))).toEqual(["resource.changed low"]);
    expect(judged(block("|", HEADERS.replace("Options: DENY", "Options:  DENY")))).toEqual(["resource.changed high"]);
    // A new Ingress that brings one.
    const added = analyze({}, { [FILE]: annotated({ "nginx.org/server-snippets": "return 200;" }) }).findings;
    expect(added.map((f) => [f.class, f.risk, f.summary.replace(/^Ingress shop\/shop: /, "")])).toContainEqual([
      "resource.changed",
      "high",
      "nginx.org/server-snippets added: raw proxy configuration for its hosts; what it does to requests is not modelled",
    ]);
  });
});
