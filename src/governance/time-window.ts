/**
 * Rollout windows as people write them in PRs. Accepted (documented in policies/default.yml):
 *   2026-11-23T01:00Z/2026-11-23T03:00Z     ISO 8601 interval (seconds optional, `T` or space)
 *   2026-11-23T01:00+07:00/PT2H             ISO 8601 start and duration (D, H, M)
 *   2026-11-23 01:00-03:00 UTC              date, start and end time, zone; the end may be on
 *                                           the next day (23:00-01:00)
 * Zones: Z, UTC, GMT, ±hh:mm, ±hhmm, ±hh, UTC±h[:mm]. A window without a zone is refused: "01:00"
 * means a different instant to every reader.
 */
export interface TimeWindow {
  readonly start: Date;
  readonly end: Date;
}

export type WindowParse = { readonly ok: true; readonly window: TimeWindow } | { readonly ok: false; readonly reason: string };

const ZONE = String.raw`Z|UTC|GMT|(?:UTC|GMT)?[+-]\d{1,2}(?::?\d{2})?`;
const DATE_TIME = new RegExp(String.raw`^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(${ZONE})?$`, "i");
const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/i;
const DAY_TIMES = new RegExp(
  String.raw`^(\d{4})-(\d{2})-(\d{2})\s+(\d{1,2}):(\d{2})\s*(?:-|–|—|to)\s*(\d{1,2}):(\d{2})\s*(${ZONE})?$`,
  "i",
);

const MINUTE = 60_000;
const FORMS = "2026-11-23T01:00Z/2026-11-23T03:00Z, 2026-11-23T01:00Z/PT2H or 2026-11-23 01:00-03:00 UTC";
const NO_ZONE = "needs a time zone (Z, UTC or ±hh:mm)";

export function parseTimeWindow(text: string): WindowParse {
  const value = text.trim();
  const slash = value.split("/");
  if (slash.length === 2) {
    const start = parseDateTime(slash[0]!.trim());
    if (typeof start === "string") return { ok: false, reason: start };
    const endText = slash[1]!.trim();
    const duration = DURATION.exec(endText);
    if (duration && endText.length > 1 && !/T$/i.test(endText)) {
      const [days, hours, minutes] = [duration[1], duration[2], duration[3]].map((part) => Number(part ?? 0)) as [number, number, number];
      return window(start, new Date(start.getTime() + ((days * 24 + hours) * 60 + minutes) * MINUTE));
    }
    const end = parseDateTime(endText);
    if (typeof end === "string") return { ok: false, reason: end };
    return window(start, end);
  }
  const day = DAY_TIMES.exec(value);
  if (day) {
    const [, year, month, date, startHour, startMinute, endHour, endMinute, zone] = day;
    if (zone === undefined) return { ok: false, reason: NO_ZONE };
    const offset = zoneOffsetMinutes(zone);
    const start = instant(year!, month!, date!, startHour!, startMinute!, "0", offset);
    const end = instant(year!, month!, date!, endHour!, endMinute!, "0", offset);
    if (typeof start === "string") return { ok: false, reason: start };
    if (typeof end === "string") return { ok: false, reason: end };
    // "23:00-01:00" crosses midnight.
    return window(start, end <= start ? new Date(end.getTime() + 24 * 60 * MINUTE) : end);
  }
  return { ok: false, reason: `not a time window; write it as ${FORMS}` };
}

const window = (start: Date, end: Date): WindowParse =>
  end > start ? { ok: true, window: { start, end } } : { ok: false, reason: "ends before it starts" };

/** A Date, or the reason the text is not one. */
function parseDateTime(text: string): Date | string {
  const match = DATE_TIME.exec(text);
  if (!match) return `"${text}" is not a date and time; write it as ${FORMS}`;
  const [, year, month, day, hour, minute, second, zone] = match;
  if (zone === undefined) return NO_ZONE;
  return instant(year!, month!, day!, hour!, minute!, second ?? "0", zoneOffsetMinutes(zone));
}

function zoneOffsetMinutes(zone: string): number {
  const offset = /([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(zone);
  if (!offset) return 0;
  const minutes = Number(offset[2]) * 60 + Number(offset[3] ?? 0);
  return offset[1] === "-" ? -minutes : minutes;
}

/** Builds the instant and refuses impossible calendar values (Feb 30, 25:00, UTC+20). */
function instant(
  year: string,
  month: string,
  day: string,
  hour: string,
  minute: string,
  second: string,
  offsetMinutes: number,
): Date | string {
  const parts = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const [y, mo, d, h, mi, s] = parts;
  // ISO 8601's 24:00 is the end of the day: the next day's 00:00 (`22:00-24:00`).
  const endOfDay = h === 24 && mi === 0 && s === 0;
  const hours = endOfDay ? 0 : h;
  const local = new Date(Date.UTC(y, mo - 1, d, hours, mi, s));
  const real =
    local.getUTCFullYear() === y &&
    local.getUTCMonth() === mo - 1 &&
    local.getUTCDate() === d &&
    local.getUTCHours() === hours &&
    local.getUTCMinutes() === mi &&
    local.getUTCSeconds() === s;
  if (!real) return `${year}-${month}-${day} ${hour}:${minute} is not a real date and time`;
  if (Math.abs(offsetMinutes) > 14 * 60) return "time zone offset out of range";
  return new Date(local.getTime() + (endOfDay ? 24 * 60 * MINUTE : 0) - offsetMinutes * MINUTE);
}
