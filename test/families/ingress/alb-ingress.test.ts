import { describe, expect, it } from "vitest";
import { analyze } from "../../helpers/review-trees.js";

/** The AWS Load Balancer Controller gives each Ingress an ALB of its own, but an IngressGroup's Ingresses share one. */

type Tree = Record<string, string>;

const GROUP = "alb.ingress.kubernetes.io/group.name";
const ORDER = "alb.ingress.kubernetes.io/group.order";
const AUTH = { "alb.ingress.kubernetes.io/auth-type": "cognito" };

const ingress = ({
  name,
  path,
  annotations = {},
  className = "alb",
  byField = false,
}: {
  name: string;
  path: string;
  annotations?: Record<string, string>;
  className?: string;
  byField?: boolean;
}) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: shop
  annotations:
${byField ? "" : `    kubernetes.io/ingress.class: ${className}\n`}${Object.entries(annotations)
  .map(([key, value]) => `    ${key}: "${value}"\n`)
  .join("")}    team: shop
spec:
${byField ? `  ingressClassName: ${className}\n` : ""}  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: ${path}, pathType: Prefix, backend: {service: {name: ${name}, port: {number: 80}}}}
`;

const ingressClass = (name: string, controller: string, params?: { group: string; kind?: string }) => `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: ${name}}
spec:
  controller: ${controller}
${params ? `  parameters: {apiGroup: ${params.group}, kind: ${params.kind ?? "IngressClassParams"}, name: ${name}-params}\n` : ""}`;

const classParams = (name: string, group: string | undefined, apiVersion = "elbv2.k8s.aws/v1beta1") => `apiVersion: ${apiVersion}
kind: IngressClassParams
metadata: {name: ${name}-params}
spec:
  scheme: internet-facing
