// Register search, filters and sorting. Each page holds 1,000 rows; search and filters cover
// every page through the search index, shards `search/register-<n>.js` (one per page) loaded by
// <script> tags, which work from file:// where fetch() does not. Rows keep the page's own order.
(function () {
  "use strict";
  var table = document.getElementById("register");
  var form = document.getElementById("filters");
  if (!table || !form) return;
  form.hidden = false;
  var pages = parseInt(table.dataset.pages, 10) || 1;
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var pageView = document.getElementById("register-page");
  var results = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var resultBody = document.getElementById("results").tBodies[0];
  var q = document.getElementById("q");
  var sev = document.getElementById("f-sev");
  var ack = document.getElementById("f-ack");
  var res = document.getElementById("f-res");
  var pm = document.getElementById("f-pm");
  var month = document.getElementById("f-month");
  var cls = document.getElementById("f-class");
  var count = document.getElementById("count");
  var SHOWN = 1000; // results listed at most; the count covers all

  var params = new URLSearchParams(window.location.search);
  [["severity", sev], ["ack", ack], ["resolve", res], ["pm", pm], ["month", month], ["class", cls], ["q", q]]
    .forEach(function (p) { if (params.get(p[0])) p[1].value = params.get(p[0]); });

  // Shards, loaded once each, on the first search or filter.
  var index = window.PAGERPROOF_REGISTER = window.PAGERPROOF_REGISTER || {};
  var loading = null;
  function loadAll(done) {
    if (loading === "done") return done();
    if (loading) { loading.push(done); return; }
    loading = [done];
    var left = pages;
    var failed = false;
    for (var n = 1; n <= pages; n++) {
      var s = document.createElement("script");
      s.src = "../search/register-" + n + ".js";
      s.onload = s.onerror = function (e) {
        if (e.type === "error") failed = true;
        if (--left === 0) {
          var waiting = loading;
          loading = "done";
          if (failed) status.textContent = "Part of the search index did not load; results are incomplete.";
          waiting.forEach(function (f) { f(); });
        }
      };
      document.head.appendChild(s);
    }
  }

  // A record: [number, title, service, severity, ack, resolve, postmortem, class, month,
  // created, responder, jira], as src/render/pages/register.rs writes it.
  function pmMatches(state) {
    if (!pm.value) return true;
    if (pm.value === "required") return state !== "not required";
    return state === pm.value;
  }
  function matches(r, words) {
    if (sev.value && r[3] !== sev.value) return false;
    if (ack.value && r[4] !== ack.value) return false;
    if (res.value && r[5] !== res.value) return false;
    if (!pmMatches(r[6])) return false;
    if (cls.value && r[7] !== cls.value) return false;
    if (month.value && r[8] !== month.value) return false;
    if (!words.length) return true;
    var text = (r[0] + " " + r[1] + " " + r[2] + " " + r[10] + " " + r[11]).toLowerCase();
    for (var i = 0; i < words.length; i++) if (text.indexOf(words[i]) === -1) return false;
    return true;
  }
  function cell(tr, text, href) {
    var td = tr.insertCell();
    if (href) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = text;
      td.appendChild(a);
    } else {
      td.textContent = text;
    }
  }
  function search() {
    var words = q.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var hits = 0;
    var total = 0;
    var frag = document.createDocumentFragment();
    for (var n = 1; n <= pages; n++) {
      (index[n] || []).forEach(function (r) {
        total++;
        if (!matches(r, words)) return;
        if (hits++ >= SHOWN) return;
        var tr = document.createElement("tr");
        cell(tr, String(r[0]), r[0] + ".html");
        [r[9], r[3], r[2], r[7], r[1], r[4], r[5], r[6]].forEach(function (t) { cell(tr, t); });
        frag.appendChild(tr);
      });
    }
    resultBody.textContent = "";
    resultBody.appendChild(frag);
    count.textContent = hits + " of " + total + " incidents match" + (hits > SHOWN ? "; the first " + SHOWN + " are listed" : "");
  }
  function active() {
    return q.value.trim() || sev.value || ack.value || res.value || pm.value || month.value || cls.value;
  }
  function apply() {
    if (!active()) {
      results.hidden = true;
      pageView.hidden = false;
      count.textContent = rows.length + " incidents on this page";
      return;
    }
    pageView.hidden = true;
    results.hidden = false;
    if (loading !== "done") status.textContent = "Loading the search index…";
    loadAll(function () {
      if (status.textContent.indexOf("Loading") === 0) status.textContent = "";
      search();
    });
  }
  [q, sev, ack, res, pm, month, cls].forEach(function (el) { el.addEventListener("input", apply); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });

  // Sorting orders this page's rows.
  var dir = {};
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    th.addEventListener("click", function () {
      var numeric = th.dataset.sort === "num";
      dir[col] = !dir[col];
      var sign = dir[col] ? 1 : -1;
      var keyed = rows.map(function (r) {
        var c = r.cells[col];
        var v = c.dataset.v !== undefined ? c.dataset.v : c.textContent.trim();
        return { r: r, k: numeric ? parseFloat(v) : v.toLowerCase() };
      });
      keyed.sort(function (a, b) { return a.k < b.k ? -sign : a.k > b.k ? sign : 0; });
      keyed.forEach(function (x) { tbody.appendChild(x.r); });
      th.setAttribute("aria-sort", dir[col] ? "ascending" : "descending");
    });
  });
  apply();
})();
