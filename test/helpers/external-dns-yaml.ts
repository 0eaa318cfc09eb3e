import { analyze } from "./review-trees.js";

// external-dns controllers as a tree runs them, for the dns family's tests.

export const ALPHA = "external-dns.alpha.kubernetes.io/";
export const GA = "external-dns.kubernetes.io/";
export const V21 = "registry.k8s.io/external-dns/external-dns:v0.21.0";
export const V22 = "registry.k8s.io/external-dns/external-dns:v0.22.0";

/** A Deployment running external-dns's image with these arguments. */
export const externalDnsDeployment = (image: string, args: readonly string[], name = "external-dns", namespace = "networking") => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
        - name: external-dns
          image: ${image}
          args: [${args.map((arg) => JSON.stringify(arg)).join(", ")}]
`;

/** Each finding's class and risk. */
export const classesAndRisks = (result: ReturnType<typeof analyze>) => result.findings.map((finding) => [finding.class, finding.risk]);

/** A review of a controller's file and one traffic object's file, each before and after. */
export const controllerAndObject =
  (controllerPath: string, objectPath: string) =>
  (controllerBefore: string, objectBefore: string, controllerAfter: string, objectAfter: string) =>
    analyze(
      { [controllerPath]: controllerBefore, [objectPath]: objectBefore },
      { [controllerPath]: controllerAfter, [objectPath]: objectAfter },
    );
