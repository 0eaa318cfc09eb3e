// `npm run preview -- <case|pr-dir> [--png <file>] [--width <px>] [--open]`: what reviewers will
// see. A case (demo, 40-changes, pass: scripts/preview-cases.ts) or <pr-dir>/base → <pr-dir>/head
// (with <pr-dir>/pr-body.md when present, through the CLI) is reviewed, and its comment markdown
// rendered as GitHub does (GFM via marked, ```mermaid via Mermaid, both from local node_modules,
// never the network, GitHub's light theme approximated, a comment column `--width` wide) into
// preview/<name>.html. When Chromium is installed it is screenshotted, cropped to the comment, to
// preview/<name>.png or `--png`. `--open` expands every <details> to check the folded tables.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";

const root = resolve(import.meta.dirname, "..");
const CASES = ["demo", "40-changes", "pass"];
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { png: { type: "string" }, width: { type: "string", default: "880" }, open: { type: "boolean", default: false } },
});
const target = positionals[0];
const isCase = target !== undefined && CASES.includes(target);
const width = Number(values.width);
if (!target || (!isCase && (!existsSync(join(target, "base")) || !existsSync(join(target, "head")))) || !(width >= 300)) {
  console.error(
    `usage: npm run preview -- <${CASES.join("|")}|pr-dir> [--png <file>] [--width <px>] [--open]   (a pr-dir holds base/, head/ and optionally pr-body.md)`,
  );
  process.exit(2);
}
const name = isCase ? target : basename(resolve(target));
/** White space around the comment in the picture. */
const MARGIN = 8;
const outDir = join(root, "preview");
mkdirSync(outDir, { recursive: true });

function reviewMarkdown() {
  if (isCase) {
    execFileSync(process.execPath, [join(root, "scripts/build.mjs"), "preview-cases"], { stdio: "inherit" });
    return execFileSync(process.execPath, [join(root, "dist/preview-cases.mjs"), target], { encoding: "utf8" });
  }
  execFileSync(process.execPath, [join(root, "scripts/build.mjs"), "cli"], { stdio: "inherit" });
  const body = join(target, "pr-body.md");
  const review = spawnSync(
    process.execPath,
    [
      join(root, "bin/route-governor.mjs"),
      "review",
      "--base",
      join(target, "base"),
      "--head",
      join(target, "head"),
      ...(existsSync(body) ? ["--body", body] : []),
    ],
    { encoding: "utf8" },
  );
  if (review.status !== 0 && review.status !== 1) {
    console.error(review.stderr);
    process.exit(review.status ?? 1);
  }
  return review.stdout;
}
const markdown = reviewMarkdown();
writeFileSync(join(outDir, `${name}.md`), markdown);

const asset = (path) => (existsSync(join(root, path)) ? relative(outDir, join(root, path)).split("\\").join("/") : undefined);
const marked = asset("node_modules/marked/lib/marked.umd.js");
const mermaid = asset("node_modules/mermaid/dist/mermaid.min.js");
// JSON inside <script> must not be able to close the element.
const embedded = JSON.stringify(markdown).replace(/</g, "\\u003c");

