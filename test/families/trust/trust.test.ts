import { describe, expect, it } from "vitest";
import { gatewayApiDetector } from "../../../src/families/gateway-api/gateway-api.js";
import { istioDetector } from "../../../src/families/istio/istio.js";
import { issuerAnnotationDetector, trustDetector } from "../../../src/families/trust/trust.js";
import { analyze } from "../../helpers/review-trees.js";
import { detect, detectorTable, expectDetections, resource } from "../../detect/resource-fixture.js";
import type { Resource } from "../../../src/core/resource.js";

const clusterIssuer = (spec: string) => `
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: letsencrypt}
spec:
${spec}`;

const certificate = (spec: string) => `
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: shop, namespace: infra}
spec:
  secretName: shop-tls
${spec}`;

const SERVING_GATEWAY = resource(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: edge
  listeners:
  - {name: https, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: shop-tls}]}}
`);

const run = detectorTable(trustDetector, { base: [SERVING_GATEWAY], head: [SERVING_GATEWAY] });

const acme = (server: string, extra = "") =>
  `  acme:\n    server: ${server}\n    email: ops@example.com\n    privateKeySecretRef: {name: le-account}\n    solvers: [{http01: {gatewayHTTPRoute: {parentRefs: [{name: public, namespace: infra}]}}}]\n${extra}`;

describe("Issuer and ClusterIssuer: the CA behind every certificate they sign", () => {
  run([
    {
      name: "acme.server staging → production",
      base: clusterIssuer(acme("https://acme-staging-v02.api.letsencrypt.org/directory")),
      head: clusterIssuer(acme("https://acme-v02.api.letsencrypt.org/directory")),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "acme", "server"],
          says: "ClusterIssuer letsencrypt: acme.server https://acme-staging-v02.api.letsencrypt.org/directory → https://acme-v02.api.letsencrypt.org/directory",
        },
      ],
    },
    {
      name: "issuer type acme → ca",
      base: clusterIssuer(acme("https://acme-v02.api.letsencrypt.org/directory")),
      head: clusterIssuer("  ca: {secretName: internal-root}"),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "ca"],
          says: "issuer acme https://acme-v02.api.letsencrypt.org/directory → ca internal-root: every Certificate it signs gets another CA",
        },
      ],
    },
    {
      name: "ca.secretName",
      base: clusterIssuer("  ca: {secretName: root-2024}"),
      head: clusterIssuer("  ca: {secretName: root-2026}"),
      expected: [{ class: "trust.changed", side: "head", path: ["spec", "ca", "secretName"], says: "ca.secretName root-2024 → root-2026" }],
    },
    {
      name: "vault server and path",
      base: clusterIssuer("  vault: {server: 'https://vault-a:8200', path: pki/sign/shop, auth: {kubernetes: {role: issuer}}}"),
      head: clusterIssuer("  vault: {server: 'https://vault-b:8200', path: pki_int/sign/shop, auth: {kubernetes: {role: issuer}}}"),
      expected: [
        { class: "trust.changed", side: "head", path: ["spec", "vault", "path"], says: "vault.path pki/sign/shop → pki_int/sign/shop" },
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "vault", "server"],
          says: "vault.server https://vault-a:8200 → https://vault-b:8200",
        },
      ],
    },
    {
      name: "venafi zone",
      base: clusterIssuer("  venafi: {zone: 'DevOps\\\\Shop', tpp: {url: 'https://tpp.example.com/vedsdk'}}"),
      head: clusterIssuer("  venafi: {zone: 'DevOps\\\\Default', tpp: {url: 'https://tpp.example.com/vedsdk'}}"),
      expected: [{ class: "trust.changed", side: "head", path: ["spec", "venafi", "zone"], says: "venafi.zone" }],
    },
    {
      name: "venafi tpp.caBundleSecretRef another Secret: the CA bundle the TPP server is trusted by is a block, judged by its fields",
      base: clusterIssuer(
        "  venafi: {zone: 'DevOps\\\\Shop', tpp: {url: 'https://tpp.example.com/vedsdk', caBundleSecretRef: {name: tpp-ca, key: ca.crt}}}",
      ),
      head: clusterIssuer(
        "  venafi: {zone: 'DevOps\\\\Shop', tpp: {url: 'https://tpp.example.com/vedsdk', caBundleSecretRef: {name: tpp-ca-2, key: ca.crt}}}",
      ),
      expected: [
        { class: "trust.changed", side: "head", path: ["spec", "venafi", "tpp", "caBundleSecretRef", "name"], says: "tpp-ca → tpp-ca-2" },
      ],
    },
    {
      name: "venafi cloud API key rotated to another Secret in place: how certificates are requested (medium)",
      base: clusterIssuer("  venafi: {zone: Default, cloud: {apiTokenSecretRef: {name: venafi-token, key: apikey}}}"),
      head: clusterIssuer("  venafi: {zone: Default, cloud: {apiTokenSecretRef: {name: venafi-token-2026, key: apikey}}}"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "venafi", "cloud", "apiTokenSecretRef", "name"],
          riskFloor: "medium",
          says: "how certificates are requested or renewed changes",
        },
      ],
    },
    {
      name: "selfSigned → ca",
      base: clusterIssuer("  selfSigned: {}"),
      head: clusterIssuer("  ca: {secretName: root}"),
      expected: [{ class: "trust.changed", side: "head", path: ["spec", "ca"], says: "issuer selfSigned → ca root" }],
    },
    {
      name: "acme.skipTLSVerify",
      base: clusterIssuer(acme("https://acme.internal/directory")),
      head: clusterIssuer(acme("https://acme.internal/directory", "    skipTLSVerify: true")),
      expected: [
        { class: "mtls.weakened", side: "head", path: ["spec", "acme", "skipTLSVerify"], says: "no longer verifies the CA server" },
      ],
    },
    {
      name: "acme solvers: renewals depend on them",
      base: clusterIssuer(acme("https://acme-v02.api.letsencrypt.org/directory")),
      head: clusterIssuer(
        acme("https://acme-v02.api.letsencrypt.org/directory").replace(
          "http01: {gatewayHTTPRoute",
          "http01: {ingress: {class: nginx}, gatewayHTTPRouteX",
        ),
      ),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "acme", "solvers"],
          riskFloor: "medium",
          says: "how certificates are requested or renewed changes",
        },
      ],
    },
    {
      name: 'acme.preferredChain "" dropped: cert-manager asks for no chain either way (carpenike/k8s-gitops fc42b14d81)',
      base: clusterIssuer(acme("https://acme-v02.api.letsencrypt.org/directory", '    preferredChain: ""')),
      head: clusterIssuer(acme("https://acme-v02.api.letsencrypt.org/directory")),
      expected: [],
    },
    {
      name: "vault.namespace written empty, caBundle null: the unset values",
      base: clusterIssuer("  vault: {server: 'https://vault:8200', path: pki/sign/shop}"),
      head: clusterIssuer("  vault: {server: 'https://vault:8200', path: pki/sign/shop, namespace: '', caBundle: null}"),
      expected: [],
    },
    {
      name: 'acme.preferredChain "" → a chain\'s name: certificates chain to that root',
      base: clusterIssuer(acme("https://acme-v02.api.letsencrypt.org/directory", '    preferredChain: ""')),
      head: clusterIssuer(acme("https://acme-v02.api.letsencrypt.org/directory", '    preferredChain: "ISRG Root X1"')),
      expected: [
        { class: "trust.changed", side: "head", path: ["spec", "acme", "preferredChain"], says: 'acme.preferredChain "" → ISRG Root X1' },
      ],
    },
    {
      name: "the ACME contact email is no risk",
      base: clusterIssuer(acme("https://acme-v02.api.letsencrypt.org/directory")),
      head: clusterIssuer(acme("https://acme-v02.api.letsencrypt.org/directory").replace("ops@", "sre@")),
      expected: [],
    },
  ]);

  it("removing an issuer that a Certificate in the tree still uses breaks it", () => {
    const cert = resource(certificate("  dnsNames: [shop.example.com]\n  issuerRef: {name: letsencrypt, kind: ClusterIssuer}"));
    expectDetections(detect(trustDetector, clusterIssuer("  selfSigned: {}"), undefined, { head: [cert] }), [
      { class: "reference.broken", side: "base", path: ["spec"], says: "removed while Certificate infra/shop still uses it" },
    ]);
  });
});

describe("Certificate", () => {
  const issued = (fields: string, issuer = "{name: letsencrypt, kind: ClusterIssuer}") => certificate(`  issuerRef: ${issuer}\n${fields}`);

  it("an issuer renamed with the same CA, the reference following it, signs as before; another CA does not", () => {
    const named = (name: string, server: string, extra = "") =>
      resource(clusterIssuer(acme(server, extra)).replace("name: letsencrypt", `name: ${name}`));
    const PROD = "https://acme-v02.api.letsencrypt.org/directory";
    const judged = (server: string, extra = "") =>
      detect(
        trustDetector,
        issued("  dnsNames: [shop.example.com]", "{name: letsencrypt-prod, kind: ClusterIssuer}"),
        issued("  dnsNames: [shop.example.com]"),
        {
          base: [SERVING_GATEWAY, named("letsencrypt-prod", PROD, '    preferredChain: ""')],
          head: [SERVING_GATEWAY, named("letsencrypt", server, extra)],
        },
      );
    // An empty preferredChain is none: the renamed issuer without it signs with the same CA.
    expect(judged(PROD)).toEqual([]);
    expect(judged(PROD, '    preferredChain: "ISRG Root X2"')).toHaveLength(1);
    expectDetections(judged("https://acme-staging-v02.api.letsencrypt.org/directory"), [
      {
        class: "trust.changed",
        side: "head",
        path: ["spec", "issuerRef"],
        says: "issuerRef ClusterIssuer letsencrypt-prod → ClusterIssuer letsencrypt",
      },
    ]);
  });

  run([
    {
      name: "issuerRef",
      base: issued("  dnsNames: [shop.example.com]"),
      head: issued("  dnsNames: [shop.example.com]", "{name: internal-ca, kind: ClusterIssuer}"),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "issuerRef"],
          says: "issuerRef ClusterIssuer letsencrypt → ClusterIssuer internal-ca",
        },
      ],
    },
    {
      name: "issuerRef spelled with its defaults is the same issuer",
      base: issued("  dnsNames: [shop.example.com]", "{name: shop-ca}"),
      head: issued("  dnsNames: [shop.example.com]", "{name: shop-ca, kind: Issuer, group: cert-manager.io}"),
      expected: [],
    },
    {
      name: "isCA: true",
      base: issued("  commonName: shop-intermediate"),
      head: issued("  commonName: shop-intermediate\n  isCA: true"),
      expected: [{ class: "trust.changed", side: "head", path: ["spec", "isCA"], says: "isCA false → true: the certificate becomes a CA" }],
    },
    {
      name: "usages gain cert sign",
      base: issued("  dnsNames: [shop.example.com]"),
      head: issued("  dnsNames: [shop.example.com]\n  usages: [digital signature, key encipherment, cert sign]"),
      expected: [{ class: "trust.changed", side: "head", path: ["spec", "usages"], says: "the key may now sign certificates" }],
    },
    {
      name: "usages spelled as the default are no change",
      base: issued("  dnsNames: [shop.example.com]"),
      head: issued("  dnsNames: [shop.example.com]\n  usages: [key encipherment, digital signature]"),
      expected: [],
    },
    {
      // drag0n141/home-ops dcbfcd684d: key encipherment is RSA key transport, meaningless for an ECDSA key.
      name: "usages lose key encipherment from an ECDSA key: low",
      base: issued(
        "  dnsNames: [shop.example.com]\n  privateKey: {algorithm: ECDSA, size: 256}\n  usages: [digital signature, key encipherment]",
      ),
      head: issued("  dnsNames: [shop.example.com]\n  privateKey: {algorithm: ECDSA, size: 256}\n  usages: [digital signature]"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "usages"],
          says: "usages [digital signature, key encipherment] → [digital signature]: key encipherment means nothing for an ECDSA key",
        },
      ],
    },
    {
      name: "usages lose key encipherment from an RSA key (the default): medium",
      base: issued("  dnsNames: [shop.example.com]"),
      head: issued("  dnsNames: [shop.example.com]\n  usages: [digital signature]"),
      expected: [
        { class: "resource.changed", side: "head", path: ["spec", "usages"], riskFloor: "medium", says: "static RSA key exchange" },
      ],
    },
    {
      name: "usages lose server auth: clients refuse it where it is served",
      base: issued("  dnsNames: [shop.example.com]\n  usages: [digital signature, server auth, client auth]"),
      head: issued("  dnsNames: [shop.example.com]\n  usages: [digital signature, client auth]"),
      expected: [
        { class: "listener.changed", side: "head", path: ["spec", "usages"], says: "server auth no longer a usage: TLS clients refuse it" },
      ],
    },
    {
      // No extended usage is no restriction (RFC 5280): naming client auth alone takes server auth away.
      name: "usages: client auth alone written over the defaults loses server auth",
      base: issued("  dnsNames: [shop.example.com]"),
      head: issued("  dnsNames: [shop.example.com]\n  usages: [digital signature, key encipherment, client auth]"),
      expected: [{ class: "listener.changed", side: "head", path: ["spec", "usages"], says: "server auth no longer a usage" }],
    },
    {
      name: "usages lose client auth: high",
      base: issued("  dnsNames: [shop.example.com]\n  usages: [digital signature, server auth, client auth]"),
      head: issued("  dnsNames: [shop.example.com]\n  usages: [digital signature, server auth]"),
      expected: [
        { class: "resource.changed", side: "head", path: ["spec", "usages"], riskFloor: "high", says: "client auth no longer a usage" },
      ],
    },
    {
      name: "usages gain client auth on a server certificate: what the key authenticates as widens",
      base: issued("  dnsNames: [shop.example.com]\n  usages: [digital signature, server auth]"),
      head: issued("  dnsNames: [shop.example.com]\n  usages: [digital signature, server auth, client auth]"),
      expected: [{ class: "access.widened", side: "head", path: ["spec", "usages"], says: "the key may now be used for client auth" }],
    },
    {
      name: "usages gain key encipherment, signing spelled for digital signature: low",
      base: issued("  dnsNames: [shop.example.com]\n  usages: [digital signature, server auth]"),
      head: issued("  dnsNames: [shop.example.com]\n  usages: [signing, key encipherment, server auth]"),
      expected: [{ class: "resource.changed", side: "head", path: ["spec", "usages"], says: "no handshake it served fails" }],
    },
    {
      name: "a CA's usages lose server auth: what it signs is refused for it along the chain (review C U1 read as a served certificate's, high)",
      base: issued(
        "  isCA: true\n  commonName: shop-intermediate\n  usages: [cert sign, crl sign, digital signature, server auth, client auth]",
      ),
      head: issued("  isCA: true\n  commonName: shop-intermediate\n  usages: [cert sign, crl sign, digital signature, client auth]"),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "usages"],
          says: "certificates it signs are refused for server auth by verifiers that check usages along the chain (Go's crypto/x509 does)",
        },
      ],
    },
    {
      name: "an unrestricted CA given server auth: what it signs is refused for any other usage (review C U2)",
      base: issued("  isCA: true\n  commonName: shop-intermediate\n  usages: [cert sign, crl sign, digital signature]"),
      head: issued("  isCA: true\n  commonName: shop-intermediate\n  usages: [cert sign, crl sign, digital signature, server auth]"),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "usages"],
          says: "certificates it signs are refused for any usage but server auth",
        },
      ],
    },
    {
      name: "a CA restricted to server auth gains client auth: what it signs is accepted for it",
      base: issued("  isCA: true\n  commonName: shop-intermediate\n  usages: [cert sign, server auth]"),
      head: issued("  isCA: true\n  commonName: shop-intermediate\n  usages: [cert sign, server auth, client auth]"),
      expected: [
        { class: "access.widened", side: "head", path: ["spec", "usages"], says: "certificates it signs may now be used for client auth" },
      ],
    },
    {
      // cert-manager gives every isCA certificate the cert sign bit (pki BuildKeyUsages); s/mime is email protection.
      name: "a CA's usages: cert sign dropped from its list, s/mime spelled for email protection: no change",
      base: issued("  isCA: true\n  commonName: shop-intermediate\n  usages: [cert sign, crl sign, digital signature, email protection]"),
      head: issued("  isCA: true\n  commonName: shop-intermediate\n  usages: [crl sign, digital signature, s/mime]"),
      expected: [],
    },
    {
      name: "nameConstraints",
      base: issued("  isCA: true\n  nameConstraints: {permitted: {dnsDomains: [shop.example.com]}}"),
      head: issued("  isCA: true\n  nameConstraints: {permitted: {dnsDomains: [example.com]}}"),
      expected: [
        { class: "trust.changed", side: "head", path: ["spec", "nameConstraints"], says: "the names this CA may sign for change" },
      ],
    },
    {
      name: "dnsNames removed: handshakes fail where the certificate is served",
      base: issued("  dnsNames: [shop.example.com, api.example.com]"),
      head: issued("  dnsNames: [shop.example.com]"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "dnsNames"],
          says: "no longer covers api.example.com: TLS handshakes for it fail where the certificate is served (Gateway infra/public)",
        },
      ],
    },
    {
      name: "dnsNames folded into a wildcard that matches them (one label) are still covered; a deeper name is not",
      base: issued("  dnsNames: [shop.example.com, api.example.com, eu.api.example.com]"),
      head: issued("  dnsNames: ['*.example.com']"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "dnsNames"],
          says: "no longer covers eu.api.example.com: TLS handshakes for it fail",
        },
        { class: "resource.changed", side: "head", path: ["spec", "dnsNames"], riskFloor: "medium", says: "now also covers *.example.com" },
      ],
    },
    {
      name: "dnsNames folded into a bare `*`: no TLS client matches it, so none is still covered",
      base: issued("  dnsNames: [shop.example.com, '*.example.com']"),
      head: issued("  dnsNames: ['*']"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "dnsNames"],
          says: "no longer covers *.example.com, shop.example.com: TLS handshakes for them fail",
        },
        { class: "resource.changed", side: "head", path: ["spec", "dnsNames"], riskFloor: "medium", says: "now also covers *" },
      ],
    },
    {
      name: "dnsNames added",
      base: issued("  dnsNames: [shop.example.com]"),
      head: issued("  dnsNames: [shop.example.com, api.example.com]"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "dnsNames"],
          riskFloor: "medium",
          says: "now also covers api.example.com",
        },
      ],
    },
    {
      name: "dnsNames reordered: nothing",
      base: issued("  dnsNames: [shop.example.com, api.example.com]"),
      head: issued("  dnsNames: [api.example.com, shop.example.com]"),
      expected: [],
    },
    {
      name: "duration, renewBefore and rotationPolicy",
      base: issued("  dnsNames: [shop.example.com]\n  duration: 2160h\n  renewBefore: 360h\n  privateKey: {rotationPolicy: Never}"),
      head: issued("  dnsNames: [shop.example.com]\n  duration: 720h\n  renewBefore: 240h\n  privateKey: {rotationPolicy: Always}"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "duration"],
          riskFloor: "medium",
          says: "duration 2160h → 720h, renewBefore 360h → 240h, privateKey.rotationPolicy Never → Always",
        },
      ],
    },
    {
      name: "cert-manager's defaults written out (90 days, renewal with a third left, RSA 2048) are no change",
      base: issued("  dnsNames: [shop.example.com]"),
      head: issued("  dnsNames: [shop.example.com]\n  duration: 2160h\n  renewBefore: 720h\n  privateKey: {algorithm: RSA, size: 2048}"),
      expected: [],
    },
    {
      name: "a shorter lifetime moves the default renewal with it",
      base: issued("  dnsNames: [shop.example.com]"),
      head: issued("  dnsNames: [shop.example.com]\n  duration: 720h"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "duration"],
          riskFloor: "medium",
          says: "duration 2160h → 720h, renewBefore 720h → 240h",
        },
      ],
    },
    {
      name: "the same duration written another way is no change",
      base: issued("  dnsNames: [shop.example.com]\n  duration: 2160h"),
      head: issued("  dnsNames: [shop.example.com]\n  duration: 2160h0m0s"),
      expected: [],
    },
    {
      name: "secretName moves while a Gateway still serves the old Secret",
      base: issued("  dnsNames: [shop.example.com]"),
      head: issued("  dnsNames: [shop.example.com]").replace("secretName: shop-tls", "secretName: shop-tls-v2"),
      expected: [
        {
          class: "reference.broken",
          side: "head",
          path: ["spec", "secretName"],
          says: "secretName shop-tls → shop-tls-v2: shop-tls is no longer renewed, and Gateway infra/public still serves it until it expires",
        },
      ],
    },
    {
      name: "removed while a Gateway serves its Secret",
      base: issued("  dnsNames: [shop.example.com]"),
      expected: [
        {
          class: "reference.broken",
          side: "base",
          path: ["spec", "secretName"],
          says: "Secret shop-tls is no longer renewed, and Gateway infra/public still serves it",
        },
      ],
    },
    {
      name: "added as a CA",
      head: issued("  isCA: true\n  commonName: shop-root"),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "isCA"],
          says: "added as a CA (isCA: true) signed by ClusterIssuer letsencrypt",
        },
      ],
    },
  ]);
});

describe("serving certificates elsewhere are judged by their own family's detector", () => {
  it("Gateway listener certificateRefs: trust.changed (gateway-api.ts)", () => {
    const gateway = (secret: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: edge
  listeners:
  - {name: https, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: ${secret}}]}}
`;
    expect(detect(gatewayApiDetector, gateway("shop-tls"), gateway("shop-tls-v2")).map((d) => [d.class, d.path])).toEqual([
      ["trust.changed", ["spec", "listeners", 0, "tls", "certificateRefs"]],
    ]);
  });

  it("Istio Gateway credentialName: trust.changed (istio.ts)", () => {
    const gateway = (secret: string) => `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: istio-ingress}
spec:
  selector: {istio: ingressgateway}
  servers:
  - {port: {number: 443, name: https, protocol: HTTPS}, hosts: [shop.example.com], tls: {mode: SIMPLE, credentialName: ${secret}}}
`;
    expect(detect(istioDetector, gateway("shop-tls"), gateway("shop-tls-v2")).map((d) => [d.class, d.path])).toEqual([
      ["trust.changed", ["spec", "servers", 0, "tls", "credentialName"]],
    ]);
  });

  it("BackendTLSPolicy validation: trust.changed (gateway-api.ts)", () => {
    const policy = (ca: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: checkout, namespace: shop}
spec:
  targetRefs: [{group: "", kind: Service, name: checkout}]
  validation: {hostname: checkout.shop.svc, caCertificateRefs: [{group: "", kind: ConfigMap, name: ${ca}}]}
`;
    expect(detect(gatewayApiDetector, policy("root-a"), policy("root-b")).map((d) => [d.class, d.path])).toEqual([
      ["trust.changed", ["spec", "validation", "caCertificateRefs"]],
    ]);
  });
});

describe("cert-manager issuer annotations: the certificate shim's Ingresses, Gateways and ListenerSets", () => {
  const gateway = (annotations: string, kind = "Gateway") => `
apiVersion: gateway.networking.k8s.io/v1
kind: ${kind}
metadata: {name: public, namespace: infra, annotations: {${annotations}}}
spec:
  gatewayClassName: edge
  listeners:
  - {name: https, port: 443, protocol: HTTPS, hostname: shop.example.com, tls: {certificateRefs: [{name: shop-tls}]}}
`;
  const ingress = (annotations: string) => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: infra, annotations: {${annotations}}}
spec:
  ingressClassName: nginx
  tls: [{hosts: [web.example.com], secretName: web-tls}]
  rules: [{host: web.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
`;
  const named = (name: string, spec: string) => resource(clusterIssuer(spec).replace("name: letsencrypt", `name: ${name}`));
  const PROD = named("letsencrypt-prod", acme("https://acme-v02.api.letsencrypt.org/directory"));
  const INTERNAL = named("internal-ca", "  ca: {secretName: internal-ca-keypair}");

  it("another cluster-issuer on a Gateway", () => {
    expectDetections(
      detect(
        issuerAnnotationDetector,
        gateway("cert-manager.io/cluster-issuer: letsencrypt-staging"),
        gateway("cert-manager.io/cluster-issuer: letsencrypt"),
      ),
      [
        {
          class: "trust.changed",
          side: "head",
          path: ["metadata", "annotations"],
          says: "cert-manager issuer ClusterIssuer letsencrypt-staging → ClusterIssuer letsencrypt: Secret shop-tls it serves is issued by another CA",
        },
      ],
    );
  });

  it("an Ingress moved from a public ACME issuer to a private CA (probe B3: it read as a low annotation edit)", () => {
    const trees = { base: [PROD, INTERNAL], head: [PROD, INTERNAL] };
    expectDetections(
      detect(
        issuerAnnotationDetector,
        ingress("cert-manager.io/cluster-issuer: letsencrypt-prod"),
        ingress("cert-manager.io/cluster-issuer: internal-ca"),
        trees,
      ),
      [
        {
          class: "trust.changed",
          side: "head",
          path: ["metadata", "annotations"],
          says: "Ingress infra/web: cert-manager issuer ClusterIssuer letsencrypt-prod → ClusterIssuer internal-ca: Secret web-tls it serves",
        },
      ],
    );
  });

  it("a ClusterIssuer renamed with the same spec, the annotation following it, signs as before (eg-course 650a2bb); another CA does not", () => {
    const selfSigned = (name: string) => named(name, "  selfSigned: {}");
    const judged = (renamed: Resource) =>
      detect(
        issuerAnnotationDetector,
        gateway("cert-manager.io/cluster-issuer: selfsigned"),
        gateway("cert-manager.io/cluster-issuer: self-signed"),
        { base: [selfSigned("selfsigned")], head: [renamed] },
      );
    expect(judged(selfSigned("self-signed"))).toEqual([]);
    expect(judged(named("self-signed", "  ca: {secretName: internal-ca-keypair}")).map((d) => d.class)).toEqual(["trust.changed"]);
  });

  it("Venafi Cloud issuers of one zone name asking with other API keys are other tenants, each with its own CAs (review C K2)", () => {
    const venafi = (name: string, token: string) =>
      named(name, `  venafi: {zone: Default, cloud: {apiTokenSecretRef: {name: ${token}, key: apikey}}}`);
    const judged = (lab: Resource) =>
      detect(
        issuerAnnotationDetector,
        gateway("cert-manager.io/cluster-issuer: venafi-corp"),
        gateway("cert-manager.io/cluster-issuer: venafi-lab"),
        { base: [venafi("venafi-corp", "corp-token"), lab], head: [venafi("venafi-corp", "corp-token"), lab] },
      );
    expect(judged(venafi("venafi-lab", "lab-token")).map((d) => d.class)).toEqual(["trust.changed"]);
    expect(judged(venafi("venafi-lab", "corp-token"))).toEqual([]);
  });

  it("the same issuer however the annotations spell it is no change", () => {
    expect(
      detect(
        issuerAnnotationDetector,
        ingress("cert-manager.io/issuer: le, cert-manager.io/issuer-kind: ClusterIssuer"),
        ingress("cert-manager.io/cluster-issuer: le, team: shop"),
      ),
    ).toEqual([]);
  });

  it("kubernetes.io/tls-acme asks an Ingress's certificates of the default issuer, which no tree shows", () => {
    expectDetections(
      detect(issuerAnnotationDetector, ingress("kubernetes.io/tls-acme: 'true'"), ingress("cert-manager.io/cluster-issuer: internal-ca")),
      [
        {
          class: "trust.changed",
          side: "head",
          path: ["metadata", "annotations"],
          says: "cert-manager's default issuer → ClusterIssuer internal-ca",
        },
      ],
    );
    // cert-manager honours it on Ingresses only, and only when it parses as true.
    expect(detect(issuerAnnotationDetector, gateway("kubernetes.io/tls-acme: 'true'"), gateway("team: shop"))).toEqual([]);
    expect(detect(issuerAnnotationDetector, ingress("kubernetes.io/tls-acme: 'false'"), ingress("team: shop"))).toEqual([]);
  });

  it("added: the Secrets served are handed to cert-manager, unless a Certificate already wrote them from that CA", () => {
    expectDetections(detect(issuerAnnotationDetector, ingress("team: shop"), ingress("cert-manager.io/cluster-issuer: internal-ca")), [
      {
        class: "trust.changed",
        side: "head",
        path: ["metadata", "annotations"],
        says: "now ask for ClusterIssuer internal-ca: it issues Secret web-tls this Ingress serves, replacing what was there",
      },
    ]);
    const written = resource(`
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web, namespace: infra}
spec: {secretName: web-tls, dnsNames: [web.example.com], issuerRef: {name: internal-ca, kind: ClusterIssuer}}
`);
    expect(
      detect(issuerAnnotationDetector, ingress("team: shop"), ingress("cert-manager.io/cluster-issuer: internal-ca"), {
        base: [written],
        head: [written],
      }),
    ).toEqual([]);
  });

  it("removed, or contradicting itself: the Certificates the shim made stay and renew, no longer following the object (cert-manager#4212)", () => {
    for (const after of ["team: shop", "cert-manager.io/cluster-issuer: letsencrypt, cert-manager.io/issuer-kind: ClusterIssuer"])
      expectDetections(detect(issuerAnnotationDetector, gateway("cert-manager.io/cluster-issuer: letsencrypt"), gateway(after)), [
        {
          class: "resource.changed",
          side: "base",
          path: ["metadata", "annotations"],
          says: "no longer ask for ClusterIssuer letsencrypt: the Certificates it made for Secret shop-tls stay and renew from it, but no longer follow this Gateway's TLS hosts and Secrets",
          riskFloor: "medium",
        },
      ]);
  });

  it("what the shim makes no Certificate for is not its business: other annotations, an object serving no TLS, a route", () => {
    const judged = (base: string, head: string) => detect(issuerAnnotationDetector, base, head);
    expect(judged(gateway("cert-manager.io/cluster-issuer: le, team: a"), gateway("cert-manager.io/cluster-issuer: le, team: b"))).toEqual(
      [],
    );
    const withoutTls = (yaml: string) => yaml.replace(/  tls: .*\n/, "");
    expect(
      judged(withoutTls(ingress("cert-manager.io/cluster-issuer: le")), withoutTls(ingress("cert-manager.io/cluster-issuer: internal-ca"))),
    ).toEqual([]);
    const route = (issuer: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: infra, annotations: {cert-manager.io/cluster-issuer: ${issuer}}}
spec: {parentRefs: [{name: public}]}
`;
    expect(judged(route("le"), route("internal-ca"))).toEqual([]);
  });

  it("a ListenerSet's, as cert-manager 1.20 reads them", () => {
    expect(
      detect(
        issuerAnnotationDetector,
        gateway("cert-manager.io/cluster-issuer: le", "ListenerSet"),
        gateway("cert-manager.io/cluster-issuer: internal-ca", "ListenerSet"),
      ).map((d) => d.class),
    ).toEqual(["trust.changed"]);
  });

  it("an issuer removed while an Ingress's annotations still ask for it", () => {
    expectDetections(
      detect(trustDetector, PROD, undefined, {
        base: [resource(ingress("cert-manager.io/cluster-issuer: letsencrypt-prod"))],
        head: [resource(ingress("cert-manager.io/cluster-issuer: letsencrypt-prod"))],
      }),
      [{ class: "reference.broken", side: "base", path: ["spec"], says: "removed while Ingress infra/web still uses it" }],
    );
  });
});

describe("a Certificate removed while an Ingress serves its Secret", () => {
  it("is reference.broken, as for a Gateway's listener", () => {
    const served = resource(`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: infra}
spec: {tls: [{hosts: [shop.example.com], secretName: shop-tls}], defaultBackend: {service: {name: web, port: {number: 80}}}}
`);
    expectDetections(
      detect(trustDetector, certificate("  issuerRef: {name: letsencrypt, kind: ClusterIssuer}"), undefined, {
        base: [served],
        head: [served],
      }),
      [
        {
          class: "reference.broken",
          side: "base",
          path: ["spec", "secretName"],
          says: "removed: Secret shop-tls is no longer renewed, and Ingress infra/web still serves it until it expires",
        },
      ],
    );
  });
});

describe("end to end: risks as the policy classifies them", () => {
  const cert = (names: string) => `
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: shop, namespace: infra}
spec:
  secretName: shop-tls
  issuerRef: {name: letsencrypt, kind: ClusterIssuer}
  dnsNames: [${names}]
`;
  it.each([
    ["dnsNames removed", "shop.example.com, api.example.com", "shop.example.com", [["listener.changed", "high"]]],
    ["dnsNames added", "shop.example.com", "shop.example.com, api.example.com", [["resource.changed", "medium"]]],
    ["reformatted", "shop.example.com", "'shop.example.com'", []],
  ])("%s", (_name, before, after, expected) => {
    const result = analyze({ "infra/cert.yaml": cert(before) }, { "infra/cert.yaml": cert(after) });
    expect(result.findings.map((finding) => [finding.class, finding.risk])).toEqual(expected);
  });
});

describe("an issuer name defined once per cluster: the issuer where the referrer applies", () => {
  const STAGING = "https://acme-staging-v02.api.letsencrypt.org/directory";
  const PRODUCTION = "https://acme-v02.api.letsencrypt.org/directory";
  const issuers = (...named: [string, string][]) =>
    named.map(([name, server]) => clusterIssuer(acme(server)).replace("name: letsencrypt", `name: ${name}`)).join("---");
  const shop = (kind: "Ingress" | "Gateway" | "Certificate", issuer: string) =>
    ({
      Ingress: `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop, annotations: {cert-manager.io/cluster-issuer: ${issuer}}}
spec:
  ingressClassName: nginx
  tls: [{hosts: [shop.example.com], secretName: shop-tls}]
  rules: [{host: shop.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
`,
      Gateway: `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: shop, annotations: {cert-manager.io/cluster-issuer: ${issuer}}}
spec:
  gatewayClassName: nginx
  listeners: [{name: https, port: 443, protocol: HTTPS, hostname: shop.example.com, tls: {certificateRefs: [{name: shop-tls}]}}]
`,
      Certificate: `
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: shop, namespace: shop}
spec: {secretName: shop-tls, dnsNames: [shop.example.com], issuerRef: {name: ${issuer}, kind: ClusterIssuer}}
`,
    })[kind];
  it.each(["Ingress", "Gateway", "Certificate"] as const)(
    "%s in clusters/prod moved from letsencrypt to letsencrypt-staging: clusters/dev's letsencrypt on ACME staging is not prod's (review C MC1–MC3 read the same CA)",
    (kind) => {
      const trees = {
        "clusters/dev/issuer.yaml": issuers(["letsencrypt", STAGING]),
        "clusters/prod/issuer.yaml": issuers(["letsencrypt", PRODUCTION], ["letsencrypt-staging", STAGING]),
      };
      const findings = analyze(
        { ...trees, "clusters/prod/shop.yaml": shop(kind, "letsencrypt") },
        { ...trees, "clusters/prod/shop.yaml": shop(kind, "letsencrypt-staging") },
      ).findings;
      expect(findings.map((finding) => [finding.class, finding.risk])).toEqual([["trust.changed", "critical"]]);
    },
  );

  it("placed by the policy: the issuer on the referrer's cluster; where nothing tells which, all it may mean must sign with one CA", () => {
    // Both issuer files are as near the Ingress's file: only the placement tells them apart.
    const trees = {
      "issuers/dev.yaml": issuers(["letsencrypt", STAGING]),
      "issuers/prod.yaml": issuers(["letsencrypt", PRODUCTION], ["letsencrypt-v2", PRODUCTION]),
    };
    const renamed = (overlay: string) =>
      analyze(
        { ...trees, "apps/prod/shop.yaml": shop("Ingress", "letsencrypt") },
        { ...trees, "apps/prod/shop.yaml": shop("Ingress", "letsencrypt-v2") },
        overlay,
      ).findings.map((finding) => [finding.class, finding.risk]);
    expect(renamed(`topology:\n  placements: ["issuers/{cluster}.yaml", "apps/{cluster}/**"]\n`)).toEqual([["resource.changed", "low"]]);
    expect(renamed("")).toEqual([["trust.changed", "critical"]]);
  });
});

describe("a CA certificate removed while something still signs with its Secret", () => {
  const caCertificate = (secret: string, namespace: string) => `apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: ca, namespace: ${namespace} }
