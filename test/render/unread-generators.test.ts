import { describe, expect, it } from "vitest";
import { dataSourcesIn, readsObject, withoutUnreadGenerators } from "../../src/render/unread-generators.js";

const texts = (files: Record<string, string>): ReadonlyMap<string, string> => new Map(Object.entries(files));
const names = (fields: Readonly<Record<string, unknown>>) =>
  [...(fields.configMapGenerator as { name: string }[]), ...((fields.secretGenerator as { name: string }[] | undefined) ?? [])].map(
    (generator) => generator.name,
  );

describe("dataSourcesIn: the ConfigMaps and Secrets releases and substitutions read", () => {
  const release =
    "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web}\nspec:\n  valuesFrom: [{kind: ConfigMap, name: web-values}]\n";
  const flux =
    "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps}\nspec:\n  postBuild: {substituteFrom: [{kind: Secret, name: cluster-secrets}]}\n";

  it("reads valuesFrom, and substituteFrom only when asked", () => {
    expect(dataSourcesIn([release, flux])).toEqual([{ kind: "ConfigMap", name: "web-values" }]);
    expect(dataSourcesIn([release, flux, undefined], { substitutions: true })).toEqual([
      { kind: "ConfigMap", name: "web-values" },
      { kind: "Secret", name: "cluster-secrets" },
    ]);
  });

  it("a name holding a Flux variable, substituted after the build, may be any of its kind", () => {
    const templated = release.replace(
      "valuesFrom: [{kind: ConfigMap, name: web-values}]",
      "valuesFrom:\n  - kind: ConfigMap\n    name: ${APP}-values",
    );
    expect(dataSourcesIn([templated])).toEqual([{ kind: "ConfigMap" }]);
    expect(readsObject(dataSourcesIn([templated]), "ConfigMap", "checkout-values")).toBe(true);
    expect(readsObject(dataSourcesIn([templated]), "Secret", "checkout-values")).toBe(false);
    expect(readsObject(dataSourcesIn([release]), "ConfigMap", "checkout-values")).toBe(false);
  });
});

describe("withoutUnreadGenerators: the generators whose object may reach traffic config (h3mmy/bloopySphere 3ce734cc59)", () => {
  const fields = {
    configMapGenerator: [
      { name: "snmp-exporter", files: ["snmp.yaml=snmp.yml"] },
      { name: "web-values", files: ["values.yaml"] },
      { name: "istio", files: ["mesh=mesh.yaml"] },
      { name: "istio-canary", envs: ["mesh.env"] },
    ],
    secretGenerator: [{ name: "tls", files: ["tls.crt"] }],
  };
  const tree = texts({
    "apps/web/release.yaml":
      "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web}\nspec:\n  valuesFrom: [{kind: ConfigMap, name: prod-web-values}]\n",
    "apps/mesh/mesh.env": "mesh=defaultConfig\n",
  });

  it("keeps those a release reads (under a prefix), istiod's mesh ConfigMap by name and keys (env files too), and a hashed Secret", () => {
    expect(names(withoutUnreadGenerators(fields, "apps/mesh", [tree]))).toEqual(["web-values", "istio", "istio-canary", "tls"]);
  });

  it("an unhashed Secret is read by none; `configurations` keep them all", () => {
    const unhashed = { ...fields, generatorOptions: { disableNameSuffixHash: true } };
    expect(names(withoutUnreadGenerators(unhashed, "apps/mesh", [tree]))).toEqual(["web-values", "istio", "istio-canary"]);
    const configured = { ...fields, configurations: ["names.yaml"] };
    expect(withoutUnreadGenerators(configured, "apps/mesh", [tree])).toBe(configured);
  });

  it("a reader on either side counts", () => {
    const other = { configMapGenerator: [{ name: "snmp-exporter", files: ["snmp.yml"] }] };
    const reading = texts({
      "apps/snmp/ks.yaml":
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: snmp}\nspec:\n  postBuild: {substituteFrom: [{kind: ConfigMap, name: snmp-exporter}]}\n",
    });
    expect(names(withoutUnreadGenerators(other, "apps/snmp", [texts({})]))).toEqual([]);
    expect(names(withoutUnreadGenerators(other, "apps/snmp", [texts({}), reading]))).toEqual(["snmp-exporter"]);
  });

  it("a release reading values from a name holding a Flux variable (`${APP}-values`) may read any generator of its kind", () => {
    const templated = texts({
      "components/app/release.yaml":
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: ${APP}\nspec:\n  valuesFrom:\n  - kind: ConfigMap\n    name: ${APP}-values\n",
    });
    expect(names(withoutUnreadGenerators(fields, "apps/mesh", [templated]))).toEqual([
      "snmp-exporter",
      "web-values",
      "istio",
      "istio-canary",
      "tls",
    ]);
  });
});

