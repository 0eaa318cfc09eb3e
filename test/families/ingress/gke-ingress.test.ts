import { describe, expect, it } from "vitest";
import { analyze } from "../../helpers/review-trees.js";

/** Each GKE Ingress is a load balancer of its own: its rules compete with no other Ingress's. */

type Tree = Record<string, string>;

const ingress = ({
  name,
  path = "",
  annotations = {},
  className,
  pathType = "ImplementationSpecific",
}: {
  name: string;
  path?: string;
  annotations?: Record<string, string>;
  className?: string;
  pathType?: string;
}) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: default
${
  Object.keys(annotations).length
    ? `  annotations:\n${Object.entries(annotations)
        .map(([key, value]) => `    ${key}: "${value}"\n`)
        .join("")}`
    : ""
}spec:
${className ? `  ingressClassName: ${className}\n` : ""}  rules:
  - http:
      paths:
      - {${path ? `path: ${path}, ` : ""}pathType: ${pathType}, backend: {service: {name: whereami, port: {number: 80}}}}
`;

const BACKEND_CONFIG = `---
apiVersion: cloud.google.com/v1
kind: BackendConfig
metadata: {name: hc-test, namespace: default}
spec:
  healthCheck: {type: HTTP, requestPath: /healthz}
`;

const STATIC_IP = "kubernetes.io/ingress.global-static-ip-name";
const CLASS = "kubernetes.io/ingress.class";

const judged = (base: Tree, head: Tree) =>
  analyze(base, head).findings.map((finding) => `${finding.risk} ${finding.class}: ${finding.summary}`);
const entries = (tree: Tree) => [...analyze({}, tree).head.model.flows.values()].map((flow) => `${flow.entry} ${flow.match}`);

describe("GKE Ingresses: each its own load balancer, entered at the Ingress itself", () => {
  // GoogleCloudPlatform/gke-networking-recipes c02449a7: a classless hc-test beside the classless iap-test,
  // both `*` and every path to whereami, read as hc-test taking iap-test's requests and dropping its static IP.
  const IAP = {
    "ingress/iap-ingress/iap-ingress.yaml": ingress({
      name: "iap-test",
      annotations: { [STATIC_IP]: "iap-test", "networking.gke.io/managed-certificates": "iap-test" },
    }),
  };
  const HC = { "ingress/hc/custom-http-hc-ingress.yaml": ingress({ name: "hc-test" }) + BACKEND_CONFIG };

  it("a new GKE Ingress beside another takes none of its requests: it is only a new route (c02449a7)", () => {
    expect(judged(IAP, { ...IAP, ...HC })).toEqual([
      "medium route.added: * via Ingress default/hc-test: new rule → default/whereami:80 100%",
      "low resource.changed: BackendConfig default/hc-test added",
    ]);
  });

  it("so with the class written: `gce`, `gce-internal`, `gce-regional-external`, by annotation or field", () => {
    for (const className of ["gce", "gce-internal", "gce-regional-external"]) {
      const one = { "a.yaml": ingress({ name: "a", path: "/*", annotations: { [CLASS]: className, [STATIC_IP]: "a-ip" } }) };
      const two = { "b.yaml": ingress({ name: "b", path: "/*", className }) };
      expect(judged(one, { ...one, ...two }).map((line) => line.split(":")[0])).toEqual(["medium route.added"]);
      expect(entries({ ...one, ...two })).toEqual(["Ingress default/a PathPrefix /", "Ingress default/b PathPrefix /"]);
    }
  });

  it("a path left out is GKE's `/*`: written out, no route changes", () => {
    const gce = (path: string) => ({ "a.yaml": ingress({ name: "a", path, className: "gce" }) });
    expect(entries(gce(""))).toEqual(["Ingress default/a PathPrefix /"]);
    expect(judged(gce(""), gce("/*"))).toEqual(["low resource.changed: Ingress default/a: spec.rules[0].http.paths[0].path added (/*)"]);
  });

  it("one that keeps its name is compared as before: another static address, another path or backend", () => {
    const before = { "a.yaml": ingress({ name: "a", path: "/*", annotations: { [CLASS]: "gce", [STATIC_IP]: "a-ip" } }) };
    const readdressed = { "a.yaml": ingress({ name: "a", path: "/*", annotations: { [CLASS]: "gce", [STATIC_IP]: "b-ip" } }) };
    expect(judged(before, readdressed).map((line) => line.split(":")[0])).toEqual(["high listener.changed"]);
    const narrowed = { "a.yaml": before["a.yaml"].replace("path: /*", "path: /api/*") };
    expect(judged(before, narrowed)).toContainEqual(expect.stringMatching(/^medium-high route\.match-changed: /));
    const moved = { "a.yaml": before["a.yaml"].replace("name: whereami", "name: whereami-v2") };
    expect(judged(before, moved)).toContainEqual(expect.stringMatching(/^medium-high backend\.weight-changed: /));
  });

  it("one deleted gives its requests to no other: its load balancer and address are gone (route.removed)", () => {
    const two = {
      "a.yaml": ingress({ name: "a", path: "/*", annotations: { [CLASS]: "gce" } }),
      "b.yaml": ingress({ name: "b", path: "/*", annotations: { [CLASS]: "gce" } }),
    };
    expect(judged(two, { "a.yaml": two["a.yaml"] })).toEqual([
      "high route.removed: * via Ingress default/b: no longer served (was → default/whereami:80 100%)",
    ]);
  });
});

describe("Ingresses behind a shared proxy still compete", () => {
  const auth = { "nginx.ingress.kubernetes.io/auth-url": "https://oauth2.example.com/oauth2/auth" };
  const ADMIN_GONE = (className: string | undefined, extra: Record<string, string> = {}, folder: Tree = {}) => {
    const base = {
      "apps/admin.yaml": ingress({
        name: "admin",
        path: "/admin",
        annotations: { ...auth, ...extra },
        pathType: "Prefix",
        ...(className ? { className } : {}),
      }),
      "apps/app.yaml": ingress({ name: "app", path: "/", annotations: extra, pathType: "Prefix", ...(className ? { className } : {}) }),
      ...folder,
    };
    const { "apps/admin.yaml": _gone, ...head } = base;
    return judged(base, head);
  };
  const TAKEN =
    /^high access\.widened: Ingress default\/app: path \*\/admin \(its requests at IngressClass \S+ now fall through to catch-all\): nginx\.ingress\.kubernetes\.io\/auth-url removed/;

  it("ingress-nginx: an authenticating Ingress deleted beside a catch-all one gives it its requests, unauthenticated", () => {
    expect(ADMIN_GONE("nginx")).toContainEqual(expect.stringMatching(TAKEN));
  });

  it("an Ingress naming no class, where the tree does not say it is GKE's, is the default controller's, shared", () => {
    expect(ADMIN_GONE(undefined)).toContainEqual(expect.stringMatching(TAKEN));
    // A GKE companion elsewhere in the tree says nothing of this folder's Ingresses.
    expect(ADMIN_GONE(undefined, {}, { "gke/hc.yaml": BACKEND_CONFIG.slice(4) })).toContainEqual(expect.stringMatching(TAKEN));
  });

  it("one carrying a shared proxy's annotations stays the proxy's, whatever else marks it GKE's", () => {
    const both = { [STATIC_IP]: "app-ip", "nginx.ingress.kubernetes.io/proxy-body-size": "8m" };
    expect(ADMIN_GONE(undefined, both)).toContainEqual(expect.stringMatching(TAKEN));
  });

  it("GKE's, by class or by what the tree says of a classless one, its requests go nowhere else", () => {
    const gkeOnly = { "networking.gke.io/v1beta1.FrontendConfig": "app-frontend" };
    const plain = (className: string | undefined, folder: Tree = {}, annotations: Record<string, string> = {}) => {
      const base = {
        "apps/admin.yaml": ingress({ name: "admin", path: "/admin", annotations, pathType: "Prefix", ...(className ? { className } : {}) }),
        "apps/app.yaml": ingress({ name: "app", path: "/", annotations, pathType: "Prefix", ...(className ? { className } : {}) }),
        ...folder,
      };
      const { "apps/admin.yaml": _gone, ...head } = base;
      return judged(base, head).map((line) => line.split(": ")[0]);
    };
    const alone = ["high route.removed"];
    expect(plain("gce")).toEqual(alone);
    expect(plain(undefined, {}, gkeOnly)).toEqual(alone);
    expect(plain(undefined, { "apps/backend-config.yaml": BACKEND_CONFIG.slice(4) })).toEqual(alone);
    // Without it, the same PR hands /admin to the catch-all Ingress, to the same Service and handled alike.
    expect(plain(undefined)).toEqual(["low resource.changed"]);
  });
});

describe("a classless Ingress the tree shows is GKE's by its path patterns or its folder", () => {
  // kubernetes-engine-samples 2f0e399558: fanout-ingress (`/*`, `/v2/*`) deleted beside the bare
  // basic-ingress, read as its requests falling through to basic-ingress's default backend
  // (medium-high), its `/*` rule not reported at all.
  const BASIC = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: basic-ingress, namespace: default}
spec:
  defaultBackend: {service: {name: web, port: {number: 8080}}}
`;
  const FANOUT = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: fanout-ingress, namespace: default}
spec:
  rules:
  - http:
      paths:
      - {path: /*, pathType: ImplementationSpecific, backend: {service: {name: web, port: {number: 8080}}}}
      - {path: /v2/*, pathType: ImplementationSpecific, backend: {service: {name: web2, port: {number: 8080}}}}
`;
  const FANOUT_GONE = [
    "high route.removed: * via Ingress default/fanout-ingress: no longer served (was → default/web:8080 100%)",
    "high route.removed: * ImplementationSpecific /v2/* via Ingress default/fanout-ingress: no longer served (was → default/web2:8080 100%)",
  ];

  it("one deleted whose paths are GKE's `/*` patterns takes its load balancer with it: every rule it served is removed", () => {
    const basic = { "lb/basic-ingress.yaml": BASIC };
    expect(judged({ ...basic, "lb/fanout-ingress.yaml": FANOUT }, basic)).toEqual(FANOUT_GONE);
  });

  it("its patterns are its own: the bare Ingress beside it stays at the shared entry on both sides, not attached anew", () => {
    expect(entries({ "lb/basic-ingress.yaml": BASIC, "lb/fanout-ingress.yaml": FANOUT })).toEqual([
      "IngressClass (default) PathPrefix /",
      "Ingress default/fanout-ingress PathPrefix /",
      "Ingress default/fanout-ingress ImplementationSpecific /v2/*",
    ]);
  });

  it("with a shared proxy's annotation, or a path of another type, `/*` says nothing of GKE", () => {
    const nginx = FANOUT.replace("metadata: {", "metadata: {annotations: {nginx.ingress.kubernetes.io/use-regex: 'true'}, ");
    expect(entries({ "lb/fanout-ingress.yaml": nginx })[0]).toMatch(/^IngressClass \(default\) /);
    const prefix = FANOUT.replaceAll("ImplementationSpecific", "Prefix");
    expect(entries({ "lb/fanout-ingress.yaml": prefix })[0]).toMatch(/^IngressClass \(default\) /);
  });

  it("a bare one deleted in a folder where another Ingress holds a GKE static address is removed with its load balancer", () => {
    const tree = (staticAt: string, annotations: Record<string, string> = {}) => ({
      "lb/catch-all.yaml": ingress({ name: "catch-all", path: "/", pathType: "Prefix" }),
      "lb/v2.yaml": ingress({ name: "v2", path: "/v2", pathType: "Prefix" }),
      [staticAt]: ingress({ name: "static", path: "/*", annotations: { [STATIC_IP]: "web-ip", ...annotations } }),
    });
    const v2Gone = (base: Tree) => {
      const { "lb/v2.yaml": _gone, ...head } = base;
      return judged(base, head).map((line) => line.split(": ")[0]);
    };
    expect(v2Gone(tree("lb/static.yaml"))).toEqual(["high route.removed"]);
    // Where nothing in its folder says GKE — the annotated one elsewhere, or claimed by a shared proxy's
    // annotation too — it is read behind the shared proxy, where /v2 falls to the catch-all Ingress,
    // to the same Service and handled alike.
    expect(v2Gone(tree("other/static.yaml"))).toEqual(["low resource.changed"]);
    expect(v2Gone(tree("lb/static.yaml", { "nginx.ingress.kubernetes.io/ssl-redirect": "false" }))).toEqual(["low resource.changed"]);
  });
});
