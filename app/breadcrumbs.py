"""Breadcrumbs on list, show, add and edit pages: home › the list › this record (issue 13, orientation)."""
from flask import request, url_for
from flask_babel import lazy_gettext as _l

PAGE_TITLES = {"show": "show_title", "edit": "edit_title", "add": "add_title"}


def _view(name):
    from app.extensions import appbuilder

    return next((v for v in appbuilder.baseviews if v.__class__.__name__ == name), None)


def breadcrumbs():
    """[(label, url)] for the current page, or [] where the page is not a model page."""
    endpoint = request.endpoint or ""
    name, _dot, method = endpoint.partition(".")
    if method not in ("list", "show", "edit", "add") or not name:
        return []
    view = _view(name)
    if view is None or not hasattr(view, "list_title"):
        return []
    from app.extensions import appbuilder

    crumbs = [(_l("Home"), appbuilder.get_url_for_index)]
    try:
        list_url = url_for(f"{name}.list")
    except Exception:  # a view without a list page
        list_url = None
    crumbs.append((view.list_title, list_url))
    if method in PAGE_TITLES:
        crumbs.append((getattr(view, PAGE_TITLES[method]), None))
    return crumbs


def init_app(app):
    @app.context_processor
    def _breadcrumbs():
        return {"breadcrumbs": breadcrumbs}
