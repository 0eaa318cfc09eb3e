import type { ReviewResult } from "../review.js";
import type { Finding } from "../core/finding.js";

/**
 * `--format github`: the findings as GitHub Actions workflow commands
 * (`::error file=…,line=…,title=…::message`), which the runner turns into annotations on the
 * PR's diff. The same levels as the App's check run annotations: what blocks is an error.
 *
 * Escaping follows the runner (actions/toolkit `command.ts`): `%`, `\r` and `\n` in the message;
 * those and `:` and `,` in property values, which the runner would otherwise split on. A PR can
 * put any text into a summary or a path, and unescaped it could end the command and start another.
 */
export const escapeData = (text: string): string => text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");

export const escapeProperty = (text: string): string => escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");

type Level = "error" | "warning" | "notice";

const levelOf = (finding: Finding): Level =>
  finding.class === "manifest.invalid" || finding.risk === "critical" || finding.risk === "high"
    ? "error"
    : finding.risk === "none" || finding.risk === "low"
      ? "notice"
      : "warning";

export function workflowCommand(level: Level, message: string, properties: Readonly<Record<string, string | number>> = {}): string {
  const props = Object.entries(properties)
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(",");
  return `::${level}${props ? ` ${props}` : ""}::${escapeData(message)}`;
}

/**
 * One command per finding (a finding without a file is annotated on the run, not a line), then
 * one line that says the decision: the log tells why the step failed without opening the summary.
 */
export function renderWorkflowCommands(result: ReviewResult): string {
  const lines = result.analysis.findings.map((finding) =>
    workflowCommand(levelOf(finding), finding.summary, {
      ...(finding.file !== "" ? { file: finding.file, line: Math.max(1, finding.line) } : {}),
      title: `${finding.class} (${finding.risk})`,
    }),
  );
  const { governance } = result;
  const verdict = `Route Governor: ${result.risk} risk, ${governance.state}`;
  lines.push(
    result.decision === "pass"
      ? workflowCommand("notice", verdict, { title: "Route Governor" })
      : workflowCommand("error", [verdict, ...governance.unmet.map((line) => `- ${line}`)].join("\n"), {
          title: "Route Governor: policy not met",
        }),
  );
  return `${lines.join("\n")}\n`;
}
