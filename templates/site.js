// The status board's filters: owner, category and text, combined, kept in the
// URL hash so a filtered board can be linked. Plain script, no network, works
// from file://; it only ever writes text (textContent), never markup.
(function () {
  "use strict";

  var form = document.querySelector("form.filters");
  var owner = document.getElementById("filter-owner");
  var category = document.getElementById("filter-category");
  var text = document.getElementById("filter-text");
  var count = document.getElementById("filter-count");
  if (!form || !owner || !category || !text || !count) {
    return; // not a board page
  }
  var cards = document.querySelectorAll("article.card");
  var columns = document.querySelectorAll("section.column");

  // A value not among the options (a stale link) falls back to "everyone".
  function choose(select, value) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === value) {
        select.selectedIndex = i;
        return;
      }
    }
    select.selectedIndex = 0;
  }

  function readHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    choose(owner, params.get("owner") || "");
    choose(category, params.get("category") || "");
    var q = params.get("q") || "";
    if (text.value !== q) {
      text.value = q;
    }
  }

  function writeHash() {
    var params = new URLSearchParams();
    if (owner.value) params.set("owner", owner.value);
    if (category.value) params.set("category", category.value);
    if (text.value.trim()) params.set("q", text.value);
    var hash = params.toString();
    var url = location.pathname + location.search + (hash ? "#" + hash : "");
    try {
      history.replaceState(null, "", url);
    } catch (e) {
      location.replace("#" + hash); // browsers that refuse replaceState on file://
    }
  }

  function apply() {
    var q = text.value.trim().toLowerCase();
    var shown = 0;
    for (var i = 0; i < cards.length; i++) {
      var card = cards[i];
      var visible =
        (!owner.value || card.getAttribute("data-owner") === owner.value) &&
        (!category.value || card.getAttribute("data-category") === category.value) &&
        (!q || (card.getAttribute("data-text") || "").toLowerCase().indexOf(q) !== -1);
      card.hidden = !visible;
      if (visible) shown++;
    }
    for (var j = 0; j < columns.length; j++) {
      var badge = columns[j].querySelector(".count");
      if (badge) {
        badge.textContent = String(columns[j].querySelectorAll("article.card:not([hidden])").length);
      }
    }
    count.textContent =
      shown + " of " + cards.length + (cards.length === 1 ? " case" : " cases") + " shown";
  }

  function changed() {
    apply();
    writeHash();
  }

  owner.addEventListener("change", changed);
  category.addEventListener("change", changed);
  text.addEventListener("input", changed);
  // Enter in the search box would submit the form and reload the page.
  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });
  window.addEventListener("hashchange", function () {
    readHash();
    apply();
  });

  readHash();
  apply();
  form.hidden = false;
})();
