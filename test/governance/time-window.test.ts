import { describe, expect, it } from "vitest";
import { parseTimeWindow } from "../../src/governance/time-window.js";

const iso = (text: string) => {
  const parsed = parseTimeWindow(text);
  return parsed.ok ? `${parsed.window.start.toISOString()}/${parsed.window.end.toISOString()}` : `✗ ${parsed.reason}`;
};

describe("rollout windows people write", () => {
  it.each([
    ["2026-11-23T01:00Z/2026-11-23T03:00Z", "2026-11-23T01:00:00.000Z/2026-11-23T03:00:00.000Z"],
    ["2026-11-23T01:00:30Z/2026-11-23T03:00:00.5Z", "2026-11-23T01:00:30.000Z/2026-11-23T03:00:00.000Z"],
    ["2026-11-23T08:00+07:00/2026-11-23T10:00+07:00", "2026-11-23T01:00:00.000Z/2026-11-23T03:00:00.000Z"],
    ["2026-11-23 08:00 +0700 / 2026-11-23 10:00 +0700", "2026-11-23T01:00:00.000Z/2026-11-23T03:00:00.000Z"],
    ["2026-11-23T01:00Z/PT2H", "2026-11-23T01:00:00.000Z/2026-11-23T03:00:00.000Z"],
    ["2026-11-23T01:00Z/P1DT30M", "2026-11-23T01:00:00.000Z/2026-11-24T01:30:00.000Z"],
    ["2026-11-23 01:00-03:00 UTC", "2026-11-23T01:00:00.000Z/2026-11-23T03:00:00.000Z"],
    ["2026-11-23 01:00 – 03:00 Z", "2026-11-23T01:00:00.000Z/2026-11-23T03:00:00.000Z"],
    ["2026-11-23 08:00 to 10:00 UTC+7", "2026-11-23T01:00:00.000Z/2026-11-23T03:00:00.000Z"],
    ["2026-11-23 23:00-01:00 UTC", "2026-11-23T23:00:00.000Z/2026-11-24T01:00:00.000Z"],
    // ISO 8601's 24:00 ends the day.
    ["2026-11-23 22:00-24:00 UTC", "2026-11-23T22:00:00.000Z/2026-11-24T00:00:00.000Z"],
    ["2026-11-23T22:00Z/2026-11-23T24:00Z", "2026-11-23T22:00:00.000Z/2026-11-24T00:00:00.000Z"],
  ])("%s", (text, expected) => expect(iso(text)).toBe(expected));

  it.each([
    ["no zone", "2026-11-23T01:00/2026-11-23T03:00", "needs a time zone"],
    ["no zone, day form", "2026-11-23 01:00-03:00", "needs a time zone"],
    ["end before start", "2026-11-23T03:00Z/2026-11-23T01:00Z", "ends before it starts"],
    ["empty duration", "2026-11-23T01:00Z/PT", "is not a date and time"],
    ["impossible date", "2026-02-30T01:00Z/PT1H", "is not a real date and time"],
    ["impossible hour", "2026-11-23 25:00-26:00 UTC", "is not a real date and time"],
    ["absurd offset", "2026-11-23T01:00+20:00/PT1H", "time zone offset out of range"],
    ["prose", "next Tuesday night", "not a time window"],
    ["a URL", "https://example.com/a", "not a time window"],
  ])("refuses %s", (_case, text, reason) => {
    expect(iso(text)).toMatch(/^✗ /);
    expect(iso(text)).toContain(reason);
  });
});
