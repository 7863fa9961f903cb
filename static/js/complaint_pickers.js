// Searchable pickers of people on the complaint pages (CMP-1 agents concerned, CMP-2 plan
// responsible): a search box before every <select data-search> hides the options whose name,
// number or pinyin initials (data-initials) do not contain what was typed. Without JavaScript the
// select works as before. Loaded as a file (CSP: no inline scripts).
(function () {
  "use strict";

  function enhance(select) {
    if (select.dataset.searchReady) return;
    select.dataset.searchReady = "true";
    const input = document.createElement("input");
    input.type = "search";
    input.className = "form-control form-control-sm mb-1 picker-search";
    input.placeholder = select.dataset.search;
    input.setAttribute("aria-label", select.dataset.search);
    if (select.id) {
      input.id = select.id + "_search";
      input.setAttribute("aria-controls", select.id);
    }
    select.before(input);
    input.addEventListener("input", function () {
      const query = input.value.trim().toLowerCase();
      for (const option of select.options) {
        if (!option.value) continue;
        const text = (option.text + " " + (option.dataset.initials || "")).toLowerCase();
        option.hidden = query !== "" && !text.includes(query) && !option.selected;
      }
    });
  }

  function init(root) {
    (root || document).querySelectorAll("select[data-search]").forEach(enhance);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