const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>Route Governor preview: ${name.replace(/[<&"]/g, "")}</title>
<style>
  body { font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif, "Apple Color Emoji", "Noto Color Emoji"; color: #1f2328; background: #fff; margin: 0; }
  .comment { width: ${width}px; box-sizing: border-box; margin: ${MARGIN}px; border: 1px solid #d1d9e0; border-radius: 6px; padding: 16px; overflow-wrap: break-word; }
  .comment > :first-child { margin-top: 0; } .comment > :last-child { margin-bottom: 0; }
  h2 { border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; font-size: 1.5em; font-weight: 600; margin: 24px 0 16px; } h3 { font-size: 1.25em; font-weight: 600; margin: 24px 0 16px; }
  p, ul, table, pre, details { margin: 0 0 16px; } ul { padding-left: 2em; } li + li { margin-top: .25em; }
  li:has(> input[type=checkbox]) { list-style: none; margin-left: -1.6em; } input[type=checkbox] { margin: 0 .2em .25em 0; vertical-align: middle; }
  table { border-collapse: collapse; border-spacing: 0; display: block; width: max-content; max-width: 100%; overflow: auto; }
  th, td { border: 1px solid #d1d9e0; padding: 6px 13px; vertical-align: top; } th { font-weight: 600; } tr:nth-child(2n) { background: #f6f8fa; }
  code, pre { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; }
  code { background: #818b981f; border-radius: 6px; padding: .2em .4em; font-size: 85%; white-space: break-spaces; }
  pre { background: #f6f8fa; padding: 16px; border-radius: 6px; overflow: auto; font-size: 85%; line-height: 1.45; } pre code { background: none; padding: 0; font-size: 100%; white-space: pre; }
  sub { font-size: 75%; } pre.mermaid { background: #fff; text-align: center; } summary { cursor: pointer; }
  .missing { color: #cf222e; }
</style></head>
<body><div class="comment" id="comment"></div>
${marked ? `<script src="${marked}"></script>` : ""}
${mermaid ? `<script src="${mermaid}"></script>` : ""}
<script id="markdown" type="application/json">${embedded}</script>
<script>
  // The screenshot is cropped to the comment: its height, once everything is drawn, for scripts/preview.mjs to read.
  const measure = () => document.body.setAttribute("data-height", String(Math.ceil(target.getBoundingClientRect().bottom) + ${MARGIN}));
  const target = document.getElementById("comment");
  const markdown = JSON.parse(document.getElementById("markdown").textContent);
  if (!window.marked) {
    target.innerHTML = '<p class="missing">marked is not installed (node_modules/marked): showing the raw markdown.</p><pre></pre>';
    target.querySelector("pre").textContent = markdown;
    measure();
  } else {
    target.innerHTML = window.marked.parse(markdown, { gfm: true });
    for (const block of target.querySelectorAll("pre > code.language-mermaid")) {
      const pre = document.createElement("pre");
      pre.className = "mermaid";
      pre.textContent = block.textContent;
      block.parentElement.replaceWith(pre);
    }
    if (${values.open}) for (const details of target.querySelectorAll("details")) details.open = true;
    if (window.mermaid) {
      window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "default" });
      window.mermaid.run({ querySelector: "pre.mermaid" }).then(measure, (error) => { target.insertAdjacentHTML("afterbegin", '<p class="missing">Mermaid failed</p>'); measure(); throw error; });
    } else {
      target.insertAdjacentHTML("afterbegin", '<p class="missing">mermaid is not installed (node_modules/mermaid): diagrams show as source.</p>');
      measure();
    }
  }
</script></body></html>
`;
const htmlPath = join(outDir, `${name}.html`);
writeFileSync(htmlPath, html);
console.log(
  `wrote ${relative(root, htmlPath)}${marked && mermaid ? "" : " (marked or mermaid missing from node_modules: partial rendering)"}`,
);

const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find(existsSync);
if (!chromium) {
  console.log("no Chromium found: skipping the screenshot (apt-get install chromium)");
} else {
  const headless = (...args) =>
    spawnSync(
      chromium,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--virtual-time-budget=15000",
        ...args,
        `file://${htmlPath}`,
      ],
      {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      },
    );
  const windowWidth = width + 2 * MARGIN;
  // First pass: lay the page out and read the height the page measured; second: shoot exactly that.
  const layout = headless("--dump-dom", `--window-size=${windowWidth},1000`);
  const height = Number(/data-height="(\d+)"/.exec(layout.stdout ?? "")?.[1]);
  if (!height) {
    console.log(`Chromium did not finish the page: ${(layout.stderr ?? "").split("\n").slice(-3).join(" ")}`);
    process.exit(1);
  }
  const png = values.png ? resolve(values.png) : join(outDir, `${name}.png`);
  mkdirSync(dirname(png), { recursive: true });
  const shot = headless(`--window-size=${windowWidth},${height}`, `--screenshot=${png}`);
  console.log(
    shot.status === 0
      ? `wrote ${relative(root, png)} (${windowWidth}×${height})`
      : `Chromium failed: ${shot.stderr.split("\n").slice(-3).join(" ")}`,
  );
}