spec:
  isCA: true
  commonName: mesh-ca
  secretName: ${secret}
  issuerRef: { name: selfsigned, kind: ClusterIssuer }
`;
  const caIssuer = `apiVersion: cert-manager.io/v1
kind: Issuer
metadata: { name: mesh-ca, namespace: cert-manager }
spec:
  ca: { secretName: root-ca }
`;
  const removed = (base: Record<string, string>, keep: Record<string, string> = {}) =>
    analyze({ ...base, ...keep }, keep).findings.map((finding) => [finding.class, finding.risk, finding.summary]);

  it("a CA Issuer signing with it is reference.broken", () => {
    expect(removed({ "ca.yaml": caCertificate("root-ca", "cert-manager") }, { "issuer.yaml": caIssuer })).toEqual([
      [
        "reference.broken",
        "high",
        "Certificate cert-manager/ca: removed: Secret root-ca is no longer renewed, and Issuer cert-manager/mesh-ca still signs with it: once it expires, what it signed stops validating",
      ],
    ]);
  });

  it("Istio's plug-in CA Secret, cacerts in istio-system, is istiod's (istio-on-eks's cert-manager setup, the mutation sweep)", () => {
    expect(removed({ "cacerts.yaml": caCertificate("cacerts", "istio-system") })).toEqual([
      [
        "reference.broken",
        "high",
        expect.stringContaining("Secret cacerts is no longer renewed, and istiod (the mesh's CA) still signs with it"),
      ],
    ]);
  });

  it("nothing where nothing signs with it or serves it", () => {
    expect(removed({ "ca.yaml": caCertificate("other-ca", "cert-manager") }, { "issuer.yaml": caIssuer }).map(([cls]) => cls)).toEqual([
      "resource.changed",
    ]);
  });
});

describe("one Secret written by several Certificates", () => {
  const cert = (name: string, issuer: string, names = "[api.example.com]") => `apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: ${name}, namespace: infra }
