// Live updates pushed to the live-call screen: server-sent events from the events process.
//
// The live region (#call-live) names its stream in data-events-url (only when the console
// pushes; `make run` does not). Each "outage" event is the same for every screen of that
// outage, rendered once on the server: this puts its status, cause, ETR and latest update in
// the banner's marked elements, and the new ETR in the script cards where the old one was,
// without asking the server anything; an outage it does not show yet (just declared) gets a
// plain banner with its title, status and ETR. The whole region is then refreshed once at a
// random moment within data-events-spread seconds, so that thousands of screens reconcile
// over a minute instead of all at once (a "resync", after the events process lost Redis,
// only schedules that refresh).
//
// While the stream is open the page carries data-live-push="open" and the version check
// (live-version.js) rests; when the stream fails (no events process: 204; logged out: 403 or
// the login page) or drops, the mark goes and the version check takes over again.
(function () {
  "use strict";

  var source = null;
  var sourceUrl = "";
  // A stream the server refused (no events process: 204) is not asked again for a while.
  var refusedUrl = "";
  var refusedAt = 0;
  var RETRY_REFUSED_MS = 5 * 60 * 1000;
  var refreshTimer = null;
  var DEFAULT_SPREAD = 60;

  function region() { return document.getElementById("call-live"); }
  function root() { return document.documentElement; }

  function setPushed(open) {
    if (open) root().setAttribute("data-live-push", "open");
    else root().removeAttribute("data-live-push");
  }

  function spreadSeconds() {
    var live = region();
    var value = live ? parseFloat(live.getAttribute("data-events-spread")) : NaN;
    return value >= 0 ? value : DEFAULT_SPREAD;
  }

  // One refresh of the whole region at a random moment within `within` seconds; an earlier
  // one already planned stands.
  function refreshWithin(within) {
    var delay = Math.random() * within * 1000;
    if (refreshTimer !== null) {
      if (refreshTimer.at <= Date.now() + delay) return;
      window.clearTimeout(refreshTimer.id);
    }
    refreshTimer = {
      at: Date.now() + delay,
      id: window.setTimeout(function () {
        refreshTimer = null;
        var live = region();
        if (live && window.htmx) window.htmx.trigger(live, "outage-changed");
      }, delay)
    };
  }

  function field(banner, name) { return banner.querySelector('[data-field="' + name + '"]'); }

  // The script cards say the ETR in the same words as the banner's <time>: the old value
  // there becomes the new one (or the "not yet known" gap becomes a value).
  function updateCards(live, outageId, oldText, newText) {
    var cards = live.querySelector('.script-cards[data-outage="' + outageId + '"]');
    if (!cards || !newText) return;
    if (oldText) {
      cards.querySelectorAll(".ph-value").forEach(function (value) {
        if (value.textContent === oldText) value.textContent = newText;
      });
      return;
    }
    var gap = live.getAttribute("data-etr-gap");
    cards.querySelectorAll("mark.ph-gap").forEach(function (mark) {
      if (mark.textContent !== gap) return;
      var value = document.createElement("strong");
      value.className = "ph-value";
      value.textContent = newText;
      mark.replaceWith(value);
    });
  }

  // An outage this screen does not show yet (just declared on its area): a plain banner at
  // once, with what the event says; the region's refresh brings the full one and its scripts.
  function newBanner(live, data) {
    var banner = document.createElement("section");
    banner.className = "alert alert-danger outage-banner mb-3";
    banner.setAttribute("data-outage", data.outage);
    var title = document.createElement("h2");
    title.className = "h5 mb-1";
    title.textContent = "New outage: " + data.title + " ";
    var status = document.createElement("span");
    status.className = "badge text-bg-light border";
    status.setAttribute("data-field", "status");
    title.appendChild(status);
    var etr = document.createElement("p");
    etr.className = "mb-0";
    etr.appendChild(document.createTextNode("Estimated restoration: "));
    var etrValue = document.createElement("span");
    etrValue.setAttribute("data-field", "etr");
    etr.appendChild(etrValue);
    banner.appendChild(title);
    banner.appendChild(etr);
    live.insertBefore(banner, live.firstChild);
    return banner;
  }

  function onOutage(event) {
    var live = region();
    if (!live) return;
    var data;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    var banner = live.querySelector('.outage-banner[data-outage="' + data.outage + '"]');
    if (!banner && data.open) banner = newBanner(live, data);
    if (!banner) { refreshWithin(spreadSeconds()); return; }
    var status = field(banner, "status");
    if (status) status.textContent = data.status_label;
    var cause = field(banner, "cause");
    if (cause && data.cause) cause.textContent = data.cause;
    var etr = field(banner, "etr");
    if (etr) {
      var oldTime = etr.querySelector("time");
      var oldText = oldTime ? oldTime.textContent : "";
      etr.innerHTML = data.etr_html; // rendered and escaped by the server's template
      updateCards(live, data.outage, oldText, data.etr_script);
    }
    var last = field(banner, "last-update");
    if (last && data.last_update_html) last.innerHTML = data.last_update_html;
    live.setAttribute("data-pushed-etr", data.etr || "");
    refreshWithin(spreadSeconds());
  }

  function close() {
    if (source) source.close();
    source = null;
    sourceUrl = "";
    setPushed(false);
  }

  function connect() {
    var live = region();
    var url = live ? live.getAttribute("data-events-url") || "" : "";
    if (url === sourceUrl && source && source.readyState !== EventSource.CLOSED) return;
    close();
    if (!url || (url === refusedUrl && Date.now() - refusedAt < RETRY_REFUSED_MS)) return;
    sourceUrl = url;
    source = new EventSource(url);
    source.addEventListener("open", function () {
      setPushed(true);
      document.dispatchEvent(new CustomEvent("live-push-open"));
    });
    source.addEventListener("error", function () {
      // Dropped (the browser reconnects by itself) or refused (it gives up): either way the
      // version check covers the screen until the stream is open again.
      setPushed(false);
      if (source && source.readyState === EventSource.CLOSED) {
        refusedUrl = sourceUrl;
        refusedAt = Date.now();
        close();
      }
    });
    source.addEventListener("outage", onOutage);
    source.addEventListener("resync", function () { refreshWithin(spreadSeconds()); });
  }

  if (!window.EventSource) return;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", connect);
  else connect();
  // A new lookup or the region's own refresh may show another area (or none).
  document.addEventListener("htmx:afterSettle", connect);
  window.addEventListener("pagehide", close);
})();
