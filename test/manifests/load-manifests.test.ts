import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lineOf } from "../../src/manifests/field-line.js";
import { createManifestCache, loadManifests, releaseReads } from "../../src/manifests/load-manifests.js";
import { defaultYamlLimits } from "../../src/manifests/yaml-documents.js";
import { isReviewedPath } from "../../src/sources/folder-source.js";
import { displayName } from "../../src/core/resource.js";

const file = (path: string, ...lines: string[]) => ({ path, text: `${lines.join("\n")}\n` });

const route = (name: string, namespace?: string, apiVersion = "gateway.networking.k8s.io/v1") => [
  `apiVersion: ${apiVersion}`,
  "kind: HTTPRoute",
  "metadata:",
  `  name: ${name}`,
  ...(namespace ? [`  namespace: ${namespace}`] : []),
  "spec:",
  "  rules:",
  "  - backendRefs:",
  "    - name: checkout-jkt",
  "      weight: 90",
  "      port: 8080",
  "    - name: checkout-sgp",
  "      weight: 10",
  "      port: 8080",
];

const keys = (set: ReturnType<typeof loadManifests>) => [...set.resources.keys()];

describe("identity: group/kind/namespace/name, never the apiVersion", () => {
  it.each([
    "gateway.networking.k8s.io/v1",
    "gateway.networking.k8s.io/v1beta1",
    "gateway.networking.k8s.io/v1-custom",
    "gateway.networking.k8s.io/" + "v1".padEnd(40, "0"),
  ])("keeps the apiVersion %s as written (only its string is shared)", (apiVersion) => {
    const set = loadManifests([file("a.yaml", ...route("checkout", "shop", apiVersion))]);
    const resource = set.resources.get("gateway.networking.k8s.io/HTTPRoute/shop/checkout");
    expect([resource?.apiVersion, resource?.body.apiVersion, resource?.body.kind, resource?.id.kind]).toEqual([
      apiVersion,
      apiVersion,
      "HTTPRoute",
      "HTTPRoute",
    ]);
  });

  it("keeps a core kind's apiVersion as written", () => {
    const set = loadManifests([
      file(
        "svc.yaml",
        "apiVersion: v1",
        "kind: Service",
        "metadata: {name: db, namespace: shop}",
        "spec: {type: ExternalName, externalName: db.example.com}",
      ),
    ]);
    expect([...set.resources.values()].map((resource) => [resource.key, resource.apiVersion])).toEqual([["/Service/shop/db", "v1"]]);
  });

  it('keys a namespaced resource by its namespace, "default" when it names none', () => {
    const set = loadManifests([file("a.yaml", ...route("checkout", "shop"), "---", ...route("web"))]);
    expect(keys(set)).toEqual(["gateway.networking.k8s.io/HTTPRoute/shop/checkout", "gateway.networking.k8s.io/HTTPRoute/default/web"]);
  });

  it("keys a cluster-scoped resource with an empty namespace", () => {
    const set = loadManifests([
      file(
        "class.yaml",
        "apiVersion: gateway.networking.k8s.io/v1",
        "kind: GatewayClass",
        "metadata:",
        "  name: gke-l7-rilb-mc",
        "  namespace: ignored",
        "spec:",
        "  controllerName: networking.gke.io/gateway",
      ),
    ]);
    expect(keys(set)).toEqual(["gateway.networking.k8s.io/GatewayClass//gke-l7-rilb-mc"]);
  });

  it("keeps the key across an apiVersion bump", () => {
    const base = loadManifests([file("r.yaml", ...route("checkout", "shop", "gateway.networking.k8s.io/v1beta1"))]);
    const head = loadManifests([file("r.yaml", ...route("checkout", "shop"))]);
    expect(keys(base)).toEqual(keys(head));
    expect(head.resources.get(keys(head)[0] ?? "")?.apiVersion).toBe("gateway.networking.k8s.io/v1");
  });

  it("reads labels, annotations, family and the whole document", () => {
    const set = loadManifests([
      file(
        "vs.yaml",
        "apiVersion: networking.istio.io/v1",
        "kind: VirtualService",
        "metadata:",
        "  name: reviews",
        "  labels: {app: reviews}",
        "  annotations: {owner: team-a}",
        "spec:",
        "  hosts: [reviews]",
        "  extra: {kept: true}",
      ),
    ]);
    const resource = set.resources.get("networking.istio.io/VirtualService/default/reviews");
    expect(resource).toMatchObject({
      family: "istio",
      labels: { app: "reviews" },
      annotations: { owner: "team-a" },
      body: { spec: { hosts: ["reviews"], extra: { kept: true } } },
      source: { file: "vs.yaml", line: 1 },
    });
  });

  it("reads an empty field as an absent one, as Kubernetes does", () => {
    const set = loadManifests([
      file(
        "r.yaml",
        "apiVersion: gateway.networking.k8s.io/v1",
        "kind: HTTPRoute",
        "metadata:",
        "  name: web",
        "  namespace:",
        "spec:",
        "  hostnames:",
      ),
    ]);
    expect(keys(set)).toEqual(["gateway.networking.k8s.io/HTTPRoute/default/web"]);
    expect(set.invalid).toEqual([]);
  });

  it("recognises the legacy networking.x-k8s.io Gateway API with its forwardTo weights", () => {
    const set = loadManifests([
      file(
        "route.yaml",
        "kind: HTTPRoute",
        "apiVersion: networking.x-k8s.io/v1alpha1",
        "metadata: {name: store, namespace: store}",
        "spec:",
        "  rules:",
        "  - forwardTo:",
        "    - backendRef: {group: net.gke.io, kind: ServiceImport, name: store-v1}",
        "      port: 8080",
        "      weight: 80",
      ),
    ]);
    expect(set.resources.get("networking.x-k8s.io/HTTPRoute/store/store")?.family).toBe("legacy-gateway-api");
  });
});

describe("a List's items are read as kubectl applies them, each the object it is", () => {
  it("reads the traffic items of a `kind: List` (or a typed `…List`), their lines within the list", () => {
    const indented = (lines: string[]) => lines.map((line, index) => `${index === 0 ? "- " : "  "}${line}`);
    const list = (kind: string) =>
      file(
        "exported.yaml",
        "apiVersion: v1",
        `kind: ${kind}`,
        "items:",
        "- apiVersion: apps/v1",
        "  kind: Deployment",
        "  metadata: {name: web}",
        ...indented(route("checkout", "shop")),
      );
    for (const kind of ["List", "HTTPRouteList"]) {
      const set = loadManifests([list(kind)]);
      expect(keys(set)).toEqual(["gateway.networking.k8s.io/HTTPRoute/shop/checkout"]);
      const resource = set.resources.get("gateway.networking.k8s.io/HTTPRoute/shop/checkout")!;
      expect(resource.body).toMatchObject({ spec: { rules: [{ backendRefs: [{ name: "checkout-jkt", weight: 90 }, { weight: 10 }] }] } });
      expect(lineOf(resource.source, ["spec", "rules", 0, "backendRefs", 1, "weight"])).toBe(19);
    }
  });
});

