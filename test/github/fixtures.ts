/** A small traffic repository: one HTTPRoute split across two regions, and its policy. */
export const POLICY = `groups:
  service-owners: { users: [dina], teams: [acme/checkout-team] }
  platform-networking: { teams: [acme/platform] }
  sre: { teams: [acme/sre] }
  business-owners: { users: [maya] }
`;

export const POLICY_PATH = ".github/route-governor.yml";
export const ROUTE_PATH = "routes/checkout.yaml";

/** The checkout route with these weights; `note` adds a YAML comment (a cosmetic change). */
export const checkoutRoute = (jkt: number, sgp: number, note = ""): string => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: checkout
  namespace: storefront
spec:${note ? `\n  # ${note}` : ""}
  parentRefs:
    - name: public-gateway
      namespace: infra
  hostnames: ["shop.example.com"]
  rules:
    - matches:
        - path: { type: PathPrefix, value: /checkout }
      backendRefs:
        - name: checkout-jkt
          port: 8080
          weight: ${jkt}
        - name: checkout-sgp
          port: 8080
          weight: ${sgp}
`;

export const baseTree = (): Record<string, string> => ({ [POLICY_PATH]: POLICY, [ROUTE_PATH]: checkoutRoute(90, 10) });
/** A medium-high change: needs change-request and rollback evidence and one service owner. */
export const headTree = (jkt = 50, sgp = 50, note = ""): Record<string, string> => ({
  [POLICY_PATH]: POLICY,
  [ROUTE_PATH]: checkoutRoute(jkt, sgp, note),
});

export const EVIDENCE_BODY = "Rebalance checkout.\n\n## Change evidence\n- Change request: CHG-4821\n- Rollback: git revert HEAD\n";
