// Loads pages of a built site from file:// and checks what an offline auditor would hit.
const { chromium } = require("playwright-core");
const fs = require("fs");
const path = require("path");

const site = process.argv[2];
const shot = process.env.SCREENSHOT_DIR;

function firstFile(dir, ext, skip) {
  if (!fs.existsSync(path.join(site, dir))) return null; // e.g. workpapers/ only with a sample
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

// Every register row on the pages, as the pages list them: number, severity and acknowledge
// verdict from each row's data attributes (independent of the search index).
function registerRows() {
  const dir = path.join(site, "incidents");
  const pages = fs.readdirSync(dir).filter((n) => n === "index.html" || /^page-\d+\.html$/.test(n))
    .map((n) => [n === "index.html" ? 1 : parseInt(n.slice(5), 10), n]).sort((a, b) => a[0] - b[0]).map((p) => p[1]);
  const rows = [];
  for (const name of pages) {
    const html = fs.readFileSync(path.join(dir, name), "utf8");
    const re = /<tr data-sev="([^"]*)" data-ack="([^"]*)"[^>]*>\s*<td class="num" data-v="(\d+)">/g;
    let m;
    while ((m = re.exec(html))) rows.push({ number: m[3], sev: m[1], ack: m[2] });
  }
  return rows;
}

const resultNumbers = (page) => page.$$eval("#results tbody tr td:first-child a", (as) => as.map((a) => a.textContent));

// The register from file://: search by number answers within 2 s from the sharded index, and a
// dashboard filter link (?severity=..&ack=breached) lists exactly the rows the pages mark so.
async function checkRegister(page, problems) {
  const rows = registerRows();
  if (!rows.length) { problems.push("register: no rows found on the register pages"); return; }
  if (await page.isHidden("#filters")) problems.push("register: filters stayed hidden (script did not run)");
  const target = rows[rows.length - 1].number; // on the last page: the search must reach every shard
  const start = Date.now();
  await page.fill("#q", target);
  try {
    await page.waitForFunction((n) => Array.from(document.querySelectorAll("#results tbody tr td:first-child a")).some((a) => a.textContent === n), target, { timeout: 2000 });
    const found = await resultNumbers(page);
    console.log(`browser-check: register search for #${target} over ${rows.length} incidents answered in ${Date.now() - start} ms (${found.length} result(s))`);
    if (await page.isVisible("#register")) problems.push("register: the page's rows stayed visible during a search");
  } catch (e) {
    problems.push(`register: searching "${target}" found no result within 2 s over ${rows.length} incidents`);
  }
  // The dashboard's filter link, for the most common severity with breaches.
  const counts = {};
  for (const r of rows) if (r.ack === "breached") counts[r.sev] = (counts[r.sev] || 0) + 1;
  const sev = Object.keys(counts).sort((a, b) => counts[b] - counts[a] || (a < b ? -1 : 1))[0];
  if (!sev) { problems.push("register: no breached acknowledgement to test the filter link with"); return; }
  const expected = rows.filter((r) => r.sev === sev && r.ack === "breached").map((r) => r.number);
  const url = "file://" + path.join(site, "incidents/index.html") + `?severity=${encodeURIComponent(sev)}&ack=breached`;
  await page.goto(url, { waitUntil: "load" });
  try {
    await page.waitForFunction(() => /match/.test(document.getElementById("count").textContent), null, { timeout: 5000 });
  } catch (e) {
    problems.push(`register: ?severity=${sev}&ack=breached showed no result count`);
    return;
  }
  const listed = await resultNumbers(page);
  const countText = await page.textContent("#count");
  const want = expected.slice(0, 1000);
  if (listed.join(",") !== want.join(",") || !countText.startsWith(`${expected.length} of ${rows.length} `)) {
    problems.push(`register: ?severity=${sev}&ack=breached listed ${listed.length} rows ("${countText}"), the pages mark ${expected.length}`);
  } else {
    console.log(`browser-check: ?severity=${sev}&ack=breached lists exactly the ${expected.length} rows the pages mark`);
  }
}

(async () => {
  // An archive (pagerproof archive): its index and each period's site front page.
  const archive = fs.existsSync(path.join(site, "packages"));
  const pages = archive
    ? ["index.html", ...fs.readdirSync(site).filter((d) => fs.existsSync(path.join(site, d, "index.html"))).sort().map((d) => `${d}/index.html`)]
    : ["index.html", "incidents/index.html", "population.html", "exceptions.html",
    "controls.html", "method.html", "verify.html", "postmortems/index.html", "policies/index.html",
    "configuration.html", "automation.html", "customers.html", "requests.html",
    firstFile("workpapers", "index.html"), firstFile("workpapers", ".html", "index.html"),
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
    if (rel === "incidents/index.html") await checkRegister(page, problems);
  }
  await browser.close();
  if (problems.length) {
    console.error("browser-check failed:\n  " + problems.join("\n  "));
    process.exit(1);
  }
  console.log(`browser-check: ${pages.length} pages opened from file:// with no network request, no CSP violation, no script error`);
})().catch((e) => { console.error(e); process.exit(1); });