describe("what is not traffic is ignored silently", () => {
  it("ignores other kinds, files that are neither YAML nor JSON, and YAML that is not Kubernetes", () => {
    const set = loadManifests([
      file(
        "svc.yaml",
        "apiVersion: v1",
        "kind: Service",
        "metadata: {name: web}",
        "---",
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata: {name: web}",
      ),
      file("release.yaml", "apiVersion: helm.toolkit.fluxcd.io/v2", "kind: HelmRelease", "metadata: {name: podinfo}"),
      file("kustomization.yaml", "resources: [a.yaml]"),
      file("broken-deployment.yaml", "apiVersion: apps/v1", "kind: Deployment", "metadata: {name: [unclosed"),
      file("chart/templates/deploy.yaml", "apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: {{ .Release.Name }}"),
      file(".github/workflows/ci.yml", "on: push", "jobs: {}"),
      file("route.txt", '{"apiVersion": "gateway.networking.k8s.io/v1"}'),
    ]);
    expect(set.resources.size).toBe(0);
    expect(set.invalid).toEqual([]);
    expect(set.files).toEqual([
      "svc.yaml",
      "release.yaml",
      "kustomization.yaml",
      "broken-deployment.yaml",
      "chart/templates/deploy.yaml",
      ".github/workflows/ci.yml",
    ]);
  });
});

describe("a typed field written as a Flux variable the tree does not resolve is unknown, not invalid", () => {
  const weighted = (stable: string, canary: string) =>
    file(
      "apps/prod/foo.yaml",
      "apiVersion: gateway.networking.k8s.io/v1",
      "kind: HTTPRoute",
      "metadata: {name: foo, namespace: shop}",
      "spec:",
      "  rules:",
      "  - backendRefs:",
      "    - name: foo-v1",
      "      port: 8080",
      `      weight: ${stable}`,
      "    - name: foo-v2",
      "      port: 8080",
      `      weight: ${canary}`,
    );

  it("reads the route with the variable's field unset, and keeps the variable as written (an app repository's `${CANARY_WEIGHT}`)", () => {
    const set = loadManifests([weighted("${STABLE_WEIGHT:=90}", "${CANARY_WEIGHT}")]);
    expect(set.invalid).toEqual([]);
    const route = set.resources.get("gateway.networking.k8s.io/HTTPRoute/shop/foo")!;
    expect(route.body.spec).toMatchObject({
      rules: [
        {
          backendRefs: [
            { name: "foo-v1", port: 8080 },
            { name: "foo-v2", port: 8080 },
          ],
        },
      ],
    });
    expect(JSON.stringify(route.body)).not.toContain("weight");
    expect(route.unresolved).toEqual([
      { path: ["spec", "rules", 0, "backendRefs", 0, "weight"], expression: "${STABLE_WEIGHT:=90}" },
      { path: ["spec", "rules", 0, "backendRefs", 1, "weight"], expression: "${CANARY_WEIGHT}" },
    ]);
  });

  it("a string that is no whole variable, or one beside another problem, is still invalid", () => {
    expect(loadManifests([weighted("90", "ten")]).invalid).toHaveLength(1);
    expect(loadManifests([weighted("${A}", "w${B}")]).invalid).toHaveLength(1);
  });

  it("a document that opts out of Flux's substitution is applied as written, and refused: still invalid", () => {
    const route = weighted("${A}", "${B}");
    const disabled = {
      ...route,
      text: route.text.replace("namespace: shop}", "namespace: shop, annotations: {kustomize.toolkit.fluxcd.io/substitute: disabled}}"),
    };
    expect(loadManifests([disabled]).invalid).toHaveLength(1);
  });
});

