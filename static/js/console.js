// The live-call screen's keyboard and safety nets. Plain script, no build step.
(function () {
  "use strict";

  function lookupField() { return document.getElementById("id_q"); }
  function suggestionLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("#suggestions a"));
  }
  function clearSuggestions() {
    var box = document.getElementById("suggestions");
    if (box) box.innerHTML = "";
  }

  // "/" focuses the customer search from anywhere (unless typing in a field).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) return;
    var field = lookupField();
    if (field) { event.preventDefault(); field.focus(); field.select(); }
  });

  // Suggestions while typing: arrow keys move through them, Enter picks, Escape goes back.
  document.addEventListener("keydown", function (event) {
    var field = lookupField();
    if (!field) return;
    var links = suggestionLinks();
    if (event.target === field) {
      if (event.key === "ArrowDown" && links.length) { event.preventDefault(); links[0].focus(); }
      if (event.key === "Escape") clearSuggestions();
      return;
    }
    var index = links.indexOf(event.target);
    if (index < 0) return;
    if (event.key === "ArrowDown" && index + 1 < links.length) { event.preventDefault(); links[index + 1].focus(); }
    if (event.key === "ArrowUp") { event.preventDefault(); (index > 0 ? links[index - 1] : field).focus(); }
    if (event.key === "Escape") { event.preventDefault(); clearSuggestions(); field.focus(); }
  });

  // A search sent with Enter wins over suggestions still waiting for their typing delay.
  var lastSearched = null;
  document.addEventListener("submit", function (event) {
    var field = lookupField();
    if (field && event.target.contains(field)) { lastSearched = field.value; clearSuggestions(); }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var field = lookupField();
    if (field && event.detail.elt === field && field.value === lastSearched) event.preventDefault();
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var field = lookupField();
    if (field && event.detail.target && event.detail.target.id === "suggestions" &&
        field.value === lastSearched) {
      event.detail.shouldSwap = false;
    }
  });

  // Copy buttons on script cards: the plain text sits in data-copy.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var text = button.getAttribute("data-copy");
    var done = function () {
      var label = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else {
      var area = document.createElement("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      area.remove();
      done();
    }
  });

  // The callback form keeps a draft in this tab's storage, keyed by the call (customer, outage,
  // path): a reload or a session that expires mid-call (login, then back here) loses nothing.
  // A successful filing clears it.
  var DRAFT_SKIP = { csrfmiddlewaretoken: true, outage: true, customer: true, path: true };

  function draftForm(root) {
    return (root || document).querySelector("form[data-draft-key]");
  }
  function readDraft(key) {
    try { return JSON.parse(sessionStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function saveDraft(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || DRAFT_SKIP[el.name] || el.type === "hidden" || el.type === "submit") return;
      values[el.name] = el.value;
    });
    try { sessionStorage.setItem(form.getAttribute("data-draft-key"), JSON.stringify(values)); } catch (e) { /* storage full or off */ }
  }
  function restoreDraft(form) {
    if (!form) return;
    var values = readDraft(form.getAttribute("data-draft-key"));
    if (!values) return;
    var changed = false;
    Object.keys(values).forEach(function (name) {
      var el = form.elements.namedItem(name);
      if (el && el.value !== values[name]) { el.value = values[name]; changed = true; }
    });
    var notice = form.querySelector(".draft-notice");
    if (changed && notice) notice.classList.remove("d-none");
  }

  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-draft-key")) saveDraft(form);
  });
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-draft-key")) saveDraft(form);
  });
  document.addEventListener("click", function (event) {
    var discard = event.target.closest("[data-draft-discard]");
    if (!discard) return;
    var form = discard.closest("form[data-draft-key]");
    sessionStorage.removeItem(form.getAttribute("data-draft-key"));
    window.location.reload();
  });

  // No account was read (a caller found by postal code, or our systems down): the name the
  // agent types into the callback form fills the scripts' "customer's name" gaps as they
  // type, and the text the Copy buttons copy. Text only, never markup.
  function typedName() {
    var form = draftForm();
    if (!form || form.elements.namedItem("customer")) return null;
    var field = form.elements.namedItem("name");
    return field ? field.value.trim() : null;
  }
  function fillName() {
    var live = document.getElementById("call-live");
    var name = typedName();
    if (!live || name === null) return;
    var gap = live.getAttribute("data-name-gap");
    if (!gap) return;
    Array.prototype.forEach.call(live.querySelectorAll("mark.ph-gap, [data-gap]"), function (el) {
      if (!el.hasAttribute("data-gap")) {
        if (el.textContent !== gap) return;
        el.setAttribute("data-gap", gap);
      }
      el.textContent = name || gap;
      el.classList.toggle("ph-gap", !name);
      el.classList.toggle("ph-typed", !!name);
    });
    Array.prototype.forEach.call(live.querySelectorAll("[data-copy]"), function (button) {
      if (!button.hasAttribute("data-copy-template")) {
        button.setAttribute("data-copy-template", button.getAttribute("data-copy"));
      }
      var template = button.getAttribute("data-copy-template");
      button.setAttribute("data-copy", name ? template.split("[" + gap + "]").join(name) : template);
    });
  }
  document.addEventListener("input", function (event) {
    if (event.target.name === "name" && event.target.form && event.target.form.hasAttribute("data-draft-key")) fillName();
  });
  document.addEventListener("htmx:afterSwap", fillName);

  document.addEventListener("DOMContentLoaded", function () { restoreDraft(draftForm()); fillName(); });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target) return;
    if (target.id === "call-result") {
      clearSuggestions();
      restoreDraft(draftForm(target));
      fillName();
      return;
    }
    // The confirmation of a filing names the draft it filed (the form is gone with it).
    var filed = document.querySelector("#callback-form [data-callback-filed]");
    if (filed) {
      var key = filed.getAttribute("data-callback-filed");
      filed.removeAttribute("data-callback-filed");
      if (key) sessionStorage.removeItem(key);
      // The long form became a short confirmation: bring it into view (the agent was at the
      // form's button, now below it) so what to tell the customer is on the screen.
      var shown = filed.closest("#callback-form") || filed;
      if (filed.getBoundingClientRect().top < 0) shown.scrollIntoView({ block: "start" });
    }
  });

  // A polled region marked data-pause-while-focused is not refreshed while the user is in it
  // (a trigger filter would need eval, which the Content-Security-Policy refuses).
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-pause-while-focused") &&
        elt.contains(document.activeElement)) {
      event.preventDefault();
    }
  });
})();
