import { describe, expect, it } from "vitest";
import { originKey } from "../../src/render/render-origins.js";
import { changedSource, sourceOfRendered, type RenderResult } from "../../src/render/render-result.js";

const OUTPUT = "checkout/overlays/prod/(rendered)/kustomization.yaml";
const ROLLOUT = { group: "argoproj.io", kind: "Rollout", namespace: "storefront", name: "checkout" };

const rollout = (image: string) =>
  [
    "apiVersion: argoproj.io/v1alpha1",
    "kind: Rollout",
    "metadata: {name: checkout, namespace: storefront}",
    "spec:",
    "  strategy:",
    "    canary:",
    "      steps: [{setWeight: 10}, {pause: {duration: 10m}}, {setWeight: 50}, {pause: {duration: 10m}}]",
    "  template:",
    "    spec:",
    `      containers: [{name: checkout, image: ${image}}]`,
    "",
  ].join("\n");
const REPLICAS = "- op: replace\n  path: /spec/replicas\n  value: 5\n";
const STEPS = "- op: replace\n  path: /spec/strategy/canary/steps\n  value: [{setWeight: 10}, {setWeight: 50}]\n";

const files = (image: string, patch: string, payments = "") => [
  { path: "checkout/base/kustomization.yaml", text: "resources: [rollout.yaml]\n" },
  { path: "checkout/base/rollout.yaml", text: rollout(image) },
  { path: "checkout/overlays/prod/kustomization.yaml", text: "resources: [../../base]\npatches:\n- path: rollout-patch.yaml\n" },
  { path: "checkout/overlays/prod/rollout-patch.yaml", text: patch },
  { path: "checkout/base/payments.yaml", text: payments },
];

const side = {
  files: [],
  consumed: [],
  origins: { [originKey(OUTPUT, "Rollout", "storefront", "checkout")]: "checkout/base/rollout.yaml" },
};
const rendered: RenderResult = {
  roots: [
    {
      id: "kustomize checkout/overlays/prod",
      origin: "checkout/overlays/prod/kustomization.yaml",
      output: OUTPUT,
      inputs: files("", "").map((file) => file.path),
    },
  ],
  base: side,
  head: side,
  failures: [],
};

describe("sourceOfRendered", () => {
  const STEPS_PATH = ["spec", "strategy", "canary", "steps"];
  const IMAGE_PATH = ["spec", "template", "spec", "containers", 0, "image"];
  const at = (base: ReturnType<typeof files>, head: ReturnType<typeof files>, field?: readonly (string | number)[]) => {
    const found = sourceOfRendered(rendered, base, head)(OUTPUT, ROLLOUT, "head", field);
    return found && `${found.file}:${found.line}`;
  };

  it("a finding points at the change that names its field: the overlay's patch of the steps, in the PR that bumps the base's image (P08d)", () => {
    const [before, after] = [files("checkout:2.3.0", REPLICAS), files("checkout:2.4.0", REPLICAS + STEPS)];
    expect(at(before, after, STEPS_PATH)).toBe("checkout/overlays/prod/rollout-patch.yaml:5");
    // The image change is the base's, which declares the Rollout.
    expect(at(before, after, IMAGE_PATH)).toBe("checkout/base/rollout.yaml:10");
    // With no field to tell them apart, the declaring file the PR changed.
    expect(at(before, after)).toBe("checkout/base/rollout.yaml:10");
  });

  it("a patch that drops what named the field is pointed at where its change starts", () => {
    const [before, after] = [files("checkout:2.3.0", REPLICAS + STEPS), files("checkout:2.4.0", REPLICAS)];
    expect(at(before, after, STEPS_PATH)).toBe("checkout/overlays/prod/rollout-patch.yaml:4");
  });

  it("another resource's file whose change names the field is not where this one's finding points", () => {
    const payments = (image: string) => rollout(image).replace("checkout", "payments");
    const [before, after] = [
      files("checkout:2.3.0", REPLICAS, payments("a")),
      files("checkout:2.4.0", REPLICAS, payments("a").replace("10m", "1m")),
    ];
    expect(at(before, after, STEPS_PATH)).toBe("checkout/base/rollout.yaml:10");
  });

  it("where no change names the field, the declaring file the PR changed, else the first input it changed", () => {
    const replicas = (value: number) => REPLICAS.replace("5", String(value));
    expect(at(files("checkout:2.3.0", replicas(5)), files("checkout:2.4.0", replicas(6)), STEPS_PATH)).toBe(
      "checkout/base/rollout.yaml:10",
    );
    expect(at(files("checkout:2.3.0", replicas(5)), files("checkout:2.3.0", replicas(6)), STEPS_PATH)).toBe(
      "checkout/overlays/prod/rollout-patch.yaml:3",
    );
  });
});

describe("changedSource", () => {
  const root = {
    origin: "infra/controllers/ingress-nginx.yaml",
    inputs: ["infra/controllers/cert-manager.yaml", "infra/controllers/ingress-nginx.yaml", "infra/controllers/kustomization.yaml"],
  };
  const base = [
    { path: "infra/controllers/cert-manager.yaml", text: "kind: HelmRelease\nspec:\n  values: {crds: {enabled: true}}\n" },
    { path: "infra/controllers/ingress-nginx.yaml", text: "kind: HelmRelease\n" },
    { path: "infra/controllers/kustomization.yaml", text: "resources: [cert-manager.yaml, ingress-nginx.yaml]\n" },
  ];
  const edited = base.map((file) =>
    file.path.endsWith("cert-manager.yaml") ? { ...file, text: file.text.replace("true", "false") } : file,
  );

  it("a root the PR removes with its file is where it was, not a file changed beside it (flux2-kustomize-helm-example 242c5b1eb1)", () => {
    const head = edited.filter((file) => !file.path.endsWith("ingress-nginx.yaml"));
    expect(changedSource(root, base, head)).toEqual({ file: "infra/controllers/ingress-nginx.yaml", line: 1 });
  });

  it("its file kept, the first input changed at head", () => {
    expect(changedSource(root, base, edited)).toEqual({ file: "infra/controllers/cert-manager.yaml", line: 3 });
  });
});