describe("what cannot be read is an invalid manifest with file and line, never an exception", () => {
  it("refuses a name or namespace the API server refuses, and names nothing so that the object stays as it was", () => {
    const long = `checkout-${"a".repeat(255)}`;
    const set = loadManifests([
      file("upper.yaml", ...route("Checkout", "shop")),
      file("underscore.yaml", ...route("checkout_api", "shop")),
      file("long.yaml", ...route(long, "shop")),
      file("namespace.yaml", ...route("web", "Shop.prod")),
      // A Service's name is a DNS-1035 label: no leading digit.
      file(
        "service.yaml",
        "apiVersion: v1",
        "kind: Service",
        "metadata: {name: 1db}",
        "spec: {type: ExternalName, externalName: db.example.com}",
      ),
    ]);
    expect(set.invalid).toEqual([
      {
        file: "upper.yaml",
        line: 4,
        message: `HTTPRoute shop/Checkout: metadata.name: "Checkout" is not a DNS-1123 subdomain (lowercase a-z, 0-9, '-' and '.', alphanumeric at both ends, at most 253 characters): the API server refuses the object`,
      },
      expect.objectContaining({ file: "underscore.yaml", line: 4 }),
      expect.objectContaining({
        file: "long.yaml",
        line: 4,
        message: expect.stringContaining("(264 characters) is not a DNS-1123 subdomain"),
      }),
      expect.objectContaining({
        file: "namespace.yaml",
        line: 5,
        message: expect.stringContaining('metadata.namespace: "Shop.prod" is not a DNS-1123 label'),
      }),
      expect.objectContaining({ file: "service.yaml", line: 3, message: expect.stringContaining('"1db" is not a DNS-1035 label') }),
    ]);
    expect(set.invalid.filter((item) => item.resource)).toEqual([]);
  });

  it("reads names a Flux substitution or kustomize makes, and a kustomization's own name, as written", () => {
    const set = loadManifests([
      file("route.yaml", ...route("checkout-${CLUSTER_NAME}", "${APP_NAMESPACE}")),
      file(
        "kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1",
        "kind: Kustomization",
        "metadata: {name: My_App}",
        "resources: [route.yaml]",
      ),
      file("v.yaml", ...route("a.b-c.d1", "shop")),
    ]);
    expect(set.invalid).toEqual([]);
    expect(keys(set)).toHaveLength(3);
  });

  it("refuses a document that clearly means a traffic object kubectl would refuse: a near-miss kind, a lost apiVersion, a sequence of objects", () => {
    const set = loadManifests([
      file("plural.yaml", ...route("web").map((line) => line.replace("kind: HTTPRoute", "kind: HTTPRoutes"))),
      file(
        "case.yaml",
        "apiVersion: networking.istio.io/v1",
        "kind: virtualservice",
        "metadata: {name: reviews}",
        "spec: {hosts: [reviews]}",
      ),
      file("space.yaml", ...route("web").map((line) => line.replace("kind: HTTPRoute", 'kind: "HTTPRoute "'))),
      file("headless.yaml", "kind: VirtualService", "metadata: {name: reviews}", "spec: {hosts: [reviews]}"),
      file("list.yaml", ...route("web").map((line, i) => (i === 0 ? `- ${line}` : `  ${line}`))),
    ]);
    expect(set.invalid).toEqual([
      {
        file: "plural.yaml",
        line: 2,
        message: 'kind "HTTPRoutes" is not a kind of gateway.networking.k8s.io (HTTPRoute?): kubectl and Flux refuse the apply',
      },
      expect.objectContaining({ file: "case.yaml", line: 2, message: expect.stringContaining("(VirtualService?)") }),
      expect.objectContaining({ file: "space.yaml", line: 2, message: expect.stringContaining("(HTTPRoute?)") }),
      { file: "headless.yaml", line: 1, message: "VirtualService: apiVersion: required, expected string" },
      {
        file: "list.yaml",
        line: 1,
        message: "a sequence of objects (HTTPRoute first), not one object: kubectl and kustomize refuse it (a `kind: List` holds several)",
      },
    ]);
    expect(keys(set)).toEqual([]);
  });

  it("does not refuse kinds of traffic groups it does not model, a kustomization without a header, or a JSON patch", () => {
    const set = loadManifests([
      file(
        "sidecar.yaml",
        "apiVersion: networking.istio.io/v1",
        "kind: Sidecar",
        "metadata: {name: default}",
        "spec: {egress: [{hosts: ['./*']}]}",
      ),
      file("grpc.yaml", "apiVersion: gateway.networking.k8s.io/v1", "kind: BackendTrafficPolicy", "metadata: {name: p}", "spec: {}"),
      file("kustomization.yaml", "kind: Kustomization", "metadata: {name: app}", "resources: [route.yaml]"),
      file("patch.yaml", "- op: replace", "  path: /spec/rules/0/backendRefs/0/weight", "  value: 50"),
      file("values.yaml", "- name: gateway", "  kind: Gateway"),
    ]);
    expect(set.invalid).toEqual([]);
  });

  it("reports a traffic document that does not parse at the line of the error, and keeps its neighbours", () => {
    const set = loadManifests([
      file(
        "routes.yaml",
        ...route("first"),
        "---",
        "apiVersion: gateway.networking.k8s.io/v1",
        "kind: HTTPRoute",
        "metadata:",
        "  name: [broken",
        "---",
        ...route("last"),
      ),
    ]);
    expect(keys(set)).toEqual(["gateway.networking.k8s.io/HTTPRoute/default/first", "gateway.networking.k8s.io/HTTPRoute/default/last"]);
    expect(set.invalid).toHaveLength(1);
    expect(set.invalid[0]).toMatchObject({ file: "routes.yaml", line: 18 });
    expect(set.invalid[0]?.message).toMatch(/^HTTPRoute: YAML: /);
  });

  it("reports a schema error with the field's path and line, naming the resource", () => {
    const text = route("checkout", "shop").map((line) => line.replace("weight: 10", 'weight: "10"'));
    const set = loadManifests([file("routes.yaml", ...text)]);
    expect(set.resources.size).toBe(0);
    expect(set.invalid).toEqual([
      {
        file: "routes.yaml",
        line: 13,
        message: "HTTPRoute shop/checkout: spec.rules[0].backendRefs[1].weight: expected number, received string",
        resource: { group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "shop", name: "checkout" },
      },
    ]);
  });

  it.each([
    ["a weight above 1,000,000", "weight: 10", "weight: 1000001", "weight: Too big: expected number to be <=1000000"],
    ["a fractional weight", "weight: 10", "weight: 1.5", "weight: expected integer, received number"],
    [
      "an unknown path match type",
      "  - backendRefs:",
      "  - matches: [{path: {type: Prefix}}]\n    backendRefs:",
      "spec.rules[0].matches[0].path.type: Invalid option",
    ],
  ])("rejects %s", (_, from, to, expected) => {
    const text = route("checkout").map((line) => line.replace(from, to));
    expect(loadManifests([file("r.yaml", ...text)]).invalid[0]?.message).toContain(expected);
  });

  it("rejects a reference to a Service without a port, as the CRD's own rule does; another kind may leave it out", () => {
    const withoutPort = route("checkout").filter((line, index, lines) => !(line === "      port: 8080" && lines.indexOf(line) === index));
    expect(loadManifests([file("r.yaml", ...withoutPort)]).invalid[0]?.message).toContain(
      "spec.rules[0].backendRefs[0].port: required when the reference is to a Service",
    );
    const imported = withoutPort.map((line) =>
      line === "    - name: checkout-jkt" ? "    - {group: multicluster.x-k8s.io, kind: ServiceImport, name: checkout-jkt}" : line,
    );
    expect(loadManifests([file("r.yaml", ...imported.filter((line) => line !== "      weight: 90"))]).invalid).toEqual([]);
  });

  it("reports a traffic resource without a name", () => {
    const set = loadManifests([
      file("vs.yaml", "apiVersion: networking.istio.io/v1", "kind: VirtualService", "metadata: {namespace: shop}"),
    ]);
    expect(set.invalid).toEqual([
      { file: "vs.yaml", line: 3, message: "VirtualService (unnamed): metadata.name: required, expected string" },
    ]);
  });

  it("reports a Helm or Go template as a template at the line of its first {{", () => {
    const set = loadManifests([
      file(
        "chart/templates/route.yaml",
        "apiVersion: gateway.networking.k8s.io/v1",
        "kind: HTTPRoute",
        "metadata:",
        "  name: {{ .Release.Name }}",
      ),
      file("chart/templates/vs.yaml", "apiVersion: {{ .Values.istioApi }}", "kind: VirtualService", "metadata: {name: web}"),
    ]);
    expect(set.invalid).toEqual([
      { file: "chart/templates/route.yaml", line: 4, message: 'HTTPRoute: template: render it before review ("{{" at line 4)' },
      { file: "chart/templates/vs.yaml", line: 1, message: 'VirtualService: template: render it before review ("{{" at line 1)' },
    ]);
  });

  const rollout = (...podSpec: string[]) => [
    "apiVersion: argoproj.io/v1alpha1",
    "kind: Rollout",
    "metadata: {name: checkout, namespace: shop}",
    "spec:",
    "  selector: {matchLabels: {app: checkout}}",
    "  template:",
    "    metadata:",
    "      labels: {app: checkout}",
    "      annotations:",
    "        vault.hashicorp.com/agent-inject-template-db: |",
    '          {{- with secret "database/creds/checkout" -}}',
    "          postgres://{{ .Data.username }}@db",
    "          {{- end }}",
    "    spec:",
    ...podSpec,
    "  strategy:",
    "    canary:",
    "      steps: [{setWeight: 10}, {pause: {}}]",
  ];

  it("reads a document whose placeholders are only another tool's data: a Rollout's pod template, a free-text annotation, an Application's Helm values", () => {
    const set = loadManifests([
      file(
        "rollout.yaml",
        ...rollout("      containers:", "      - name: checkout", "        env: [{name: LOG_FORMAT, value: '{{.Time}} {{.Level}}'}]"),
      ),
      file(
        "route.yaml",
        "apiVersion: gateway.networking.k8s.io/v1",
        "kind: HTTPRoute",
        "metadata:",
        "  name: web",
        '  annotations: {docs: "see {{ wiki }} page"}',
        "spec: {}",
      ),
      file(
        "app.yaml",
        "apiVersion: argoproj.io/v1alpha1",
        "kind: Application",
        "metadata: {name: edge, namespace: argocd}",
        "spec:",
        "  destination: {server: https://kubernetes.default.svc, namespace: edge}",
        "  source:",
        "    repoURL: https://charts.example.com",
        "    chart: edge-routes",
        "    targetRevision: 1.2.0",
        '    helm: {valuesObject: {hostTemplate: "{{ .Release.Name }}.example.com"}}',
      ),
    ]);
    expect(set.invalid).toEqual([]);
    expect(keys(set)).toEqual([
      "argoproj.io/Rollout/shop/checkout",
      "gateway.networking.k8s.io/HTTPRoute/default/web",
      "argoproj.io/Application/argocd/edge",
    ]);
    expect(set.resources.get("gateway.networking.k8s.io/HTTPRoute/default/web")?.annotations).toEqual({ docs: "see {{ wiki }} page" });
  });

  it("still refuses a placeholder the review reads, or one that is YAML syntax rather than text in a string", () => {
    const set = loadManifests([
      file(
        "rollout.yaml",
        ...rollout("      containers: [{name: checkout}]").map((line) => line.replace("setWeight: 10", "setWeight: '{{ .w }}'")),
      ),
      file(
        "route.yaml",
        "apiVersion: gateway.networking.k8s.io/v1",
        "kind: HTTPRoute",
        "metadata:",
        "  name: web",
        '  annotations: {"external-dns.alpha.kubernetes.io/hostname": "{{ .host }}", docs: "{{ wiki }}"}',
        "spec: {}",
      ),
      // A flow mapping where the pod template's annotations go: not text, though within data.
      file(
        "split.yaml",
        "apiVersion: networking.istio.io/v1",
        "kind: VirtualService",
        "metadata: {name: reviews}",
        "spec:",
        "  hosts: [reviews]",
        "  http:",
        "  - route:",
        "    - destination: {host: reviews}",
        "      headers: {{ .Values.headers }}",
      ),
    ]);
    expect(set.invalid).toEqual([
      { file: "rollout.yaml", line: 18, message: 'Rollout: template: render it before review ("{{" at line 18)' },
      { file: "route.yaml", line: 5, message: 'HTTPRoute: template: render it before review ("{{" at line 5)' },
      { file: "split.yaml", line: 9, message: 'VirtualService: template: render it before review ("{{" at line 9)' },
    ]);
  });

  it("reads {{ }} that is not an unrendered template: ApplicationSet placeholders, kustomize patches, comments", () => {
    const set = loadManifests([
      file(
        "appset.yaml",
        "apiVersion: argoproj.io/v1alpha1",
        "kind: ApplicationSet",
        "metadata: {name: routes, namespace: argocd}",
        "spec:",
        "  generators: [{clusters: {}}]",
        "  template:",
        "    metadata: {name: '{{name}}-routes'}",
        "    spec: {destination: {server: '{{server}}'}}",
      ),
      file("route.yaml", "# rendered from {{ .Values.route }}", ...route("web")),
      // A script fills the placeholder after kustomize: kustomize itself carries it as a string (microservices-demo 06c4af7).
      file(
        "memorystore/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1alpha1",
        "kind: Component",
        "patches:",
        "- patch: |-",
        "    apiVersion: apps/v1",
        "    kind: Deployment",
        "    metadata: {name: cartservice}",
        '    spec: {template: {spec: {containers: [{name: server, env: [{name: REDIS_ADDR, value: "{{REDIS_ADDR}}"}]}]}}}',
      ),
    ]);
    expect(set.invalid).toEqual([]);
    expect(keys(set)).toEqual([
      "argoproj.io/ApplicationSet/argocd/routes",
      "gateway.networking.k8s.io/HTTPRoute/default/web",
      "kustomize.config.k8s.io/Component//kustomization",
    ]);
  });

  it("refuses an alias bomb in a traffic document quickly", () => {
    const rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level < 9; level++) {
      const [previous, name] = [String.fromCharCode(96 + level), String.fromCharCode(97 + level)];
      rows.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${previous}`).join(",")}]`);
    }
    const started = performance.now();
    const set = loadManifests([
      file(
        "bomb.yaml",
        "apiVersion: networking.istio.io/v1",
        "kind: VirtualService",
        "metadata: {name: bomb}",
        "spec:",
        ...rows.map((row) => `  ${row}`),
      ),
    ]);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(set.invalid[0]?.message).toContain("alias bomb");
  });

  it("bounds alias expansion per file: forty documents each under the limit are not forty times the work (issue 12, 17)", () => {
    // Each document expands to about 141,000 nodes (five levels of nine aliases), under the
    // 200,000-node limit alone; 14 KB of them would expand to 5.6 million.
    const document = (index: number) => [
      "---",
      "apiVersion: gateway.networking.k8s.io/v1",
      "kind: HTTPRoute",
      `metadata: {name: r${index}, namespace: shop}`,
      "spec:",
      "  hostnames: [shop.example.com]",
      "  a: &a [x,x,x,x,x,x,x,x,x]",
      "  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
      "  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
      "  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
      "  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
      "  f: [*e]",
    ];
    const lines = Array.from({ length: 40 }, (_, index) => document(index)).flat();
    expect(lines.join("\n").length).toBeLessThan(15_000);
    const set = loadManifests([file("bombs.yaml", ...lines)]);
    expect(keys(set)).toEqual(["gateway.networking.k8s.io/HTTPRoute/shop/r0"]);
    expect(set.invalid).toHaveLength(39);
    expect(set.invalid[0]?.message).toContain(
      `the file's documents expand to more than ${defaultYamlLimits.maxNodes} nodes through their aliases`,
    );
  });

  it("refuses absurd nesting", () => {
    const deep = Array.from({ length: 200 }, (_, depth) => `${"  ".repeat(depth + 1)}k${depth}:`).join("\n");
    const set = loadManifests([
      file("deep.yaml", "apiVersion: networking.istio.io/v1", "kind: VirtualService", "metadata: {name: deep}", "spec:", `${deep} leaf`),
    ]);
    expect(set.invalid[0]?.message).toContain("maxDepth");
  });

  it("refuses an oversize traffic file and ignores an oversize file that is not traffic", () => {
    const padding = `# ${"x".repeat(defaultYamlLimits.maxFileBytes)}`;
    const set = loadManifests([
      file("big-route.yaml", ...route("big"), padding),
      file("big-configmap.yaml", "apiVersion: v1", "kind: ConfigMap", padding),
    ]);
    expect(set.invalid).toHaveLength(1);
    expect(set.invalid[0]).toMatchObject({ file: "big-route.yaml", line: 1 });
    expect(set.invalid[0]?.message).toContain("bound");
  });

  it("refuses a traffic file that is not UTF-8 at the line of its first bad byte, and ignores one that is not traffic (probe E05)", () => {
    // Bytes that are not UTF-8 as a source keeps them (core/source-file.ts manifestText): a Latin-1 comment.
    const set = loadManifests([
      file("checkout.yaml", "# owner: payments", "# propri\uDCE9taire: \uDCE9quipe paiement", ...route("checkout")),
      file("notes.yaml", "apiVersion: v1", "kind: ConfigMap", "data: {owner: \uDCE9quipe}"),
    ]);
    expect(set.invalid).toEqual([
      {
        file: "checkout.yaml",
        line: 2,
        message: "file is not UTF-8 (byte 0xE9 on line 2)",
      },
    ]);
    expect(set.resources.size).toBe(0);
  });
});

