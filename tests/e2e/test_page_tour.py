"""The page tour: every page of the URL tables, for every role allowed to see it, at a desk's
1280x720 and a phone's 390x844, with realistic data (``tour_data``).

On each page it checks what a person would notice: raw markup or escaped entities in the
visible text, the page scrolling sideways (wide tables scroll inside their own container), a
menu item broken over two lines, form controls without exactly one accessible name, repeated
ids, and axe-core's serious and critical findings. It saves a screenshot of each page, role
and size in ``docs/screenshots/tour/``, and the README's screenshots in ``docs/screenshots/``.

The pages come from the URL tables (``tests/<app>/url_table.py``): a page added there is
toured without touching this file. One browser, one context per role, the data built once.
Every problem is collected and reported with its page, role and size.
"""

import re
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from core import roles
from tests.console.test_urls import NEED, TABLE, URL_TABLES

from . import tour_data
from .conftest import E2E, SCREENSHOTS, inject_axe, session_cookie

pytestmark = E2E

SIZES = {"desk": {"width": 1280, "height": 720}, "phone": {"width": 390, "height": 844}}
TOUR_FOLDER = SCREENSHOTS / "tour"
ROLE_USERS = {"agent": roles.AGENT, "lead": roles.TEAM_LEAD, "supervisor": roles.SUPERVISOR}
RANK = {"agent": 1, "lead": 2, "supervisor": 3}

# Visible text that means markup or an entity was escaped once too often.
RAW = re.compile(r"<strong|<span|<time|<br|&lt;|&gt;|&#x27;|&#39;|&quot;|&amp;amp;|&amp;")

# Pages the tour leaves out, and why.
NOT_TOURED = {
    # Swagger UI, vendored as it ships, for integrators' developers: its own markup nests
    # controls (axe nested-interactive) and greys small print; it is no page of the console.
    "api:reference",
}

# Pages worth a second look with a query: the live call at its hardest.
EXTRA_STOPS = [
    ("console:home", "live-call-outage", lambda d: f"?customer={d['customer'].pk}"),
    ("console:home", "live-call-markup-name", lambda d: f"?customer={d['marked_customer'].pk}"),
    ("console:home", "live-call-long-name", lambda d: f"?customer={d['long_customer'].pk}"),
    ("console:home", "live-call-postal-code", lambda d: "?q=10099"),
    ("console:home", "live-call-address-matches", lambda d: "?q=Quay+Street"),
    ("callbacks:detail", "callback-markup-name", lambda d: d["marked_callback"].pk),
    ("callbacks:detail", "callback-done", lambda d: d["done_callback"].pk),
    ("callbacks:detail", "callback-assigned", lambda d: d["assigned_callback"].pk),
    ("scripts_library:edit", "script-opening", lambda d: d["opening_script"].pk),
    ("outages:detail", "outage-restored", lambda d: d["restored_outage"].pk),
]

# The README's screenshots (docs/screenshots/<name>.png, desk size).
README_SHOTS = {
    ("agent", "live-call-outage"): "live-call",
    ("agent", "callback-assigned"): "callback-page",
    ("lead", "workload:board"): "queue-board",
    ("supervisor", "outages:detail"): "outage-page",
    ("supervisor", "script-opening"): "scripts-editor",
    ("agent", "workload:mine"): "my-callbacks",
    ("supervisor", "outages:board"): "outage-board",
}

CHECKS = """
() => {
  const problems = [];
  const text = document.body.innerText;
  const raw = text.match(new RegExp(RAW_PATTERN, "g"));
  if (raw) problems.push("raw markup or entities in the text: " + [...new Set(raw)].join(" "));
  const width = document.documentElement.scrollWidth, view = window.innerWidth;
  if (width > view) {
    const wide = [...document.querySelectorAll("body *")].filter((el) => {
      const box = el.getBoundingClientRect();
      return box.right > view + 1 && !el.closest(".table-responsive");
    }).slice(-3).map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
      (el.className && typeof el.className === "string" ? "." + el.className.split(" ")[0] : ""));
    problems.push(`scrolls sideways: ${width} px wide in ${view} px (${wide.join(", ")})`);
  }
  document.querySelectorAll("nav .nav-link, nav .btn").forEach((el) => {
    if (!el.offsetParent) return;  // in the folded menu (a phone's)
    const range = document.createRange();
    range.selectNodeContents(el);
    const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    const item = el.textContent.trim();
    if (lines.size > 1) problems.push(`menu item "${item}" on ${lines.size} lines`);
  });
  const ids = {};
  document.querySelectorAll("[id]").forEach((el) => { ids[el.id] = (ids[el.id] || 0) + 1; });
  const repeated = Object.keys(ids).filter((id) => ids[id] > 1);
  if (repeated.length) problems.push("repeated ids: " + repeated.join(", "));
  const controls = document.querySelectorAll("input, select, textarea, button");
  controls.forEach((el) => {
    if (el.type === "hidden") return;
    const what = el.tagName.toLowerCase() + (el.name ? `[name=${el.name}]` : "") +
      (el.id ? "#" + el.id : "");
    let names = 0;
    if (el.getAttribute("aria-labelledby")) names += 1;
    if (el.getAttribute("aria-label")) names += 1;
    names += el.labels ? el.labels.length : 0;
    const own = el.tagName === "BUTTON" ? el.textContent.trim() :
      (["submit", "button", "reset"].includes(el.type) ? el.value : "");
    if (own && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby")) names += 1;
    if (names !== 1) problems.push(`${what} has ${names} accessible names`);
  });
  return problems;
}
""".replace("RAW_PATTERN", repr(RAW.pattern))


