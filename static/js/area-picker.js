// Declaring an outage: "Find an area" narrows the list of service areas to tick, by name, code
// or region, as the supervisor types. Ticked areas always stay in view.
(function () {
  "use strict";

  function filter(input) {
    var list = document.getElementById(input.getAttribute("data-filter-list"));
    if (!list) return;
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    Array.prototype.forEach.call(list.querySelectorAll(".form-check"), function (row) {
      var box = row.querySelector("input");
      var text = row.textContent.toLowerCase();
      var match = words.every(function (word) { return text.indexOf(word) >= 0; });
      var visible = match || (box && box.checked);
      row.hidden = !visible;
      if (visible) shown += 1;
    });
    var status = document.getElementById(input.getAttribute("aria-describedby"));
    if (status) status.textContent = shown + " area" + (shown === 1 ? "" : "s") + " shown";
  }

  document.addEventListener("input", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-filter-list")) filter(event.target);
  });
})();
