import { describe } from "vitest";
import { routeFilterDetector } from "../../../src/families/envoy-gateway/route-filter.js";
import { detectorTable, resource } from "../../detect/resource-fixture.js";

const run = detectorTable(routeFilterDetector);

// Shaped after envoyproxy/gateway's test/e2e/testdata/direct-response.yaml and httproute-rewrite-host.yaml.
const filter = (body: string) => `
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: HTTPRouteFilter
metadata: {name: maintenance, namespace: shop}
spec:
${body}`;
const route = resource(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: storefront, namespace: shop}
spec:
  parentRefs: [{name: public}]
  rules:
  - name: checkout
    matches: [{path: {type: PathPrefix, value: /checkout}}]
    filters:
    - type: ExtensionRef
      extensionRef: {group: gateway.envoyproxy.io, kind: HTTPRouteFilter, name: maintenance}
    backendRefs: [{name: checkout, port: 8080}]
`);
const around = { others: { base: [route], head: [route] } };
const REWRITE = "  urlRewrite:\n    hostname: {type: Header, header: x-backend-host}\n";

describe("Envoy Gateway HTTPRouteFilter: what the route rules that name it do with requests", () => {
  run([
    {
      name: "a direct response of an error in place of forwarding: the rule's backends get nothing (critical)",
      base: filter(REWRITE),
      head: filter(
        `${REWRITE}  directResponse: {statusCode: 503, contentType: text/plain, body: {type: Inline, inline: down for maintenance}}\n`,
      ),
      ...around,
      expected: [
        {
          class: "backend.all-removed",
          side: "head",
          path: ["spec", "directResponse"],
          says: "directResponse 503: the proxy answers every request of HTTPRoute shop/storefront rule checkout with 503",
        },
      ],
    },
    {
      name: "a direct response of 200 (the default) still keeps requests from the backends; removing it sends them back",
      base: filter("  directResponse: {body: {type: Inline, inline: ok}}\n"),
      head: filter(REWRITE),
      ...around,
      expected: [
        {
          class: "route.match-changed",
          side: "base",
          path: ["spec", "directResponse"],
          says: "reach their backends again (the proxy answered them with 200)",
        },
        {
          class: "route.match-changed",
          side: "head",
          path: ["spec", "urlRewrite"],
          says: "the backends of HTTPRoute shop/storefront rule checkout receive another host or path",
        },
      ],
    },
    {
      name: "other matches and other credentials",
      base: filter("  credentialInjection: {credential: {valueRef: {name: token-a}}}\n"),
      head: filter(
        "  credentialInjection: {credential: {valueRef: {name: token-b}}}\n  matches: [{cookies: [{name: canary, value: 'yes'}]}]\n",
      ),
      ...around,
      expected: [
        {
          class: "route.match-changed",
          side: "head",
          path: ["spec", "matches"],
          says: "take other requests (the filter's matches are ANDed with the rule's)",
        },
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "credentialInjection"],
          says: "receive other credentials",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "removed while a rule still names it: Envoy Gateway answers that rule with 500",
      base: filter(REWRITE),
      ...around,
      expected: [
        {
          class: "reference.broken",
          side: "base",
          path: ["spec"],
          says: "removed while HTTPRoute shop/storefront rule checkout still names it",
        },
      ],
    },
    {
      name: "a filter no rule names changes nothing that routes do",
      base: filter(REWRITE),
      head: filter("  directResponse: {statusCode: 503}\n"),
      expected: [],
    },
  ]);
});
