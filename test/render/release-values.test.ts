import { describe, expect, it } from "vitest";
import { configData, readsAt, releaseValues } from "../../src/render/release-values.js";
import type { SourceFile } from "../../src/core/source-file.js";

const configMap = (name: string, values: string, namespace = "shop") =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}${namespace ? `, namespace: ${namespace}` : ""}}\ndata:\n  values.yaml: |\n${values
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n")}\n`;
const tree = (files: Record<string, string>): SourceFile[] => Object.entries(files).map(([path, text]) => ({ path, text }));
const from = (name: string, extra: Record<string, unknown> = {}) => ({ kind: "ConfigMap", name, ...extra });
/** The reviews-traffic ConfigMap merged, read from one file. */
const traffic = (weight: number, file: string) => ({
  kind: "ConfigMap",
  name: "reviews-traffic",
  key: "values.yaml",
  values: { weight },
  file,
  whole: false,
});

describe("a HelmRelease's valuesFrom, read where the repository holds the sources", () => {
  it("merges the sources in order, then spec.values on top, mappings key by key", () => {
    const files = tree({
      "apps/common.yaml": configMap("common", "route: {enabled: true, weight: 10}\nreplicas: 2"),
      "apps/prod.yaml": configMap("prod", "route: {weight: 90}"),
    });
    expect(releaseValues(files, "shop", [from("common"), from("prod")], { replicas: 3 })).toEqual({
      values: { route: { enabled: true, weight: 90 }, replicas: 3 },
      inputs: ["apps/common.yaml", "apps/prod.yaml"],
      // Each source merged, in order, with the file holding its text: where a family points a finding about a value.
      sources: [
        {
          kind: "ConfigMap",
          name: "common",
          key: "values.yaml",
          values: { route: { enabled: true, weight: 10 }, replicas: 2 },
          file: "apps/common.yaml",
          whole: false,
        },
        { kind: "ConfigMap", name: "prod", key: "values.yaml", values: { route: { weight: 90 } }, file: "apps/prod.yaml", whole: false },
      ],
    });
  });

  it("a ConfigMap a kustomization generates from a values file beside it, with its files as inputs", () => {
    const files = tree({
      "apps/kustomization.yaml":
        "resources: [hr.yaml]\nconfigMapGenerator:\n- name: shop-values\n  files: [values.yaml, extra=more.yaml]\n",
      "apps/values.yaml": "route: {weight: 30}\n",
      "apps/more.yaml": "ignored: true\n",
    });
    expect(releaseValues(files, "shop", [from("shop-values")], undefined)).toEqual({
      values: { route: { weight: 30 } },
      inputs: ["apps/kustomization.yaml", "apps/more.yaml", "apps/values.yaml"],
      // The key's text is the values file the generator read: a finding points into it.
      sources: [
        {
          kind: "ConfigMap",
          name: "shop-values",
          key: "values.yaml",
          values: { route: { weight: 30 } },
          file: "apps/values.yaml",
          whole: true,
        },
      ],
    });
  });

  it("a valuesKey and a targetPath", () => {
    const files = tree({
      "apps/cm.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {host: shop.example.com, other.yaml: 'a: 1'}\n",
    });
    expect(releaseValues(files, "shop", [from("settings", { valuesKey: "host", targetPath: "route.host" })], undefined)).toEqual({
      values: { route: { host: "shop.example.com" } },
      inputs: ["apps/cm.yaml"],
      sources: [
        {
          kind: "ConfigMap",
          name: "settings",
          key: "host",
          values: { route: { host: "shop.example.com" } },
          file: "apps/cm.yaml",
          whole: false,
        },
      ],
    });
    expect(releaseValues(files, "shop", [from("settings", { valuesKey: "other.yaml" })], undefined)).toMatchObject({ values: { a: 1 } });
  });

  it("what cannot be known here says why, and still names the files it found", () => {
    const sops =
      "apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: shop}\ndata:\n  values.yaml: ENC[AES256_GCM,data:x]\nsops: {version: 3.8.1}\n";
    expect(releaseValues(tree({ "apps/s.yaml": sops }), "shop", [{ kind: "Secret", name: "creds" }], undefined)).toEqual({
      unresolved: "valuesFrom Secret creds: encrypted, or generated from files the repository does not hold",
      inputs: ["apps/s.yaml"],
    });
    expect(releaseValues(tree({}), "shop", [from("kept")], undefined)).toEqual({
      unresolved: "valuesFrom ConfigMap kept: not in the repository (kept in the cluster)",
      inputs: [],
    });
    // Another namespace's ConfigMap of the same name is not the release's; an optional source may be absent.
    expect(
      releaseValues(tree({ "x.yaml": configMap("kept", "a: 1", "other") }), "shop", [from("kept", { optional: true })], { b: 2 }),
    ).toEqual({
      values: { b: 2 },
      inputs: [],
      sources: [],
    });
    const twice = tree({ "a.yaml": configMap("twice", "a: 1", ""), "b.yaml": configMap("twice", "a: 2", "") });
    expect(releaseValues(twice, "shop", [from("twice")], undefined)).toMatchObject({
      unresolved: "valuesFrom ConfigMap twice: defined more than once, differently: a.yaml and b.yaml",
    });
  });
});

describe("a generated ConfigMap's data, as kustomize makes it (probe C F11d: an env file read as unknown passed silently)", () => {
  const generatedFrom = (generator: string, files: Record<string, string> = {}) =>
    readsAt(
      configData(tree({ "vars/kustomization.yaml": `namespace: flux-system\nconfigMapGenerator:\n- name: vars\n${generator}`, ...files })),
      "ConfigMap",
      "vars",
      "flux-system",
    )[0]!.read;

  it("env files a line at a time: blanks, comments and a byte order mark skipped, the value as written, none without `=`", () => {
    const env = '\uFEFF# regions\n\n  PRIMARY_REGION=jkt\r\nHOST="shop.example.com"\nURL=https://x?a=b\nEMPTY\n';
    expect(
      generatedFrom("  envs: [cluster.env]\n  literals: ['QUOTED=\"x\"', \"SINGLE='y'\", 'HALF=\"z']\n", { "vars/cluster.env": env }),
    ).toEqual({
      data: new Map([
        ["PRIMARY_REGION", "jkt"],
        ["HOST", '"shop.example.com"'],
        ["URL", "https://x?a=b"],
        ["EMPTY", ""],
        // A literal loses quotes that enclose it whole.
        ["QUOTED", "x"],
        ["SINGLE", "y"],
        ["HALF", '"z'],
      ]),
      files: ["vars/kustomization.yaml", "vars/cluster.env"],
    });
    expect(generatedFrom("  env: cluster.env\n", { "vars/cluster.env": "A=1\n" })).toMatchObject({ data: new Map([["A", "1"]]) });
  });

  it("encrypted (SOPS's dotenv), it is unheld as an encrypted document is; unread (missing, a key kustomize refuses), it says why", () => {
    const sops = "REGION=ENC[AES256_GCM,data:x]\nsops_version=3.8.1\nsops_mac=ENC[AES256_GCM,data:y]\n";
    expect(generatedFrom("  envs: [cluster.env]\n", { "vars/cluster.env": sops })).toEqual({
      unknown: "unheld",
      files: ["vars/kustomization.yaml", "vars/cluster.env"],
    });
    expect(generatedFrom("  envs: [cluster.env]\n")).toMatchObject({ unknown: "unheld", why: "vars/cluster.env is not in the repository" });
    expect(generatedFrom("  envs: [cluster.env]\n", { "vars/cluster.env": "A=1\nexport B=2\n" })).toMatchObject({
      unknown: "unheld",
      why: 'cluster.env: line 2: "export B" is no variable name kustomize accepts',
    });
  });
});

describe("a substituteFrom source read by an object placed nowhere (a cluster synced from outside the tree)", () => {
  const runtime = (domain: string) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: flux-runtime-info, namespace: flux-system}\ndata: {CLUSTER_DOMAIN: ${domain}}\n`;
  const read = (files: Record<string, string>, file: string) =>
    readsAt(configData(tree(files)), "ConfigMap", "flux-runtime-info", "flux-system", { file, sitesOf: () => [] }).map(({ read }) => read);
  const clusters = {
    "clusters/prod-eu/flux-system/runtime-info.yaml": runtime("eu.example.com"),
    "clusters/staging/flux-system/runtime-info.yaml": runtime("staging.example.com"),
  };

  it("reads its own cluster's folder's copy: d2-fleet's tenants.yaml in clusters/prod-eu read staging's too, and every label edit blocked", () => {
    expect(read(clusters, "clusters/prod-eu/tenants.yaml")).toEqual([
      { data: new Map([["CLUSTER_DOMAIN", "eu.example.com"]]), files: ["clusters/prod-eu/flux-system/runtime-info.yaml"] },
    ]);
  });

  it("every copy where no folder of its own tells them apart, and both where its own folder holds two", () => {
    const apart = (files: readonly string[]) => [{ unknown: "apart", files }];
    expect(read(clusters, "tenants/apps.yaml")).toEqual(apart(Object.keys(clusters)));
    const two = { ...clusters, "clusters/prod-eu/apps/runtime-info.yaml": runtime("apps.example.com") };
    expect(read(two, "clusters/prod-eu/apps/tenants.yaml")).toEqual(
      apart(["clusters/prod-eu/flux-system/runtime-info.yaml", "clusters/prod-eu/apps/runtime-info.yaml"]),
    );
  });
});

describe("a valuesFrom source read on the release's own cluster", () => {
  // Each cluster's folder holds its own bookinfo/reviews-traffic, as it holds its own release.
  const sites: Record<string, readonly string[]> = {
    "apps/jkt/reviews.yaml": ["jkt"],
    "apps/jkt/traffic.yaml": ["jkt"],
    "apps/sgp/reviews.yaml": ["sgp"],
    "apps/sgp/traffic.yaml": ["sgp"],
    "apps/base/reviews.yaml": ["jkt", "sgp"],
    "apps/base/traffic.yaml": ["jkt", "sgp"],
    "apps/tyo/reviews.yaml": ["tyo"],
  };
  const sitesOf = (file: string) => sites[file] ?? [];
  const at = (file: string) => ({ file, sitesOf });
  const perCluster = tree({
    "apps/jkt/traffic.yaml": configMap("reviews-traffic", "weight: 10"),
    "apps/sgp/traffic.yaml": configMap("reviews-traffic", "weight: 50"),
  });

  it("reads the copy its cluster applies, not every one in the tree (f19: blocked as 'defined more than once'; f20: sgp's weight read nowhere)", () => {
    expect(releaseValues(perCluster, "shop", [from("reviews-traffic")], undefined, at("apps/sgp/reviews.yaml"))).toEqual({
      values: { weight: 50 },
      inputs: ["apps/sgp/traffic.yaml"],
      sources: [traffic(50, "apps/sgp/traffic.yaml")],
    });
    expect(releaseValues(perCluster, "shop", [from("reviews-traffic")], undefined, at("apps/jkt/reviews.yaml"))).toMatchObject({
      values: { weight: 10 },
    });
    // Placed nowhere, the release may read either: unknown, as before.
    expect(releaseValues(perCluster, "shop", [from("reviews-traffic")], undefined)).toMatchObject({
      unresolved:
        "valuesFrom ConfigMap reviews-traffic: defined more than once, differently: apps/jkt/traffic.yaml and apps/sgp/traffic.yaml",
    });
  });

  it("a copy in a base both clusters apply is each one's; a cluster without one, or clusters reading two, cannot be rendered", () => {
    const shared = tree({ "apps/base/traffic.yaml": configMap("reviews-traffic", "weight: 10") });
    expect(releaseValues(shared, "shop", [from("reviews-traffic")], undefined, at("apps/sgp/reviews.yaml"))).toMatchObject({
      values: { weight: 10 },
    });
    expect(releaseValues(perCluster, "shop", [from("reviews-traffic")], undefined, at("apps/tyo/reviews.yaml"))).toEqual({
      unresolved: "valuesFrom ConfigMap reviews-traffic: not in the repository (kept in the cluster)",
      inputs: [],
    });
    expect(releaseValues(perCluster, "shop", [from("reviews-traffic")], undefined, at("apps/base/reviews.yaml"))).toEqual({
      unresolved: "valuesFrom ConfigMap reviews-traffic: read differently on the clusters that apply the release",
      inputs: ["apps/jkt/traffic.yaml", "apps/sgp/traffic.yaml"],
    });
    // Two copies one cluster applies, with different data: both files named, never one picked.
    const both = tree({
      ...Object.fromEntries(perCluster.map((file) => [file.path, file.text])),
      "apps/base/traffic.yaml": configMap("reviews-traffic", "weight: 90"),
    });
    expect(releaseValues(both, "shop", [from("reviews-traffic")], undefined, at("apps/sgp/reviews.yaml"))).toMatchObject({
      unresolved:
        "valuesFrom ConfigMap reviews-traffic: defined more than once, differently: apps/sgp/traffic.yaml and apps/base/traffic.yaml",
    });
    const sgpOnly = tree({ "apps/sgp/traffic.yaml": configMap("reviews-traffic", "weight: 50") });
    expect(releaseValues(sgpOnly, "shop", [from("reviews-traffic")], undefined, at("apps/base/reviews.yaml"))).toMatchObject({
      unresolved: "valuesFrom ConfigMap reviews-traffic: not in the repository for every cluster that applies the release",
    });
  });

  it("a copy placed nowhere is read only where no placed copy is (an examples/ copy beside each cluster's own hid every cluster's edits)", () => {
    const withExample = tree({
      ...Object.fromEntries(perCluster.map((file) => [file.path, file.text])),
      "examples/traffic.yaml": configMap("reviews-traffic", "weight: 0"),
    });
    expect(releaseValues(withExample, "shop", [from("reviews-traffic")], undefined, at("apps/sgp/reviews.yaml"))).toEqual({
      values: { weight: 50 },
      inputs: ["apps/sgp/traffic.yaml"],
      sources: [traffic(50, "apps/sgp/traffic.yaml")],
    });
    // tyo applies none of its own: the unplaced copy may be the one there.
    expect(releaseValues(withExample, "shop", [from("reviews-traffic")], undefined, at("apps/tyo/reviews.yaml"))).toEqual({
      values: { weight: 0 },
      inputs: ["examples/traffic.yaml"],
      sources: [traffic(0, "examples/traffic.yaml")],
    });
  });

  it("what a substituteFrom source reads at each site: the data, else missing, unheld or two copies apart", () => {
    const vars = (data: string, namespace = "flux-system") =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cluster-vars, namespace: ${namespace}}\ndata: {${data}}\n`;
    const index = configData(
      tree({
        "apps/jkt/traffic.yaml": vars("W: '10'"),
        "apps/sgp/traffic.yaml": vars("W: '50'"),
        "apps/base/traffic.yaml": vars("W: '90'"),
        "examples/vars.yaml": vars("W: '0'"),
      }),
    );
    const read = (file: string) =>
      readsAt(index, "ConfigMap", "cluster-vars", "flux-system", at(file)).map(({ site, read }) => [site, read]);
    expect(read("apps/jkt/reviews.yaml")).toEqual([
      ["jkt", { unknown: "apart", files: ["apps/jkt/traffic.yaml", "apps/base/traffic.yaml"] }],
    ]);
    expect(read("apps/tyo/reviews.yaml")).toEqual([["tyo", { data: new Map([["W", "0"]]), files: ["examples/vars.yaml"] }]]);
    const sgpOnly = configData(tree({ "apps/sgp/traffic.yaml": vars("W: '50'") }));
    expect(
      readsAt(sgpOnly, "ConfigMap", "cluster-vars", "flux-system", at("apps/base/reviews.yaml")).map(({ site, read }) => [site, read]),
    ).toEqual([
      ["jkt", { unknown: "missing", files: [] }],
      ["sgp", { data: new Map([["W", "50"]]), files: ["apps/sgp/traffic.yaml"] }],
    ]);
  });
});
