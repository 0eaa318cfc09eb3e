import { describe, expect, it } from "vitest";
import { rangeWithin, rangesBeyond, rangesMeet, rangesIntersection } from "../../src/core/cidr.js";

describe("address ranges of access lists", () => {
  it("a range inside another admits no one new; a wider or other one does", () => {
    expect(rangeWithin("10.1.0.0/16", "10.0.0.0/8")).toBe(true);
    expect(rangeWithin("10.20.4.0/24", "10.20.0.0/16")).toBe(true);
    expect(rangeWithin("10.20.4.7", "10.20.4.0/24")).toBe(true);
    expect(rangeWithin("10.0.0.0/8", "10.1.0.0/16")).toBe(false);
    expect(rangeWithin("192.168.0.0/16", "10.0.0.0/8")).toBe(false);
    expect(rangeWithin("0.0.0.0/0", "10.0.0.0/8")).toBe(false);
  });

  it("reads IPv6, its zero runs and an embedded IPv4 tail; families do not mix", () => {
    expect(rangeWithin("2001:db8:1::/48", "2001:db8::/32")).toBe(true);
    expect(rangeWithin("2001:db9::/48", "2001:db8::/32")).toBe(false);
    expect(rangeWithin("::ffff:10.0.0.1", "::ffff:10.0.0.0/120")).toBe(true);
    expect(rangeWithin("10.0.0.0/8", "::/0")).toBe(false);
  });

  it("what does not parse is within nothing but itself", () => {
    expect(rangeWithin("office", "office")).toBe(true);
    expect(rangeWithin("office", "0.0.0.0/0")).toBe(false);
    expect(rangesBeyond(["10.1.0.0/16", "172.16.0.0/12", "vpn"], ["10.0.0.0/8"])).toEqual(["172.16.0.0/12", "vpn"]);
  });

  it("ranges meet when some address is in both; what does not parse may meet anything", () => {
    expect(rangesMeet("10.66.0.0/16", "10.0.0.0/8")).toBe(true);
    expect(rangesMeet("10.0.0.0/8", "10.66.0.0/16")).toBe(true);
    expect(rangesMeet("10.66.0.0/16", "192.168.0.0/16")).toBe(false);
    expect(rangesMeet("10.0.0.0/8", "::/0")).toBe(false);
    expect(rangesMeet("vpn", "10.0.0.0/8")).toBe(true);
  });

  it("ranges that must all hold admit the narrowest where they nest, none where they are apart", () => {
    expect(rangesIntersection(["10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24"])).toEqual(["10.1.2.0/24"]);
    expect(rangesIntersection(["10.1.0.0/16", "10.0.0.0/8"])).toEqual(["10.1.0.0/16"]);
    expect(rangesIntersection(["10.0.0.0/8", "192.168.0.0/16"])).toEqual([]);
    // What does not parse may meet anything: the intersection is not known, unless it is alone.
    expect(rangesIntersection(["10.0.0.0/8", "${ALLOWED}"])).toBeUndefined();
    expect(rangesIntersection(["${ALLOWED}"])).toEqual(["${ALLOWED}"]);
  });
});
