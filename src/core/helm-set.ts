/**
 * One `--set` (or `--set-string`) of Helm, as Argo CD passes an Application's `helm.parameters`: the
 * values it sets, or undefined for a name this reading does not follow (a quoted or otherwise
 * unusual key). Names are dotted keys (`\.` a dot inside one) and list indexes (`ports[0].name`);
 * a value is typed as Helm's strvals types it unless forced to a string: true/false, null, an
 * integer without a leading zero, `{a,b}` a list; anything else a string. Argo CD escapes the
 * commas of a value that is no list, so a value is never split into several assignments.
 */
export function helmSet(name: string, value: string, forceString = false): Record<string, unknown> | undefined {
  const steps: (string | number)[] = [];
  let key = "";
  for (let at = 0; at < name.length; at++) {
    const char = name[at]!;
    if (char === "\\" && at + 1 < name.length) key += name[++at];
    else if (char === ".") {
      if (key === "" && (steps.length === 0 || typeof steps.at(-1) === "string")) return undefined;
      if (key !== "") steps.push(key);
      key = "";
    } else if (char === "[") {
      const close = name.indexOf("]", at);
      const index = close < 0 ? NaN : Number(name.slice(at + 1, close));
      if (!Number.isInteger(index) || index < 0 || index > 1000) return undefined;
      if (key !== "") steps.push(key);
      else if (steps.length === 0) return undefined;
      steps.push(index);
      key = "";
      at = close;
    } else if (/[\s"'{}=,\]]/.test(char)) return undefined;
    else key += char;
  }
  if (key !== "") steps.push(key);
  if (steps.length === 0 || typeof steps[0] !== "string") return undefined;
  const typed = forceString ? value : typedValue(value);
  return steps.reduceRight<unknown>((inner, step) => {
    if (typeof step === "string") return { [step]: inner };
    const items: unknown[] = new Array<unknown>(step).fill(null);
    items.push(inner);
    return items;
  }, typed) as Record<string, unknown>;
}

function typedValue(value: string): unknown {
  if (value.startsWith("{") && value.endsWith("}"))
    return value
      .slice(1, -1)
      .split(",")
      .filter((item) => item !== "")
      .map(typedValue);
  const plain = value.replace(/\\(.)/g, "$1");
  if (/^true$/i.test(plain)) return true;
  if (/^false$/i.test(plain)) return false;
  if (/^null$/i.test(plain)) return null;
  if (/^[-+]?(?:0|[1-9]\d*)$/.test(plain) && Number.isSafeInteger(Number(plain))) return Number(plain);
  return plain;
}