spec:
  secretName: shop-tls
  dnsNames: ${names}
  issuerRef: { name: ${issuer}, kind: ClusterIssuer }
`;
  const gateway = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: public, namespace: infra }
spec:
  gatewayClassName: edge
  listeners: [{ name: https, port: 443, protocol: HTTPS, tls: { certificateRefs: [{ name: shop-tls }] } }]
`;
  const judged = (base: Record<string, string>, head: Record<string, string>) =>
    analyze({ "gw.yaml": gateway, ...base }, { "gw.yaml": gateway, ...head })
      .findings.filter((finding) => finding.class !== "resource.changed")
      .map((finding) => [finding.class, finding.summary]);

  it("handed from one Certificate to another of another issuer: trust.changed, not a Secret left unrenewed", () => {
    expect(judged({ "a.yaml": cert("api", "letsencrypt") }, { "b.yaml": cert("wildcard", "internal-ca", "['*.example.com']") })).toEqual([
      [
        "trust.changed",
        "Certificate infra/api: removed: Secret shop-tls is now issued by Certificate infra/wildcard (ClusterIssuer internal-ca) (was ClusterIssuer letsencrypt): the certificate served there is signed by another CA on its next issuance",
      ],
    ]);
    // Renamed, with the same issuer: the Secret is renewed as before.
    expect(judged({ "a.yaml": cert("api", "letsencrypt") }, { "b.yaml": cert("api-renamed", "letsencrypt") })).toEqual([]);
  });

  it("handed to a Certificate of an issuer renamed with the same CA: signed as before", () => {
    const issuer = (name: string) => `apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: { name: ${name} }
spec: { ca: { secretName: internal-root } }
`;
    expect(
      judged(
        { "a.yaml": cert("api", "internal-ca"), "issuer.yaml": issuer("internal-ca") },
        { "b.yaml": cert("wildcard", "private-ca", "['*.example.com']"), "issuer.yaml": issuer("private-ca") },
      ),
    ).toEqual([]);
  });

  it("a second writer of another issuer added beside the first: what is served may chain to its CA", () => {
    expect(
      judged({ "a.yaml": cert("api", "letsencrypt") }, { "a.yaml": cert("api", "letsencrypt"), "b.yaml": cert("wildcard", "internal-ca") }),
    ).toEqual([
      [
        "trust.changed",
        "Certificate infra/wildcard: added, writing Secret shop-tls that Certificate infra/api (ClusterIssuer letsencrypt) already writes, served by Gateway infra/public: the certificate there may now be signed by ClusterIssuer internal-ca",
      ],
    ]);
  });
});