describe("keys across clusters and files", () => {
  it("scopes a resource to the cluster its file is applied to", () => {
    const scopeOf = (path: string) => /^clusters\/([^/]+)\//.exec(path)?.[1];
    const set = loadManifests(
      [file("clusters/jkt/route.yaml", ...route("checkout", "shop")), file("clusters/sgp/route.yaml", ...route("checkout", "shop"))],
      { scopeOf },
    );
    expect(keys(set)).toEqual([
      "gateway.networking.k8s.io/HTTPRoute/shop/checkout@jkt",
      "gateway.networking.k8s.io/HTTPRoute/shop/checkout@sgp",
    ]);
  });

  it("adds the file path to every occurrence of a key declared in several files, and only then", () => {
    const set = loadManifests([
      file("a/route.yaml", ...route("checkout", "shop")),
      file("b/route.yaml", ...route("checkout", "shop")),
      file("c/route.yaml", ...route("web", "shop")),
    ]);
    expect(keys(set)).toEqual([
      "gateway.networking.k8s.io/HTTPRoute/shop/checkout@a/route.yaml",
      "gateway.networking.k8s.io/HTTPRoute/shop/checkout@b/route.yaml",
      "gateway.networking.k8s.io/HTTPRoute/shop/web",
    ]);
  });

  it("keeps the later of two documents of one identity in one file, as kubectl applies them, and says so", () => {
    const later = route("checkout").map((line) => line.replace("weight: 90", "weight: 50").replace("weight: 10", "weight: 50"));
    const set = loadManifests([file("route.yaml", ...route("checkout"), "---", ...later)]);
    expect(keys(set)).toEqual(["gateway.networking.k8s.io/HTTPRoute/default/checkout"]);
    expect(set.resources.get("gateway.networking.k8s.io/HTTPRoute/default/checkout")?.body.spec).toMatchObject({
      rules: [{ backendRefs: [{ weight: 50 }, { weight: 50 }] }],
    });
    expect(set.invalid).toEqual([
      {
        file: "route.yaml",
        line: 4,
        message: `HTTPRoute default/checkout: defined twice in this file: kubectl applies the later document (line ${route("checkout").length + 5}), which this review uses`,
        resource: { group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "default", name: "checkout" },
      },
    ]);
  });
});

