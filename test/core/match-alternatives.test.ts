import { describe, expect, it } from "vitest";
import { covers, givenUp, givesUpSome, mayOverlap, outranks, requestShapes, takesPlain } from "../../src/core/match-alternatives.js";

const shape = (match: string) => requestShapes(match)[0]!;

describe("gRPC matches read back as request shapes", () => {
  it("a rule for any service and method takes every RPC; a service's every method takes each of its methods", () => {
    expect(covers(shape("grpc */*"), shape("grpc orders.v1.AdminService/*"))).toBe(true);
    expect(covers(shape("grpc orders.v1.AdminService/*"), shape("grpc orders.v1.AdminService/Purge"))).toBe(true);
    expect(covers(shape("grpc orders.v1.AdminService/Purge"), shape("grpc orders.v1.AdminService/*"))).toBe(false);
    expect(covers(shape("grpc orders.v1.OrderService/*"), shape("grpc orders.v1.AdminService/Purge"))).toBe(false);
  });

  it("other services or methods share no RPC; a regular expression may share any", () => {
    expect(mayOverlap(shape("grpc orders.v1.OrderService/*"), shape("grpc orders.v1.AdminService/*"))).toBe(false);
    expect(mayOverlap(shape("grpc */Create"), shape("grpc orders.v1.OrderService/*"))).toBe(true);
    expect(mayOverlap(shape("grpc ~orders\\..*/*"), shape("grpc orders.v1.AdminService/*"))).toBe(true);
    expect(covers(shape("grpc ~.*/.*"), shape("grpc orders.v1.AdminService/*"))).toBe(false);
  });
});

describe("method matches read back as the methods they admit", () => {
  it("a regex or prefix method match limits the methods as an exact one does", () => {
    expect(shape("PathPrefix /orders, method ~POST|PUT|PATCH|DELETE").methods).toEqual(["POST", "PUT", "DELETE", "PATCH"]);
    expect(shape("PathPrefix /orders, method ^P").methods).toEqual(["POST", "PUT", "PATCH"]);
    expect(shape("PathPrefix /orders, method ~POST|PUT|PATCH|DELETE").conditions).toEqual([]);
    // Every write of the regex rule's path is its: a POST-only rule below it gets none of them.
    expect(covers(shape("PathPrefix /orders, method ~POST|PUT|PATCH|DELETE"), shape("PathPrefix /orders, method POST"))).toBe(true);
    expect(covers(shape("PathPrefix /orders, method ~POST|PUT"), shape("PathPrefix /orders, method ~POST|PUT|PATCH|DELETE"))).toBe(false);
    expect(covers(shape("PathPrefix /orders, method ~POST|PUT"), shape("PathPrefix /orders"))).toBe(false);
    expect(mayOverlap(shape("PathPrefix /orders, method ~POST|PUT"), shape("PathPrefix /orders, method GET"))).toBe(false);
    expect(mayOverlap(shape("PathPrefix /orders, method ~POST|PUT"), shape("PathPrefix /orders, method ^P"))).toBe(true);
  });

  it("a pattern that cannot be read, or admits no known method, narrows the rule; one admitting every method limits nothing", () => {
    const unread = shape("PathPrefix /orders, method ~(POST");
    expect(unread.methods).toBeUndefined();
    expect(unread.conditions).toEqual(["method ~(POST"]);
    expect(covers(unread, shape("PathPrefix /orders, method POST"))).toBe(false);
    expect(shape("PathPrefix /orders, method ~PURGE").conditions).toEqual(["method ~PURGE"]);
    const any = shape("PathPrefix /orders, method ~.*");
    expect(any.methods).toBeUndefined();
    expect(covers(any, shape("PathPrefix /orders/v2"))).toBe(true);
  });
});

