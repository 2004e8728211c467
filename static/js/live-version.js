// The live-call screen's outages, kept current within about a second for next to nothing.
//
// The live region (#call-live) carries the version of the outages it shows and the URL that
// answers the current version. Every data-version-every ms (1 s) this asks that URL with the
// version it has: 204 No Content while nothing changed (one indexed query on the server,
// nothing rendered); the new version as text once an outage changed, and the region then asks
// htmx for its own refresh ("outage-changed"), which swaps in the new banner and scripts.
// A hidden tab does not ask; one check at a time.
//
// Relative times are moved along here too (every 30 s), so the region's own full refresh
// (hx-trigger "every N s") is only a safety net, every 5 minutes.
//
// While the events process pushes changes to this screen (live-events.js marks the page with
// data-live-push="open"), nothing is asked, except once when the push opens: a change made
// between the page's render and the subscription is caught there.
(function () {
  "use strict";

  var DEFAULT_EVERY = 1000;
  var busy = false;

  function region() { return document.getElementById("call-live"); }

  function pushed() {
    return document.documentElement.getAttribute("data-live-push") === "open";
  }

  function check(force) {
    var live = region();
    if (!live || busy || !window.fetch) return;
    if (!force && (document.hidden || pushed())) return;
    var url = live.getAttribute("data-version-url");
    if (!url) return;
    var version = live.getAttribute("data-version") || "";
    busy = true;
    fetch(url + "&v=" + encodeURIComponent(version), {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "text/plain" }
    }).then(function (response) {
      if (response.status === 204) return null;
      var type = response.headers.get("Content-Type") || "";
      if (response.ok && !response.redirected && type.indexOf("text/plain") === 0) {
        return response.text().then(function (text) {
          live.setAttribute("data-version", text.trim());
          if (document.body.contains(live) && window.htmx) window.htmx.trigger(live, "outage-changed");
        });
      }
      // A login page (the session ended) or an error: let the region's own refresh deal with
      // it (htmx sends the whole page to the login form), and stop asking from this region.
      live.removeAttribute("data-version-url");
      if (window.htmx) window.htmx.trigger(live, "outage-changed");
      return null;
    }).catch(function () { /* offline for a moment: ask again on the next tick */ })
      .then(function () { busy = false; });
  }

  function every() {
    var live = region();
    var value = live ? parseInt(live.getAttribute("data-version-every"), 10) : NaN;
    return value > 0 ? value : DEFAULT_EVERY;
  }

  function loop() {
    check();
    window.setTimeout(loop, every());
  }
  window.setTimeout(loop, every());
  document.addEventListener("live-push-open", function () { check(true); });

  // Relative times ("in 3 h 12 min", "12 min ago") move along here, every 30 s, so the
  // region's full refresh is only a safety net. The same words as the server's
  // outages.lifecycle.describe_relative, from the server's clock (data-now at render).
  function duration(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    if (minutes < 1) return "under 1 min";
    if (minutes < 60) return minutes + " min";
    var hours = Math.floor(minutes / 60);
    minutes = minutes % 60;
    if (hours < 24) return minutes ? hours + " h " + minutes + " min" : hours + " h";
    var days = Math.floor(hours / 24);
    hours = hours % 24;
    return hours ? days + " d " + hours + " h" : days + " d";
  }

  function relative(target, now) {
    var delta = target - now;
    if (Math.abs(delta) < 60000) return "now";
    return delta > 0 ? "in " + duration(delta) : duration(delta) + " ago";
  }

  var skew = { region: null, ms: 0 };

  function tick() {
    var live = region();
    if (!live) return;
    if (skew.region !== live) {
      var rendered = Date.parse(live.getAttribute("data-now") || "");
      skew = { region: live, ms: isNaN(rendered) ? 0 : rendered - Date.now() };
    }
    var now = Date.now() + skew.ms;
    live.querySelectorAll("time[datetime]").forEach(function (time) {
      var words = time.nextElementSibling;
      var target = Date.parse(time.getAttribute("datetime"));
      if (!words || !words.classList.contains("text-nowrap") || isNaN(target)) return;
      if (words.textContent.charAt(0) !== "(") return;
      words.textContent = "(" + relative(target, now) + ")";
    });
  }
  window.setInterval(tick, 30000);
  // Seen as soon as rendered: the server's clock against this one.
  document.addEventListener("htmx:afterSettle", tick);
  tick();
})();