/** Small excerpts of real public files (test/fixtures/real/README.md). */
const real = (name: string) => readFileSync(new URL(`../fixtures/real/${name}`, import.meta.url), "utf8");

describe("what names traffic config but is not traffic config never gates, and is listed as skipped", () => {
  it("reads a GitHub Actions workflow with `${{ }}` and line continuations as the YAML it is, not a template (fluxcd's e2e workflow)", () => {
    const set = loadManifests([{ path: ".github/workflows/e2e.yaml", text: real("flux-e2e-workflow.yaml") }]);
    expect(set.invalid).toEqual([]);
    expect(set.resources.size).toBe(0);
  });

  it("lists a workflow that names a traffic group, with its reason", () => {
    const text = `${real("flux-e2e-workflow.yaml")}      - name: Install Gateway API
        run: kubectl wait --for condition=established crd/httproutes.gateway.networking.k8s.io
`;
    const set = loadManifests([{ path: ".github/workflows/e2e.yaml", text }]);
    expect(set.invalid).toEqual([]);
    expect(set.skipped).toEqual([
      { file: ".github/workflows/e2e.yaml", line: 1, reason: "not a Kubernetes object: no apiVersion and kind" },
    ]);
  });

  it("skips a Helm chart template beside its Chart.yaml without reading it, whatever kind it shows (linkerd's multicluster chart)", () => {
    const chart = "multicluster/charts/linkerd-multicluster";
    const set = loadManifests([
      file(`${chart}/Chart.yaml`, "apiVersion: v2", "name: linkerd-multicluster"),
      { path: `${chart}/templates/service-mirror-policy.yaml`, text: real("linkerd-multicluster-policy-template.yaml") },
      file(
        `${chart}/templates/route.yaml`,
        "apiVersion: gateway.networking.k8s.io/v1",
        "kind: HTTPRoute",
        "metadata:",
        "  name: {{ .Release.Name }}",
      ),
    ]);
    expect(set.invalid).toEqual([]);
    expect(set.skipped).toEqual([
      { file: `${chart}/templates/service-mirror-policy.yaml`, line: 4, reason: "Helm chart template: not rendered" },
      { file: `${chart}/templates/route.yaml`, line: 4, reason: "Helm chart template: not rendered" },
    ]);
  });

  it("lists a chart template with no placeholder where the other side's version holds one (linde/gke-multi-cluster-examples a81d4882ed)", () => {
    const chart = "charts-src/app";
    const files = [file(`${chart}/Chart.yaml`, "apiVersion: v2", "name: app"), file(`${chart}/templates/route.yaml`, ...route("serve"))];
    const templated = loadManifests(files, { templatedElsewhere: (path) => path === `${chart}/templates/route.yaml` });
    expect(keys(templated)).toEqual([]);
    expect(templated.skipped).toEqual([{ file: `${chart}/templates/route.yaml`, line: 1, reason: "Helm chart template: not rendered" }]);
    // Outside a chart the other side says nothing: the file is read as written.
    expect(keys(loadManifests([file("deploy/route.yaml", ...route("serve"))], { templatedElsewhere: () => true }))).toEqual([
      "gateway.networking.k8s.io/HTTPRoute/default/serve",
    ]);
  });

  it("reads kinds known by their text in JSON and flow style too: a Namespace, an Istio chart's HelmRelease", () => {
    const set = loadManifests([
      file("ns.json", JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } }, null, 2)),
      file("flow.yaml", "{apiVersion: v1, kind: Namespace, metadata: {name: web}}"),
      file(
        "istiod.json",
        JSON.stringify({
          apiVersion: "helm.toolkit.fluxcd.io/v2",
          kind: "HelmRelease",
          metadata: { name: "istiod", namespace: "istio-system" },
          spec: { chart: { spec: { chart: "istiod", sourceRef: { kind: "HelmRepository", name: "istio" } } } },
        }),
      ),
    ]);
    expect(keys(set)).toEqual(["/Namespace//shop", "/Namespace//web", "helm.toolkit.fluxcd.io/HelmRelease/istio-system/istiod"]);
  });

  it("skips an Ansible role's Jinja template beside the role's tasks (kiali/demos abb95ab6), not one outside a role", () => {
    const namespace = [
      "apiVersion: v1",
      "kind: Namespace",
      "metadata:",
      '  name: "{{ item }}"',
      "  labels:",
      '    istio-injection: "enabled"',
    ];
    const role = "scale-mesh/playbooks/roles/scale-mesh";
    const set = loadManifests([
      file(`${role}/tasks/main.yml`, "- name: create namespaces", "  k8s: { definition: \"{{ lookup('template', 'namespace.yml') }}\" }"),
      file(`${role}/templates/namespace.yml`, ...namespace),
      file("other/roles/lonely/templates/namespace.yml", ...namespace),
    ]);
    expect(set.skipped).toEqual([{ file: `${role}/templates/namespace.yml`, line: 4, reason: "Ansible role template: not rendered" }]);
    expect(set.invalid.map((item) => item.file)).toEqual(["other/roles/lonely/templates/namespace.yml"]);
  });

  it("still refuses the same traffic template outside a chart: it is meant to be applied as it is", () => {
    const set = loadManifests([
      file(
        "deploy/templates/route.yaml",
        "apiVersion: gateway.networking.k8s.io/v1",
        "kind: HTTPRoute",
        "metadata:",
        "  name: {{ .Release.Name }}",
      ),
    ]);
    expect(set.invalid).toEqual([
      { file: "deploy/templates/route.yaml", line: 4, message: 'HTTPRoute: template: render it before review ("{{" at line 4)' },
    ]);
  });

  it("reads an Argo Rollouts AnalysisTemplate whose `{{args}}` are its own data: a resource, not an unrendered template", () => {
    const set = loadManifests([
      { path: "test/e2e/functional/analysistemplate.yaml", text: real("argo-rollouts-analysis-template-args.yaml") },
    ]);
    expect(set.invalid).toEqual([]);
    expect(set.skipped).toEqual([]);
    expect([...set.resources.keys()]).toEqual(["argoproj.io/AnalysisTemplate/default/web-background-inconclusive"]);
  });

  it("skips a CRD whose schema names traffic groups, even one only go-yaml's indentation rules read (Istio's generated CRDs)", () => {
    const set = loadManifests([{ path: "crds/istio.yaml", text: real("istio-gateway-crd-wrapped-description.yaml") }]);
    expect(set.invalid).toEqual([]);
    expect(set.skipped).toEqual([
      { file: "crds/istio.yaml", line: 1, reason: "not a traffic kind: CustomResourceDefinition (apiextensions.k8s.io/v1)" },
    ]);
  });

  it("skips a kustomize JSON6902 patch file (a YAML sequence of operations)", () => {
    const set = loadManifests([
      file(
        "overlays/prod/route-patch.yaml",
        "- op: replace",
        "  path: /spec/parentRefs/0",
        "  value: {group: gateway.networking.k8s.io, kind: Gateway, name: external}",
      ),
    ]);
    expect(set.invalid).toEqual([]);
    expect(set.skipped).toEqual([
      { file: "overlays/prod/route-patch.yaml", line: 1, reason: "not a Kubernetes object: a sequence (a JSON patch?)" },
    ]);
  });

  it("skips a document that does not parse and declares no traffic kind, however it names a group", () => {
    const set = loadManifests([file("notes.yaml", "title: gateway.networking.k8s.io migration", "steps: [unclosed")]);
    expect(set.invalid).toEqual([]);
    expect(set.skipped).toEqual([{ file: "notes.yaml", line: 2, reason: expect.stringMatching(/^YAML: .*; declares no traffic kind$/) }]);
  });

  it("refuses a document that does not parse but declares a traffic kind, in block or flow style", () => {
    const set = loadManifests([
      file("block.yaml", "apiVersion: networking.istio.io/v1", "kind: VirtualService", "metadata: {name: [broken"),
      file("flow.yaml", '{"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "web"', "oops"),
      file("escaped.yaml", 'apiVersion: "gateway\x2enetworking.k8s.io/v1"', "kind: HTTPRoute", "spec: [broken"),
    ]);
    expect(set.invalid.map((item) => item.file)).toEqual(["block.yaml", "flow.yaml", "escaped.yaml"]);
    expect(set.skipped).toEqual([]);
  });

  it("does not list a file that holds traffic config beside other documents", () => {
    const set = loadManifests([
      file(
        "app.yaml",
        ...route("web"),
        "---",
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        "  name: web",
        "  annotations: {cert-manager.io/cluster-issuer: letsencrypt}",
      ),
    ]);
    expect(keys(set)).toEqual(["gateway.networking.k8s.io/HTTPRoute/default/web"]);
    expect(set.skipped).toEqual([]);
  });
});