describe("what keeps two alternatives apart", () => {
  it("SNI hosts that no name meets both ways (a wildcard meets the names below it)", () => {
    expect(mayOverlap(shape("port 443, sni legacy.example.com"), shape("port 443, sni vault.example.com"))).toBe(false);
    expect(mayOverlap(shape("port 443, sni legacy.example.com, sni vault.example.com"), shape("sni vault.example.com"))).toBe(true);
    expect(mayOverlap(shape("sni *.example.com"), shape("sni vault.example.com"))).toBe(true);
    expect(mayOverlap(shape("port 443"), shape("sni vault.example.com"))).toBe(true);
  });

  it("one header or query parameter wanted with two exact values (header names fold case); prefix, regex or presence tests may meet", () => {
    expect(mayOverlap(shape("PathPrefix /, header end-user=jason"), shape("PathPrefix /, header end-user=bob"))).toBe(false);
    expect(mayOverlap(shape("PathPrefix /, header End-User=jason"), shape("PathPrefix /, header end-user=bob"))).toBe(false);
    expect(mayOverlap(shape("PathPrefix /, query v=1"), shape("PathPrefix /, query v=2"))).toBe(false);
    expect(mayOverlap(shape("PathPrefix /, query V=1"), shape("PathPrefix /, query v=2"))).toBe(true);
    expect(mayOverlap(shape("PathPrefix /, header end-user=jason"), shape("PathPrefix /, header end-user^ja"))).toBe(true);
    expect(mayOverlap(shape("PathPrefix /, header end-user=jason"), shape("PathPrefix /, header end-user~b.*"))).toBe(true);
    expect(mayOverlap(shape("PathPrefix /, header end-user=jason"), shape("PathPrefix /, header end-user!=jason"))).toBe(true);
    expect(mayOverlap(shape("PathPrefix /, header end-user=jason"), shape("PathPrefix /, header x-canary=true"))).toBe(true);
  });
});

describe("what one alternative takes all of", () => {
  it("an alternative whose tests the other makes too, and any alternative itself, even one not read as a path prefix", () => {
    expect(covers(shape("PathPrefix /east, header x-beta=1"), shape("PathPrefix /east/api, header x-beta=1, header x-user=a"))).toBe(true);
    expect(covers(shape("PathPrefix /east, header x-beta=1"), shape("PathPrefix /east"))).toBe(false);
    expect(covers(shape("PathPrefix /east, header x-beta=1"), shape("PathPrefix /east, header x-beta=2"))).toBe(false);
    expect(covers(shape("RegularExpression /east/.*, header x-beta=1"), shape("RegularExpression /east/.*, header x-beta=1"))).toBe(true);
    expect(covers(shape("RegularExpression /east/.*"), shape("RegularExpression /east/v.*"))).toBe(false);
  });
});

describe("what the root prefix takes", () => {
  it("every path, whatever its type or case: a regular expression, a controller-defined path", () => {
    expect(covers(shape("PathPrefix /"), shape("RegularExpression /api/v[0-9]+"))).toBe(true);
    expect(covers(shape("PathPrefix /"), shape("ImplementationSpecific /"))).toBe(true);
    expect(covers(shape("PathPrefix /"), shape("PathPrefix /API, ignore-uri-case"))).toBe(true);
    expect(covers(shape("PathPrefix /, header x-beta=1"), shape("RegularExpression /api/v[0-9]+"))).toBe(false);
    expect(covers(shape("PathPrefix /, method GET"), shape("ImplementationSpecific /"))).toBe(false);
    expect(covers(shape("PathPrefix /"), shape("grpc orders.v1.AdminService/*"))).toBe(false);
  });

  it("a narrower prefix takes neither (a regex may be unanchored; the controller reads the rest); a controller-defined path only itself", () => {
    expect(covers(shape("PathPrefix /api"), shape("RegularExpression /api/v[0-9]+"))).toBe(false);
    expect(covers(shape("PathPrefix /api"), shape("ImplementationSpecific /api"))).toBe(false);
    expect(covers(shape("ImplementationSpecific /"), shape("PathPrefix /api"))).toBe(false);
    expect(covers(shape("ImplementationSpecific /api"), shape("ImplementationSpecific /api"))).toBe(true);
    expect(shape("ImplementationSpecific /api").conditions).toEqual([]);
    expect(mayOverlap(shape("ImplementationSpecific /api"), shape("Exact /web"))).toBe(true);
  });
});

