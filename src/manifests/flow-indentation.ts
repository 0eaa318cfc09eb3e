/**
 * go-yaml (a port of libyaml's scanner, which kubectl, kustomize and Argo CD read YAML with)
 * ignores indentation inside quoted scalars and flow collections: a wrapped
 * `description: 'text` whose next lines start left of the key, or a `canary: {` closed by a `}`
 * at the key's column, is valid Kubernetes config. js-yaml refuses both ("deficient indentation"),
 * and a tab separating flow entries too. Whitespace there means nothing, so such lines can be given
 * the indentation js-yaml wants, and such tabs a space, without changing what the document says.
 * Every line stays on its line, so file lines of documents and fields are unchanged.
 */

type Mode = "block" | "plain" | "block-scalar" | "flow" | "double" | "single";

const isSpace = (char: string | undefined): boolean => char === " " || char === "\t";
const isBlankAt = (line: string, at: number): boolean => at >= line.length || isSpace(line[at]) || line[at] === "\r";
const FLOW_BREAK = new Set([",", "[", "]", "{", "}", "\r"]);

/** Where a plain scalar from `at` ends: at `: `, ` #`, the line end, or (in flow) a flow indicator. */
function plainEnd(line: string, at: number, inFlow: boolean): number {
  let i = at;
  for (; i < line.length; i++) {
    const char = line[i] ?? "";
    if (char === "\r" || (inFlow && FLOW_BREAK.has(char))) break;
    if (char === ":" && (isBlankAt(line, i + 1) || (inFlow && FLOW_BREAK.has(line[i + 1] ?? "")))) break;
    if (char === "#" && isSpace(line[i - 1])) break;
  }
  return i;
}

function indentOf(line: string): number {
  let column = 0;
  while (line[column] === " ") column++;
  return column;
}

/**
 * The document with every continuation line of a multi-line quoted scalar or flow collection
 * indented past the block node that holds it, and tabs between flow entries made spaces. A
 * line-by-line scanner of the block structure: it tracks only what can hide a quote or a bracket
 * (comments, block scalars, multi-line plain scalars) and where each flow construct starts.
 */
export function indentFlowContinuations(text: string): string {
  const lines = text.split("\n");
  let mode = "block" as Mode;
  let quoteReturn: "block" | "flow" = "block";
  let depth = 0;
  // Continuation lines of the open flow construct need at least this indentation.
  let need = 0;
  // Lines indented more than this continue the open plain or block scalar.
  let threshold = -1;

  for (let n = 0; n < lines.length; n++) {
    let line = lines[n] ?? "";
    const indent = indentOf(line);
    const blank = line.trim() === "";
    if (mode === "block-scalar" || mode === "plain") {
      const continues = blank || (indent > threshold && !(mode === "plain" && line[indent] === "#"));
      if (continues) {
        // A comment ends a plain scalar: the next line is block structure again.
        if (mode === "plain" && /[ \t]#/.test(line)) mode = "block";
        continue;
      }
      mode = "block";
    }
    if (mode === "block" && (blank || line.startsWith("%"))) continue;
    if (mode !== "block" && !blank && indent < need) line = " ".repeat(need - indent) + line;

    // The column of the innermost block node on this line: a continuation must be indented past it.
    let parent = indent - 1;
    // Where the node being read in block context starts, so `key:` makes it the parent.
    let nodeStart = -1;
    const tabs: number[] = [];
    let i: number = mode === "block" ? indent : 0;
    scan: while (i < line.length) {
      const char: string | undefined = line[i];
      if (char === "\r") break;
      switch (mode) {
        case "double":
          if (char === "\\") i += 2;
          else {
            if (char === '"') mode = quoteReturn;
            i++;
          }
          continue;
        case "single":
          if (char === "'" && line[i + 1] === "'") i += 2;
          else {
            if (char === "'") mode = quoteReturn;
            i++;
          }
          continue;
        case "flow":
          if (isSpace(char)) {
            if (char === "\t") tabs.push(i);
            i++;
          } else if (char === "#" && (i === 0 || isSpace(line[i - 1]))) {
            break scan;
          } else if (char === '"' || char === "'") {
            mode = char === '"' ? "double" : "single";
            quoteReturn = "flow";
            i++;
          } else if (char === "[" || char === "{") {
            depth++;
            i++;
          } else if (char === "]" || char === "}") {
            depth--;
            i++;
            if (depth === 0) mode = "block";
          } else if (char === "," || char === ":") {
            i++;
          } else {
            // A plain scalar: its inner tabs are content, so it is skipped whole.
            i = plainEnd(line, i + 1, true);
          }
          continue;
        default:
          break;
      }
      // Block context.
      if (isSpace(char)) {
        i++;
      } else if (char === "#") {
        break;
      } else if (i === 0 && (line.startsWith("---", 0) || line.startsWith("...", 0)) && isBlankAt(line, 3)) {
        parent = -1;
        i += 3;
      } else if ((char === "-" || char === "?" || char === ":") && isBlankAt(line, i + 1)) {
        if (char !== ":") parent = i;
        else if (nodeStart >= 0) parent = nodeStart;
        nodeStart = -1;
        i++;
      } else if (char === "!" || char === "&") {
        if (nodeStart < 0) nodeStart = i;
        while (i < line.length && !isBlankAt(line, i)) i++;
      } else if (char === "|" || char === ">") {
        mode = "block-scalar";
        threshold = parent;
        break;
      } else {
        if (nodeStart < 0) nodeStart = i;
        if (char === '"' || char === "'") {
          mode = char === '"' ? "double" : "single";
          quoteReturn = "block";
          need = parent + 1;
          i++;
        } else if (char === "[" || char === "{") {
          mode = "flow";
          depth = 1;
          need = parent + 1;
          i++;
        } else {
          // A plain scalar: a key when `: ` ends it, else a value that may go on over the next lines.
          i = plainEnd(line, i, false);
          if (i >= line.length || line[i] === "\r") {
            mode = "plain";
            threshold = parent;
          }
        }
      }
    }
    if (tabs.length > 0) {
      const chars = line.split("");
      for (const at of tabs) chars[at] = " ";
      line = chars.join("");
    }
    lines[n] = line;
  }
  return lines.join("\n");
}
