// Loads pages of a built site from file:// and checks what an offline auditor would hit.
const { chromium } = require("playwright-core");
const fs = require("fs");
const path = require("path");

const site = process.argv[2];
const shot = process.env.SCREENSHOT_DIR;

function firstFile(dir, ext, skip) {
  const names = fs.readdirSync(path.join(site, dir)).filter((n) => n.endsWith(ext) && n !== skip).sort();
  return names.length ? `${dir}/${names[0]}` : null;
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
  return fs.existsSync(path.join(site, dir)) ? walk(dir) : null;
}

(async () => {
  // An archive (pagerproof archive): its index and each period's site front page.
  const archive = fs.existsSync(path.join(site, "packages"));
  const pages = archive
    ? ["index.html", ...fs.readdirSync(site).filter((d) => fs.existsSync(path.join(site, d, "index.html"))).sort().map((d) => `${d}/index.html`)]
    : ["index.html", "incidents/index.html", "population.html", "exceptions.html",
    "controls.html", "method.html", "verify.html", "postmortems/index.html", "policies/index.html",
    "configuration.html", "automation.html", "customers.html", "requests.html",
    "workpapers/index.html", firstFile("workpapers", ".html", "index.html"),
    firstDeep("sources", ".csv.html"),
    firstFile("incidents", ".html", "index.html"), firstFile("postmortems", ".html", "index.html")]
    .filter(Boolean);
  if (!archive && fs.existsSync(path.join(site, "oncall/index.html"))) pages.push("oncall/index.html");
  if (!archive && fs.existsSync(path.join(site, "changes.html"))) pages.push("changes.html");
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--allow-file-access-from-files"],
  });
  const problems = [];
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("request", (r) => { if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) problems.push(`network request: ${r.url()}`); });
  page.on("console", (m) => { if (m.type() === "error" || /Content Security Policy|Refused to/.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`script error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`failed to load: ${r.url()}`));
  for (const rel of pages) {
    const url = "file://" + path.join(site, rel);
    await page.goto(url, { waitUntil: "load" });
    const csp = await page.$('meta[http-equiv="Content-Security-Policy"]');
    if (!csp) problems.push(`${rel}: no Content-Security-Policy meta tag`);
    const broken = await page.$$eval("img", (imgs) => imgs.filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.src));
    for (const b of broken) problems.push(`${rel}: image did not load: ${b}`);
    if (shot) await page.screenshot({ path: path.join(shot, rel.replace(/[\/]/g, "_") + ".png"), fullPage: false });
    if (rel === "incidents/index.html") {
      const visible = async () => page.$$eval("#register tbody tr", (rows) => rows.filter((r) => !r.hidden).length);
      const all = await visible();
      if (await page.isHidden("#filters")) problems.push("register: filters stayed hidden (script did not run)");
      const first = await page.$eval("#register tbody tr td a", (a) => a.textContent);
      await page.fill("#q", first);
      const filtered = await visible();
      if (!(filtered >= 1 && filtered < all)) problems.push(`register: searching "${first}" showed ${filtered} of ${all} rows`);
    }
  }
  await browser.close();
  if (problems.length) {
    console.error("browser-check failed:\n  " + problems.join("\n  "));
    process.exit(1);
  }
  console.log(`browser-check: ${pages.length} pages opened from file:// with no network request, no CSP violation, no script error`);
})().catch((e) => { console.error(e); process.exit(1); });
