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

// Every register row on the pages, as the pages list them: number, severity, acknowledge verdict
// and title (independent of the search index).
function registerRows() {
  const dir = path.join(site, "incidents");
  const pages = fs.readdirSync(dir).filter((n) => n === "index.html" || /^page-\d+\.html$/.test(n))
    .map((n) => [n === "index.html" ? 1 : parseInt(n.slice(5), 10), n]).sort((a, b) => a[0] - b[0]).map((p) => p[1]);
  const unescape = (h) => h.replace(/<[^>]*>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'").replace(/&#x2F;/g, "/").replace(/&amp;/g, "&");
  const rows = [];
  for (const name of pages) {
    const html = fs.readFileSync(path.join(dir, name), "utf8");
    const re = /<tr data-sev="([^"]*)" data-ack="([^"]*)"[^>]*>\s*<td class="num" data-v="(\d+)">([\s\S]*?)<\/tr>/g;
    let m;
    while ((m = re.exec(html))) {
      const cells = [...m[4].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => unescape(c[1]).trim());
      rows.push({ number: m[3], sev: m[1], ack: m[2], title: cells[4] || "" });
    }
  }
  return rows;
}

// Terms as the index makes them (src/render/search_index.rs).
const terms = (text) => (text.match(/[\p{Alphabetic}\p{N}]+/gu) || []).map((t) => t.toLowerCase());
const SHOWN = 200; // results the register lists at a time
const resultNumbers = (page) => page.$$eval("#results tbody tr td:first-child a", (as) => as.map((a) => a.textContent));

// The register from file://: queries answer within 2 s loading only some of the index's shards,
// and a dashboard filter link (?severity=..&ack=breached) lists exactly the rows the pages mark so.
async function checkRegister(page, problems) {
  const rows = registerRows();
  if (!rows.length) { problems.push("register: no rows found on the register pages"); return; }
  if (await page.isHidden("#filters")) problems.push("register: filters stayed hidden (script did not run)");
  const shards = fs.readdirSync(path.join(site, "search")).filter((n) => n.endsWith(".js"));
  const loaded = new Set();
  page.on("request", (r) => { const m = /\/search\/([^/]+\.js)$/.exec(r.url()); if (m) loaded.add(m[1]); });
  // Runs one query; returns its result count and listed numbers, or null after a problem.
  async function query(label, text) {
    await page.fill("#q", "");
    const before = new Set(loaded);
    // Timed in the page, from the input event: to the result count (set with the first rows),
    // and to the last of the first SHOWN rows.
    const ms = await page.evaluate(([text, shown]) => new Promise((resolve) => {
      const q = document.getElementById("q");
      const count = document.getElementById("count");
      const body = document.querySelector("#results tbody");
      const t0 = performance.now();
      let first = null;
      const seen = new MutationObserver(() => {
        if (!/ match/.test(count.textContent)) return;
        const now = Math.round(performance.now() - t0);
        if (first === null) first = now;
        if (body.rows.length >= Math.min(parseInt(count.textContent, 10), shown)) { seen.disconnect(); resolve({ first, all: now }); }
      });
      seen.observe(count, { childList: true, characterData: true, subtree: true });
      setTimeout(() => { seen.disconnect(); resolve(null); }, 2000);
      q.value = text;
      q.dispatchEvent(new Event("input"));
    }), [text, SHOWN]);
    if (ms === null) {
      problems.push(`register: the ${label} query "${text}" did not list its results within 2 s over ${rows.length} incidents`);
      return null;
    }
    const listed = await resultNumbers(page);
    const countText = await page.textContent("#count");
    const fresh = [...loaded].filter((n) => !before.has(n));
    const bytes = fresh.reduce((sum, n) => sum + fs.statSync(path.join(site, "search", n)).size, 0);
    console.log(`browser-check: ${label} query "${text}" over ${rows.length} incidents: ${countText}, first result in ${ms.first} ms, ${Math.min(parseInt(countText, 10), SHOWN)} listed in ${ms.all} ms, ` +
      `loaded ${fresh.length} index file(s), ${(bytes / 1024).toFixed(1)} KiB`);
    if (await page.isVisible("#register")) problems.push(`register: the page's rows stayed visible during the ${label} query`);
    const count = parseInt(countText, 10);
    if (listed.length !== Math.min(count, SHOWN)) problems.push(`register: the ${label} query listed ${listed.length} rows for "${countText}"`);
    return { count, listed };
  }
  // Rows whose title holds every word (the search also reads service, responder and keys, so it
  // finds at least these); in register order, every one up to the last listed must be listed.
  function coversTitles(label, words, got) {
    const want = rows.filter((r) => { const t = terms(r.title); return words.every((w) => t.includes(w)); });
    const last = got.listed.length ? parseInt(got.listed[got.listed.length - 1], 10) : -1;
    const missing = want.filter((r) => parseInt(r.number, 10) <= last && !got.listed.includes(r.number));
    if (got.count < want.length || missing.length) {
      problems.push(`register: the ${label} query found ${got.count}, ${want.length} titles hold ${words.join(" ")}; ` +
        `missing ${missing.slice(0, 5).map((r) => r.number).join(", ")}`);
    }
  }
  const last = rows[rows.length - 1]; // on the last page: the search must reach every shard
  const words = terms(last.title).filter((w) => /^\p{L}{3,}$/u.test(w))
    .filter((w, i, all) => all.indexOf(w) === i).sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  if (words.length < 2) problems.push(`register: the last row's title "${last.title}" has fewer than two words to search`);
  else {
    const one = await query("word", words[0]);
    if (one) coversTitles("word", [words[0]], one);
    const two = await query("two-word", `${words[0]} ${words[1]}`);
    if (two) {
      coversTitles("two-word", [words[0], words[1]], two);
      if (one && two.count > one.count) problems.push(`register: "${words[0]} ${words[1]}" found more (${two.count}) than "${words[0]}" (${one.count})`);
    }
  }
  const num = await query("incident-number", last.number);
  if (num && !num.listed.includes(last.number)) problems.push(`register: searching "${last.number}" did not list incident ${last.number}`);
  const none = await query("no-match", "zqxjvw");
  if (none && none.count !== 0) problems.push(`register: "zqxjvw" matched ${none.count} incidents`);
  console.log(`browser-check: the register's queries loaded ${loaded.size} of the index's ${shards.length} files`);
  if (loaded.size >= shards.length) problems.push(`register: the queries loaded all ${shards.length} index files`);

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
  const want = expected.slice(0, SHOWN);
  if (listed.join(",") !== want.join(",") || !countText.startsWith(`${expected.length} of ${rows.length} `)) {
    problems.push(`register: ?severity=${sev}&ack=breached listed ${listed.length} rows ("${countText}"), the pages mark ${expected.length}`);
  } else {
    console.log(`browser-check: ?severity=${sev}&ack=breached lists the first ${listed.length} of exactly the ${expected.length} rows the pages mark`);
  }
  if (expected.length > SHOWN) {
    await page.click("#more");
    try {
      await page.waitForFunction((n) => document.querySelectorAll("#results tbody tr").length === n, Math.min(expected.length, 2 * SHOWN), { timeout: 2000 });
      const more = await resultNumbers(page);
      if (more.join(",") !== expected.slice(0, 2 * SHOWN).join(",")) problems.push("register: \"List 200 more\" listed other rows than the next ones");
    } catch (e) {
      problems.push("register: \"List 200 more\" did not list the next rows");
    }
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
