import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { glooDetector } from "../../../src/families/gloo/gloo.js";
import { analyze } from "../../helpers/review-trees.js";
import { detect, expectDetections, resource, type Expected } from "../../detect/resource-fixture.js";
import type { Resource } from "../../../src/core/resource.js";

const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures/gloo");
const fixtureFile = (file: string): string => readFileSync(path.join(FIXTURES, file), "utf8");

/** One document of a fixture file, by kind. */
const fixture = (file: string, kind: string): string => {
  const document = fixtureFile(file)
    .split(/^---$/m)
    .find((text) => new RegExp(`^kind: ${kind}$`, "m").test(text));
  if (!document) throw new Error(`${kind} not in ${file}`);
  return document;
};

interface Row {
  readonly name: string;
  readonly file: string;
  readonly kind: string;
  /** The head: an edit of the fixture; `null` removes it. Without an edit the fixture is added. */
  readonly edit?: ((text: string) => string) | null;
  readonly others?: Parameters<typeof detect>[3];
  readonly expected: readonly Expected[];
}

const run = (rows: readonly Row[]) => {
  for (const row of rows) {
    it(row.name, () => {
      const text = fixture(row.file, row.kind);
      const [base, head] = row.edit === undefined ? [undefined, text] : row.edit === null ? [text, undefined] : [text, row.edit(text)];
      expectDetections(detect(glooDetector, base, head, row.others), row.expected);
    });
  }
};

describe("RouteTable", () => {
  run([
    {
      name: "weights that no longer sum to 100: Gloo rejects the split (medium-high)",
      file: "route-table.yaml",
      kind: "RouteTable",
      edit: (text) => text.replace("weight: 20", "weight: 30"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "http", 1, "forwardTo", "destinations"],
          says: "http route checkout: destination weights sum to 110, not 100: Gloo will reject this split",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "a destination without weight gets the remainder; none left is rejected",
      file: "route-table.yaml",
      kind: "RouteTable",
      edit: (text) =>
        text.replace(
          "weight: 20",
          "weight: 20\n      - ref: {name: checkout, namespace: payments, cluster: ap-1}\n        port: {number: 8080}",
        ),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "http", 1, "forwardTo", "destinations"],
          says: "leaving 0 for 1 destination without a weight",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "spec.weight is delegation priority, not traffic",
      file: "route-table.yaml",
      kind: "RouteTable",
      edit: (text) => text.replace("  workloadSelectors: []", "  workloadSelectors: []\n  weight: 100"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "weight"],
          says: "spec.weight 0 → 100: this is the table's delegation priority, not a traffic weight",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "a path rewrite changes what the destination receives",
      file: "route-table.yaml",
      kind: "RouteTable",
      edit: (text) => text.replace("        weight: 20\n", "        weight: 20\n      pathRewrite: /v2/checkout\n"),
      expected: [
        {
          class: "route.match-changed",
          side: "head",
          path: ["spec", "http", 1, "forwardTo"],
          says: "http route checkout: forwardTo pathRewrite (unset) → /v2/checkout",
        },
      ],
    },
    {
      name: "a direct response in place of the destinations: the gateway answers the route's requests itself",
      file: "route-table.yaml",
      kind: "RouteTable",
      edit: (text) => text.replace(/(  - name: refunds\n[\s\S]*?)    forwardTo:[\s\S]*$/, "$1    directResponse: {status: 503}\n"),
      expected: [
        {
          class: "route.match-changed",
          side: "head",
          path: ["spec", "http", 2, "directResponse"],
          says: "http route refunds: directResponse added ({status=503}): matching requests are answered by the proxy itself",
        },
      ],
    },
    {
      name: "a redirect in place of the destinations: the route's clients are sent elsewhere",
      file: "route-table.yaml",
      kind: "RouteTable",
      edit: (text) =>
        text.replace(/(  - name: refunds\n[\s\S]*?)    forwardTo:[\s\S]*$/, "$1    redirect: {hostRedirect: refunds.example.net}\n"),
      expected: [
        {
          class: "route.match-changed",
          side: "head",
          path: ["spec", "http", 2, "redirect"],
          says: "http route refunds: redirect added ({hostRedirect=refunds.example.net}): matching requests are redirected",
        },
      ],
    },
    {
      name: "reordered keys and routes are cosmetic",
      file: "route-table.yaml",
      kind: "RouteTable",
      edit: (text) => text.replace("  hosts:\n  - shop.pay.example.com\n", "") + "  hosts: ['shop.pay.example.com']\n",
      expected: [],
    },
  ]);
});

describe("route labels and the policies that select routes by them", () => {
  const faults = resource(`apiVersion: resilience.policy.gloo.solo.io/v2
kind: FaultInjectionPolicy
metadata: {name: chaos, namespace: payments}
spec:
  applyToRoutes:
  - route: {labels: {chaos: "on"}}
  config: {abort: {httpStatus: 503, percentage: 50}}
`);
  const table = fixture("route-table.yaml", "RouteTable");
  const around = { base: [faults], head: [faults] };
  const labelled = table.replace("      route: checkout\n", '      route: checkout\n      chaos: "on"\n');

  it("a route relabelled into a fault injection policy's selection gets its faults (fault.injected)", () => {
    expectDetections(detect(glooDetector, table, labelled, around), [
      {
        class: "fault.injected",
        side: "head",
        path: ["spec", "http", 0, "labels"],
        says: "http route checkout-canary: labels {route=checkout} → {chaos=on, route=checkout}: FaultInjectionPolicy payments/chaos now selects it",
      },
    ]);
  });

  it("relabelled out of it, the faults stop (low); a policy the PR edits itself is judged by its own check", () => {
    expectDetections(detect(glooDetector, labelled, table, around), [
      {
        class: "resource.changed",
        side: "head",
        path: ["spec", "http", 0, "labels"],
        says: "no longer selects it: its faults are no longer injected",
      },
    ]);
    const edited = resource(faults.source.text.replace("percentage: 50", "percentage: 10"));
    expect(detect(glooDetector, table, labelled, { base: [faults], head: [edited] })).toEqual([]);
  });
});

describe("destination labels and the resilience policies that select destinations by them", () => {
  const destination = fixture("virtual-destination.yaml", "VirtualDestination");
  const failover = resource(fixture("resilience.yaml", "FailoverPolicy"));
  const outlier = resource(fixture("resilience.yaml", "OutlierDetectionPolicy"));
  const unlabelled = destination.replace("  labels:\n    expose: edge\n", "");
  const rows: readonly (readonly [string, string, string, readonly Resource[], readonly Expected[]])[] = [
    [
      "relabelled out of a FailoverPolicy and its OutlierDetectionPolicy: no failover, no ejection",
      destination,
      unlabelled,
      [failover, outlier],
      // The labels are gone: the findings point at the metadata that no longer has them.
      [
        {
          class: "failover.changed",
          side: "head",
          path: ["metadata"],
          says: "VirtualDestination payments/refunds-global: labels {expose=edge} → {}: FailoverPolicy payments/refunds-failover no longer selects it: the destination forwards to any backing service at random",
        },
        {
          class: "health.changed",
          side: "head",
          path: ["metadata"],
          says: "OutlierDetectionPolicy payments/refunds-ejection no longer selects it: backends returning 5xx are no longer ejected",
        },
      ],
    ],
    [
      "relabelled out of the OutlierDetectionPolicy alone while the FailoverPolicy still applies: failover is never triggered",
      destination.replace("    expose: edge\n", '    expose: edge\n    ejection: "on"\n'),
      destination,
      [failover, resource(fixture("resilience.yaml", "OutlierDetectionPolicy").replace("        expose: edge", '        ejection: "on"'))],
      [
        {
          class: "failover.changed",
          side: "head",
          path: ["metadata", "labels"],
          says: "labels {ejection=on, expose=edge} → {expose=edge}: OutlierDetectionPolicy payments/refunds-ejection no longer selects it: failing backends are no longer ejected, so FailoverPolicy payments/refunds-failover, which still applies, is no longer triggered",
        },
      ],
    ],
    [
      "relabelled into a FailoverPolicy: failover starts",
      unlabelled,
      destination,
      [failover],
      [
        {
          class: "failover.changed",
          side: "head",
          path: ["metadata", "labels"],
          says: "labels {} → {expose=edge}: FailoverPolicy payments/refunds-failover now selects it: its locality mappings now decide where the destination's traffic goes",
        },
      ],
    ],
    [
      "relabelled into an OutlierDetectionPolicy: ejection starts (medium)",
      unlabelled,
      destination,
      [outlier],
      [
        {
          class: "resource.changed",
          side: "head",
          path: ["metadata", "labels"],
          says: "OutlierDetectionPolicy payments/refunds-ejection now selects it: backends returning 5xx are ejected",
          riskFloor: "medium",
        },
      ],
    ],
    [
      "a label no policy selects by",
      destination,
      destination.replace("    expose: edge\n", "    expose: edge\n    team: refunds\n"),
      [failover, outlier],
      [],
    ],
    [
      "a policy that selects another kind of destination",
      destination,
      unlabelled,
      [resource(fixture("resilience.yaml", "FailoverPolicy").replace("kind: VIRTUAL_DESTINATION", "kind: SERVICE"))],
      [],
    ],
  ];
  it.each(rows)("%s", (_name, base, head, policies, expected) => {
    expectDetections(detect(glooDetector, base, head, { base: [...policies], head: [...policies] }), expected);
  });

  it("a policy whose own selector the PR edits is judged by its own check, not again per destination", () => {
    const retargeted = resource(failover.source.text.replace("expose: edge", "expose: internal"));
    expect(detect(glooDetector, destination, unlabelled, { base: [failover], head: [retargeted] })).toEqual([]);
  });
});

