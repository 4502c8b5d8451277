// The lessons register's filter: rows by kind and by text (lesson, case,
// category). Without JavaScript the form stays hidden and every row shows.
"use strict";
(function () {
  var form = document.querySelector("form.filters[data-rows]");
  if (!form) return;
  var rows = Array.prototype.slice.call(document.querySelectorAll(form.getAttribute("data-rows")));
  var kind = document.getElementById("filter-kind");
  var text = document.getElementById("filter-lesson");
  var count = document.getElementById("filter-lessons-count");
  function apply() {
    var k = kind.value;
    var q = text.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var ok = (!k || row.getAttribute("data-kind") === k) &&
        (!q || (row.getAttribute("data-text") || "").indexOf(q) !== -1);
      row.hidden = !ok;
      if (ok) shown += 1;
    });
    count.textContent = shown + " of " + rows.length + " lessons shown";
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  kind.addEventListener("change", apply);
  text.addEventListener("input", apply);
  form.hidden = false;
  apply();
})();
