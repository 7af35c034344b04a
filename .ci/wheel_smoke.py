"""The HTTP half of `.ci/wheel-smoke`: a running `audionews serve` from an installed wheel.

Run by the fresh venv's Python: `python wheel_smoke.py PORT VENV EDITOR PASSWORD`. Checks what a
listener, a podcast app, an editor and a monitoring system get; prints one line per check.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from lxml import etree
from prometheus_client.parser import text_string_to_metric_families

PORT, VENV, EDITOR, PASSWORD = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4]
BASE = f"http://127.0.0.1:{PORT}"
TITLES = ("GDL kündigt neuen Warnstreik an", "Bundesnetzagentur erwartet", "Nato-Vorsitzender")
passed = 0

jar = http.cookiejar.CookieJar()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)


def fetch(path: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(BASE + path, data=data, headers=headers or {})
    try:
        return opener.open(request, timeout=30)
    except urllib.error.HTTPError as error:
        return error


def check(what: str, condition: bool, detail: object = "") -> None:
    global passed
    if not condition:
        print(f"FAIL {what} {detail}")
        sys.exit(1)
    passed += 1
    print(f"ok   {what}")


def body_of(response: Any) -> str:
    return response.read().decode("utf-8", "replace")


# The server is waited for by its first answer.
deadline = time.monotonic() + 90
while True:
    try:
        if fetch("/healthz").status == 200:
            break
    except OSError:
        pass
    if time.monotonic() > deadline:
        sys.exit("FAIL the server never answered /healthz")
    time.sleep(0.2)

import audionews  # noqa: E402  (the installed package, not a checkout)

check(
    "the package is the installed wheel",
    Path(audionews.__file__).resolve().is_relative_to(VENV.resolve()),
    audionews.__file__,
)
check(
    "templates are inside the installed package",
    (Path(audionews.__file__).parent / "templates" / "error.html").is_file(),
)

home = fetch("/")
page = body_of(home)
check("GET / is 200", home.status == 200, home.status)
check("the front page lists the samples", all(title in page for title in TITLES), page[:500])
slugs = sorted(set(re.findall(r'href="/artikel/([^"/]+)"', page)))
check("three article links", len(slugs) == 3, slugs)
for slug in slugs:
    article = fetch(f"/artikel/{slug}")
    text = body_of(article)
    check(f"GET /artikel/{slug} is 200 with a player", article.status == 200 and "<audio" in text)

for feed_path in ("/feed.xml", "/feed/kurz.xml"):
    feed = fetch(feed_path)
    check(f"GET {feed_path} is 200", feed.status == 200, feed.status)
    root = etree.fromstring(feed.read())
    enclosures = root.findall("./channel/item/enclosure")
    check(f"{feed_path} has three episodes", len(enclosures) == 3, len(enclosures))
    for enclosure in enclosures:
        path = urllib.parse.urlsplit(enclosure.get("url")).path
        mp3 = fetch(path)
        data = mp3.read()
        check(
            f"GET {path} is the MP3 the feed announces",
            mp3.status == 200
            and mp3.headers["Content-Type"] == "audio/mpeg"
            and len(data) == int(enclosure.get("length")),
        )
briefing = fetch("/feed/briefing.xml")
check("GET /feed/briefing.xml is 200", briefing.status == 200, briefing.status)
ranged = fetch(path, headers={"Range": "bytes=0-99"})
check("a Range request is 206 with 100 bytes", ranged.status == 206 and len(ranged.read()) == 100)
check("static files", fetch("/static/site.css").status == 200)

missing = fetch("/gibt-es-nicht")
check(
    "an unknown page is the German 404 page (error.html)",
    missing.status == 404 and "Diese Seite gibt es nicht." in body_of(missing),
)
check("an unknown article is 404", fetch("/artikel/gibt-es-nicht").status == 404)

check("the back office asks for a login", fetch("/redaktion/").status == 302)
login_page = fetch("/redaktion/anmelden")
form = body_of(login_page)
check("GET /redaktion/anmelden is 200", login_page.status == 200 and "Passwort" in form)
token = re.search(r'name="csrf_token" value="([^"]+)"', form)
check("the login form carries a CSRF token", token is not None)
assert token is not None
fields = {"name": EDITOR, "password": PASSWORD, "csrf_token": token.group(1)}
logged_in = fetch("/redaktion/anmelden", data=urllib.parse.urlencode(fields).encode())
check("login redirects", logged_in.status == 302, logged_in.status)
dashboard = fetch("/redaktion/")
text = body_of(dashboard)
check(
    "the dashboard lists the samples and the media size",
    dashboard.status == 200 and "Übersicht" in text and "Medienordner" in text,
)

status = json.loads(body_of(fetch(f"/api/v1/articles/{slugs[0]}")))
check("the API says ready", status["status"] == "ready", status)

check("GET /healthz is 200", fetch("/healthz").status == 200)
ready = fetch("/readyz")
check("GET /readyz is 200", ready.status == 200, body_of(ready))
metrics = fetch("/metrics")
samples = {
    (sample.name, tuple(sorted(sample.labels.items()))): sample.value
    for family in text_string_to_metric_families(body_of(metrics))
    for sample in family.samples
}
check(
    "GET /metrics counts the three renders (made by `import --wait`, another process)",
    samples.get(("audionews_renders_total", (("outcome", "ready"),))) == 3,
)
print(f"wheel smoke: {passed} checks passed")