describe("withoutUnreadGenerators: what kustomize copies from one object into another reads it", () => {
  const generated = {
    configMapGenerator: [
      { name: "route-settings", envs: ["route.env"] },
      { name: "dashboards", files: ["d.json"] },
    ],
  };
  const kept = (files: Record<string, string>) => names(withoutUnreadGenerators(generated, "app/base", [texts(files)]));
  const component = (body: string) => ({
    "app/comp/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n${body}`,
  });
  const targets = "  targets: [{select: {kind: HTTPRoute, name: checkout}, fieldPaths: [spec.rules.0.backendRefs.0.name]}]\n";

  it("a Component's or an overlay's replacements whose source is the generated object, or is not pinned", () => {
    expect(kept({})).toEqual([]);
    const replacing = (source: string) => component(`replacements:\n- source: ${source}\n${targets}`);
    expect(kept(replacing("{kind: ConfigMap, name: route-settings, fieldPath: data.BACKEND}"))).toEqual(["route-settings"]);
    expect(kept(replacing("{kind: Deployment, name: route-settings, fieldPath: metadata.name}"))).toEqual([]);
    expect(kept(replacing("{name: prod-route-settings, fieldPath: data.BACKEND}"))).toEqual(["route-settings"]);
    expect(kept(replacing("{kind: ConfigMap, fieldPath: data.BACKEND}"))).toEqual(["route-settings", "dashboards"]);
    // An overlay's, and one in a file it names; a file the tree lacks may copy from anything.
    const overlay = { "app/kustomization.yaml": "resources: [base]\nreplacements:\n- path: replace.yaml\n" };
    const file = `source: {kind: ConfigMap, name: route-settings, fieldPath: data.BACKEND}\n${targets.trimStart()}`;
    expect(kept({ ...overlay, "app/replace.yaml": file })).toEqual(["route-settings"]);
    expect(kept({ ...overlay, "app/replace.yaml": `- ${file.replace(/\n(?=.)/, "\n  ")}` })).toEqual(["route-settings"]);
    expect(kept(overlay)).toEqual(["route-settings", "dashboards"]);
  });

  it("vars, a ReplacementTransformer, a transformer plugin or a remote Component; not a builtin that copies nothing", () => {
    const vars = component("vars:\n- name: BACKEND\n  objref: {kind: ConfigMap, name: dashboards, apiVersion: v1}\n");
    expect(kept(vars)).toEqual(["dashboards"]);
    const transforming = (config: string) => ({
      "app/kustomization.yaml": "resources: [base]\ntransformers: [transformer.yaml]\n",
      "app/transformer.yaml": config,
    });
    const replacement = `apiVersion: builtin\nkind: ReplacementTransformer\nmetadata: {name: copy}\nreplacements:\n- source: {kind: ConfigMap, name: route-settings, fieldPath: data.BACKEND}\n${targets}`;
    expect(kept(transforming(replacement))).toEqual(["route-settings"]);
    expect(kept(transforming("apiVersion: builtin\nkind: LabelTransformer\nmetadata: {name: team}\nlabels: {team: shop}\n"))).toEqual([]);
    expect(kept(transforming("apiVersion: example.com/v1\nkind: Copier\nmetadata: {name: copy}\n"))).toEqual([
      "route-settings",
      "dashboards",
    ]);
    expect(kept({ "app/kustomization.yaml": "resources: [base]\ncomponents: [github.com/acme/components/copy?ref=v1]\n" })).toEqual([
      "route-settings",
      "dashboards",
    ]);
  });
});
