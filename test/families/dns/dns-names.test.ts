import { describe, expect, it } from "vitest";
import { dnsName } from "../../../src/families/dns/dns-names.js";

describe("DNS names as external-dns compares them", () => {
  it("are lower case, trimmed, without the root's dot", () => {
    expect(dnsName(" WWW.Example.COM. ")).toBe("www.example.com");
  });

  it("keep the case of the variables Flux substitutes by name (rwlove/home-ops d84a132dff read external.${secret_domain})", () => {
    expect(dnsName("External.${SECRET_DOMAIN}")).toBe("external.${SECRET_DOMAIN}");
    expect(dnsName("${APP}.Internal.${SECRET_DOMAIN}.")).toBe("${APP}.internal.${SECRET_DOMAIN}");
  });
});
