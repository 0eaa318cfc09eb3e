import { it } from "vitest";
import { analyze } from "./helpers/review-trees.js";
const sidecar = (mode: string) => `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: { name: default, namespace: istio-system }
spec:
  outboundTrafficPolicy: { mode: ${mode} }
  egress: [{ hosts: ["./*", "istio-system/*"] }]`;
const op = (mode: string) => `apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: { name: cp, namespace: istio-system }
spec:
  meshConfig: { outboundTrafficPolicy: { mode: ${mode} } }`;
const igw = (tls: string) => `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: public, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers:
  - port: { number: 443, name: https, protocol: HTTPS }
    hosts: ["*.example.com"]
    tls: ${tls}`;
const vs = (extra: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: shop, namespace: shop }
spec:
  hosts: [shop]${extra}
  http: [{ route: [{ destination: { host: shop } }] }]`;
const se = (res: string) => `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: db, namespace: shop }
spec:
  hosts: [db.example.internal]
  ports: [{ number: 5432, name: pg, protocol: TCP }]
  resolution: ${res}
  endpoints: [{ address: 10.0.0.1 }]`;
const cases: [string, Record<string,string>, Record<string,string>][] = [
  ["sidecar REGISTRY_ONLY->ALLOW_ANY", { "s.yaml": sidecar("REGISTRY_ONLY") }, { "s.yaml": sidecar("ALLOW_ANY") }],
  ["mesh outbound REGISTRY_ONLY->ALLOW_ANY", { "o.yaml": op("REGISTRY_ONLY") }, { "o.yaml": op("ALLOW_ANY") }],
  ["igw SIMPLE->PASSTHROUGH", { "g.yaml": igw("{ mode: SIMPLE, credentialName: wild }") }, { "g.yaml": igw("{ mode: PASSTHROUGH }") }],
  ["igw MUTUAL->SIMPLE", { "g.yaml": igw("{ mode: MUTUAL, credentialName: wild }") }, { "g.yaml": igw("{ mode: SIMPLE, credentialName: wild }") }],
  ["vs exportTo narrowed", { "v.yaml": vs("") }, { "v.yaml": vs('\n  exportTo: ["."]') }],
  ["se resolution STATIC->DNS", { "e.yaml": se("STATIC") }, { "e.yaml": se("DNS") }],
];
it("x", () => {
  for (const [name, base, head] of cases) {
    const r = analyze(base, head);
    console.log(`## ${name}\n` + (r.findings.map((f: any) => `  ${f.risk} ${f.class} ${f.summary.slice(0, 170)}`).join("\n") || "  (none)"));
  }
});
