/**
 * A policy that cannot be used: unreadable YAML, a schema violation, a dangling reference, or a
 * repository policy that loosens the base profile. The message is one line that starts with the
 * policy's source, so the CLI can print it as is (exit 2) and the App can show it in the check.
 */
export class PolicyError extends Error {
  override readonly name = "PolicyError";

  constructor(
    readonly source: string,
    readonly detail: string,
  ) {
    super(`${source}: ${detail}`.replace(/\s*[\r\n]+\s*/g, " "));
  }
}
