import { describe, expect, it } from "vitest";
import {
  fluxBuilds,
  settledBuilds,
  type FluxBuild,
  fluxSubstitutions,
  settledSubstitutions,
  substitutedCopy,
  substituteBuild,
  substituteVariables,
  builtKustomization,
  conflictFailures,
  unknownValuesOf,
} from "../../src/render/flux-substitution.js";
import { kustomizeReading } from "../../src/render/kustomize-tree.js";
import { fluxTargetNamespaces } from "../../src/render/flux-target-namespace.js";
import { renderForReview } from "../../src/render/render-change.js";
import { reviewChange, type SourceFile } from "../../src/review.js";
import { NOW, policyWith } from "../helpers/review-trees.js";

const policy = policyWith();
const tree = (files: Record<string, string>): SourceFile[] => Object.entries(files).map(([path, text]) => ({ path, text }));

const KUSTOMIZATION = (postBuild: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 10m
  path: ./apps
  sourceRef: {kind: GitRepository, name: flux-system}
  postBuild:
${postBuild}`;
const VARS = (backend: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: cluster-vars, namespace: flux-system}
data:
  backend: ${backend}
`;
const ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: shop}
spec:
  parentRefs: [{name: web, namespace: infra}]
  hostnames: [shop.example.com]
  rules:
  - backendRefs: [{name: \${backend}, port: 8080}]