${group ? `  group: {name: ${group}}\n` : ""}`;

const judged = (base: Tree, head: Tree) =>
  analyze(base, head).findings.map((finding) => `${finding.risk} ${finding.class}: ${finding.summary}`);
const risks = (base: Tree, head: Tree) => judged(base, head).map((line) => line.split(": ")[0]);
const entries = (tree: Tree) => [...analyze({}, tree).head.model.flows.values()].map((flow) => `${flow.entry} ${flow.match}`);

describe("ALB Ingresses outside a group: each its own load balancer", () => {
  const admin = { "admin.yaml": ingress({ name: "admin", path: "/", annotations: AUTH }) };

  it("a new one beside an authenticating catch-all takes none of its requests: only a new route (was high access.widened)", () => {
    expect(judged(admin, { ...admin, "api.yaml": ingress({ name: "api", path: "/api" }) })).toEqual([
      "medium route.added: shop.example.com /api via Ingress shop/api: new rule → shop/api:80 100%",
    ]);
    expect(entries({ ...admin, "api.yaml": ingress({ name: "api", path: "/api" }) })).toEqual([
      "Ingress shop/admin PathPrefix /",
      "Ingress shop/api PathPrefix /api",
    ]);
  });

  it("one deleted hands its requests to no other Ingress: its ALB is gone (route.removed)", () => {
    const both = { ...admin, "api.yaml": ingress({ name: "api", path: "/api" }) };
    expect(judged(both, admin)).toEqual([
      "high route.removed: shop.example.com /api via Ingress shop/api: no longer served (was → shop/api:80 100%)",
    ]);
  });

  it("so for a class whose IngressClass names the controller, or EKS Auto Mode's", () => {
    for (const controller of ["ingress.k8s.aws/alb", "eks.amazonaws.com/alb"]) {
      const tree = {
        "class.yaml": ingressClass("public", controller),
        "a.yaml": ingress({ name: "a", path: "/", className: "public", byField: true }),
        "b.yaml": ingress({ name: "b", path: "/api", className: "public", byField: true }),
      };
      expect(entries(tree)).toEqual(["Ingress shop/a PathPrefix /", "Ingress shop/b PathPrefix /api"]);
    }
  });

  it("a class `alb` the tree gives another controller is that controller's, shared by the class", () => {
    const tree = { "class.yaml": ingressClass("alb", "k8s.io/ingress-nginx"), "a.yaml": ingress({ name: "a", path: "/", byField: true }) };
    expect(entries(tree)).toEqual(["IngressClass alb PathPrefix /"]);
  });
});

describe("ALB Ingresses of one IngressGroup share its ALB and still compete", () => {
  const grouped = (name: string, path: string, annotations: Record<string, string> = {}) =>
    ingress({ name, path, annotations: { [GROUP]: "shop", ...annotations } });
  const admin = { "admin.yaml": grouped("admin", "/", AUTH) };

  it("they enter at the group", () => {
    expect(entries({ ...admin, "api.yaml": grouped("api", "/api") })).toEqual([
      "alb group shop PathPrefix /",
      "alb group shop PathPrefix /api",
    ]);
  });

  it("a new one beside an authenticating catch-all of the group takes its requests, unauthenticated", () => {
    expect(judged(admin, { ...admin, "api.yaml": grouped("api", "/api") })).toContainEqual(
      expect.stringMatching(
        /^high access\.widened: Ingress shop\/api: path shop\.example\.com\/api \(new: takes these requests from catch-all\)/,
      ),
    );
  });

  it("one deleted hands its requests to the group's other rules, as before", () => {
    const both = { ...admin, "api.yaml": grouped("api", "/api") };
    expect(judged(both, admin)).toContainEqual(
      expect.stringMatching(
        /^medium-high route\.match-changed: shop\.example\.com \/api via alb group shop: rule removed: its requests now fall through to catch-all/,
      ),
    );
  });

  it("group.order moving one ahead of another it overlaps takes the requests both match; an order that keeps theirs changes nothing", () => {
    const both = { "all.yaml": grouped("all", "/"), "api.yaml": grouped("api", "/api") };
    expect(risks(both, { ...both, "api.yaml": grouped("api", "/api", { [ORDER]: "-1" }) })).toEqual([
      "medium-high route.match-changed",
      "low resource.changed",
    ]);
    expect(judged(both, { ...both, "all.yaml": grouped("all", "/", { [ORDER]: "10" }) })[0]).toBe(
      "medium-high route.match-changed: shop.example.com via alb group shop: /api now evaluated before catch-all: some catch-all requests go to shop/api:80",
    );
    // `all` came first by its name, and still does.
    expect(risks(both, { ...both, "api.yaml": grouped("api", "/api", { [ORDER]: "10" }) })).toEqual(["low resource.changed"]);
  });

  it("a new one whose place comes first, carving a path out of the group's catch-all, is only a new route", () => {
    const all = { "web.yaml": grouped("web", "/") };
    expect(judged(all, { ...all, "api.yaml": grouped("api", "/api") })).toEqual([
      "medium route.added: shop.example.com /api via alb group shop: new rule → shop/api:80 100%",
    ]);
  });

  it("a new one whose place comes first takes what it matches of the rules after it", () => {
    const api = { "api.yaml": grouped("api", "/api") };
    expect(judged(api, { ...api, "all.yaml": grouped("all", "/", { [ORDER]: "-5" }) })[0]).toBe(
      "high route.match-changed: shop.example.com via alb group shop: catch-all now evaluated before /api: /api requests go to shop/all:80: the /api rule serves nothing any more",
    );
  });

  it("an Ingress moved into a group, or to another, joins another ALB: route.attachment-changed", () => {
    const alone = { "api.yaml": ingress({ name: "api", path: "/api" }) };
    expect(judged(alone, { "api.yaml": grouped("api", "/api") })[0]).toBe(
      "high route.attachment-changed: Ingress shop/api: attached to alb group shop; detached from Ingress shop/api",
    );
    expect(
      judged(
        { "api.yaml": grouped("api", "/api") },
        { "api.yaml": ingress({ name: "api", path: "/api", annotations: { [GROUP]: "other" } }) },
      )[0],
    ).toBe("high route.attachment-changed: Ingress shop/api: attached to alb group other; detached from alb group shop");
  });
});

describe("an IngressClassParams group puts every Ingress of its class in one ALB", () => {
  const byField = (name: string, path: string, annotations: Record<string, string> = {}) =>
    ingress({ name, path, className: "shared", byField: true, annotations });
  const classes = (group: string | undefined) => ({
    "class.yaml": `${ingressClass("shared", "ingress.k8s.aws/alb", { group: "elbv2.k8s.aws" })}---\n${classParams("shared", group)}`,
  });

  it("its group, over the Ingress's own annotation; a class named by the annotation reads no parameters", () => {
    const tree = { ...classes("platform"), "a.yaml": byField("a", "/", { [GROUP]: "mine" }), "b.yaml": byField("b", "/api") };
    expect(entries(tree)).toEqual(["alb group platform PathPrefix /", "alb group platform PathPrefix /api"]);
    const annotated = { ...classes("platform"), "a.yaml": ingress({ name: "a", path: "/", className: "shared" }) };
    expect(entries(annotated)).toEqual(["Ingress shop/a PathPrefix /"]);
  });

  it("EKS Auto Mode's parameters are not read: the group they may set is unknown, so its Ingresses share the class", () => {
    const tree = {
      "class.yaml": `${ingressClass("shared", "eks.amazonaws.com/alb", { group: "eks.amazonaws.com" })}---\n${classParams("shared", "platform", "eks.amazonaws.com/v1")}`,
      "a.yaml": byField("a", "/"),
    };
    expect(entries(tree)).toEqual(["IngressClass shared PathPrefix /"]);
    // Without parameters, each of its Ingresses is an ALB of its own.
    expect(entries({ "class.yaml": ingressClass("shared", "eks.amazonaws.com/alb"), "a.yaml": byField("a", "/") })).toEqual([
      "Ingress shop/a PathPrefix /",
    ]);
  });

  it("the group taken out of the parameters gives each Ingress an ALB of its own: judged for each", () => {
    const members = { "a.yaml": byField("a", "/"), "b.yaml": byField("b", "/api") };
    expect(risks({ ...classes("platform"), ...members }, { ...classes(undefined), ...members })).toEqual([
      "high route.attachment-changed",
      "high route.attachment-changed",
      "low resource.changed",
    ]);
  });

  it("parameters it cannot read are not read and never gate: the group they may set is unknown", () => {
    const unreadable = { "class.yaml": classes("platform")["class.yaml"].replace("group: {name: platform}", "group: {name: [platform]}") };
    const tree = { ...unreadable, "a.yaml": byField("a", "/") };
    expect(risks(classes("platform"), unreadable)).toEqual(["low resource.changed"]);
    expect(entries(tree)).toEqual(["IngressClass shared PathPrefix /"]);
  });

  it("parameters the tree does not hold may set a group: the class's Ingresses are read as sharing one, and still compete", () => {
    const unknown = { "class.yaml": ingressClass("shared", "ingress.k8s.aws/alb", { group: "elbv2.k8s.aws" }) };
    const admin = { ...unknown, "admin.yaml": byField("admin", "/", AUTH) };
    expect(entries(admin)).toEqual(["IngressClass shared PathPrefix /"]);
    expect(judged(admin, { ...admin, "api.yaml": byField("api", "/api") })).toContainEqual(
      expect.stringMatching(/^high access\.widened: Ingress shop\/api: /),
    );
  });
});
