// Register filters and sorting. The full table is in the HTML; this only hides and orders rows.
(function () {
  "use strict";
  var table = document.getElementById("register");
  var form = document.getElementById("filters");
  if (!table || !form) return;
  form.hidden = false;
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var q = document.getElementById("q");
  var sev = document.getElementById("f-sev");
  var ack = document.getElementById("f-ack");
  var res = document.getElementById("f-res");
  var pm = document.getElementById("f-pm");
  var month = document.getElementById("f-month");
  var cls = document.getElementById("f-class");
  var count = document.getElementById("count");
  var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });

  var params = new URLSearchParams(window.location.search);
  if (params.get("severity")) sev.value = params.get("severity");
  if (params.get("ack")) ack.value = params.get("ack");
  if (params.get("resolve")) res.value = params.get("resolve");
  if (params.get("pm")) pm.value = params.get("pm");
  if (params.get("month")) month.value = params.get("month");
  if (params.get("class")) cls.value = params.get("class");
  if (params.get("q")) q.value = params.get("q");

  // "required": every postmortem state except "not required".
  function pmMatches(state) {
    if (!pm.value) return true;
    if (pm.value === "required") return state !== "not required";
    return state === pm.value;
  }

  function apply() {
    var needle = q.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (r, i) {
      var ok = (!needle || texts[i].indexOf(needle) !== -1) &&
        (!sev.value || r.dataset.sev === sev.value) &&
        (!ack.value || r.dataset.ack === ack.value) &&
        (!res.value || r.dataset.res === res.value) &&
        pmMatches(r.dataset.pm) &&
        (!month.value || r.dataset.month === month.value) &&
        (!cls.value || r.dataset.class === cls.value);
      r.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = shown + " of " + rows.length + " incidents shown";
  }
  [q, sev, ack, res, pm, month, cls].forEach(function (el) { el.addEventListener("input", apply); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });

  var dir = {};
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    th.addEventListener("click", function () {
      var numeric = th.dataset.sort === "num";
      dir[col] = !dir[col];
      var sign = dir[col] ? 1 : -1;
      var keyed = rows.map(function (r) {
        var cell = r.cells[col];
        var v = cell.dataset.v !== undefined ? cell.dataset.v : cell.textContent.trim();
        return { r: r, k: numeric ? parseFloat(v) : v.toLowerCase() };
      });
      keyed.sort(function (a, b) { return a.k < b.k ? -sign : a.k > b.k ? sign : 0; });
      keyed.forEach(function (x) { tbody.appendChild(x.r); });
      th.setAttribute("aria-sort", dir[col] ? "ascending" : "descending");
    });
  });
  apply();
})();
