"""Nothing is offered that would be refused (issue 10, app/may.py): for every demo user, a crawler starts from
the menu the user is shown, opens each menu page and the show pages its lists lead to, and checks every link,
button and form on them against the app's URL map:

- a link (GET) opens a page that is neither 403 nor a server error (files and PDFs: the user holds the
  permission of the view that serves them, read from the role map — rendering every PDF would take minutes);
- a form or delete link (POST) goes to a route whose permission the user holds and, when the route is a
  workflow step of a stream (the view's `may_steps`), the stream's `may(user, action, row)` says yes for that
  user and row.
"""
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from app.extensions import db

DEMO_USERS = ("enterprise1", "enterprise2", "county1", "county2", "township1", "community1", "sasac", "hrss",
              "medins", "orgdept", "finance", "housing", "health", "archives", "supervision", "leader",
              "sysadmin", "secadmin", "auditadmin")
# Links that are not pages of the app: language switch, logout, static files, FAB's API docs.
SKIP_PREFIXES = ("/static/", "/appbuilder/", "/lang/", "/logout", "/swagger", "/api/v1/_openapi")
FILE_SUFFIXES = (".pdf", ".xlsx", ".csv", ".json", ".docx", ".png", ".jpg")
SHOWS_PER_LIST = 1
PER_ENDPOINT = 2


