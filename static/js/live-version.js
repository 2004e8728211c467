// The live-call screen's outages, kept current within about a second for next to nothing.
//
// The live region (#call-live) carries the version of the outages it shows and the URL that
// answers the current version. Every data-version-every ms (1 s) this asks that URL with the
// version it has: 204 No Content while nothing changed (one indexed query on the server,
// nothing rendered); the new version as text once an outage changed, and the region then asks
// htmx for its own refresh ("outage-changed"), which swaps in the new banner and scripts.
// A hidden tab does not ask; one check at a time.
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
})();
