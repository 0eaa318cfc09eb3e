import { describe, expect, it } from "vitest";
import { covers, mayOverlap, requestShapes } from "../../src/model/match-alternatives.js";

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
