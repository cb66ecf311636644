"""Error pages in the user's language; no stack trace ever reaches a user."""
from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You are not allowed to do this."),
    404: _l("The page or record was not found, or it is outside your scope."),
    405: _l("This action is not allowed this way."),
    413: _l("The uploaded file is too large."),
    500: _l("Something went wrong on our side. Nothing was changed; please try again or tell the administrator."),
}


def _wants_json():
    return request.path.startswith("/api/")


def _render(code, message=None):
    from flask import g
    from flask_login import current_user

    from app.extensions import appbuilder, db

    if not hasattr(g, "user"):  # refused before FAB's before_request ran (CSRF check)
        g.user = current_user

    if code >= 500:
        db.session.rollback()
    text = str(message or MESSAGES.get(code, MESSAGES[400]))
    if _wants_json():
        return {"message": text}, code
    return render_template("error.html", code=code, message=text, appbuilder=appbuilder,
                           base_template=appbuilder.base_template), code


def _reject_malformed_paging():
    """FAB turns page_<view>/psize_<view> into int() unchecked; answer 400 instead of a 500."""
    from flask import abort

    for key, value in request.args.items():
        if key.startswith(("page_", "psize_")) and not value.lstrip("-").isdigit():
            abort(400)


def init_app(app):
    app.before_request(_reject_malformed_paging)
    for code in MESSAGES:
        app.register_error_handler(code, lambda e, code=code: _render(code))
    app.register_error_handler(CSRFError, lambda e: _render(
        400, _l("The form has expired or was not sent from this site. Please reload the page and try again.")))