describe("Istio mesh settings", () => {
  it("reads an IstioOperator without metadata, as `istioctl install -f` does, named by its file (Anthos Service Mesh samples)", () => {
    const text = real("asm-istiooperator-without-metadata.yaml");
    const set = loadManifests([{ path: "docs/mtls-egress-ingress/client/features.yaml", text }]);
    expect(set.invalid).toEqual([]);
    const resource = set.resources.get("install.istio.io/IstioOperator/default/(unnamed) in docs/mtls-egress-ingress/client/features.yaml");
    expect(resource).toMatchObject({ family: "istio-mesh", id: { name: "(unnamed) in docs/mtls-egress-ingress/client/features.yaml" } });
    // Shown as what it is, not as a name in its namespace: istioctl keeps it in the cluster as `installed-state`.
    expect(displayName(resource!.id)).toBe("IstioOperator (unnamed) in docs/mtls-egress-ingress/client/features.yaml");
    expect(resource?.body).not.toHaveProperty("metadata");
    // The same text in another file is another operator: each file installs its own.
    expect(
      keys(
        loadManifests([
          { path: "cluster1.yaml", text },
          { path: "cluster2.yaml", text },
        ]),
      ),
    ).toEqual([
      "install.istio.io/IstioOperator/default/(unnamed) in cluster1.yaml",
      "install.istio.io/IstioOperator/default/(unnamed) in cluster2.yaml",
    ]);
    // Two in one file are numbered in order, beside a key another file shares (keyed by file then).
    const twice = `${text}\n---\n${text}`;
    expect(keys(loadManifests([{ path: "mesh.yaml", text: twice }]))).toEqual([
      "install.istio.io/IstioOperator/default/(unnamed) in mesh.yaml",
      "install.istio.io/IstioOperator/default/(unnamed) in mesh.yaml#2",
    ]);
    expect(
      keys(
        loadManifests([
          { path: "mesh.yaml", text: twice },
          file("a/route.yaml", ...route("checkout")),
          file("b/route.yaml", ...route("checkout")),
        ]),
      ),
    ).toEqual([
      "install.istio.io/IstioOperator/default/(unnamed) in mesh.yaml",
      "install.istio.io/IstioOperator/default/(unnamed) in mesh.yaml#2",
      "gateway.networking.k8s.io/HTTPRoute/default/checkout@a/route.yaml",
      "gateway.networking.k8s.io/HTTPRoute/default/checkout@b/route.yaml",
    ]);
  });

  it("reads the Sail Operator's profiles, Istio documents without metadata, named by their file (sail-operator a0e563b)", () => {
    const profile = file("resources/v1.29.0/profiles/empty.yaml", "apiVersion: sailoperator.io/v1", "kind: Istio", "spec: {}");
    const set = loadManifests([
      profile,
      file("mesh/istio.yaml", "apiVersion: sailoperator.io/v1", "kind: Istio", "metadata: {name: default}"),
    ]);
    expect(set.invalid).toEqual([]);
    expect(keys(set)).toEqual([
      "sailoperator.io/Istio//(unnamed) in resources/v1.29.0/profiles/empty.yaml",
      "sailoperator.io/Istio//default",
    ]);
  });

  it("still requires a name of kinds that are not installed from a file", () => {
    const set = loadManifests([file("vs.yaml", "apiVersion: networking.istio.io/v1", "kind: VirtualService", "spec: {hosts: [a]}")]);
    expect(set.invalid[0]?.message).toBe("VirtualService (unnamed): metadata: required, expected object");
  });

  it("reads an IstioOperator as mesh settings", () => {
    const set = loadManifests([
      file(
        "operator.yaml",
        "apiVersion: install.istio.io/v1alpha1",
        "kind: IstioOperator",
        "metadata: {name: control-plane, namespace: istio-system}",
        "spec:",
        "  meshConfig: {trustDomain: corp.example}",
        "  values:",
        "    global: {meshID: mesh1, network: net-jkt, multiCluster: {clusterName: jkt-prod-1}}",
      ),
    ]);
    expect(set.resources.get("install.istio.io/IstioOperator/istio-system/control-plane")?.family).toBe("istio-mesh");
  });

  it("reads Helm values as one pseudo-resource per file, by content or by the meshValues globs", () => {
    const set = loadManifests(
      [
        file("istio/values-jkt.yaml", "global:", "  meshID: mesh1", "  network: net-jkt"),
        file("mesh/declared.yaml", "pilot: {autoscaleEnabled: false}"),
        file("app/values.yaml", "replicaCount: 2", "global: {imageRegistry: gcr.io}"),
        // istiod's values with a MeshConfig and no identity keys: its mTLS and egress settings are mesh config too.
        file("helm/istiod/values.yaml", "pilot: {autoscaleMin: 2}", "meshConfig:", "  enableAutoMtls: true"),
      ],
      { meshValues: ["mesh/*.yaml"] },
    );
    expect([...set.resources.values()].map((resource) => [resource.key, resource.family])).toEqual([
      ["install.istio.io/IstioValues//istio/values-jkt.yaml", "istio-mesh"],
      ["install.istio.io/IstioValues//mesh/declared.yaml", "istio-mesh"],
      ["install.istio.io/IstioValues//helm/istiod/values.yaml", "istio-mesh"],
    ]);
  });

  it("reports mesh values of the wrong type", () => {
    const set = loadManifests([file("values.yaml", "meshConfig:", "  trustDomain: [a, b]"), file("mesh/list.yaml", "- a")], {
      meshValues: ["mesh/**"],
    });
    expect(set.invalid).toEqual([
      { file: "values.yaml", line: 2, message: "Istio values: meshConfig.trustDomain: expected string, received array" },
      { file: "mesh/list.yaml", line: 1, message: "Istio values: expected a mapping, found a sequence" },
    ]);
  });
});

