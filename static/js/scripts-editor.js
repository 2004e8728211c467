// Scripts editor: placeholder buttons insert their placeholder at the cursor in the wording
// field (replacing any selected text), then tell htmx the text changed so the preview follows.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-insert-placeholder]");
  if (!button) return;
  var field = document.getElementById(button.getAttribute("data-target"));
  if (!field) return;
  var text = button.getAttribute("data-insert-placeholder");
  var start = typeof field.selectionStart === "number" ? field.selectionStart : field.value.length;
  var end = typeof field.selectionEnd === "number" ? field.selectionEnd : start;
  field.focus();
  field.setRangeText(text, start, end, "end");
  field.dispatchEvent(new Event("input", { bubbles: true }));
});