describe("VirtualDestination", () => {
  run([
    {
      name: "services selector now matches another cluster: new region backends",
      file: "virtual-destination.yaml",
      kind: "VirtualDestination",
      edit: (text) => text.replace("  ports:", "  - cluster: us-1\n    namespace: payments\n    labels:\n      app: refunds\n  ports:"),
      expected: [
        {
          class: "backend.region-added",
          side: "head",
          path: ["spec", "services", 1],
          says: "services selector now matches cluster us-1: refunds.payments.global gain backends there",
        },
      ],
    },
    {
      name: "a selector that names no cluster selects every cluster of the workspace",
      file: "virtual-destination.yaml",
      kind: "VirtualDestination",
      edit: (text) => text.replace("  - cluster: eu-1\n    namespace: payments", "  - namespace: payments"),
      // eu-1 is one of them: its services stay selected (gloo-d30).
      expected: [{ class: "backend.region-added", side: "head", path: ["spec", "services", 0], says: "every cluster of the workspace" }],
    },
    {
      name: "a named cluster dropped for an unpinned selector of other services loses them",
      file: "virtual-destination.yaml",
      kind: "VirtualDestination",
      edit: (text) => text.replace("  - cluster: eu-1\n    namespace: payments", "  - namespace: refunds"),
      expected: [
        { class: "backend.region-added", side: "head", path: ["spec", "services", 0], says: "every cluster of the workspace" },
        {
          class: "backend.region-removed",
          side: "base",
          path: ["spec", "services", 0],
          says: "services no longer selected in cluster eu-1",
        },
      ],
    },
    {
      name: "host and port changes",
      file: "virtual-destination.yaml",
      kind: "VirtualDestination",
      edit: (text) => text.replace("refunds.payments.global", "refunds.mesh.internal").replace("protocol: HTTP", "protocol: HTTP2"),
      expected: [
        { class: "route.added", side: "head", path: ["spec", "hosts"], says: "host refunds.mesh.internal added" },
        {
          class: "route.removed",
          side: "head",
          path: ["spec", "hosts"],
          says: "host refunds.payments.global removed: clients that call it fail",
        },
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "ports", 0],
          says: "port 80 protocol HTTP → HTTP2",
          riskFloor: "medium-high",
        },
      ],
    },
  ]);
});

describe("VirtualGateway", () => {
  run([
    {
      name: "tls secret swapped (trust.changed)",
      file: "gateway.yaml",
      kind: "VirtualGateway",
      edit: (text) => text.replace("secretName: pay-example-com", "secretName: pay-example-com-2025"),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "listeners", 1, "tls"],
          says: "listener :443 tls secretName pay-example-com → pay-example-com-2025",
        },
      ],
    },
    {
      name: "allowedRouteTables widened to any workspace (access.widened)",
      file: "gateway.yaml",
      kind: "VirtualGateway",
      edit: (text) => text.replace("      selector:\n        workspace: payments\n", "      selector: {}\n"),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "listeners", 1, "allowedRouteTables"],
          says: "more RouteTables can bind to the listener",
        },
      ],
    },
    {
      name: "allowedRouteTables removed: any RouteTable binds (access.widened)",
      file: "gateway.yaml",
      kind: "VirtualGateway",
      edit: (text) => text.replace(/    allowedRouteTables:\n[\s\S]*$/, ""),
      expected: [{ class: "access.widened", side: "head", path: ["spec", "listeners", 1], says: "→ (any RouteTable)" }],
    },
    {
      name: "listener added, httpsRedirect dropped",
      file: "gateway.yaml",
      kind: "VirtualGateway",
      edit: (text) => text.replace("    httpsRedirect: true\n", "") + "  - port: {number: 8443}\n    tcp: {}\n",
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "listeners", 0],
          says: "listener :80 httpsRedirect true → false: plain HTTP requests are served",
        },
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "listeners", 2],
          says: "listener :8443 added (tcp, (any RouteTable)): a new exposure point",
        },
      ],
    },
  ]);
});

describe("a VirtualGateway removed while RouteTables bind to it", () => {
  it("their routes are no longer served through it (reference.broken); with none bound it is the plain removal", () => {
    const gateway = fixture("gateway.yaml", "VirtualGateway");
    const table = resource(fixture("route-table.yaml", "RouteTable"));
    expectDetections(detect(glooDetector, gateway, undefined, { base: [table], head: [table] }), [
      {
        class: "reference.broken",
        side: "base",
        path: ["spec"],
        says: "removed while RouteTable payments/checkout still binds to it: its routes are no longer served through it",
      },
    ]);
    expect(detect(glooDetector, gateway, undefined)).toEqual([]);
    // The same VirtualGateway still declared in another file (a samples repository holds one per example).
    expect(detect(glooDetector, gateway, undefined, { base: [table], head: [table, resource(gateway, "other.yaml")] })).toEqual([]);
  });
});

describe("a delegated RouteTable removed while its parent still delegates to it", () => {
  const parent = resource(`apiVersion: networking.gloo.solo.io/v2
kind: RouteTable
metadata: {name: ingress, namespace: gloo-mesh-gateways}
spec:
  hosts: ["*"]
  virtualGateways: [{name: north-south, namespace: gloo-mesh-gateways}]
  http:
  - name: teams
    delegate:
      routeTables:
      - labels: {gateway: ingress}
`);
  const child = (name: string) => `apiVersion: networking.gloo.solo.io/v2
kind: RouteTable
metadata: {name: ${name}, namespace: shop, labels: {gateway: ingress}}
spec:
  http:
  - name: shop
    forwardTo: {destinations: [{ref: {name: shop, namespace: shop}, port: {number: 8080}}]}
`;

  it("the delegated requests find no route (reference.broken); another child still answering is the plain removal", () => {
    expectDetections(detect(glooDetector, child("shop-routes"), undefined, { base: [parent], head: [parent] }), [
      {
        class: "reference.broken",
        side: "base",
        path: ["spec"],
        says: "removed while route teams of RouteTable gloo-mesh-gateways/ingress still delegates to it, and no other RouteTable of the repository answers",
      },
    ]);
    const other = resource(child("cart-routes"));
    expect(detect(glooDetector, child("shop-routes"), undefined, { base: [parent, other], head: [parent, other] })).toEqual([]);
  });
});