class _Offers(HTMLParser):
    """Links (a href) and forms (action, method) of a page, and whether the navbar is being read."""

    def __init__(self):
        super().__init__()
        self.links, self.forms = [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self.forms.append(((a.get("action") or "").strip(), (a.get("method") or "get").lower()))


def _offers(page):
    parser = _Offers()
    parser.feed(page)
    return parser.links, parser.forms


def _internal(href):
    if not href or href.startswith(("#", "javascript:", "mailto:")):
        return None
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    path = parts.path
    if not path.startswith("/") or path.startswith(SKIP_PREFIXES):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def _resolve(app, url, method):
    adapter = app.url_map.bind("localhost")
    path, _, query = url.partition("?")
    try:
        return adapter.match(path, method=method, query_args=query)
    except RequestRedirect as e:
        return _resolve(app, urlsplit(e.new_url).path, method)
    except (NotFound, MethodNotAllowed):
        return None, None


def _view_of(app, endpoint):
    function = app.view_functions.get(endpoint)
    return getattr(function, "__self__", None), endpoint.rsplit(".", 1)[-1]


def _permitted(app, roles, endpoint, args=None):
    """Whether FAB will let these roles into `endpoint` (the role map of app/security/roles.py)."""
    from app.security.roles import ROLES_BY_CODE, permissions_of

    view, method = _view_of(app, endpoint)
    if view is None or not hasattr(view, "class_permission_name"):
        return True  # not a FAB view (login, language): no permission
    names = getattr(view, "method_permission_name", {}) or {}
    permission = "can_" + names.get(method, method)
    if method == "action" and args is not None and "name" in args:
        permission = args["name"]  # FAB's actions are permissions of their own name
    resource = view.class_permission_name
    granted = set()
    for code in roles:
        if code in ROLES_BY_CODE:
            granted |= permissions_of(ROLES_BY_CODE[code])
    return (permission, resource) in granted


def _step_allowed(app, user, endpoint, args):
    """None when the route is no workflow step; else what the stream's may() says for this user and row."""
    from app.may import may

    view, method = _view_of(app, endpoint)
    steps = getattr(view, "may_steps", {}) or {}
    if method in ("add", "edit", "delete") and hasattr(view, "may_row"):  # FAB's own forms and delete link
        return view.may_row(method, args.get("pk"), user)
    if method not in steps:
        return None
    row = view.may_step_row(method, args) if hasattr(view, "may_step_row") else None
    return may(view.may_stream, user, steps[method], row)


def _menu_urls(app, roles):
    from app.security.roles import ROLES_BY_CODE, permissions_of

    granted = set()
    for code in roles:
        if code in ROLES_BY_CODE:
            granted |= permissions_of(ROLES_BY_CODE[code])
    urls = []
    with app.test_request_context():
        for entry in app.appbuilder.menu.get_list():
            for item in (entry.childs or [entry]):
                if item.name != "-" and ("menu_access", item.name) in granted:
                    urls.append(_internal(item.get_url()))
    return urls


@pytest.mark.parametrize("username", DEMO_USERS)
def test_every_offer_on_the_main_pages_can_succeed(app, as_user, username):
    client = as_user(username)
    with app.app_context():
        from app.security.models import OrgUser

        user = db.session.query(OrgUser).filter_by(username=username).one()
        roles = {r.name for r in user.roles}

    problems, seen, per_endpoint = [], {}, {}

    def get(url):
        if url not in seen:
            response = client.get(url)
            seen[url] = (response.status_code, response.get_data(as_text=True)
                         if response.mimetype == "text/html" else "")
        return seen[url]

    home_status, home = get("/")
    assert home_status == 200
    # the menu: every entry the user is shown (FAB shows an entry to holders of menu_access on its name)
    menu = [u for u in _menu_urls(app, roles) if u]
    for url in menu:
        assert url in home, f"menu entry {url} not in the navbar"
    pages = ["/"] + menu
    expanded = set()
    queue = list(pages)
    while queue:
        url = queue.pop(0)
        if url in expanded:
            continue
        expanded.add(url)
        status, page = get(url)
        if status == 403 or status >= 500:
            problems.append(("page", url, status))
            continue
        links, forms = _offers(page)
        shows = 0
        for href in links:
            target = _internal(href)
            if target is None:
                continue
            endpoint, args = _resolve(app, target, "GET")
            if endpoint is None:
                endpoint, args = _resolve(app, target, "POST")
                if endpoint is None:
                    problems.append(("no route", url, target))
                    continue
            if endpoint.endswith(".delete"):  # FAB's delete link: a step, not a page
                with app.test_request_context():
                    allowed = _step_allowed(app, user, endpoint, args)
                    db.session.remove()
                if not _permitted(app, roles, endpoint, args) or allowed is False:
                    problems.append(("delete offered", url, target))
                continue
            if target.split("?")[0].endswith(FILE_SUFFIXES) or any(
                    k in endpoint for k in ("pdf", "download", "export", "template")):
                if not _permitted(app, roles, endpoint, args):
                    problems.append(("file link", url, target))
                continue
            count = per_endpoint.get(endpoint, 0)
            if count >= PER_ENDPOINT and target not in seen:
                continue
            per_endpoint[endpoint] = count + 1
            link_status, _page = get(target)
            if link_status == 403 or link_status >= 500:
                problems.append(("link", url, target, link_status))
            # the list pages of the menu lead to show pages: those are main pages too
            if url in pages and endpoint.endswith(".show") and shows < SHOWS_PER_LIST and link_status == 200:
                shows += 1
                queue.append(target)
            # an add or edit link ("+", the pencil) offers that form: its POST is checked like any other
            if endpoint.endswith((".add", ".edit")) and link_status == 200:
                queue.append(target)
        for action, method in forms:
            target = _internal(action) if action else url  # FAB's add and edit forms post to their own page
            if target is None or method != "post":
                continue
            endpoint, args = _resolve(app, target, "POST")
            if endpoint is None:
                if not action:
                    continue  # FAB's hidden list-action form: its target is set by script per action
                problems.append(("form without route", url, target))
                continue
            if not _permitted(app, roles, endpoint, args):
                problems.append(("form forbidden", url, target))
                continue
            with app.test_request_context():
                allowed = _step_allowed(app, user, endpoint, args)
                db.session.remove()
            if allowed is False:
                problems.append(("step refused", url, target))
    assert not problems, problems[:20]
    assert len(expanded) > 1 or not menu
