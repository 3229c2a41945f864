// Register search, filters and sorting. Each page holds 1,000 rows; search and filters cover
// every page through the sharded search index under search/, loading only the shards a query
// needs. Results keep the register's order.
(function () {
  "use strict";
  var table = document.getElementById("register");
  var form = document.getElementById("filters");
  if (!table || !form) return;
  form.hidden = false;
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
  var more = document.getElementById("more");
  var SHOWN = 200; // results listed at a time; the count covers all
  var FIRST = 20; // results listed before the rest of the first SHOWN are loaded

  var params = new URLSearchParams(window.location.search);
  [["severity", sev], ["ack", ack], ["resolve", res], ["pm", pm], ["month", month], ["class", cls], ["q", q]]
    .forEach(function (p) { if (params.get(p[0])) p[1].value = params.get(p[0]); });

  // The index (docs/search-index.md, written by src/render/search_index.rs): files
  // `search/<stem>.js`, each assigning PAGERPROOF_SEARCH[stem]; loaded by <script> tags, which
  // work from file:// where fetch() does not, each at most once and only when a query needs it.
  var store = window.PAGERPROOF_SEARCH = window.PAGERPROOF_SEARCH || {};
  var waiting = {}; // stem -> callbacks while its script loads
  var failed = false;
  function load(stems, done) {
    var left = 1;
    function one() { if (--left === 0) done(); }
    stems.forEach(function (stem) {
      if (Object.prototype.hasOwnProperty.call(store, stem)) return;
      left++;
      if (waiting[stem]) { waiting[stem].push(one); return; }
      waiting[stem] = [one];
      var s = document.createElement("script");
      s.src = "../search/" + stem + ".js";
      s.onload = s.onerror = function (e) {
        if (e.type === "error") failed = true;
        if (!Object.prototype.hasOwnProperty.call(store, stem)) store[stem] = null;
        var callbacks = waiting[stem];
        delete waiting[stem];
        callbacks.forEach(function (f) { f(); });
      };
      document.head.appendChild(s);
    });
    one();
  }

  // Terms and shard keys exactly as search_index::terms and ::shard_key make them.
  function terms(text) {
    return (text.match(/[\p{Alphabetic}\p{N}]+/gu) || []).map(function (t) { return t.toLowerCase(); });
  }
  function fnv1a(text) {
    var bytes = new TextEncoder().encode(text);
    var h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
    return h;
  }
  function shardKey(term) {
    var key = Array.from(term).slice(0, 2).join("");
    return /^[a-z0-9]+$/.test(key) ? key : "x" + (fnv1a(key) % 64);
  }

  // Sorted id lists: decoding, intersection, union.
  function decode(deltas) {
    var out = new Uint32Array(deltas.length);
    for (var i = 0, v = 0; i < deltas.length; i++) out[i] = v += deltas[i];
    return out;
  }
  function intersect(a, b) {
    var out = [];
    for (var i = 0, j = 0; i < a.length && j < b.length;) {
      if (a[i] < b[j]) i++;
      else if (a[i] > b[j]) j++;
      else { out.push(a[i]); i++; j++; }
    }
    return out;
  }
  function union(lists) {
    lists = lists.filter(function (l) { return l.length; });
    if (lists.length < 2) return lists[0] || [];
    var n = 0;
    lists.forEach(function (l) { n += l.length; });
    var all = new Uint32Array(n);
    n = 0;
    lists.forEach(function (l) { all.set(l, n); n += l.length; });
    all.sort();
    var out = [];
    for (var i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) out.push(all[i]);
    return out;
  }
  function own(o, k) { return o && Object.prototype.hasOwnProperty.call(o, k); }
  // A term's rows; `prefix`: every term that starts with it (the last word, as typed).
  function postings(term, prefix) {
    var shard = store["terms-" + shardKey(term)];
    if (!shard) return [];
    if (!prefix) return own(shard, term) ? decode(shard[term]) : [];
    return union(Object.keys(shard).filter(function (t) { return t.lastIndexOf(term, 0) === 0; })
      .map(function (t) { return decode(shard[t]); }));
  }
  function facet(field, keep) {
    return union((store["facet-" + field] || []).filter(function (v) { return keep(v[0]); })
      .map(function (v) { return decode(v[1]); }));
  }
  // The filters in use: [field, value test].
  function filters() {
    var out = [];
    [["sev", sev], ["ack", ack], ["res", res], ["class", cls], ["month", month]].forEach(function (f) {
      var want = f[1].value;
      if (want) out.push([f[0], function (v) { return v === want; }]);
    });
    if (pm.value === "required") out.push(["pm", function (v) { return v !== "not required"; }]);
    else if (pm.value) out.push(["pm", function (v) { return v === pm.value; }]);
    return out;
  }
  // The row shard that would hold incident `number` (rows are in number order), or -1.
  function numberShard(index, number) {
    var k = -1;
    for (var i = 0, first = 0; i < index.first.length; i++) {
      first += index.first[i];
      if (first > number) break;
      k = i;
    }
    return k;
  }
  function record(index, id) {
    var shard = store["rows-" + Math.floor(id / index.rows_per_shard)];
    return shard ? shard[id % index.rows_per_shard] : null;
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
  // A record: [number, title, service, severity, ack, resolve, postmortem, class, month, created].
  var query = 0; // the latest query; answers to older ones are dropped
  var hits = [];
  var listed = 0;
  // Lists hits up to `upto` (loading the row shards that hold them), then calls `then`.
  function list(index, id, upto, then) {
    var stems = [];
    var slice = hits.slice(listed, upto);
    slice.forEach(function (row) {
      var stem = "rows-" + Math.floor(row / index.rows_per_shard);
      if (stems[stems.length - 1] !== stem) stems.push(stem);
    });
    load(stems, function () {
      if (id !== query) return;
      var frag = document.createDocumentFragment();
      slice.forEach(function (row) {
        var r = record(index, row);
        if (!r) return;
        var tr = document.createElement("tr");
        cell(tr, String(r[0]), r[0] + ".html");
        [r[9], r[3], r[2], r[7], r[1], r[4], r[5], r[6]].forEach(function (t) { cell(tr, t); });
        frag.appendChild(tr);
      });
      if (listed === 0) resultBody.textContent = "";
      resultBody.appendChild(frag);
      listed = Math.max(listed, Math.min(hits.length, upto));
      count.textContent = hits.length + " of " + index.rows + " incidents match" +
        (hits.length > listed ? "; the first " + listed + " are listed" : "");
      more.hidden = hits.length <= listed || !!then;
      status.textContent = failed ? "Part of the search index did not load; results may be incomplete." : "";
      if (then) then();
    });
  }
  // The first few results as soon as their shards are in, then the rest of the first SHOWN:
  // results far apart in the register each need a row shard of their own.
  function listFirst(index, id) {
    listed = 0;
    list(index, id, FIRST, function () { list(index, id, SHOWN); });
  }
  function search(id) {
    var index = store.index;
    if (!index) { status.textContent = "The search index did not load."; return; }
    var words = terms(q.value).filter(function (w, i, all) { return all.indexOf(w) === i; });
    var number = words.length === 1 && /^[0-9]+$/.test(words[0]) ? parseInt(words[0], 10) : null;
    var has = {};
    index.terms.forEach(function (k) { has[k] = true; });
    var stems = [];
    words.forEach(function (w) { if (has[shardKey(w)]) stems.push("terms-" + shardKey(w)); });
    var fs = filters();
    fs.forEach(function (f) { stems.push("facet-" + f[0]); });
    var near = number === null ? -1 : numberShard(index, number);
    if (near >= 0) stems.push("rows-" + near);
    load(stems, function () {
      if (id !== query) return;
      var lists = [];
      if (number !== null) {
        // The incident itself, and rows with the number as a word (a Jira key's, say).
        var exact = [];
        (store["rows-" + near] || []).forEach(function (r, i) {
          if (r[0] === number) exact.push(near * index.rows_per_shard + i);
        });
        lists.push(union([exact, postings(words[0], false)]));
      } else {
        words.forEach(function (w, i) {
          // The last word is matched as a prefix (it may be half typed) once it has two characters.
          lists.push(postings(w, i === words.length - 1 && Array.from(w).length > 1));
        });
      }
      fs.forEach(function (f) { lists.push(facet(f[0], f[1])); });
      if (!lists.length) { // a search of punctuation only: no constraint
        lists.push([]);
        for (var i = 0; i < index.rows; i++) lists[0].push(i);
      }
      lists.sort(function (a, b) { return a.length - b.length; });
      hits = lists.reduce(function (a, b) { return a.length ? intersect(a, b) : a; });
      listFirst(index, id);
    });
  }
  function active() {
    return q.value.trim() || sev.value || ack.value || res.value || pm.value || month.value || cls.value;
  }
  function apply() {
    var id = ++query;
    if (!active()) {
      results.hidden = true;
      pageView.hidden = false;
      count.textContent = rows.length + " incidents on this page";
      return;
    }
    pageView.hidden = true;
    results.hidden = false;
    if (!store.index) status.textContent = "Loading the search index…";
    load(["index"], function () { if (id === query) search(id); });
  }
  [q, sev, ack, res, pm, month, cls].forEach(function (el) { el.addEventListener("input", apply); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  more.addEventListener("click", function () {
    if (!store.index) return;
    more.hidden = true; // until these are listed: a second click would list them twice
    list(store.index, query, listed + SHOWN);
  });

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