`;

describe("Flux post-build substitution", () => {
  it("replaces variables as Flux does: set, defaults for unset or empty, the $$ escape, and nothing for an undefined one", () => {
    const variables = new Map([
      ["region", "jkt"],
      ["empty", ""],
    ]);
    expect(substituteVariables("a: ${region}-${empty:=x}-${empty=y}-${unset:-z}-$${region}-${unset}.", variables, true)).toBe(
      "a: jkt-x--z-${region}-.",
    );
    // A default is expanded in turn (mirceanton/home-ops: `${KEYCLOAK_CLIENT_ID:-"${APP}"}`).
    expect(
      substituteVariables('id: ${unset:-"${region}"}, url: ${unset:-https://${region}.example.com/${unset:-x}}', variables, true),
    ).toBe('id: "jkt", url: https://jkt.example.com/x');
    expect(substituteVariables("a: ${region:-${unset}} ${ not} ${region", variables, true)).toBe("a: jkt ${ not} ${region");
    // A source of values outside the repository: what it may hold is unknown, so the variable stays as written.
    expect(substituteVariables("a: ${unset}", variables, false)).toBe("a: ${unset}");
  });

  it("a ${VAR} left in a file may stand for a value the tree does not show only where a source its Kustomization substitutes from is missing, or no Kustomization applies it", () => {
    const unknownAt = (files: SourceFile[]) => unknownValuesOf(files, policy.topology, kustomizeReading(files).includedBy);
    const secretOnly = tree({
      "clusters/prod/apps.yaml": KUSTOMIZATION("    substituteFrom:\n    - {kind: Secret, name: cluster-secrets}\n"),
      "apps/route.yaml": ROUTE,
      "other/route.yaml": ROUTE,
    });
    expect(unknownAt(secretOnly)("apps/route.yaml")).toBe("unheld-source");
    // An app repository's file, or one outside every Kustomization's path: substituted where it is delivered from, if anywhere.
    expect(unknownAt(secretOnly)("other/route.yaml")).toBe("undelivered");
    // No postBuild: Flux applies `${backend}` as written (reviewer c5). All sources held: only an escaped `$${var}` is left.
    const none = tree({ "clusters/prod/apps.yaml": KUSTOMIZATION("").replace("  postBuild:\n", ""), "apps/route.yaml": ROUTE });
    expect(unknownAt(none)("apps/route.yaml")).toBeUndefined();
    const held = tree({
      "clusters/prod/apps.yaml": KUSTOMIZATION("    substituteFrom:\n    - {kind: ConfigMap, name: cluster-vars}\n"),
      "clusters/prod/vars.yaml": VARS("checkout"),
      "apps/route.yaml": ROUTE,
    });
    expect(unknownAt(held)("apps/route.yaml")).toBeUndefined();
  });

  describe("a SOPS-encrypted Secret a Kustomization substitutes from (probe G f09)", () => {
    const sides = (weight: string, route = ROUTE) =>
      tree({
        "clusters/prod/apps.yaml": KUSTOMIZATION("    substituteFrom:\n    - {kind: Secret, name: cluster-secrets}\n"),
        "clusters/prod/cluster-secrets.sops.yaml": `apiVersion: v1\nkind: Secret\nmetadata: {name: cluster-secrets, namespace: flux-system}\nstringData:\n  backend: ENC[AES256_GCM,data:${weight},iv:a=,tag:b=,type:str]\n  SECRET_PASSWORD: ENC[AES256_GCM,data:cGFzcw==,iv:c=,tag:d=,type:str]\nsops:\n  mac: ENC[AES256_GCM,data:${weight},iv:e=,tag:f=,type:str]\n`,
        "apps/route.yaml": route,
      });
    const failures = (base: SourceFile[], head: SourceFile[]) =>
      conflictFailures(base, head, [fluxSubstitutions(base, policy.topology), fluxSubstitutions(head, policy.topology)]).map((failure) => [
        failure.inputs,
        failure.gates,
      ]);

    it("its value of a variable a route reads changed: the change fails closed, as the value is not readable offline", () => {
      expect(failures(sides("OTA="), sides("MTA="))).toEqual([
        [["clusters/prod/cluster-secrets.sops.yaml", "clusters/prod/apps.yaml"], true],
      ]);
    });

    it("harmless: a key no traffic file reads changed, or the variable the route read replaced by a literal", () => {
      const rotated = (head: boolean) =>
        sides("OTA=").map((file) => (head ? { ...file, text: file.text.replace("cGFzcw==", "bmV3") } : file));
      expect(failures(rotated(false), rotated(true))).toEqual([]);
      const literal = ROUTE.replace("${backend}", "checkout");
      expect(failures(sides("OTA=", literal), sides("MTA=", literal))).toEqual([]);
    });
  });

  describe("a Kustomization's postBuild substituted by the Kustomization applying it (probe G f10)", () => {
    const parent = (canary: string, name = "cluster-apps") => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: ${name}, namespace: flux-system}
spec:
  path: ./clusters/prod/apps
  sourceRef: {kind: GitRepository, name: flux-system}
  postBuild:
    substitute: {CLUSTER_BACKEND: ${canary}}
`;
    const child = KUSTOMIZATION("    substitute: {backend: '${CLUSTER_BACKEND}'}\n");

    it("the parent's value reaches what the child substitutes", () => {
      const files = (backend: string) =>
        tree({ "clusters/prod/cluster-apps.yaml": parent(backend), "clusters/prod/apps/apps.yaml": child, "apps/route.yaml": ROUTE });
      expect(fluxSubstitutions(files("checkout-v1"), policy.topology).texts.get("apps/route.yaml")).toContain("name: checkout-v1");
      expect(fluxSubstitutions(files("checkout-v2"), policy.topology).texts.get("apps/route.yaml")).toContain("name: checkout-v2");
    });

    it("parents substituting it differently leave its variable unknown, as written, not one parent's value", () => {
      const files = tree({
        "clusters/prod/cluster-apps.yaml": parent("checkout-v1"),
        "clusters/prod/cluster-apps-2.yaml": parent("checkout-v2", "cluster-apps-2"),
        "clusters/prod/apps/apps.yaml": child,
        "apps/route.yaml": ROUTE,
      });
      expect(fluxSubstitutions(files, policy.topology).texts.get("apps/route.yaml")).toBeUndefined();
      expect(unknownValuesOf(files, policy.topology, kustomizeReading(files).includedBy)("apps/route.yaml")).toBe("unheld-source");
    });
  });

  it("a Kustomization whose path is a link substitutes, and places in its namespace, the files the link leads to", () => {
    const linked = (backend: string) =>
      tree({
        "clusters/prod/apps.yaml": KUSTOMIZATION(`    substitute: {backend: ${backend}}\n`)
          .replace("path: ./apps", "path: ./clusters/prod/apps")
          .replace("  postBuild:", "  targetNamespace: shop\n  postBuild:"),
        "apps/shop/route.yaml": ROUTE,
      });
    const links = [{ path: "clusters/prod/apps", target: "../../apps/shop" }];
    expect(fluxSubstitutions(linked("checkout-v1"), policy.topology, links).texts.get("apps/shop/route.yaml")).toContain(
      "name: checkout-v1",
    );
    expect(fluxSubstitutions(linked("checkout-v2"), policy.topology, links).texts.get("apps/shop/route.yaml")).toContain(
      "name: checkout-v2",
    );
    expect(fluxTargetNamespaces(linked("checkout-v1"), policy.topology, new Map(), links)("apps/shop/route.yaml")).toBe("shop");
    // Read without the links, the folder is delivered by nothing: its variables stay as written, the change unseen.
    expect(fluxSubstitutions(linked("checkout-v1"), policy.topology).texts.get("apps/shop/route.yaml")).toBeUndefined();
  });

  describe("a ConfigMap a kustomize generator makes from an env file (probe C F11d)", () => {
    const sides = (env: string | undefined) =>
      tree({
        "clusters/prod/apps.yaml": KUSTOMIZATION("    substituteFrom:\n    - {kind: ConfigMap, name: cluster-vars}\n"),
        "clusters/prod/vars/kustomization.yaml":
          "namespace: flux-system\nconfigMapGenerator:\n- {name: cluster-vars, envs: [cluster.env]}\ngeneratorOptions: {disableNameSuffixHash: true}\n",
        ...(env === undefined ? {} : { "clusters/prod/vars/cluster.env": env }),
        "apps/route.yaml": ROUTE,
      });
    const failures = (base: SourceFile[], head: SourceFile[]) =>
      conflictFailures(base, head, [fluxSubstitutions(base, policy.topology), fluxSubstitutions(head, policy.topology)]).map((failure) => [
        failure.inputs,
        failure.gates,
        failure.reason,
      ]);

    it("is read as Flux reads it: its variables substitute the route, the env file among their sources", () => {
      const substituted = fluxSubstitutions(sides("backend=checkout-jkt\n"), policy.topology);
      expect(substituted.texts.get("apps/route.yaml")).toContain("name: checkout-jkt");
      expect(substituted.each("apps/route.yaml").map(({ sources }) => sources)).toEqual([
        ["clusters/prod/vars/cluster.env", "clusters/prod/vars/kustomization.yaml"],
      ]);
      expect(failures(sides("backend=checkout-jkt\n"), sides("backend=checkout-tyo\n"))).toEqual([]);
    });

    it("one the review cannot read fails closed where the PR changes its input; so does an encrypted one where a route reads the key it changes", () => {
      const refused = (backend: string) => `backend=${backend}\nexport REGION=jkt\n`;
      expect(failures(sides(refused("checkout-jkt")), sides(refused("checkout-tyo")))).toEqual([
        [
          ["clusters/prod/vars/cluster.env", "clusters/prod/apps.yaml"],
          true,
          'Flux Kustomization flux-system/apps in clusters/prod/apps.yaml reads ConfigMap cluster-vars from a kustomize generator whose data the review cannot read (cluster.env: line 2: "export REGION" is no variable name kustomize accepts), so its variables there are unknown, and so is what the change of clusters/prod/vars/cluster.env makes of them',
        ],
      ]);
      // Unchanged, it is no finding of this PR.
      expect(failures(sides(refused("checkout-jkt")), sides(refused("checkout-jkt")))).toEqual([]);
      const sops = (backend: string, password = "p") =>
        `backend=ENC[AES256_GCM,data:${backend}]\npassword=ENC[AES256_GCM,data:${password}]\nsops_mac=ENC[AES256_GCM,data:${backend}${password}]\n`;
      expect(failures(sides(sops("a")), sides(sops("b")))).toEqual([
        [
          ["clusters/prod/vars/cluster.env", "clusters/prod/apps.yaml"],
          true,
          "Flux Kustomization flux-system/apps in clusters/prod/apps.yaml reads ConfigMap cluster-vars encrypted, which the traffic config it applies reads through ${backend}: the value is not readable offline, so what the change of clusters/prod/vars/cluster.env does to that traffic config is not reviewed here",
        ],
      ]);
      // A key no route reads, rotated: SOPS keeps the others' ciphertexts, and only the mac changes besides.
      expect(failures(sides(sops("a")), sides(sops("a", "q")))).toEqual([]);
    });
  });

  it("a value used so often that the file would pass the loader's bound leaves a file the loader refuses, not a huge string", () => {
    const big = "x".repeat(100_000);
    const text = `data: [${"${big}, ".repeat(50)}]\n`;
    const substituted = substituteVariables(text, new Map([["big", big]]), true);
    expect(substituted.length).toBeLessThan(2 * 2 * 1024 * 1024 + text.length + 2);
    expect(substituted.length).toBeGreaterThan(2 * 1024 * 1024);
  });

  it("a Kustomization's files get its values: substituteFrom ConfigMaps and Secrets (decoded), substitute last; not its kustomization file, nor files outside its path", () => {
    const files = tree({
      "clusters/prod/apps.yaml": KUSTOMIZATION(
        "    substitute: {tier: gold}\n    substituteFrom:\n    - {kind: ConfigMap, name: cluster-vars}\n    - {kind: Secret, name: creds}\n",
      ),
      "clusters/prod/vars.yaml": `${VARS("checkout-jkt")}---\napiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: flux-system}\ndata: {tier: c2lsdmVy, token: czNjcjN0}\n`,
      "apps/route.yaml": ROUTE.replace("shop.example.com", "shop-${tier}.example.com"),
      "apps/kustomization.yaml": "resources: [route.yaml]\nnamePrefix: ${tier}-\n",
      "other/route.yaml": ROUTE,
    });
    const substituted = fluxSubstitutions(files, policy.topology).texts;
    expect([...substituted.keys()]).toEqual(["apps/route.yaml"]);
    expect(substituted.get("apps/route.yaml")).toContain("hostnames: [shop-gold.example.com]");
    expect(substituted.get("apps/route.yaml")).toContain("backendRefs: [{name: checkout-jkt, port: 8080}]");
  });

  it("only files its build reads are substituted: one its path holds beside a kustomization that neither lists nor reads it is read as written (samip5/k8s-cluster 71b69b843c)", () => {
    const files = tree({
      "clusters/prod/apps.yaml": KUSTOMIZATION("    substitute: {backend: checkout-jkt}\n"),
      "apps/kustomization.yaml": "resources: [listed/route.yaml]\npatches: [{path: patch.yaml}]\n",
      "apps/listed/route.yaml": ROUTE,
      "apps/patch.yaml": ROUTE,
      "apps/github/ingress.yaml": ROUTE,
    });
    const substituted = fluxSubstitutions(files, policy.topology).texts;
    expect([...substituted.keys()].sort()).toEqual(["apps/listed/route.yaml", "apps/patch.yaml"]);
  });

  it("a Kustomization whose path holds a kustomization is a build: its components joined to the kustomization's own, its output substituted document by document", () => {
    const files = tree({
      "clusters/prod/apps.yaml": KUSTOMIZATION("    substitute: {backend: checkout-jkt}\n").replace(
        "  path: ./apps\n",
        "  path: ./apps\n  components: [../components/db]\n",
      ),
      "apps/kustomization.yaml": "resources: [route.yaml]\ncomponents: [../components/cache]\n",
      "apps/route.yaml": ROUTE,
    });
    const builds = fluxBuilds(files, policy.topology);
    expect([...builds.keys()]).toEqual(["apps/kustomization.yaml"]);
    const build = builds.get("apps/kustomization.yaml")![0]!;
    expect(build.components).toEqual(["../components/db"]);
    expect(builtKustomization(files[1]!.text, build)).toBe(
      "resources:\n  - route.yaml\ncomponents:\n  - ../components/cache\n  - ../components/db\n",
    );
    const disabled = ROUTE.replace("metadata: {", "metadata: {annotations: {kustomize.toolkit.fluxcd.io/substitute: disabled}, ");
    expect(substituteBuild(`${ROUTE}---\n${disabled}`, build.postBuild!)).toBe(
      `${ROUTE.replace("${backend}", "checkout-jkt")}---\n${disabled}`,
    );
  });

  it("a Kustomization with only a targetNamespace is a build too: the namespace is the kustomization's", () => {
    const files = tree({
      "clusters/prod/apps.yaml":
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec:\n  path: ./apps\n  targetNamespace: shop\n  sourceRef: {kind: GitRepository, name: flux-system}\n",
      "apps/kustomization.yaml": "resources: [route.yaml]\nnamespace: other\n",
      "apps/route.yaml": ROUTE,
    });
    const builds = fluxBuilds(files, policy.topology);
    const build = settledBuilds(builds, builds)[0].get("apps/kustomization.yaml")![0]!;
    expect(build).toEqual({ components: [], patches: [], namespace: "shop" });
    expect(builtKustomization(files[1]!.text, build)).toBe("resources:\n  - route.yaml\nnamespace: shop\n");
  });

  it("one overlay built by two Kustomizations with their own variables is two builds, on both sides; built alike, one", () => {
    const cluster = (region: string) => KUSTOMIZATION(`    substitute: {region: ${region}}\n`);
    const overlay = { "apps/kustomization.yaml": "resources: [route.yaml]\n", "apps/route.yaml": ROUTE };
    const us = fluxBuilds(tree({ ...overlay, "clusters/prod-us/apps.yaml": cluster("us") }), policy.topology);
    const both = fluxBuilds(
      tree({ ...overlay, "clusters/prod-us/apps.yaml": cluster("us"), "clusters/prod-ap/apps.yaml": cluster("ap") }),
      policy.topology,
    );
    const byWhom = (builds: ReadonlyMap<string, readonly FluxBuild[]>) =>
      builds.get("apps/kustomization.yaml")!.map((build) => [build.by?.file, build.postBuild?.variables.get("region")]);
    // prod-ap's Kustomization added: prod-us's build stays the one it was at base, beside prod-ap's own.
    const [before, after] = settledBuilds(us, both);
    expect(byWhom(before)).toEqual([["clusters/prod-us/apps.yaml", "us"]]);
    expect(byWhom(after)).toEqual([
      ["clusters/prod-us/apps.yaml", "us"],
      ["clusters/prod-ap/apps.yaml", "ap"],
    ]);
    // Alike on both sides, one build, whoever builds it.
    const [alone] = settledBuilds(us, us);
    expect(byWhom(alone)).toEqual([[undefined, "us"]]);
  });

  it("each cluster's Kustomization substitutes from the ConfigMap its own cluster applies, every cluster's being flux-system/cluster-vars (probe q02: sgp's PERMISSIVE read as jkt's STRICT)", () => {
    const root = (cluster: string) =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: flux-system, namespace: flux-system}\nspec:\n  path: ./clusters/${cluster}\n  sourceRef: {kind: GitRepository, name: flux-system}\n`;
    const cluster = (name: string, backend: string) => ({
      [`clusters/${name}/flux-system/gotk-sync.yaml`]: root(name),
      [`clusters/${name}/apps.yaml`]: KUSTOMIZATION("    substituteFrom:\n    - {kind: ConfigMap, name: cluster-vars}\n"),
      [`clusters/${name}/vars.yaml`]: VARS(backend),
    });
    const overlay = { "apps/kustomization.yaml": "resources: [route.yaml]\n", "apps/route.yaml": ROUTE };
    const files = tree({ ...overlay, ...cluster("jkt", "checkout-jkt"), ...cluster("sgp", "checkout-sgp") });
    const backends = (builds: ReadonlyMap<string, readonly FluxBuild[]>) =>
      builds.get("apps/kustomization.yaml")!.map((build) => [build.by?.file, build.postBuild?.variables.get("backend")]);
    expect(backends(fluxBuilds(files, policy.topology))).toEqual([
      ["clusters/jkt/apps.yaml", "checkout-jkt"],
      ["clusters/sgp/apps.yaml", "checkout-sgp"],
    ]);
    // A cluster whose folder holds none reads none: its variables are not all known.
    const { "clusters/sgp/vars.yaml": _dropped, ...withoutSgp } = Object.fromEntries(files.map((file) => [file.path, file.text]));
    const unknownAt = unknownValuesOf(tree(withoutSgp), policy.topology, kustomizeReading(tree(withoutSgp)).includedBy);
    expect(
      fluxBuilds(tree(withoutSgp), policy.topology)
        .get("apps/kustomization.yaml")!
        .map((build) => build.postBuild?.complete),
    ).toEqual([true, false]);
    expect(unknownAt("apps/route.yaml")).toBe("unheld-source");
    // One Kustomization in a base both clusters list, each with its own values: each cluster's own, on that cluster.
    const shared = tree({
      ...overlay,
      "clusters/base/apps.yaml": KUSTOMIZATION("    substituteFrom:\n    - {kind: ConfigMap, name: cluster-vars}\n"),
      ...Object.fromEntries(
        ["jkt", "sgp"].flatMap((name) => [
          [`clusters/${name}/flux-system/gotk-sync.yaml`, root(name)],
          [`clusters/${name}/kustomization.yaml`, "resources: [../base/apps.yaml, vars.yaml, flux-system/gotk-sync.yaml]\n"],
          [`clusters/${name}/vars.yaml`, VARS(`checkout-${name}`)],
        ]),
      ),
    });
    expect(
      fluxBuilds(shared, policy.topology)
        .get("apps/kustomization.yaml")!
        .map((build) => [build.by?.site?.replace(/^.*@(.*) is applied$/, "$1"), build.postBuild?.variables.get("backend")]),
    ).toEqual([
      ["clusters/jkt/flux-system/gotk-sync.yaml", "checkout-jkt"],
      ["clusters/sgp/flux-system/gotk-sync.yaml", "checkout-sgp"],
    ]);
  });

  it("an empty kustomization is built with no fields of its own; an unreadable one is left to kustomize to refuse (carpenike/k8s-gitops crashed the review)", () => {
    const build = { components: ["../components/db"], patches: [], namespace: "shop" };
    expect(builtKustomization("", build)).toBe("components:\n  - ../components/db\nnamespace: shop\n");
    expect(builtKustomization("# nothing yet\n", build)).toBe("components:\n  - ../components/db\nnamespace: shop\n");
    expect(builtKustomization("resources: [a\n", build)).toBe("resources: [a\n");
  });

  it("an encrypted Secret or one kept in the cluster leaves its variables as written; a disabled document is not substituted", () => {
    const sops =
      "apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: flux-system}\ndata: {backend: ENC[AES256_GCM,data:x]}\nsops: {version: 3.8.1}\n";
    const encrypted = tree({
      "clusters/prod/apps.yaml": KUSTOMIZATION("    substituteFrom:\n    - {kind: Secret, name: creds}\n"),
      "clusters/prod/creds.yaml": sops,
      "apps/route.yaml": `${ROUTE}  # \${optional:=kept}\n`,
    });
    expect(fluxSubstitutions(encrypted, policy.topology).texts.get("apps/route.yaml")).toBe(`${ROUTE}  # kept\n`);
    const disabled = tree({
      "clusters/prod/apps.yaml": KUSTOMIZATION("    substitute: {backend: checkout-jkt}\n"),
      "apps/route.yaml": ROUTE.replace("metadata: {", "metadata: {annotations: {kustomize.toolkit.fluxcd.io/substitute: disabled}, "),
    });
    expect(fluxSubstitutions(disabled, policy.topology).texts.size).toBe(0);
  });

  it("a value changed in the ConfigMap moves the route it feeds, even with rendering off (gitops-istio 5c2a3a13 passed silently)", async () => {
    const side = (backend: string) =>
      tree({
        "clusters/prod/apps.yaml": KUSTOMIZATION("    substituteFrom:\n    - {kind: ConfigMap, name: cluster-vars}\n"),
        "clusters/prod/vars.yaml": VARS(backend),
        "apps/route.yaml": ROUTE,
      });
    const [base, head] = [side("checkout-jkt"), side("checkout-sgp")];
    const rendered = await renderForReview(base, head, policy, { budgetMs: 1_000, off: "turned off (test)" });
    const result = reviewChange({ base, head, rendered, policy, policySource: "test", body: "", now: NOW });
    expect(result.analysis.findings.map((finding) => [finding.class, finding.file, finding.line])).toEqual([
      ["backend.weight-changed", "apps/route.yaml", 8],
    ]);
    expect(result.analysis.findings[0]!.summary).toContain("checkout-jkt:8080 100% → removed, checkout-sgp:8080 new 100%");
  });
  describe("a folder without a kustomization that each cluster's Kustomization delivers with its own variables (probe p02)", () => {
    const PEER =
      "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: edge}\nspec:\n  mtls:\n    mode: ${MTLS_MODE}\n";
    const clusterVars = (mode: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cluster-vars, namespace: flux-system}\ndata:\n  MTLS_MODE: ${mode}\n`;
    const sides = (jkt: string, sgp: string) =>
      tree({
        "platform/edge/peer-authentication.yaml": PEER,
        ...Object.fromEntries(
          Object.entries({ jkt, sgp }).flatMap(([cluster, mode]) => [
            [
              `clusters/${cluster}/flux-system/gotk-sync.yaml`,
              `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: flux-system, namespace: flux-system}\nspec:\n  path: ./clusters/${cluster}\n  sourceRef: {kind: GitRepository, name: flux-system}\n`,
            ],
            [
              `clusters/${cluster}/edge.yaml`,
              KUSTOMIZATION("    substituteFrom:\n    - {kind: ConfigMap, name: cluster-vars}\n").replace("./apps", "./platform/edge"),
            ],
            [`clusters/${cluster}/cluster-vars.yaml`, clusterVars(mode)],
          ]),
        ),
      });
    const copy = (cluster: string) =>
      `platform/edge/(rendered for flux-system:apps in clusters:${cluster}:edge.yaml)/peer-authentication.yaml`;

    it("is one text where every Kustomization substitutes it alike, else one copy for each, kept apart on both sides", () => {
      const alike = fluxSubstitutions(sides("STRICT", "STRICT"), policy.topology);
      expect(alike.texts.get("platform/edge/peer-authentication.yaml")).toContain("mode: STRICT");
      expect(alike.apart.size).toBe(0);
      const apart = fluxSubstitutions(sides("STRICT", "PERMISSIVE"), policy.topology);
      expect(apart.texts.size).toBe(0);
      expect(
        apart.apart
          .get("platform/edge/peer-authentication.yaml")!
          .map(({ by, text, sources }) => [by.file, text.includes("PERMISSIVE"), sources]),
      ).toEqual([
        ["clusters/jkt/edge.yaml", false, ["clusters/jkt/cluster-vars.yaml"]],
        ["clusters/sgp/edge.yaml", true, ["clusters/sgp/cluster-vars.yaml"]],
      ]);
      // The base, alike, keeps the file apart too: each copy is one file at base and head.
      const [base] = settledSubstitutions(alike, apart);
      expect(base.texts.size).toBe(0);
      expect(
        base.apart
          .get("platform/edge/peer-authentication.yaml")!
          .map(({ by }) => substitutedCopy("platform/edge/peer-authentication.yaml", by)),
      ).toEqual([copy("jkt"), copy("sgp")]);
    });

    it("sgp's mode made PERMISSIVE is critical on sgp alone, at the ConfigMap; jkt's, on jkt alone (it passed, and jkt's was said of both)", async () => {
      const by = (cluster: string) =>
        ` (rendered: flux substitution platform/edge/peer-authentication.yaml for flux-system/apps in clusters/${cluster}/edge.yaml)`;
      const judged = async (base: SourceFile[], head: SourceFile[]) => {
        const rendered = await renderForReview(base, head, policy, { budgetMs: 1_000, off: "turned off (test)" });
        const result = reviewChange({ base, head, rendered, policy, policySource: "test", body: "", now: NOW });
        return result.analysis.findings.map((finding) => [
          finding.class,
          finding.risk,
          finding.file,
          finding.line,
          finding.summary.slice(finding.summary.indexOf(" (rendered")),
        ]);
      };
      expect(await judged(sides("STRICT", "STRICT"), sides("STRICT", "PERMISSIVE"))).toEqual([
        ["mtls.weakened", "critical", "clusters/sgp/cluster-vars.yaml", 5, by("sgp")],
      ]);
      expect(await judged(sides("STRICT", "STRICT"), sides("PERMISSIVE", "STRICT"))).toEqual([
        ["mtls.weakened", "critical", "clusters/jkt/cluster-vars.yaml", 5, by("jkt")],
      ]);
    });
  });

  describe("one Kustomization in a base every cluster's folder lists, each cluster with its own cluster-vars (reviewer h2e, h2f)", () => {
    const root = (cluster: string) =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: flux-system, namespace: flux-system}\nspec:\n  path: ./clusters/${cluster}\n  sourceRef: {kind: GitRepository, name: flux-system}\n`;
    const APPS = KUSTOMIZATION("    substituteFrom:\n    - {kind: ConfigMap, name: cluster-vars}\n");
    const sides = (backends: Record<string, string>, extra: Record<string, string> = {}) =>
      tree({
        "apps/route.yaml": ROUTE,
        "clusters/common/apps.yaml": APPS,
        ...Object.fromEntries(
          Object.entries(backends).flatMap(([name, backend]) => [
            [`clusters/${name}/flux-system/gotk-sync.yaml`, root(name)],
            [`clusters/${name}/kustomization.yaml`, "resources: [flux-system/gotk-sync.yaml, vars.yaml, ../common/apps.yaml]\n"],
            [`clusters/${name}/vars.yaml`, VARS(backend)],
          ]),
        ),
        ...extra,
      });
    const onCluster = (cluster: string) => `on the cluster applying clusters/${cluster}/flux-system/gotk-sync.yaml`;
    const judged = async (base: SourceFile[], head: SourceFile[]) => {
      const rendered = await renderForReview(base, head, policy, { budgetMs: 1_000, off: "turned off (test)" });
      return reviewChange({ base, head, rendered, policy, policySource: "test", body: "", now: NOW }).analysis.findings.map((finding) => [
        finding.class,
        finding.risk,
        finding.file,
        finding.summary,
      ]);
    };

    it("its clusters reading their copies apart, it substitutes each one's on that one: a copy for each, placed there alone", () => {
      const apart = fluxSubstitutions(sides({ a: "checkout-a", b: "checkout-b" }), policy.topology);
      const copies = apart.apart.get("apps/route.yaml")!;
      expect(copies.map(({ by, text }) => [substitutedCopy("apps/route.yaml", by), text.includes("checkout-b")])).toEqual([
        [
          "apps/(rendered for flux-system:apps in clusters:common:apps.yaml on the cluster applying clusters:a:flux-system:gotk-sync.yaml)/route.yaml",
          false,
        ],
        [
          "apps/(rendered for flux-system:apps in clusters:common:apps.yaml on the cluster applying clusters:b:flux-system:gotk-sync.yaml)/route.yaml",
          true,
        ],
      ]);
      // Read alike, it is one text; kept apart on the other side, one copy for each cluster there too.
      const alike = fluxSubstitutions(sides({ a: "checkout-a", b: "checkout-a" }), policy.topology);
      expect([alike.texts.has("apps/route.yaml"), alike.apart.size]).toEqual([true, 0]);
      const [base] = settledSubstitutions(alike, apart);
      expect(base.apart.get("apps/route.yaml")!.map(({ by }) => by.site)).toEqual(copies.map(({ by }) => by.site));
      // A build alike on a side is one for each cluster where the other side builds them apart.
      const overlay = { "apps/kustomization.yaml": "resources: [route.yaml]\n" };
      const [built] = settledBuilds(
        fluxBuilds(sides({ a: "checkout-a", b: "checkout-a" }, overlay), policy.topology),
        fluxBuilds(sides({ a: "checkout-a", b: "checkout-b" }, overlay), policy.topology),
      );
      expect(
        built.get("apps/kustomization.yaml")!.map((build) => [build.by?.site !== undefined, build.postBuild?.variables.get("backend")]),
      ).toEqual([
        [true, "checkout-a"],
        [true, "checkout-a"],
      ]);
    });

    it("b's values changed are b's change, at b's ConfigMap, whether a's were alike (read 'not in this tree') or already apart (passed)", async () => {
      const change = [
        "backend.weight-changed",
        "medium-high",
        "clusters/b/vars.yaml",
        `shop.example.com: checkout-c:8080 receives 100%, taken from the backends that served the flow: a cutover, not a canary's first step (checkout-b:8080 100% → removed, checkout-c:8080 new 100%) (rendered: flux substitution apps/route.yaml for flux-system/apps in clusters/common/apps.yaml ${onCluster("b")})`,
      ];
      expect(await judged(sides({ a: "checkout-a", b: "checkout-b" }), sides({ a: "checkout-a", b: "checkout-c" }))).toEqual([change]);
      expect((await judged(sides({ a: "checkout-b", b: "checkout-b" }), sides({ a: "checkout-b", b: "checkout-c" })))[0]).toEqual(change);
    });

    it("a copy placed nowhere (examples/) is not a cluster's second copy: b's edit is judged on b (reviewer h2c hid every cluster's)", async () => {
      const example = { "examples/vars.yaml": VARS("checkout-example") };
      expect(
        (await judged(sides({ a: "checkout-a", b: "checkout-b" }, example), sides({ a: "checkout-a", b: "checkout-c" }, example))).map(
          ([kind, risk, file]) => [kind, risk, file],
        ),
      ).toEqual([["backend.weight-changed", "medium-high", "clusters/b/vars.yaml"]]);
    });

    it("two copies applied on one cluster with different data fail closed, naming both, where the PR changes one (reviewer h2d: none)", async () => {
      const common = (backend: string) => ({
        "clusters/a/kustomization.yaml": "resources: [flux-system/gotk-sync.yaml, ../common/apps.yaml, ../common/vars.yaml]\n",
        "clusters/b/kustomization.yaml": "resources: [flux-system/gotk-sync.yaml, vars.yaml, ../common/apps.yaml, ../common/vars.yaml]\n",
        "clusters/common/vars.yaml": VARS(backend),
      });
      const [base, head] = [
        sides({ a: "unused", b: "checkout-b" }, common("checkout-common")),
        sides({ a: "unused", b: "checkout-c" }, common("checkout-common")),
      ];
      const { "clusters/a/vars.yaml": _a, ...baseFiles } = Object.fromEntries(base.map((file) => [file.path, file.text]));
      const { "clusters/a/vars.yaml": _h, ...headFiles } = Object.fromEntries(head.map((file) => [file.path, file.text]));
      expect(await judged(tree(baseFiles), tree(headFiles))).toEqual([
        [
          "resource.changed",
          "high",
          "clusters/b/vars.yaml",
          `Flux Kustomization flux-system/apps in clusters/common/apps.yaml ${onCluster("b")} reads ConfigMap cluster-vars differently: clusters/b/vars.yaml and clusters/common/vars.yaml both apply it there with different data, so its variables there are unknown, and so is what the change of clusters/b/vars.yaml makes of them`,
        ],
      ]);
      // Unchanged, the conflict is no finding of this PR.
      expect(await judged(tree(baseFiles), tree(baseFiles))).toEqual([]);
      // Nor is an edit beside the data (d2-fleet 69ea71fc03: a label on each flux-runtime-info): Flux substitutes what it did.
      const beside = (text: string) =>
        text.replace("namespace: flux-system}", "namespace: flux-system, labels: {reconcile.fluxcd.io/watch: Enabled}}");
      const labelled = { ...baseFiles, "clusters/b/vars.yaml": beside(baseFiles["clusters/b/vars.yaml"]!) };
      expect(await judged(tree(baseFiles), tree(labelled))).toEqual([]);
      // Its data, binaryData or namespace changed beside the label still fails closed.
      for (const edit of [
        (text: string) => text.replace("checkout-b", "checkout-c"),
        (text: string) => `${text}binaryData: {backend: Y2hlY2tvdXQtYw==}\n`,
        (text: string) => text.replace("namespace: flux-system", "namespace: shop"),
      ]) {
        const edited = { ...baseFiles, "clusters/b/vars.yaml": edit(beside(baseFiles["clusters/b/vars.yaml"]!)) };
        expect((await judged(tree(baseFiles), tree(edited))).map(([, risk, file]) => [risk, file])).toContainEqual([
          "high",
          "clusters/b/vars.yaml",
        ]);
      }
    });
  });

  it("a Kustomization removed leaves a file beside its kustomization that it never applied as written on both sides: no object changes, none is counted as deleted (samip5/k8s-cluster 71b69b843c was critical)", async () => {
    const INGRESS = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: webhook-receiver, namespace: flux-system}
spec:
  ingressClassName: nginx
  tls: [{hosts: ["flux-receiver-\${CLUSTER_NAME}.example.com"], secretName: "flux-receiver-\${CLUSTER_NAME}-tls"}]
  rules:
  - host: "flux-receiver-\${CLUSTER_NAME}.example.com"
    http: {paths: [{path: /hook, pathType: Prefix, backend: {service: {name: webhook-receiver, port: {number: 80}}}}]}
`;
    const delivered = KUSTOMIZATION("    substitute: {CLUSTER_NAME: media}\n").replace("./apps", "./apps/webhook");
    const side = (listed: string, flux: string) =>
      tree({
        "clusters/media/webhook.yaml": flux,
        "apps/webhook/kustomization.yaml": `resources: [${listed}]\n`,
        "apps/webhook/github/receiver.yaml":
          "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: receiver, namespace: flux-system}\ndata: {cluster: \${CLUSTER_NAME}}\n",
        "apps/webhook/github/ingress.yaml": INGRESS,
      });
    const findings = async (listed: string) => {
      const [base, head] = [side(listed, delivered), side(listed, "# the webhook Kustomization, commented out\n")];
      const rendered = await renderForReview(base, head, policy, { budgetMs: 1_000, off: "turned off (test)" });
      return reviewChange({ base, head, rendered, policy, policySource: "test", body: "", now: NOW }).analysis.findings;
    };
    // Rendering is off here: the kustomization left unrendered is a resource.changed of its own.
    expect((await findings("github/receiver.yaml")).map((finding) => [finding.class, finding.summary])).toEqual([
      ["resource.changed", "kustomize apps/webhook was not rendered: rendering turned off (test)"],
      ["resource.changed", "Kustomization flux-system/apps removed"],
    ]);
    // Listed, the Ingress is applied and leaves with its Kustomization (no prune: left unmanaged).
    const listed = await findings("github/receiver.yaml, github/ingress.yaml");
    expect(listed.find((finding) => finding.class === "route.attachment-changed")?.summary).toContain(
      "removed: its 1 traffic resources (Ingress flux-system/webhook-receiver) are left unmanaged",
    );
  });
  describe("a parent Kustomization's patches of the Kustomizations it delivers (onedr0p/cluster-template's cluster-apps)", () => {
    const PARENT = (patch: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: cluster-apps, namespace: flux-system}
spec:
  path: ./apps
  sourceRef: {kind: GitRepository, name: flux-system}
  patches:
  - target: {group: kustomize.toolkit.fluxcd.io, kind: Kustomization}
    patch: |-
${patch.replace(/^/gm, "      ")}
`;
    const SETTINGS =
      "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: _}\nspec:\n  postBuild:\n    substituteFrom:\n    - {kind: ConfigMap, name: cluster-vars}\n    - {kind: Secret, name: cluster-secrets}";
    const CHILD = (postBuild: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: shop, namespace: flux-system}
spec:
  path: ./shop/app
  sourceRef: {kind: GitRepository, name: flux-system}
${postBuild}`;
    const SHOP_ROUTE = ROUTE.replace("shop.example.com", '"shop.${SECRET_DOMAIN}"');
    const side = (backend: string, child: string, patch = SETTINGS) =>
      tree({
        "clusters/prod/apps.yaml": PARENT(patch),
        "clusters/prod/vars.yaml": VARS(backend),
        "apps/shop/ks.yaml": child,
        "shop/app/route.yaml": SHOP_ROUTE,
      });

    it("a child with its own postBuild reads the parent's sources too: a Secret kept in the cluster leaves its variables as written, not empty", () => {
      const substituted = fluxSubstitutions(
        side("checkout-jkt", CHILD("  postBuild:\n    substitute: {APP: shop}\n")),
        policy.topology,
      ).texts;
      expect(substituted.get("shop/app/route.yaml")).toBe(SHOP_ROUTE.replace("${backend}", "checkout-jkt"));
      // The same with JSON 6902 operations adding the postBuild.
      const operations =
        "- op: add\n  path: /spec/postBuild\n  value:\n    substituteFrom: [{kind: ConfigMap, name: cluster-vars}, {kind: Secret, name: cluster-secrets}]";
      const byOperations = fluxSubstitutions(side("checkout-jkt", CHILD(""), operations), policy.topology).texts;
      expect(byOperations.get("shop/app/route.yaml")).toBe(SHOP_ROUTE.replace("${backend}", "checkout-jkt"));
    });

    it("a parent patch that cannot be applied leaves the child's variables as written", () => {
      const failing = "- {op: replace, path: /spec/postBuild/substituteFrom/0, value: {kind: ConfigMap, name: cluster-vars}}";
      const substituted = fluxSubstitutions(
        side("checkout-jkt", CHILD("  postBuild:\n    substitute: {APP: shop}\n"), failing),
        policy.topology,
      ).texts;
      expect(substituted.get("shop/app/route.yaml")).toBeUndefined();
    });

    it("a Component of the kustomization delivering the child that patches its postBuild leaves what only its sources may hold as written (budimanjojo/home-cluster 1b3e82acb9)", () => {
      const component = `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
- target: {group: kustomize.toolkit.fluxcd.io, kind: Kustomization}
  patch: |-
${SETTINGS.replace(/^/gm, "    ")}
`;
      const files = (patching: string, more: Record<string, string> = {}) =>
        tree({
          "clusters/prod/apps.yaml": PARENT("- {op: add, path: /spec/interval, value: 1h}"),
          "apps/kustomization.yaml": "resources: [shop/ks.yaml]\ncomponents: [../components/settings]\n",
          "components/settings/kustomization.yaml": patching,
          "apps/shop/ks.yaml": CHILD("  postBuild:\n    substitute: {APP: shop}\n"),
          "shop/app/route.yaml": SHOP_ROUTE.replace("${backend}", "${APP}"),
          ...more,
        });
      // Its own `substitute` still applies; `${SECRET_DOMAIN}` is not emptied.
      expect(fluxSubstitutions(files(component), policy.topology).texts.get("shop/app/route.yaml")).toBe(
        SHOP_ROUTE.replace("${backend}", "shop"),
      );
      // The same through a patch file the component names; a component patching nothing of the kind leaves the child's sources known.
      const byFile = files(
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n- path: settings.yaml\n  target: {kind: Kustomization}\n",
        { "components/settings/settings.yaml": SETTINGS },
      );
      expect(fluxSubstitutions(byFile, policy.topology).texts.get("shop/app/route.yaml")).toBe(SHOP_ROUTE.replace("${backend}", "shop"));
      const unrelated = component.replace(SETTINGS.replace(/^/gm, "    "), "    - {op: add, path: /spec/wait, value: true}");
      expect(fluxSubstitutions(files(unrelated), policy.topology).texts.get("shop/app/route.yaml")).toBe(
        SHOP_ROUTE.replace("${backend}", "shop").replace("${SECRET_DOMAIN}", ""),
      );
    });

    it("a child gaining its own postBuild changes nothing; a value changed in the parent's ConfigMap still moves the child's route (kochhaus-home bb33b15d3)", async () => {
      const review = async (base: SourceFile[], head: SourceFile[]) => {
        const rendered = await renderForReview(base, head, policy, { budgetMs: 1_000, off: "turned off (test)" });
        return reviewChange({ base, head, rendered, policy, policySource: "test", body: "", now: NOW }).analysis.findings.map((finding) => [
          finding.class,
          finding.risk,
          finding.file,
        ]);
      };
      const withVariables = CHILD("  postBuild:\n    substitute: {APP: shop}\n");
      expect(await review(side("checkout-jkt", CHILD("")), side("checkout-jkt", withVariables))).toEqual([
        ["resource.changed", "low", "apps/shop/ks.yaml"],
      ]);
      expect(await review(side("checkout-jkt", withVariables), side("checkout-sgp", withVariables))).toEqual([
        // Every request moves to the new backend: a cutover.
        ["backend.weight-changed", "medium-high", "shop/app/route.yaml"],
      ]);
    });
  });
});
