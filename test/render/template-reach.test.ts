import { describe, expect, it } from "vitest";
import { changedLineIndices, definesIn, readsValues, templateWrites } from "../../src/render/template-reach.js";

describe("where a template's changed lines write", () => {
  it("compares lines as the longest common subsequence leaves them, quoting pipes and trailing spaces aside", () => {
    expect(changedLineIndices("a\nb\nc\n", "a\nx\nb\nc\n")).toEqual({ base: [], head: [1] });
    expect(changedLineIndices("- {{ . }}\nb  \n", "- {{ . | quote }}\nb\n")).toEqual({ base: [], head: [] });
    // A second copy of a line is a change, not the same line again.
    expect(changedLineIndices("- a\n", "- a\n- a\n")).toEqual({ base: [], head: [1] });
  });

  it("places each line under the keys above it, list items as `*`, an action by the indentation it emits at", () => {
    const template = (secret: string) =>
      [
        "{{- if .Values.enabled }}",
        "kind: Ingress",
        "metadata:",
        "  labels:",
        "    {{- toYaml .Values.labels | nindent 4 }}",
        "spec:",
        "  tls:",
        "    - hosts: [a.example.com]",
        `      secretName: ${secret}`,
        "{{- end }}",
      ].join("\n");
    expect(templateWrites(template("a"), template("b"))).toEqual([{ kinds: ["Ingress"], path: ["spec", "tls", "*", "secretName"] }]);
    const labels = (value: string) => template("a").replace("toYaml .Values.labels", value);
    expect(templateWrites(labels("toYaml .Values.labels"), labels("toYaml .Values.podLabels"))[0]).toEqual({
      kinds: ["Ingress"],
      path: ["metadata", "labels"],
    });
    const paths = (before: string, after: string) => templateWrites(before, after).map((write) => write.path.join("."));
    // A condition reaches the lines it gates, no more: the document's at its top, the tls block's inside it.
    // (a key whose value is the lines below it writes what they write).
    expect(paths(template("a"), template("a").replace(".Values.enabled", ".Values.on"))).toEqual([
      "kind",
      "metadata.labels",
      "spec.tls.*.hosts",
      "spec.tls.*.secretName",
    ]);
    const gated = (condition: string) =>
      template("a").replace("  tls:\n", `  {{- if ${condition} }}\n  tls:\n`).replace("{{- end }}", "  {{- end }}\n{{- end }}");
    expect(paths(gated(".Values.tls"), gated(".Values.secure"))).toEqual(["spec.tls.*.hosts", "spec.tls.*.secretName"]);
    // A variable reaches the lines naming it; a dict set, or an action emitting at the top, the whole document.
    const named = (value: string) =>
      `{{- $secret := ${value} }}\nkind: Ingress\nmetadata:\n  name: web\nspec:\n  tls:\n    - secretName: {{ $secret }}\n`;
    expect(paths(named('"a"'), named('"b"'))).toEqual(["spec.tls.*.secretName"]);
    expect(paths(named('"a"'), `{{- $_ := set . "x" 1 }}\n${named('"a"')}`)).toEqual(["kind", "metadata.name", "spec.tls.*.secretName"]);
    expect(paths("kind: Ingress\n", "kind: Ingress\n{{ toYaml .Values.extra }}\n")).toEqual([""]);
    // A parent renamed moves what lies below it.
    expect(paths(template("a"), template("a").replace("  tls:", "  tlsConfig:"))).toEqual([
      "spec.tls.*.hosts",
      "spec.tls.*.secretName",
      "spec.tlsConfig.*.hosts",
      "spec.tlsConfig.*.secretName",
    ]);
    // A key written by an action is any key: what lies below it is placed no deeper than its parent.
    const keyed = "kind: Gateway\nspec:\n  {{ .Values.key }}:\n    mode: A\n";
    expect(templateWrites(keyed, keyed.replace("mode: A", "mode: B"))[0]!.path).toEqual(["spec"]);
  });

  it("reads named templates to the end closing them, and the values paths a text reads", () => {
    const helpers = '{{- define "a" -}}\n{{- if .x }}x{{- end }}\n{{ include "b" . }}\n{{- end }}\n{{- define "b" -}}b{{- end }}\n';
    expect([...definesIn(helpers)].map(([name, body]) => [name, body.includes('include "b"')])).toEqual([
      ["a", true],
      ["b", false],
    ]);
    expect(readsValues("{{ .Values.ingress.host }}", [["ingress", "tls", 0]])).toBe(false);
    expect(readsValues("{{- with .Values.ingress }}", [["ingress", "tls", 0]])).toBe(true);
    expect(readsValues('{{ index .Values "a-b" }}', [["c"]])).toBe(true);
  });
});