describe("resilience and traffic-control policies", () => {
  const failover = resource(fixture("resilience.yaml", "FailoverPolicy"));
  run([
    {
      name: "FailoverPolicy locality mapping retargeted (critical)",
      file: "resilience.yaml",
      kind: "FailoverPolicy",
      edit: (text) => text.replace("region: us-east-1", "region: ap-southeast-1"),
      expected: [
        {
          class: "failover.changed",
          side: "head",
          path: ["spec", "config", "localityMappings"],
          says: "for VIRTUAL_DESTINATION {expose=edge}: localityMappings -eu-west-1 → us-east-1; +eu-west-1 → ap-southeast-1",
        },
      ],
    },
    {
      name: "FailoverPolicy to-weights",
      file: "resilience.yaml",
      kind: "FailoverPolicy",
      edit: (text) =>
        text.replace("      - region: us-east-1", "      - {region: us-east-1, weight: 70}\n      - {region: us-west-2, weight: 30}"),
      expected: [
        {
          class: "failover.changed",
          side: "head",
          path: ["spec", "config", "localityMappings"],
          says: "+eu-west-1 → us-east-1(70), us-west-2(30)",
        },
      ],
    },
    {
      name: "FailoverPolicy priority labels instead of mappings",
      file: "resilience.yaml",
      kind: "FailoverPolicy",
      edit: (text) =>
        text.replace(
          /    localityMappings:[\s\S]*$/,
          "    priorityLabels:\n      labels: [topology.kubernetes.io/region, topology.kubernetes.io/zone]\n",
        ),
      expected: [
        { class: "failover.changed", side: "head", path: ["spec", "config"], says: "localityMappings -eu-west-1 → us-east-1" },
        {
          class: "failover.changed",
          side: "head",
          path: ["spec", "config", "priorityLabels"],
          says: "priorityLabels [] → [topology.kubernetes.io/region, topology.kubernetes.io/zone]",
        },
      ],
    },
    {
      name: "FailoverPolicy removed: VirtualDestinations pick backends at random",
      file: "resilience.yaml",
      kind: "FailoverPolicy",
      edit: null,
      expected: [{ class: "failover.changed", side: "base", path: [], says: "removed for VIRTUAL_DESTINATION {expose=edge}" }],
    },
    {
      name: "OutlierDetectionPolicy removed while a FailoverPolicy relies on it (failover.changed)",
      file: "resilience.yaml",
      kind: "OutlierDetectionPolicy",
      edit: null,
      others: { base: [failover], head: [failover] },
      expected: [
        {
          class: "failover.changed",
          side: "base",
          path: [],
          says: "removed while FailoverPolicy payments/refunds-failover applies to the same destinations",
        },
      ],
    },
    {
      name: "OutlierDetectionPolicy removed without failover (health.changed)",
      file: "resilience.yaml",
      kind: "OutlierDetectionPolicy",
      edit: null,
      expected: [{ class: "health.changed", side: "base", path: [], says: "backends returning 5xx are no longer ejected" }],
    },
    {
      name: "OutlierDetectionPolicy loosened",
      file: "resilience.yaml",
      kind: "OutlierDetectionPolicy",
      edit: (text) => text.replace("consecutiveErrors: 3", "consecutiveErrors: 20").replace("baseEjectionTime: 1m", "baseEjectionTime: 5s"),
      expected: [
        {
          class: "health.changed",
          side: "head",
          path: ["spec", "config"],
          says: "consecutiveErrors 3 → 20, baseEjectionTime 1m → 5s: failing backends are ejected later",
        },
      ],
    },
    {
      name: "OutlierDetectionPolicy durations rewritten in other units are cosmetic",
      file: "resilience.yaml",
      kind: "OutlierDetectionPolicy",
      edit: (text) => text.replace("baseEjectionTime: 1m", "baseEjectionTime: 60s"),
      expected: [],
    },
    {
      name: "RetryTimeoutPolicy: attempts up, cross-locality retries, shorter timeout",
      file: "resilience.yaml",
      kind: "RetryTimeoutPolicy",
      edit: (text) =>
        text
          .replace("attempts: 2", "attempts: 5")
          .replace("requestTimeout: 10s", "requestTimeout: 2s")
          .replace(
            "retryOn: connect-failure,refused-stream",
            "retryOn: connect-failure,refused-stream,5xx\n      retryRemoteLocalities: true",
          ),
      expected: [
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec", "config", "retries", "attempts"],
          says: "for routes {route=checkout}: retries.attempts 2 → 5",
        },
        { class: "retry-timeout.changed", side: "head", path: ["spec", "config", "retries", "retryOn"], says: "retryOn adds 5xx" },
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec", "config", "retries", "retryRemoteLocalities"],
          says: "retried in other localities",
        },
        { class: "retry-timeout.changed", side: "head", path: ["spec", "config", "requestTimeout"], says: "requestTimeout 10s → 2s" },
      ],
    },
    {
      name: "MirrorPolicy percentage up on a POST route (high: mirrored writes)",
      file: "resilience.yaml",
      kind: "MirrorPolicy",
      edit: (text) => text.replace("percentage: 5", "percentage: 50"),
      others: { head: [resource(fixtureFile("route-table.yaml"))] },
      expected: [
        {
          class: "mirror.changed",
          side: "head",
          path: ["spec", "config"],
          says: "mirror: traffic to SERVICE payments/refunds-shadow@us-1 for routes {route=refunds} 5% → 50%; the mirrored routes take writes (payments/checkout:refunds)",
          riskFloor: "high",
        },
      ],
    },
  ]);
});

describe("workspaces", () => {
  run([
    {
      name: 'Workspace workloadClusters name "*" (access.widened)',
      file: "workspaces.yaml",
      kind: "Workspace",
      edit: (text) => text.replace("  - name: us-1\n", '  - name: "*"\n'),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "workloadClusters", 1],
          says: 'workloadClusters name "*": the workspace spans every cluster',
        },
      ],
    },
    {
      name: 'a cluster replaced by "*" for other namespaces leaves the workspace',
      file: "workspaces.yaml",
      kind: "Workspace",
      edit: (text) =>
        text.replace("  - name: us-1\n    namespaces:\n    - name: payments", '  - name: "*"\n    namespaces:\n    - name: pay*-v2'),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "workloadClusters", 1],
          says: 'workloadClusters name "*": the workspace spans every cluster',
        },
        {
          class: "resource.changed",
          side: "base",
          path: ["spec", "workloadClusters", 1],
          says: "no longer includes us-1",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: 'WorkspaceSettings exportTo workspaces "*" (access.widened)',
      file: "workspaces.yaml",
      kind: "WorkspaceSettings",
      edit: (text) => text.replace("  exportTo:\n  - workspaces:\n    - name: gateways", '  exportTo:\n  - workspaces:\n    - name: "*"'),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "exportTo", 0],
          says: "exportTo adds ROUTE_TABLE, VIRTUAL_DESTINATION to *: exported to every workspace",
        },
        // "*" still exports them to gateways: nothing there breaks.
      ],
    },
    {
      name: "WorkspaceSettings exportTo moved to another workspace: the one left loses the export",
      file: "workspaces.yaml",
      kind: "WorkspaceSettings",
      edit: (text) =>
        text.replace("  exportTo:\n  - workspaces:\n    - name: gateways", "  exportTo:\n  - workspaces:\n    - name: billing"),
      expected: [
        {
          class: "export.changed",
          side: "head",
          path: ["spec", "exportTo", 0],
          says: "exportTo adds ROUTE_TABLE, VIRTUAL_DESTINATION to billing",
        },
        {
          class: "export.changed",
          side: "base",
          path: ["spec", "exportTo", 0],
          says: "exportTo no longer exports ROUTE_TABLE, VIRTUAL_DESTINATION to gateways",
        },
      ],
    },
    {
      name: "WorkspaceSettings exportTo resources kind ALL (access.widened)",
      file: "workspaces.yaml",
      kind: "WorkspaceSettings",
      edit: (text) => text.replace("    - kind: ROUTE_TABLE\n", "    - kind: ALL\n"),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "exportTo", 0],
          says: "every kind (services, VirtualDestinations, RouteTables…) is exported",
        },
      ],
    },
    {
      name: "WorkspaceSettings export added to another workspace (export.changed)",
      file: "workspaces.yaml",
      kind: "WorkspaceSettings",
      edit: (text) =>
        text.replace(
          "  options:",
          "  - workspaces:\n    - name: billing\n    resources:\n    - kind: SERVICE\n      name: ledger\n  options:",
        ),
      expected: [{ class: "export.changed", side: "head", path: ["spec", "exportTo", 1], says: "exportTo adds SERVICE to billing" }],
    },
    {
      name: "service isolation off and federation on (access.widened)",
      file: "workspaces.yaml",
      kind: "WorkspaceSettings",
      edit: (text) =>
        text
          .replace("      enabled: true", "      enabled: false")
          .replace("    federation:\n      enabled: false", "    federation:\n      enabled: true"),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "options", "serviceIsolation"],
          says: "serviceIsolation.enabled true → false",
        },
        { class: "access.widened", side: "head", path: ["spec", "options", "federation"], says: "federation.enabled false → true" },
      ],
    },
    {
      name: "WorkspaceSettings exportTo resources reordered: a set, no change",
      file: "workspaces.yaml",
      kind: "WorkspaceSettings",
      edit: (text) =>
        text.replace(
          "    - kind: ROUTE_TABLE\n    - kind: VIRTUAL_DESTINATION\n      labels:\n        expose: edge\n",
          "    - kind: VIRTUAL_DESTINATION\n      labels:\n        expose: edge\n    - kind: ROUTE_TABLE\n",
        ),
      expected: [],
    },
  ]);
});

