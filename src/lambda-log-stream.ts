import { Transform } from "node:stream";

/**
 * The log stream of the Lambda bundles, in place of @probot/pino's (scripts/build.mjs maps that
 * package here for them alone). CloudWatch reads JSON lines as pino writes them, so the pretty
 * printer (pino-pretty and its dependencies, some 45 KB of a cold start) has nothing to do there;
 * the lines stay JSON whatever LOG_FORMAT says. Sentry is not bundled: a DSN is reported once
 * instead of silently dropped.
 */
export interface LogStreamOptions {
  readonly logFormat?: string;
  readonly logLevelInString?: boolean;
  readonly sentryDsn?: string;
}

const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };

export async function getTransformStream(options: LogStreamOptions = {}): Promise<Transform> {
  let warned = !options.sentryDsn;
  return new Transform({
    objectMode: true,
    transform(chunk: Buffer | string, _encoding, done) {
      const line = String(chunk).trim();
      const out: string[] = [];
      if (!warned) {
        warned = true;
        out.push(
          JSON.stringify({
            level: options.logLevelInString ? "warn" : 40,
            msg: "SENTRY_DSN is set, but the Lambda bundle does not carry Sentry: errors are logged here only",
          }),
        );
      }
      if (!options.logLevelInString) out.push(line);
      else {
        const entry = JSON.parse(line) as { level?: number };
        out.push(JSON.stringify({ ...entry, level: LEVEL_NAMES[entry.level ?? 30] ?? entry.level }));
      }
      done(null, `${out.join("\n")}\n`);
    },
  });
}
