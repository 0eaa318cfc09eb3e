import { describe, expect, it } from "vitest";
import { dataSourcesIn, withoutUnreadGenerators } from "../../src/render/unread-generators.js";

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
    expect([...dataSourcesIn([release, flux])]).toEqual(["ConfigMap web-values"]);
    expect([...dataSourcesIn([release, flux, undefined], { substitutions: true })]).toEqual([
      "ConfigMap web-values",
      "Secret cluster-secrets",
    ]);
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
});