describe("Gloo fixtures end to end: route diff and placement by ref.cluster", () => {
  const tree = {
    "gloo/route-table.yaml": fixtureFile("route-table.yaml"),
    "gloo/virtual-destination.yaml": fixtureFile("virtual-destination.yaml"),
    "gloo/gateway.yaml": fixtureFile("gateway.yaml"),
    "gloo/resilience.yaml": fixtureFile("resilience.yaml"),
    "gloo/workspaces.yaml": fixtureFile("workspaces.yaml"),
  };
  const overlay = "topology:\n  clusters: {eu-1: eu-west-1, us-1: us-east-1, ap-1: ap-southeast-1}\n";
  const edit = (file: keyof typeof tree, change: (text: string) => string) => ({ ...tree, [file]: change(tree[file]) });

  it("80/20 → 50/50 across clusters is a weight change with per-region shares", () => {
    const result = analyze(
      tree,
      edit("gloo/route-table.yaml", (text) => text.replace("weight: 80", "weight: 50").replace("weight: 20", "weight: 50")),
      overlay,
    );
    expect(result.findings.map((finding) => [finding.class, finding.risk])).toEqual([["backend.weight-changed", "medium-high"]]);
    expect(result.findings[0]!.summary).toBe("shop.pay.example.com /checkout: checkout@eu-1:8080 80% → 50%, checkout@us-1:8080 20% → 50%");
    expect(result.routeDiffs[0]!.regions).toEqual([
      { region: "eu-west-1", before: 0.8, after: 0.5 },
      { region: "us-east-1", before: 0.2, after: 0.5 },
    ]);
  });

  it("a destination with a new ref.cluster in a new region is backend.region-added", () => {
    const result = analyze(
      tree,
      edit("gloo/route-table.yaml", (text) => text.replace("          cluster: us-1", "          cluster: ap-1")),
      overlay,
    );
    expect(result.findings.map((finding) => [finding.class, finding.risk]).sort()).toEqual([
      ["backend.region-added", "high"],
      ["backend.region-removed", "high"],
    ]);
    expect(result.findings.map((finding) => finding.summary)).toContain(
      "shop.pay.example.com /checkout: checkout@ap-1:8080 in new region ap-southeast-1 receives 20% (checkout@us-1:8080 20% → removed, checkout@ap-1:8080 new 20%)",
    );
  });

  it("a VirtualDestination that starts selecting another cluster moves the route's backend into that region", () => {
    const result = analyze(
      tree,
      edit("gloo/virtual-destination.yaml", (text) =>
        text.replace("  ports:", "  - cluster: us-1\n    namespace: payments\n    labels: {app: refunds}\n  ports:"),
      ),
      overlay,
    );
    const classes = result.findings.map((finding) => [finding.class, finding.file]);
    expect(classes).toEqual(
      expect.arrayContaining([
        ["backend.region-added", "gloo/route-table.yaml"],
        ["backend.region-added", "gloo/virtual-destination.yaml"],
      ]),
    );
    const routed = result.findings.find((finding) => finding.file === "gloo/route-table.yaml" && finding.class === "backend.region-added")!;
    expect(routed.summary).toContain("VirtualDestination refunds-global:80 now also reaches us-east-1 (was eu-west-1)");
  });

  it("a split that no longer sums to 100 is answered 500 by Gloo (ROUTE_REPLACEMENT, the default): no backend is served", () => {
    const result = analyze(
      tree,
      edit("gloo/route-table.yaml", (text) => text.replace("weight: 80", "weight: 60").replace("weight: 20", "weight: 60")),
      overlay,
    );
    expect(result.findings.map((finding) => [finding.class, finding.risk])).toEqual([
      ["backend.all-removed", "critical"],
      ["resource.changed", "medium-high"],
    ]);
    expect(result.findings[0]!.summary).toContain("the proxy answers every request with 500");
    expect(result.findings[1]!.summary).toContain(
      "failureMode ROUTE_REPLACEMENT, the default: the route is replaced by a 500 direct response",
    );
  });

  it("with failureMode FREEZE_CONFIG the rejected split keeps its last accepted config and is flagged; the tree's other edits are judged as written", () => {
    const frozen = edit("gloo/route-table.yaml", (text) =>
      text.replace("  workloadSelectors: []", "  workloadSelectors: []\n  failureMode: FREEZE_CONFIG"),
    );
    const result = analyze(
      frozen,
      {
        ...frozen,
        "gloo/route-table.yaml": frozen["gloo/route-table.yaml"]
          .replace("weight: 80", "weight: 60")
          .replace("weight: 20", "weight: 60")
          // Held with the rest of the frozen tree, but live the moment anyone fixes the split: judged now.
          .replace(
            "          cluster: eu-1\n        port:\n          number: 8080\n        subset:",
            "          cluster: ap-1\n        port:\n          number: 8080\n        subset:",
          ),
      },
      overlay,
    );
    expect(result.findings.map((finding) => [finding.class, finding.risk])).toEqual([
      ["backend.region-removed", "high"],
      ["backend.region-added", "high"],
      ["resource.changed", "medium-high"],
    ]);
    expect(result.findings[2]!.summary).toContain(
      "failureMode FREEZE_CONFIG: the table tree keeps serving its last accepted config until this is fixed; its other edits, judged here as written, all go live then",
    );
  });

  it("a PR that fixes the split of a tree frozen at base is high: every edit held since its last accepted config goes live at once", () => {
    const table = (weight: number, backend: string) =>
      `apiVersion: networking.gloo.solo.io/v2\nkind: RouteTable\nmetadata: {name: shop, namespace: shop}\nspec:\n  hosts: [shop.example.com]\n  failureMode: FREEZE_CONFIG\n  http:\n  - name: a\n    matchers: [{uri: {prefix: /a}}]\n    forwardTo:\n      destinations:\n      - {ref: {name: svc-a, cluster: eu-1}, port: {number: 80}, weight: ${weight}}\n      - {ref: {name: svc-a2, cluster: eu-1}, port: {number: 80}, weight: 50}\n  - name: b\n    matchers: [{uri: {prefix: /b}}]\n    forwardTo:\n      destinations:\n      - {ref: {name: ${backend}, cluster: eu-1}, port: {number: 80}}\n`;
    // H2: an earlier PR broke the split and, behind the freeze, moved /b to evil-svc; this one fixes the split.
    const thawed = analyze({ "gloo/rt.yaml": table(60, "evil-svc") }, { "gloo/rt.yaml": table(50, "evil-svc") }, overlay);
    expect(thawed.findings.find((finding) => finding.risk === "high")?.summary).toContain(
      "its table tree was frozen at base (failureMode FREEZE_CONFIG, a split Gloo rejects) and is not now: Gloo applies at once every edit",
    );
    // H1: the PR that freezes the tree and hides the retarget behind it rates the retarget as its own.
    const hidden = analyze({ "gloo/rt.yaml": table(50, "svc-b") }, { "gloo/rt.yaml": table(60, "evil-svc") }, overlay);
    expect(hidden.findings.map((finding) => [finding.class, finding.risk])).toEqual([
      ["resource.changed", "medium-high"],
      ["backend.weight-changed", "medium-high"],
    ]);
    expect(hidden.findings[1]!.summary).toContain("evil-svc");
    // An edit made while the tree stays frozen is judged where it is made, not only when the freeze ends.
    const whileFrozen = analyze({ "gloo/rt.yaml": table(60, "svc-b") }, { "gloo/rt.yaml": table(60, "evil-svc") }, overlay);
    expect(whileFrozen.findings.map((finding) => [finding.class, finding.risk])).toEqual([["backend.weight-changed", "medium-high"]]);
  });

  it("a split rejected in a delegated child follows its parent's failureMode (a child cannot set one: route_table.proto)", () => {
    const parent = (failureMode: string) =>
      `apiVersion: networking.gloo.solo.io/v2\nkind: RouteTable\nmetadata: {name: shop, namespace: payments}\nspec:\n  hosts: [shop.example.com]\n${failureMode}  http:\n  - name: orders\n    delegate: {routeTables: [{labels: {table: orders}}]}\n`;
    const child = (failureMode: string, weight: number) =>
      `apiVersion: networking.gloo.solo.io/v2\nkind: RouteTable\nmetadata: {name: orders, namespace: payments, labels: {table: orders}}\nspec:\n${failureMode}  http:\n  - name: orders\n    forwardTo:\n      destinations:\n      - {ref: {name: orders-v1, cluster: eu-1}, port: {number: 8080}, weight: 50}\n      - {ref: {name: orders-v2, cluster: eu-1}, port: {number: 8080}, weight: ${weight}}\n`;
    const split = (parentMode: string, childMode: string) =>
      analyze(
        { "gloo/parent.yaml": parent(parentMode), "gloo/child.yaml": child(childMode, 50) },
        { "gloo/parent.yaml": parent(parentMode), "gloo/child.yaml": child(childMode, 70) },
        overlay,
      );
    const frozen = split("  failureMode: FREEZE_CONFIG\n", "");
    expect(frozen.findings.map((finding) => [finding.class, finding.risk])).toEqual([["resource.changed", "medium-high"]]);
    expect(frozen.findings[0]!.summary).toContain("failureMode FREEZE_CONFIG: the table tree keeps serving its last accepted config");
    expect(frozen.routeDiffs).toEqual([]);
    // The child's own FREEZE_CONFIG is not Gloo's: under a default parent the route answers 500.
    const replaced = split("", "  failureMode: FREEZE_CONFIG\n");
    expect(replaced.findings.map((finding) => [finding.class, finding.risk])).toEqual([
      ["backend.all-removed", "critical"],
      ["resource.changed", "medium-high"],
    ]);
    expect(replaced.findings[1]!.summary).toContain(
      "failureMode ROUTE_REPLACEMENT, its parent's (a delegated child's own failureMode is unsupported)",
    );
  });

  it("a rejected split fixed lets the route serve its destinations again", () => {
    const broken = edit("gloo/route-table.yaml", (text) => text.replace("weight: 80", "weight: 90"));
    const result = analyze(broken, tree, overlay);
    expect(result.findings.map((finding) => finding.class)).not.toContain("backend.all-removed");
    expect(result.routeDiffs[0]!.backends.map((shift) => [shift.label, shift.before, shift.after])).toEqual([
      ["500 direct response (Gloo rejects the split: destination weights sum to 110, not 100)", 1, undefined],
      ["checkout@eu-1:8080", undefined, 0.8],
      ["checkout@us-1:8080", undefined, 0.2],
    ]);
  });

  it("a table bound to a VirtualGateway the repository does not hold is reference.broken (the base's own is not)", () => {
    const renamed = edit("gloo/route-table.yaml", (text) => text.replace("  - name: north-south\n", "  - name: north-south-gateway\n"));
    const result = analyze(tree, renamed, overlay);
    const broken = result.findings.filter((finding) => finding.class === "reference.broken");
    expect(broken.map((finding) => [finding.risk, finding.summary])).toEqual([
      [
        "high",
        "RouteTable payments/checkout: virtualGateways names VirtualGateway gloo-gateways/north-south-gateway, which the repository does not hold: no gateway serves its routes there",
      ],
    ]);
    expect(result.findings.find((finding) => finding.class === "route.attachment-changed")?.summary).toContain(
      "now names VirtualGateway gloo-gateways/north-south-gateway, which the repository does not hold",
    );
    const relabelled = edit("gloo/route-table.yaml", (text) =>
      text.replace("  workloadSelectors: []", "  workloadSelectors: []\n  weight: 5"),
    );
    expect(
      analyze(
        {
          ...renamed,
          "gloo/route-table.yaml": relabelled["gloo/route-table.yaml"].replace(
            "  - name: north-south\n",
            "  - name: north-south-gateway\n",
          ),
        },
        renamed,
        overlay,
      ).findings.filter((finding) => finding.class === "reference.broken"),
    ).toEqual([]);
  });

  it("a VirtualDestination deleted while a route forwards to it leaves the route no backend anywhere, not across the cluster set", () => {
    const { "gloo/virtual-destination.yaml": _removed, ...rest } = tree;
    const result = analyze(tree, rest, overlay);
    const routed = result.findings
      .filter((finding) => finding.file === "gloo/route-table.yaml")
      .map((finding) => [finding.class, finding.summary]);
    expect(routed).toEqual([
      [
        "backend.region-removed",
        "shop.pay.example.com Exact /refunds, method POST: region eu-west-1 no longer receives traffic (VirtualDestination refunds-global:80 now placed in no exporting cluster)",
      ],
    ]);
  });

  it("a route moved onto a VirtualDestination of every cluster reaches the cluster set; the region it left is not known drained", () => {
    // gloo-d05: refunds@eu-1 → VirtualDestination refunds-global, whose selector names no cluster (eu-1 among them).
    const pinned = edit("gloo/route-table.yaml", (text) =>
      text.replace(
        "          name: refunds-global\n          namespace: payments\n        kind: VIRTUAL_DESTINATION",
        "          name: refunds\n          namespace: payments\n          cluster: eu-1",
      ),
    );
    const result = analyze(
      pinned,
      edit("gloo/virtual-destination.yaml", (text) =>
        text.replace("  - cluster: eu-1\n    namespace: payments", "  - namespace: payments"),
      ),
      overlay,
    );
    const refunds = result.findings.filter((finding) => finding.file === "gloo/route-table.yaml");
    expect(refunds.map((finding) => finding.class)).toEqual(["backend.region-added"]);
    expect(refunds[0]!.summary).toContain("VirtualDestination refunds-global:80 across the cluster set receives 100%");
  });

  it("cosmetic edits (key order, quoting, apiVersion) yield nothing above low", () => {
    const cosmetic = edit("gloo/route-table.yaml", (text) =>
      text
        .replace("networking.gloo.solo.io/v2", "networking.gloo.solo.io/v2beta1")
        .replace("weight: 80", "weight: 80 # most traffic stays in the EU")
        .replace("  hosts:\n  - shop.pay.example.com\n", '  hosts: ["shop.pay.example.com"]\n'),
    );
    expect(analyze(tree, cosmetic, overlay).findings).toEqual([]);
  });
});

