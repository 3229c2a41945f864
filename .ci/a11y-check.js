// Runs axe-core in headless Chromium on one page of every page family of a built site, opened
// from file://, and fails on any WCAG 2.1 A or AA violation, listing each with its elements.
const { chromium } = require("playwright-core");
const axe = require("axe-core");
const fs = require("fs");
const path = require("path");

const site = process.argv[2];

// The first page (in name order) of a family that has one page per item.
function first(dir) {
  const names = fs.readdirSync(path.join(site, dir))
    .filter((n) => n.endsWith(".html") && n !== "index.html").sort();
  if (!names.length) throw new Error(`${dir}/: no page to check`);
  return `${dir}/${names[0]}`;
}

// The first file (in path order) under `dir`, at any depth, whose name ends with `suffix`.
function firstDeep(dir, suffix) {
  const walk = (rel) => {
    const entries = fs.readdirSync(path.join(site, rel), { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) { const found = walk(child); if (found) return found; }
      else if (e.name.endsWith(suffix)) return child;
    }
    return null;
  };
  const found = walk(dir);
  if (!found) throw new Error(`${dir}/: no *${suffix} page to check`);
  return found;
}

(async () => {
  const pages = ["index.html", "incidents/index.html", first("incidents"), "postmortems/index.html",
    first("postmortems"), "exceptions.html", "population.html", "controls.html", "method.html",
    "verify.html", "oncall/index.html", "audit-log/index.html", "sample.html", first("severities"),
    "policies/index.html", first("policies"), "configuration.html", "automation.html",
    "customers.html", "requests.html", "workpapers/index.html", first("workpapers"),
    firstDeep("sources", ".csv.html")];
  // A severity paged past its first page (a level with more incidents than a page holds).
  const pagedSeverity = fs.readdirSync(path.join(site, "severities"), { withFileTypes: true })
    .filter((e) => e.isDirectory()).map((e) => e.name).sort()[0];
  if (pagedSeverity) pages.push(`severities/${pagedSeverity}/page-2.html`);
  // Exceptions listed by kind (past a page's worth): a kind's first page and, when it has one,
  // its second.
  if (fs.existsSync(path.join(site, "exceptions"))) {
    const kind = first("exceptions");
    pages.push(kind);
    const second = kind.replace(/\.html$/, "/page-2.html");
    if (fs.existsSync(path.join(site, second))) pages.push(second);
  }
  // Only when the site has configuration history to show.
  if (fs.existsSync(path.join(site, "changes.html"))) pages.push("changes.html");
  const missing = pages.filter((p) => !fs.existsSync(path.join(site, p)));
  if (missing.length) {
    console.error(`a11y-check: pages missing from ${site}: ${missing.join(", ")}`);
    process.exit(1);
  }
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--allow-file-access-from-files"],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  for (const rel of pages) {
    await page.goto("file://" + path.join(site, rel), { waitUntil: "load" });
    // Evaluated through the DevTools protocol, so the page's strict CSP stays in force for
    // everything the page itself does.
    await page.evaluate(axe.source);
    const result = await page.evaluate(() => window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
      resultTypes: ["violations"],
    }));
    for (const v of result.violations) {
      const where = v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ");
      const more = v.nodes.length > 3 ? ` (+${v.nodes.length - 3} more)` : "";
      problems.push(`${rel}: ${v.id} (${v.impact}, ${v.nodes.length} element(s)): ${v.help}\n      at ${where}${more}\n      ${v.helpUrl}`);
    }
  }
  await browser.close();
  if (problems.length) {
    console.error(`a11y-check: ${problems.length} WCAG 2.1 A/AA violation(s) (axe-core ${axe.version}):\n  ` + problems.join("\n  "));
    process.exit(1);
  }
  console.log(`a11y-check: ${pages.length} pages, 0 WCAG 2.1 A/AA violations (axe-core ${axe.version})`);
})().catch((e) => { console.error(e); process.exit(1); });