describe("an Istio Gateway's credentialName, read in its gateway workload's namespace", () => {
  const cert = (namespace: string) => `
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: ingress-cert, namespace: ${namespace}}
spec:
  secretName: ingress-cert
  dnsNames: [demo.lab]
  issuerRef: {name: selfsigned, kind: ClusterIssuer}
`;
  const gateway = (namespace: string) => `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gateway, namespace: ${namespace}}
spec:
  selector: {istio: ingressgateway}
  servers:
  - {port: {number: 443, name: https, protocol: HTTPS}, hosts: [demo.lab], tls: {mode: SIMPLE, credentialName: ingress-cert}}
`;
  const moved = (at: string, from: string | undefined, to: string | undefined) =>
    analyze(
      { "gateway.yaml": gateway(at), ...(from ? { "cert.yaml": cert(from) } : {}) },
      { "gateway.yaml": gateway(at), ...(to ? { "cert.yaml": cert(to) } : {}) },
    ).findings.filter((finding) => finding.class === "reference.broken");

  it("a Certificate moved beside the Gateway, where istio-ingressgateway reads it, leaves nothing unrenewed (flux2-kustomize-gitops-demo 9a2f850bab)", () => {
    expect(moved("istio-system", "cert-manager", "istio-system")).toEqual([]);
  });

  it("removed with no successor, moved where the Gateway does not read, or out of the mesh root that a Gateway elsewhere may read: reference.broken", () => {
    const broken = "removed: Secret ingress-cert is no longer renewed, and Gateway istio-system/gateway still serves it until it expires";
    expect(moved("istio-system", "istio-system", undefined).map((finding) => [finding.risk, finding.summary])).toEqual([
      ["high", `Certificate istio-system/ingress-cert: ${broken}`],
    ]);
    expect(moved("istio-system", "istio-system", "cert-manager").map((finding) => finding.risk)).toEqual(["high"]);
    // A Gateway in an application's namespace may select the mesh root's istio-ingressgateway: the Secret must stay there.
    expect(moved("shop", "istio-system", "shop").map((finding) => finding.risk)).toEqual(["high"]);
  });
});