describe("FaultInjectionPolicy: faults on every request of the routes it selects (gloo-mesh-use-cases)", () => {
  const policy = (fault: string) => `
apiVersion: resilience.policy.gloo.solo.io/v2
kind: FaultInjectionPolicy
metadata: {name: fault-injection, namespace: global}
spec:
  applyToRoutes:
  - withDestinations: {selector: {labels: {app: frontend}}}
  config:
${fault}`;
  it("a delay on every request, then an abort beside it; a narrower share is no finding", () => {
    expectDetections(detect(glooDetector, undefined, policy("    delay: {fixedDelay: 5s, percentage: 100}")), [
      {
        class: "fault.injected",
        side: "head",
        path: ["spec", "config", "delay"],
        says: "for routes to SERVICE {app=frontend}: fault delay (5s delay) on 100% of requests",
      },
    ]);
    const both = policy("    delay: {fixedDelay: 5s, percentage: 100}\n    abort: {httpStatus: 401}");
    expectDetections(detect(glooDetector, policy("    delay: {fixedDelay: 5s, percentage: 100}"), both), [
      { class: "fault.injected", side: "head", path: ["spec", "config", "abort"], says: "fault abort (HTTP 401) on 100% of requests" },
    ]);
    expectDetections(detect(glooDetector, both, policy("    delay: {fixedDelay: 5s, percentage: 10}\n    abort: {httpStatus: 401}")), []);
  });

  it("the same faults on routes its selector did not pick before (an emptied selector picks every route)", () => {
    const selecting = (selector: string) =>
      `apiVersion: resilience.policy.gloo.solo.io/v2
kind: FaultInjectionPolicy
metadata: {name: chaos, namespace: payments}
spec:
  applyToRoutes:
  - ${selector}
  config: {abort: {httpStatus: 503, percentage: 50}}
`;
    const around = {
      base: [resource(fixture("route-table.yaml", "RouteTable"))],
      head: [resource(fixture("route-table.yaml", "RouteTable"))],
    };
    const detections = detect(glooDetector, selecting('route: {labels: {chaos: "on"}}'), selecting("{}"), around);
    expect(detections.map((d) => [d.class, d.path, d.summary])).toEqual([
      [
        "fault.injected",
        ["spec", "applyToRoutes"],
        "FaultInjectionPolicy payments/chaos: for every route: now also selects route checkout of RouteTable payments/checkout, route checkout-canary of RouteTable payments/checkout, route refunds of RouteTable payments/checkout: its faults (abort on 50% of requests) are injected into their requests; real users get the injected failures",
      ],
    ]);
    // Narrowed, or the same routes, it injects into no more requests.
    expect(detect(glooDetector, selecting("{}"), selecting('route: {labels: {chaos: "on"}}'), around)).toEqual([]);
  });
});