describe("a Flux HelmRelease of a chartRef is read by the family that reads its chart, as its tree's source says", () => {
  const source = (kind: string, spec: string, namespace = "flux-system") =>
    `apiVersion: source.toolkit.fluxcd.io/v1\nkind: ${kind}\nmetadata: {name: charts, namespace: ${namespace}}\nspec: ${spec}\n`;
  const release = (name: string, ref = "{kind: OCIRepository, name: charts, namespace: flux-system}") =>
    `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: ${name}, namespace: apps}\nspec:\n  chartRef: ${ref}\n  values: {}\n`;
  const read = (tree: Record<string, string>) =>
    [...loadManifests(Object.entries(tree).map(([path, text]) => ({ path, text }))).resources.values()].map(
      (resource) => `${resource.family} ${resource.id.kind} ${resource.id.name}`,
    );

  it("k8gb's or istiod's artifact, or a HelmChart of k8gb, wherever in the tree the source is", () => {
    const k8gb = source("OCIRepository", "{url: oci://ghcr.io/k8gb-io/charts/k8gb}");
    expect(read({ "sources/k8gb.yaml": k8gb, "apps/k8gb.yaml": release("k8gb") })).toEqual(["dns HelmRelease k8gb"]);
    // A source in a file the policy's paths leave out still says what the release installs, as it does to the render stage.
    const files = Object.entries({ "sources/k8gb.yaml": k8gb, "apps/k8gb.yaml": release("k8gb") }).map(([path, text]) => ({ path, text }));
    const scoped = loadManifests(files, { reviews: (path) => path.startsWith("apps/") });
    expect([...scoped.resources.values()].map((resource) => resource.family)).toEqual(["dns"]);
    const istiod = source("OCIRepository", "{url: oci://gcr.io/istio-release/charts/istiod/}");
    expect(read({ "apps/istiod.yaml": `${istiod}---\n${release("istiod")}` })).toEqual(["istio-mesh HelmRelease istiod"]);
    const chart = source("HelmChart", "{chart: k8gb, sourceRef: {kind: HelmRepository, name: k8gb}}");
    expect(
      read({ "sources/k8gb.yaml": chart, "apps/k8gb.yaml": release("k8gb", "{kind: HelmChart, name: charts, namespace: flux-system}") }),
    ).toEqual(["dns HelmRelease k8gb"]);
  });

  it("nothing of another chart, of a source the tree does not hold or holds in another namespace, nor the sources themselves", () => {
    const appTemplate = source("OCIRepository", "{url: oci://ghcr.io/bjw-s-labs/helm/app-template}");
    expect(read({ "sources/app.yaml": appTemplate, "apps/web.yaml": release("web") })).toEqual([]);
    expect(read({ "apps/k8gb.yaml": release("k8gb") })).toEqual([]);
    const elsewhere = source("OCIRepository", "{url: oci://ghcr.io/k8gb-io/charts/k8gb}", "other");
    expect(read({ "sources/k8gb.yaml": elsewhere, "apps/k8gb.yaml": release("k8gb") })).toEqual([]);
  });
});

describe("source lines of fields", () => {
  it("gives the file line of a field of a document deep in a file", () => {
    const set = loadManifests([file("routes.yaml", "# header", ...route("first"), "---", ...route("second"))]);
    const second = set.resources.get("gateway.networking.k8s.io/HTTPRoute/default/second");
    expect(second?.source.line).toBe(15);
    expect(second && lineOf(second.source, ["spec", "rules", 0, "backendRefs", 1, "weight"])).toBe(27);
  });

  it("reads a document a byte order mark opens (two files saved with one, concatenated) at its own lines (probe E17, E18)", () => {
    const [first, second] = [route("first"), route("second")].map((lines) => `\uFEFF${lines.join("\n")}\n`);
    const weightLines = (text: string) => {
      const set = loadManifests([{ path: "routes.yaml", text }]);
      expect(set.invalid).toEqual([]);
      return [...set.resources.values()].map((resource) => [
        resource.id.name,
        lineOf(resource.source, ["spec", "rules", 0, "backendRefs", 1, "weight"]),
      ]);
    };
    expect(weightLines(first + "---\n" + second)).toEqual([
      ["first", 12],
      ["second", 26],
    ]);
    expect(weightLines(`---\n${second}--- # cart\r\n${first}`)).toEqual([
      ["second", 13],
      ["first", 27],
    ]);
  });
});

describe("the cache: one parse per distinct file text", () => {
  it("reads a file unchanged between base and head once", () => {
    const cache = createManifestCache();
    const unchanged = file("a.yaml", ...route("checkout"));
    const base = loadManifests([unchanged, file("b.yaml", ...route("web"))], { cache });
    const head = loadManifests([unchanged, file("b.yaml", ...route("web").map((line) => line.replace("90", "80")))], { cache });
    const key = "gateway.networking.k8s.io/HTTPRoute/default/checkout";
    expect(head.resources.get(key)?.body).toBe(base.resources.get(key)?.body);
    expect(cache.reads.size).toBe(3);
  });

  it("is one change's: emptied once both trees are read, unless kept across changes", () => {
    const files = [file("a.yaml", ...route("checkout"))];
    const once = createManifestCache();
    const kept = createManifestCache({ acrossChanges: true });
    loadManifests(files, { cache: once });
    loadManifests(files, { cache: kept });
    releaseReads(once);
    releaseReads(kept);
    expect([once.reads.size, once.resources.size]).toEqual([0, 0]);
    expect([kept.reads.size, kept.resources.size]).toEqual([1, 1]);
  });

  it("gives the same resources with and without a cache", () => {
    const files = [file("a.yaml", ...route("checkout")), file("b.yaml", ...route("checkout"))];
    const cache = createManifestCache();
    loadManifests(files, { cache });
    expect(loadManifests(files, { cache })).toEqual(loadManifests(files));
  });
});

