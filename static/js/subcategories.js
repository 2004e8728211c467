// Sub-category lists offer only the sub-categories of the chosen category.
//
// Every form with a select named "category" and one named "subcategory" (grouped by category
// label, as the server renders it) hides the groups of the other categories; a sub-category
// left over from another category is cleared. The server still checks the pair.
(function () {
  "use strict";

  function pair(form) {
    if (!form || !form.elements) return null;
    var category = form.elements.namedItem("category");
    var subcategory = form.elements.namedItem("subcategory");
    if (!category || !subcategory || category.tagName !== "SELECT" || subcategory.tagName !== "SELECT") return null;
    return { category: category, subcategory: subcategory };
  }

  function filter(form) {
    var fields = pair(form);
    if (!fields) return;
    var chosen = fields.category.selectedIndex > 0 ? fields.category.options[fields.category.selectedIndex].text : "";
    var groups = fields.subcategory.querySelectorAll("optgroup");
    Array.prototype.forEach.call(groups, function (group) {
      var shown = !chosen || group.label === chosen;
      group.hidden = !shown;
      group.disabled = !shown;
    });
    var selected = fields.subcategory.options[fields.subcategory.selectedIndex];
    if (selected && selected.parentNode.tagName === "OPTGROUP" && selected.parentNode.disabled) {
      fields.subcategory.value = "";
    }
  }

  function filterAll(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("form"), filter);
  }

  document.addEventListener("change", function (event) {
    if (event.target.name === "category") filter(event.target.form);
  });
  document.addEventListener("DOMContentLoaded", function () { filterAll(document); });
  document.addEventListener("htmx:afterSwap", function () { filterAll(document); });
})();