describe("AccessPolicy: Gloo's mTLS mode and client allow-list for the workloads it selects", () => {
  const policy = (config: string) => `
apiVersion: security.policy.gloo.solo.io/v2
kind: AccessPolicy
metadata: {name: reviews-access, namespace: bookinfo}
spec:
  applyToDestinations:
  - selector: {labels: {app: reviews}}
  config:
${config}`;
  const STRICT = "    authn: {tlsMode: STRICT}\n";
  const PRODUCTPAGE = "    authz:\n      allowedClients:\n      - serviceAccountSelector: {name: bookinfo-productpage}\n";
  it("STRICT given up, clients added, every identity allowed, the allow-list gone", () => {
    expectDetections(detect(glooDetector, policy(STRICT + PRODUCTPAGE), policy("    authn: {tlsMode: PERMISSIVE}\n" + PRODUCTPAGE)), [
      {
        class: "mtls.weakened",
        side: "head",
        path: ["spec", "config", "authn", "tlsMode"],
        says: "for SERVICE {app=reviews}: tlsMode STRICT → PERMISSIVE",
      },
    ]);
    const more = `${PRODUCTPAGE}      - serviceAccountSelector: {namespace: partners}\n`;
    expectDetections(detect(glooDetector, policy(STRICT + PRODUCTPAGE), policy(STRICT + more)), [
      {
        class: "access.widened",
        side: "head",
        path: ["spec", "config"],
        says: "allowed clients gain service accounts {namespace=partners}",
      },
    ]);
    const everyone = "    authz:\n      allowedClients:\n      - {}\n";
    expectDetections(detect(glooDetector, policy(STRICT + PRODUCTPAGE), policy(STRICT + everyone)), [
      { class: "access.widened", side: "head", path: ["spec", "config"], says: "allowed clients gain every identity" },
    ]);
    expectDetections(detect(glooDetector, policy(STRICT + PRODUCTPAGE), undefined), [
      { class: "mtls.weakened", side: "base", path: ["spec", "config", "authn", "tlsMode"], says: "STRICT → (policy removed)" },
      {
        class: "access.widened",
        side: "base",
        path: ["spec", "config"],
        says: "its allow-list no longer applies (policy removed): every client can call",
      },
    ]);
  });

  const selecting = (selector: string) => policy(STRICT + PRODUCTPAGE).replace("  - selector: {labels: {app: reviews}}", selector);
  const LOST = "no longer selected: applyToDestinations VIRTUAL_DESTINATION {app=reviews} → VIRTUAL_DESTINATION {app=reviews-v2}";
  const REVIEWS = "  - kind: VIRTUAL_DESTINATION\n    selector: {labels: {app: reviews}}";
  const REVIEWS_V2 = "  - kind: VIRTUAL_DESTINATION\n    selector: {labels: {app: reviews-v2}}";
  it("applyToDestinations moved: the destinations it leaves lose STRICT and the allow-list, those it reaches gain them", () => {
    const destination = (name: string) =>
      resource(`
apiVersion: networking.gloo.solo.io/v2
kind: VirtualDestination
metadata: {name: ${name}, namespace: bookinfo, labels: {app: ${name}}}
spec:
  hosts: [${name}.mesh.internal]
  ports: [{number: 9080, protocol: HTTP}]
`);
    const tree = [destination("reviews"), destination("reviews-v2"), destination("ratings")];
    expectDetections(detect(glooDetector, selecting(REVIEWS), selecting(REVIEWS_V2), { base: tree, head: tree }), [
      {
        class: "mtls.weakened",
        side: "head",
        path: ["spec", "applyToDestinations"],
        says: `for VirtualDestination bookinfo/reviews: tlsMode STRICT → (${LOST})`,
      },
      {
        class: "access.widened",
        side: "head",
        path: ["spec", "applyToDestinations"],
        says: `for VirtualDestination bookinfo/reviews: its allow-list no longer applies (${LOST})`,
      },
      {
        class: "resource.changed",
        side: "head",
        path: ["spec", "applyToDestinations"],
        says: "for VirtualDestination bookinfo/reviews-v2: now selected",
        riskFloor: "medium",
      },
    ]);
  });

  it("applyToDestinations moved with no destination in the tree: judged by whether the new selector covers the old", () => {
    expectDetections(detect(glooDetector, selecting(REVIEWS), selecting(REVIEWS_V2)), [
      {
        class: "mtls.weakened",
        side: "head",
        path: ["spec", "applyToDestinations"],
        says: `for VIRTUAL_DESTINATION {app=reviews}: tlsMode STRICT → (${LOST})`,
      },
      { class: "access.widened", side: "head", path: ["spec", "applyToDestinations"], says: "its allow-list no longer applies" },
      {
        class: "resource.changed",
        side: "head",
        path: ["spec", "applyToDestinations"],
        says: "for VIRTUAL_DESTINATION {app=reviews-v2}: now selected",
        riskFloor: "medium",
      },
    ]);
    // Widened to every VirtualDestination: every destination it selected still is.
    const every = "  - kind: VIRTUAL_DESTINATION\n    selector: {}";
    expectDetections(detect(glooDetector, selecting(REVIEWS), selecting(every)), [
      {
        class: "resource.changed",
        side: "head",
        path: ["spec", "applyToDestinations"],
        says: "for VIRTUAL_DESTINATION everything: now selected",
        riskFloor: "medium",
      },
    ]);
  });

  it("a first allow-list or fewer clients narrow access: no widening", () => {
    expectDetections(detect(glooDetector, undefined, policy(STRICT + PRODUCTPAGE)), []);
    const two = `${PRODUCTPAGE}      - serviceAccountSelector: {namespace: partners}\n`;
    expectDetections(detect(glooDetector, policy(STRICT + two), policy(STRICT + PRODUCTPAGE)), []);
  });
});

