// `npm run preview -- <pr-dir> [--height <px>]`: what reviewers will see. Reviews <pr-dir>/base →
// <pr-dir>/head (with <pr-dir>/pr-body.md when present) through the CLI, renders the comment
// markdown as GitHub does (GFM via marked, ```mermaid via Mermaid, both from local node_modules,
// never the network) into preview/<name>.html, and, when Chromium is installed, screenshots it to
// preview/<name>.png.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";

const root = resolve(import.meta.dirname, "..");
const { positionals, values } = parseArgs({ allowPositionals: true, options: { height: { type: "string", default: "2600" } } });
const prDir = positionals[0];
if (!prDir || !existsSync(join(prDir, "base")) || !existsSync(join(prDir, "head"))) {
  console.error("usage: npm run preview -- <pr-dir>   (a folder holding base/, head/ and optionally pr-body.md)");
  process.exit(2);
}
const name = basename(resolve(prDir));
const outDir = join(root, "preview");
mkdirSync(outDir, { recursive: true });

execFileSync(process.execPath, [join(root, "scripts/build.mjs"), "cli"], { stdio: "inherit" });
const body = join(prDir, "pr-body.md");
const review = spawnSync(
  process.execPath,
  [join(root, "bin/route-governor.mjs"), "review", "--base", join(prDir, "base"), "--head", join(prDir, "head"), ...(existsSync(body) ? ["--body", body] : [])],
  { encoding: "utf8" },
);
if (review.status !== 0 && review.status !== 1) {
  console.error(review.stderr);
  process.exit(review.status ?? 1);
}
const markdown = review.stdout;
writeFileSync(join(outDir, `${name}.md`), markdown);

const asset = (path) => (existsSync(join(root, path)) ? relative(outDir, join(root, path)).split("\\").join("/") : undefined);
const marked = asset("node_modules/marked/lib/marked.umd.js");
const mermaid = asset("node_modules/mermaid/dist/mermaid.min.js");
// JSON inside <script> must not be able to close the element.
const embedded = JSON.stringify(markdown).replace(/</g, "\\u003c");

const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>Route Governor preview: ${name.replace(/[<&"]/g, "")}</title>
<style>
  body { font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328; background: #f6f8fa; margin: 0; }
  .comment { max-width: 1012px; margin: 24px auto; background: #fff; border: 1px solid #d1d9e0; border-radius: 6px; padding: 16px 24px; }
  h2 { border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; font-size: 1.5em; } h3 { font-size: 1.25em; margin-top: 24px; }
  table { border-collapse: collapse; display: block; overflow: auto; } th, td { border: 1px solid #d1d9e0; padding: 6px 13px; vertical-align: top; }
  tr:nth-child(2n) { background: #f6f8fa; } code { background: #eff1f3; border-radius: 6px; padding: .2em .4em; font-size: 85%; }
  pre { background: #f6f8fa; padding: 16px; border-radius: 6px; overflow: auto; } pre code { background: none; padding: 0; }
  pre.mermaid { background: #fff; text-align: center; } details { margin: 8px 0; } summary { cursor: pointer; }
  .missing { color: #cf222e; }
</style></head>
<body><div class="comment" id="comment"></div>
${marked ? `<script src="${marked}"></script>` : ""}
${mermaid ? `<script src="${mermaid}"></script>` : ""}
<script id="markdown" type="application/json">${embedded}</script>
<script>
  const target = document.getElementById("comment");
  const markdown = JSON.parse(document.getElementById("markdown").textContent);
  if (!window.marked) {
    target.innerHTML = '<p class="missing">marked is not installed (node_modules/marked): showing the raw markdown.</p><pre></pre>';
    target.querySelector("pre").textContent = markdown;
  } else {
    target.innerHTML = window.marked.parse(markdown, { gfm: true });
    for (const block of target.querySelectorAll("pre > code.language-mermaid")) {
      const pre = document.createElement("pre");
      pre.className = "mermaid";
      pre.textContent = block.textContent;
      block.parentElement.replaceWith(pre);
    }
    if (window.mermaid) {
      window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "default" });
      window.mermaid.run({ querySelector: "pre.mermaid" }).then(() => document.body.setAttribute("data-rendered", "yes"));
    } else {
      target.insertAdjacentHTML("afterbegin", '<p class="missing">mermaid is not installed (node_modules/mermaid): diagrams show as source.</p>');
    }
  }
</script></body></html>
`;
const htmlPath = join(outDir, `${name}.html`);
writeFileSync(htmlPath, html);
console.log(`wrote ${relative(root, htmlPath)}${marked && mermaid ? "" : " (marked or mermaid missing from node_modules: partial rendering)"}`);

const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find(existsSync);
if (!chromium) {
  console.log("no Chromium found: skipping the screenshot (apt-get install chromium)");
} else {
  const png = join(outDir, `${name}.png`);
  const shot = spawnSync(
    chromium,
    ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", `--window-size=1100,${values.height}`, "--virtual-time-budget=10000", `--screenshot=${png}`, `file://${htmlPath}`],
    { encoding: "utf8" },
  );
  console.log(shot.status === 0 ? `wrote ${relative(root, png)}` : `Chromium failed: ${shot.stderr.split("\n").slice(-3).join(" ")}`);
}