describe("a document is read by what it parses to, never by how its header lines look", () => {
  const body = ["metadata: {name: hidden, namespace: shop}", "spec:", "  rules:", "  - backendRefs: [{name: checkout-tyo, port: 8080}]"];
  const hiddenKey = "gateway.networking.k8s.io/HTTPRoute/shop/hidden";

  it.each([
    ["a tag", ["apiVersion: !!str gateway.networking.k8s.io/v1", "kind: !!str HTTPRoute", ...body]],
    ["an anchor", ["apiVersion: gateway.networking.k8s.io/v1", "kind: &k HTTPRoute", ...body]],
    ["quoted keys", ['"apiVersion": gateway.networking.k8s.io/v1', "'kind': HTTPRoute", ...body]],
    [
      "a flow mapping",
      [
        "{apiVersion: gateway.networking.k8s.io/v1, kind: HTTPRoute, metadata: {name: hidden, namespace: shop}, spec: {rules: [{backendRefs: [{name: checkout-tyo, port: 8080}]}]}}",
      ],
    ],
    ["an escaped group", ['apiVersion: "gateway\\x2enetworking.k8s.io/v1"', "kind: HTTPRoute", ...body]],
  ])("finds an HTTPRoute written with %s", (_how, lines) => {
    const set = loadManifests([file("extra.yaml", ...lines)]);
    expect(set.invalid).toEqual([]);
    expect(keys(set)).toEqual([hiddenKey]);
  });

  it("reads as kubectl does, never skips, a traffic document whose fake `kind: ConfigMap` line sits in a wrapped string", () => {
    const set = loadManifests([
      file(
        "extra.yaml",
        "apiVersion: !!str gateway.networking.k8s.io/v1",
        "kind: !!str HTTPRoute",
        "metadata:",
        "  name: evil",
        "  annotations:",
        '    description: "Route for',
        "kind: ConfigMap",
        '      the shop"',
        "spec: {}",
      ),
    ]);
    expect(keys(set)).toEqual(["gateway.networking.k8s.io/HTTPRoute/default/evil"]);
    expect(set.resources.get("gateway.networking.k8s.io/HTTPRoute/default/evil")?.annotations).toEqual({
      description: "Route for kind: ConfigMap the shop",
    });
  });

  it("refuses, never skips, a traffic document whose fake `kind: ConfigMap` line breaks the parse", () => {
    const set = loadManifests([
      file(
        "extra.yaml",
        "apiVersion: !!str gateway.networking.k8s.io/v1",
        "kind: !!str HTTPRoute",
        "metadata:",
        "  name: evil",
        "  annotations:",
        "    description: [Route for",
        "kind: ConfigMap",
        "spec: {}",
      ),
    ]);
    expect(set.resources.size).toBe(0);
    expect(set.skipped).toEqual([]);
    expect(set.invalid).toEqual([
      { file: "extra.yaml", line: 7, message: expect.stringMatching(/^traffic document: YAML: .*\(line 7, column \d+\)$/) },
    ]);
  });

  it('refuses, never skips, a traffic document that repeats its kind (`kind: ConfigMap`, then `"kind": HTTPRoute`)', () => {
    const set = loadManifests([
      file("extra.yaml", "apiVersion: gateway.networking.k8s.io/v1", "kind: ConfigMap", '"kind": HTTPRoute', ...body),
    ]);
    expect(set.resources.size).toBe(0);
    expect(set.invalid).toEqual([{ file: "extra.yaml", line: 3, message: expect.stringContaining("duplicated mapping key") }]);
  });

  it("still skips, unparsed, a document that names no traffic group, whatever its kind line says", () => {
    const set = loadManifests([file("cm.yaml", "apiVersion: v1", "kind: HTTPRoute", "metadata: {name: [unclosed")]);
    expect(set.resources.size).toBe(0);
    expect(set.invalid).toEqual([]);
  });

  it("reads a weight with a leading zero as the octal Kubernetes reads (0100 is 64)", () => {
    const set = loadManifests([file("r.yaml", ...route("checkout", "shop").map((line) => line.replace("weight: 90", "weight: 0100")))]);
    const resource = set.resources.get("gateway.networking.k8s.io/HTTPRoute/shop/checkout");
    expect(resource?.body).toMatchObject({ spec: { rules: [{ backendRefs: [{ weight: 64 }, { weight: 10 }] }] } });
  });

  it("refuses an oversized file that declares a traffic kind, by file, with no size it cannot know", () => {
    const text = `apiVersion: v1\nkind: Service\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n# ${"x".repeat(defaultYamlLimits.maxFileBytes)}`;
    expect(loadManifests([{ path: "huge.yaml", text }]).invalid).toEqual([
      { file: "huge.yaml", line: 1, message: "file is over the 2097152-byte bound for YAML: refused" },
    ]);
  });

  it("refuses an oversized file whose traffic document comes after the parse bound (a vendored bundle's CRDs first)", () => {
    const text = `apiVersion: v1\nkind: ConfigMap\ndata: {blob: "${"x".repeat(defaultYamlLimits.maxFileBytes)}"}\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\n`;
    expect(loadManifests([{ path: "bundle.yaml", text }]).invalid).toEqual([
      { file: "bundle.yaml", line: 1, message: "file is over the 2097152-byte bound for YAML: refused" },
    ]);
  });

  it("lists as skipped, never refuses, an oversized file that only names a traffic group (an install bundle of CRDs)", () => {
    const text = `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: {group: gateway.networking.k8s.io}\n# ${"x".repeat(defaultYamlLimits.maxFileBytes)}`;
    const set = loadManifests([{ path: "install.yaml", text }]);
    expect(set.invalid).toEqual([]);
    expect(set.skipped).toEqual([
      {
        file: "install.yaml",
        line: 1,
        reason: "file is over the 2097152-byte bound for YAML: refused, and no document in it declares a traffic kind",
      },
    ]);
  });
});

describe("documents that cannot be read are told apart by their headers, however written", () => {
  const invalid = (path: string, text: string) => loadManifests([{ path, text }]).invalid.map((entry) => entry.file);
  it("a pretty-printed JSON traffic document, indented and quoted, that does not parse is refused (kubectl reads a duplicated key)", () => {
    const json = `{\n  "apiVersion": "gateway.networking.k8s.io/v1",\n  "kind": "HTTPRoute",\n  "metadata": {"name": "r", "name": "s"}\n}\n`;
    expect(invalid("r.json", json)).toEqual(["r.json"]);
  });

  it("a List whose items are traffic documents is refused when it does not parse", () => {
    const list =
      "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: gateway.networking.k8s.io/v1\n    kind: HTTPRoute\n    spec: {a: 1, a: 2}\n";
    expect(invalid("list.yaml", list)).toEqual(["list.yaml"]);
    // An indented kind line in YAML that is no List is a nested field: not a header.
    expect(invalid("cm.yaml", "apiVersion: v1\nkind: ConfigMap\ndata:\n  kind: HTTPRoute\n  x: [unclosed\n")).toEqual([]);
  });
});

describe("JSON manifests are reviewed like YAML", () => {
  it("reads a JSON traffic document, and the folder reader and loader take .json files", () => {
    const rollout = JSON.stringify(
      {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Rollout",
        metadata: { name: "checkout", namespace: "shop" },
        spec: { strategy: { canary: { steps: [{ setWeight: 20 }] } } },
      },
      null,
      2,
    );
    const set = loadManifests([{ path: "apps/checkout/rollout.json", text: rollout }]);
    expect(keys(set)).toEqual(["argoproj.io/Rollout/shop/checkout"]);
    expect(isReviewedPath("apps/checkout/rollout.json")).toBe(true);
    expect(isReviewedPath("apps/checkout/Kustomization")).toBe(true);
  });

  it("never gates on package.json, a tsconfig.json with comments or a renovate.json that names a traffic group", () => {
    const set = loadManifests([
      { path: "package.json", text: JSON.stringify({ name: "app", scripts: { test: "vitest" } }, null, 2) },
      { path: "tsconfig.json", text: '{\n  // strict mode\n  "compilerOptions": { "strict": true },\n}\n' },
      { path: "renovate.json", text: JSON.stringify({ packageRules: [{ matchPackageNames: ["gateway.networking.k8s.io"] }] }) },
    ]);
    expect(set.invalid).toEqual([]);
    expect(set.resources.size).toBe(0);
    expect(set.skipped).toEqual([{ file: "renovate.json", line: 1, reason: "not a Kubernetes object: no apiVersion and kind" }]);
  });
});