describe("a destination moved to another cluster whose region the policy does not name", () => {
  const table = (cluster: string) => `apiVersion: networking.gloo.solo.io/v2
kind: RouteTable
metadata: {name: shop, namespace: shop}
spec:
  hosts: [shop.example.com]
  http:
  - name: api
    matchers: [{uri: {prefix: /api}}]
    forwardTo:
      destinations:
      - {ref: {name: api, namespace: shop, cluster: cluster-1}, port: {number: 8080}, weight: 90}
      - {ref: {name: api, namespace: shop, cluster: ${cluster}}, port: {number: 8080}, weight: 10}
`;

  it("the cluster is where traffic runs: one gained and one drained, as regions are (it was a medium backend swap)", () => {
    const result = analyze({ "rt.yaml": table("cluster-2") }, { "rt.yaml": table("cluster-3") });
    expect(result.findings.map((finding) => [finding.class, finding.risk, finding.summary.replace(/ \(api@.*$/, "")])).toEqual([
      ["backend.region-removed", "high", "shop.example.com /api: cluster cluster-2 (its region unknown) no longer receives traffic"],
      [
        "backend.region-added",
        "high",
        "shop.example.com /api: api@cluster-3:8080 in new cluster cluster-3 (its region unknown) receives 10%",
      ],
    ]);
  });

  it("a cluster the flow already reaches is not new: the destination listed twice takes both weights", () => {
    const result = analyze({ "rt.yaml": table("cluster-2") }, { "rt.yaml": table("cluster-1") });
    expect(result.findings.map((finding) => [finding.class, finding.summary.replace(/ \(api@.*$/, "")])).toEqual([
      ["backend.region-removed", "shop.example.com /api: cluster cluster-2 (its region unknown) no longer receives traffic"],
    ]);
    expect(result.findings[0]!.summary).toContain("api@cluster-1:8080 90% → 100%");
  });
});

describe("security and rate-limit policies: what the routes they select must pass (Gloo 2.14 CRDs)", () => {
  const policy = (kind: string) => fixture("security-policies.yaml", kind);
  const table = fixture("route-table.yaml", "RouteTable");
  const withTable = { base: [resource(table)], head: [resource(table)] };
  const both = "route checkout-canary of RouteTable payments/checkout, route checkout of RouteTable payments/checkout";

  for (const [kind, requires, lost] of [
    ["ExtAuthPolicy", "external authentication", "access.widened"],
    ["JWTPolicy", "a valid JWT", "access.widened"],
    ["WAFPolicy", "WAF inspection", "access.widened"],
    ["CSRFPolicy", "CSRF checks", "access.widened"],
    ["DLPPolicy", "data-loss-prevention masking", "access.widened"],
    ["RateLimitPolicy", "rate limits", "resource.changed"],
  ] as const) {
    it(`${kind} removed: the routes it selected no longer require ${requires} (${lost})`, () => {
      const found = detect(glooDetector, policy(kind), undefined, withTable);
      expect(found.map(({ class: id, side, riskFloor }) => ({ id, side, riskFloor }))).toEqual([
        { id: lost, side: "base", riskFloor: lost === "resource.changed" ? "medium-high" : undefined },
      ]);
      expect(found[0]!.summary).toContain(`removed: ${both} no longer require ${requires}`);
    });
  }

  it("added: the routes now require it (medium); a route the PR removes along with it loses nothing", () => {
    expectDetections(detect(glooDetector, undefined, policy("ExtAuthPolicy"), withTable), [
      { class: "resource.changed", side: "head", path: ["spec"], says: `${both} now require external authentication`, riskFloor: "medium" },
    ]);
    expect(detect(glooDetector, policy("WAFPolicy"), undefined, { base: [resource(table)] })).toEqual([]);
  });

  it("routes outside the repository: the selector is named; a policy selecting none guards none", () => {
    expectDetections(detect(glooDetector, policy("JWTPolicy"), undefined), [
      {
        class: "access.widened",
        side: "base",
        path: ["spec"],
        says: "the routes it selects (routes {route=checkout}), not in this repository",
      },
    ]);
    // ExtAuthPolicy: "If empty, the policy does not apply to any routes"; with no destinations either, every destination.
    const bare = policy("ExtAuthPolicy").replace(/  applyToRoutes:\n(.*\n){3}/, "");
    expectDetections(detect(glooDetector, bare, undefined, withTable), [
      {
        class: "access.widened",
        side: "base",
        path: ["spec"],
        says: "every destination of its workspace no longer requires external authentication",
      },
    ]);
  });

  it("turned off in place: JWT tokens optional, CSRF in shadow mode, WAF with no rules, DLP actions shadowed", () => {
    for (const [kind, edit, says] of [
      ["JWTPolicy", (text: string) => text.replace("    phase:", "    validationPolicy: ALLOW_MISSING\n    phase:"), "a valid JWT"],
      ["CSRFPolicy", (text: string) => text.replace("filterEnabled: {}", "shadowEnabled: {}"), "CSRF checks"],
      [
        "WAFPolicy",
        (text: string) => text.replace("disableCoreRuleSet: false", "disableCoreRuleSet: true").replace(/    customRuleSets:\n(.*\n)*/, ""),
        "WAF inspection",
      ],
      [
        "DLPPolicy",
        (text: string) => text.replaceAll(/(predefinedAction: \w+)/g, "$1\n      shadow: true"),
        "data-loss-prevention masking",
      ],
    ] as const) {
      expectDetections(detect(glooDetector, policy(kind), edit(policy(kind)), withTable), [
        { class: "access.widened", side: "head", path: ["spec", "config"], says: `no longer enforced: ${both} no longer require ${says}` },
      ]);
    }
  });

  it("CSRF enforcement written as a boolean (gloo-mesh-use-cases) is read as enforced", () => {
    const csrf = policy("CSRFPolicy").replace("filterEnabled: {}", "filterEnabled: true");
    expectDetections(detect(glooDetector, csrf, csrf.replace("filterEnabled: true", "shadowEnabled: true"), withTable), [
      { class: "access.widened", side: "head", path: ["spec", "config"], says: "no longer enforced" },
    ]);
  });

  it("a selector narrowed: the routes left out lose the guard unless another policy of the kind still selects them", () => {
    const narrowed = (text: string) => text.replace("        route: checkout\n", "        route: checkout\n        tier: gold\n");
    // What the narrowed selector takes is not in this tree: named by its selector.
    expectDetections(detect(glooDetector, policy("ExtAuthPolicy"), narrowed(policy("ExtAuthPolicy")), withTable), [
      { class: "access.widened", side: "head", path: ["spec", "applyToRoutes"], says: `no longer selects them: ${both} no longer require` },
      {
        class: "resource.changed",
        side: "head",
        path: ["spec"],
        says: "the routes it selects (routes {route=checkout, tier=gold}), not in this repository now requires",
        riskFloor: "medium",
      },
    ]);
    const other = resource(policy("ExtAuthPolicy").replace("name: checkout-oidc", "name: checkout-oidc-2"));
    const covered = { base: [resource(table), other], head: [resource(table), other] };
    expect(detect(glooDetector, policy("ExtAuthPolicy"), narrowed(policy("ExtAuthPolicy")), covered).map((found) => found.class)).toEqual([
      "resource.changed",
    ]);
  });

  it("a route relabelled out of the selection of policies the PR leaves alone: one finding per route and class", () => {
    const [waf, jwt, limits] = [resource(policy("WAFPolicy")), resource(policy("JWTPolicy")), resource(policy("RateLimitPolicy"))];
    const relabelled = table.replace(
      "  - name: checkout\n    labels:\n      route: checkout\n",
      "  - name: checkout\n    labels:\n      route: legacy\n",
    );
    expectDetections(detect(glooDetector, table, relabelled, { base: [waf, jwt, limits], head: [waf, jwt, limits] }), [
      {
        class: "access.widened",
        side: "head",
        path: ["spec", "http", 1, "labels"],
        says: "route checkout of RouteTable payments/checkout: no longer selected by JWTPolicy payments/checkout-jwt, WAFPolicy payments/checkout-waf: no longer requires a valid JWT, WAF inspection",
      },
      {
        class: "resource.changed",
        side: "head",
        path: ["spec", "http", 1, "labels"],
        says: "no longer selected by RateLimitPolicy payments/checkout-limits: no longer requires rate limits",
        riskFloor: "medium-high",
      },
    ]);
  });

  it("a policy renamed (removed and added alike) asks nothing new of its routes", () => {
    const waf = policy("WAFPolicy");
    const renamed = resource(waf.replace("name: checkout-waf", "name: checkout-waf-v2"));
    const found = detect(glooDetector, undefined, renamed, { base: [resource(table), resource(waf)], head: [resource(table)] });
    expect(found).toEqual([]);
  });

  it("kept in place: another authorizer, an auth method dropped, fail-open, issuers and claims, origins, masks", () => {
    const extAuth = policy("ExtAuthPolicy");
    expectDetections(
      detect(
        glooDetector,
        extAuth,
        extAuth.replace("name: ext-auth-server", "name: other-auth").replace(/      - apiKeyAuth:\n(.*\n){4}/, ""),
        withTable,
      ),
      [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "config", "server"],
          says: "now asks ExtAuthServer gloo-mesh-addons/other-auth@eu-1",
        },
        { class: "access.widened", side: "head", path: ["spec", "config"], says: "external auth no longer requires apiKeyAuth" },
      ],
    );
    const jwt = policy("JWTPolicy");
    expectDetections(
      detect(
        glooDetector,
        jwt,
        jwt
          .replace("url: https://idp.example.com/.well-known/jwks.json", "url: https://keys.example.net/jwks.json")
          .replace(/    requiredScopes:\n.*\n/, ""),
        withTable,
      ),
      [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "config", "providers", "idp"],
          says: "now come from https://keys.example.net/jwks.json",
        },
        { class: "access.widened", side: "head", path: ["spec", "config"], says: "tokens no longer need scope checkout:write" },
      ],
    );
    const cors = policy("CORSPolicy");
    expectDetections(detect(glooDetector, cors, cors.replace("exact: https://shop.pay.example.com", "regex: .*"), withTable), [
      { class: "access.widened", side: "head", path: ["spec", "config", "allowOrigins"], says: "CORS allows every origin (regex:.*)" },
    ]);
    const dlp = policy("DLPPolicy");
    expectDetections(detect(glooDetector, dlp, dlp.replace("    - predefinedAction: SSN\n", ""), withTable), [
      { class: "access.widened", side: "head", path: ["spec", "config", "actions"], says: "no longer masked for SSN" },
    ]);
  });

  it("ExtAuthPolicy OIDC sign-in trusting another identity provider is trust.changed", () => {
    const extAuth = policy("ExtAuthPolicy");
    expectDetections(
      detect(
        glooDetector,
        extAuth,
        extAuth.replace("issuerUrl: https://idp.example.com/", "issuerUrl: https://login.example.org/"),
        withTable,
      ),
      [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "config", "glooAuth", "configs"],
          says: "OIDC sign-in now trusts https://login.example.org/",
        },
      ],
    );
  });

  it("RateLimitPolicy pointed at another rate-limit server config: other limits apply (medium)", () => {
    const limits = policy("RateLimitPolicy");
    expectDetections(
      detect(
        glooDetector,
        limits,
        limits.replace(
          "      name: checkout\n      namespace: gloo-mesh-addons",
          "      name: checkout-strict\n      namespace: gloo-mesh-addons",
        ),
        withTable,
      ),
      [{ class: "resource.changed", side: "head", path: ["spec", "config"], says: "rate-limit config changed", riskFloor: "medium" }],
    );
  });

  it("ClientTLSPolicy: TLS to the destinations weakened, or verified against another CA", () => {
    const tls = policy("ClientTLSPolicy");
    expectDetections(detect(glooDetector, tls, tls.replace("  mutual:", "  simple:"), withTable), [
      {
        class: "mtls.weakened",
        side: "head",
        path: ["spec", "simple"],
        says: "mutual → simple: the client no longer presents its certificate",
      },
    ]);
    expectDetections(detect(glooDetector, tls, tls.replace(/  mutual:\n(.*\n)*/, "  disable: {}\n"), withTable), [
      { class: "mtls.weakened", side: "head", path: ["spec", "disable"], says: "requests leave in plaintext" },
    ]);
    expectDetections(
      detect(glooDetector, tls, tls.replace("credentialName: card-processor-client", "credentialName: other-ca"), withTable),
      [{ class: "trust.changed", side: "head", path: ["spec", "mutual", "config", "credentialName"], says: "verified against another CA" }],
    );
  });
});