@dataclass
class Stop:
    name: str  # the URL name, or the extra stop's name
    url: str
    role_needed: str | None
    extra: bool = False  # a second look at a page with other data: once, by its lowest role


@dataclass
class Tour:
    problems: list = field(default_factory=list)
    visited: int = 0
    skipped: list = field(default_factory=list)


def _stops(data):
    objects = {}
    for table in URL_TABLES:
        objects.update(table.objects())
    # The tour's own objects win: the hardest data behind each kind of page.
    objects.update(
        {key: value.pk for key, value in data.items() if hasattr(value, "pk") and key in objects}
    )
    stops = []
    for name, (method, role_needed, ok_status, kwarg_spec) in sorted(TABLE.items()):
        if method != "get" or ok_status != 200 or name in NOT_TOURED:
            continue
        kwargs = {key: objects[value] for key, value in kwarg_spec.items()}
        stops.append(Stop(name, reverse(name, kwargs=kwargs), role_needed))
    for url_name, name, make in EXTRA_STOPS:
        role_needed = TABLE[url_name][1]
        argument = make(data)
        if isinstance(argument, int):
            url = reverse(url_name, kwargs={"pk": argument})
        else:
            url = reverse(url_name) + argument
        stops.append(Stop(name, url, role_needed, extra=True))
    return stops


def _allowed(role, stop):
    if stop.role_needed is None:
        return role == "anonymous"
    if role == "anonymous":
        return False
    if stop.extra:
        return RANK[role] == NEED[stop.role_needed]
    return RANK[role] >= NEED[stop.role_needed]


def _slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _axe(page):
    inject_axe(page)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"axe {v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(str(node["target"][0]) for node in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _visit(page, stop, role, size, tour, *, status=200):
    try:
        response = page.goto(stop.url)
    except PlaywrightError as exc:
        if "Download is starting" not in str(exc):
            raise
        tour.skipped.append(f"{stop.name}: a download")
        return
    where = f"{stop.name} ({stop.url}) as {role} at {size}"
    if response is None or response.status != status:
        tour.problems.append(f"{where}: answered {response and response.status}")
        return
    if "text/html" not in response.headers.get("content-type", ""):
        tour.skipped.append(f"{stop.name}: not HTML")
        return
    if not re.match(r"\s*(<!doctype html|<html)", response.text(), re.IGNORECASE):
        tour.skipped.append(f"{stop.name}: a fragment for htmx")
        return
    tour.visited += 1
    problems = page.evaluate(CHECKS) + _axe(page)
    tour.problems.extend(f"{where}: {problem}" for problem in problems)
    TOUR_FOLDER.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(TOUR_FOLDER / f"{role}-{_slug(stop.name)}-{size}.png"))
    readme = README_SHOTS.get((role, stop.name))
    if readme and size == "desk":
        page.screenshot(path=str(SCREENSHOTS / f"{readme}.png"))


def test_every_page_reads_right_for_every_role_at_both_sizes(browser, live_server):
    now = timezone.now()
    data = tour_data.build(now=now)
    stops = _stops(data)
    tour = Tour()
    users = dict(data["users"], anonymous=None)
    for role in ("anonymous", *ROLE_USERS):
        context = browser.new_context(
            viewport=SIZES["desk"], base_url=live_server.url, timezone_id="America/New_York"
        )
        context.set_default_timeout(10_000)
        if users[role] is not None:
            context.add_cookies([session_cookie(users[role], live_server.url)])
        page = context.new_page()
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            for stop in stops:
                if _allowed(role, stop):
                    _visit(page, stop, role, size, tour)
            if role == "agent":
                # The refusal is a page too: an agent on a supervisor's page.
                refused = Stop("refused", reverse("outages:board"), roles.SUPERVISOR)
                _visit(page, refused, role, size, tour, status=403)
        context.close()
    assert tour.visited >= 50, (tour.visited, tour.skipped)
    assert not tour.problems, f"{len(tour.problems)} problems:\n" + "\n".join(tour.problems)
