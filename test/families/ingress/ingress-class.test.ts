import { describe, expect, it } from "vitest";
import { analyze } from "../../helpers/review-trees.js";

const ingressClass = (controller: string, isDefault = false, parameters = "") => `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: public
  annotations: {ingressclass.kubernetes.io/is-default-class: "${isDefault}"}
spec:
  controller: ${controller}
${parameters}`;
const NGINX = "k8s.io/ingress-nginx";
const classFindings = (base: string | undefined, head: string | undefined) =>
  analyze(base === undefined ? {} : { "class.yaml": base }, head === undefined ? {} : { "class.yaml": head }).findings.map((finding) => [
    finding.class,
    finding.risk,
    finding.summary,
  ]);

describe("IngressClass: the controller of every Ingress that names it", () => {
  it("another controller moves every Ingress of the class (it passed with no finding: the kind was not read)", () => {
    expect(classFindings(ingressClass(NGINX), ingressClass("traefik.io/ingress-controller"))).toEqual([
      [
        "gateway-class.changed",
        "high",
        "IngressClass public: controller k8s.io/ingress-nginx → traefik.io/ingress-controller: every Ingress of class public moves to another controller, with its own addresses, defaults and annotations",
      ],
    ]);
  });

  it("made the default class, it takes every Ingress that names none; removed, its Ingresses have no controller", () => {
    expect(classFindings(ingressClass(NGINX), ingressClass(NGINX, true))).toEqual([
      [
        "gateway-class.changed",
        "high",
        `IngressClass public: now the default class: Ingresses that name no class are served by its controller ${NGINX}`,
      ],
    ]);
    expect(classFindings(ingressClass(NGINX, true), undefined).map(([kind, , summary]) => [kind, summary])).toEqual([
      [
        "gateway-class.changed",
        "IngressClass public: removed: no controller serves the Ingresses of class public, nor, as it was the default class, those that name none",
      ],
    ]);
  });

  it("a copy removed while another file still writes the class (ingress-nginx's static manifests per provider) changes nothing", () => {
    const base = { "deploy/aws/1.20/class.yaml": ingressClass(NGINX), "deploy/aws/class.yaml": ingressClass(NGINX) };
    const findings = analyze(base, { "deploy/aws/class.yaml": ingressClass(NGINX) }).findings;
    expect(findings.filter((finding) => finding.class === "gateway-class.changed")).toEqual([]);
  });

  it("its parameters configure the controller for the class: medium-high; a class added beside the default is low", () => {
    const params = "  parameters: {apiGroup: elbv2.k8s.aws, kind: IngressClassParams, name: internet-facing}\n";
    expect(classFindings(ingressClass(NGINX), ingressClass(NGINX, false, params)).map(([kind, risk]) => [kind, risk])).toEqual([
      ["resource.changed", "medium-high"],
    ]);
    expect(classFindings(undefined, ingressClass(NGINX)).every(([, risk]) => risk === "low")).toBe(true);
  });
});