describe("ExternalService: the registry entry Gloo makes of it, judged as a ServiceEntry's", () => {
  const service = (host: string) => `apiVersion: networking.gloo.solo.io/v2
kind: ExternalService
metadata: {name: card-processor, namespace: payments}
spec:
  hosts: [${host}]
  ports:
  - {name: https, number: 443, protocol: HTTPS, clientsideTls: {}}
`;

  it("another host: routes forwarding to the service reach it (egress opens), the old one leaves the registry", () => {
    expectDetections(detect(glooDetector, service("api.cards.example.net"), service("api.cards.example.org")), [
      { class: "route.removed", side: "head", path: ["spec", "hosts"], says: "hosts api.cards.example.net leave the mesh's registry" },
      { class: "route.added", side: "head", path: ["spec", "hosts"], says: "hosts api.cards.example.org join the mesh's registry" },
    ]);
  });

  it("removed: its hosts leave the registry unless another ExternalService registers them", () => {
    expectDetections(detect(glooDetector, service("api.cards.example.net"), undefined), [
      {
        class: "route.removed",
        side: "base",
        path: ["spec", "hosts"],
        says: "removed: hosts api.cards.example.net leave the mesh's registry",
      },
    ]);
    const renamed = resource(service("api.cards.example.net").replace("name: card-processor,", "name: cards,"));
    expect(detect(glooDetector, service("api.cards.example.net"), undefined, { head: [renamed] })).toEqual([]);
  });

  it("an ExtAuthPolicy booleanExpr that lets either config pass widens access; another conjunction is medium", () => {
    const extAuth = fixture("security-policies.yaml", "ExtAuthPolicy");
    const withExpr = (expression: string) => extAuth.replace("      configs:\n", `      booleanExpr: "${expression}"\n      configs:\n`);
    const found = detect(glooDetector, extAuth, withExpr("oauth2 || apiKeyAuth"));
    expect(found.map((detection) => detection.class)).toEqual(["access.widened"]);
    expect(
      detect(glooDetector, withExpr("oauth2 || apiKeyAuth"), withExpr("oauth2 && apiKeyAuth")).map((d) => [d.class, d.riskFloor]),
    ).toEqual([["resource.changed", "medium"]]);
  });
});