describe("which of two matches precedence surely ranks first (Gateway API, Ingress)", () => {
  it("an exact path, then the longest prefix, then a method, then more header tests; a regular expression never surely", () => {
    expect(outranks(shape("PathPrefix /api"), shape("PathPrefix /"))).toBe(true);
    expect(outranks(shape("PathPrefix /"), shape("PathPrefix /api"))).toBe(false);
    expect(outranks(shape("Exact /"), shape("PathPrefix /api"))).toBe(true);
    expect(outranks(shape("PathPrefix /, method POST"), shape("PathPrefix /"))).toBe(true);
    expect(outranks(shape("PathPrefix /api, header x-beta=1"), shape("PathPrefix /api"))).toBe(true);
    expect(outranks(shape("PathPrefix /api"), shape("PathPrefix /api"))).toBe(false);
    expect(outranks(shape("PathPrefix /api"), shape("RegularExpression /api/v1/.*"))).toBe(false);
    expect(outranks(shape("RegularExpression /api/v1/.*"), shape("PathPrefix /"))).toBe(false);
  });
});

describe("what a narrowed match surely gives up", () => {
  const givesUp = (kept: string, given: string) => givesUpSome(requestShapes(kept), shape(given));

  it("a prefix narrowed below itself or to its exact path, a selective header or query test added, a method pinned", () => {
    expect(givesUp("PathPrefix /cart/items", "PathPrefix /cart")).toBe(true);
    expect(givesUp("Exact /cart", "PathPrefix /cart")).toBe(true);
    expect(givesUp("PathPrefix /v2", "PathPrefix /")).toBe(true);
    expect(givesUp("PathPrefix /cart, header x-cart-beta=1", "PathPrefix /cart")).toBe(true);
    expect(givesUp("PathPrefix /cart, query v=2", "PathPrefix /cart")).toBe(true);
    expect(givesUp("PathPrefix /cart, method GET", "PathPrefix /cart")).toBe(true);
    expect(givesUp("Exact /cart, header x-beta=1", "Exact /cart, method POST")).toBe(true);
    // Istio's prefixes are string prefixes: `/cart/` no longer takes `/cart` itself.
    expect(givesUp("PathPrefix /cart/", "PathPrefix /cart")).toBe(true);
  });

  it("not where the kept alternatives take the rest between them, or may", () => {
    expect(givesUp("Exact /cart | PathPrefix /cart/", "PathPrefix /cart")).toBe(false);
    expect(givesUp("PathPrefix /cart, header x-beta=1 | PathPrefix /cart", "PathPrefix /cart")).toBe(false);
    expect(givesUp("PathPrefix /cart, header x-beta=1", "PathPrefix /cart, header x-beta=1, header x-user=a")).toBe(false);
    expect(givesUp("PathPrefix /cart, method ~GET|POST|PUT|PATCH|DELETE", "PathPrefix /cart")).toBe(false);
  });

  it("the plain requests given up, and which other alternatives may take them", () => {
    const given = shape("PathPrefix /cart, method ~GET|POST");
    const requests = givenUp(requestShapes("PathPrefix /cart/items"), given);
    expect(requests).toEqual([
      { path: "/cart", method: "GET" },
      { path: "/cart/\0", method: "GET" },
      { path: "/cart", method: "POST" },
      { path: "/cart/\0", method: "POST" },
    ]);
    const takes = (other: string) => requests.some((request) => takesPlain(shape(other), given, request));
    expect(takes("PathPrefix /cart/checkout")).toBe(false);
    expect(takes("PathPrefix /cart, header x-beta=1")).toBe(false);
    expect(takes("PathPrefix /cart, method DELETE")).toBe(false);
    expect(takes("Exact /cart")).toBe(true);
    expect(takes("PathPrefix /")).toBe(true);
    expect(takes("RegularExpression /c.*")).toBe(true);
    expect(takes("PathPrefix /cart, port 8080")).toBe(true);
  });

  it("not where it is unsure: a regular expression on either side, a test that may take every request", () => {
    expect(givesUp("RegularExpression /cart/.*", "PathPrefix /cart")).toBe(false);
    expect(givesUp("PathPrefix /cart/items", "RegularExpression /cart.*")).toBe(false);
    expect(givesUp("ImplementationSpecific /cart/items", "PathPrefix /cart")).toBe(false);
    expect(givesUp("PathPrefix /cart, header user-agent~.*", "PathPrefix /cart")).toBe(false);
    expect(givesUp("PathPrefix /cart, without-header x-canary=true", "PathPrefix /cart")).toBe(false);
    expect(givesUp("PathPrefix /cart, port 9080", "PathPrefix /cart")).toBe(false);
    expect(givesUp("PathPrefix /cart, source app=frontend", "PathPrefix /cart")).toBe(false);
  });
});
