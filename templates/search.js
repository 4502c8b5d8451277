// The search page: filters the index casework embedded in the page (JSON,
// already redacted) by every word typed. Works from file://: nothing is fetched.
"use strict";
(function () {
  var data = document.getElementById("search-index");
  var form = document.querySelector("form.search");
  var input = document.getElementById("search-q");
  var list = document.getElementById("search-results");
  var count = document.getElementById("search-count");
  if (!data || !form || !input || !list) return;
  var index = JSON.parse(data.textContent);
  form.hidden = false;
  function show() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    list.textContent = "";
    var shown = 0;
    index.forEach(function (c) {
      var hay = (c.id + " " + c.title + " " + c.status + " " + (c.owner || "") + " " + (c.category || "") + " " + (c.tags || []).join(" ")).toLowerCase();
      if (!words.every(function (w) { return hay.indexOf(w) !== -1; })) return;
      shown += 1;
      if (shown > 200) return;
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = c.href;
      a.textContent = c.id;
      li.appendChild(a);
      li.appendChild(document.createTextNode(" " + c.title + " · " + c.status + (c.owner ? " · " + c.owner : "")));
      list.appendChild(li);
    });
    count.textContent = shown + " of " + index.length + " cases" + (shown > 200 ? " (first 200 shown)" : "");
  }
  input.addEventListener("input", show);
  show();
})();
