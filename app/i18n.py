"""Language: Chinese by default, Tibetan on request; the choice is kept on the user's record."""
from flask import g, has_request_context, request, session
from flask_babel import get_locale


def select_locale():
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if has_request_context():
        chosen = session.get("locale")
        if chosen in languages:
            return chosen
        user = getattr(g, "user", None)
        stored = getattr(user, "locale", None) if getattr(user, "is_authenticated", False) else None
        if stored in languages:
            return stored
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _remember_choice():
    """`/lang/<code>` (FAB's LocaleView) also stores the choice on the logged-in user."""
    from flask import current_app

    from app.extensions import db

    if request.endpoint != "LocaleView.index":
        return
    code = (request.view_args or {}).get("locale")
    user = getattr(g, "user", None)
    if code in current_app.config["LANGUAGES"] and getattr(user, "is_authenticated", False):
        if user.locale != code:
            user.locale = code
            db.session.commit()


def _after_login_locale():
    # A fresh session after login takes the user's stored language.
    user = getattr(g, "user", None)
    if getattr(user, "is_authenticated", False) and "locale" not in session and user.locale:
        session["locale"] = user.locale


def init_app(app):
    app.extensions["babel"].locale_selector = select_locale
    app.before_request(_after_login_locale)
    app.before_request(_remember_choice)
    from app.tibetan import colon

    app.jinja_env.filters["colon"] = colon

    @app.context_processor
    def _lang():
        from app.tibetan import forms

        locale = get_locale()
        return {"current_lang": locale.language if locale else "zh", "tibetan_forms": forms,
                "widget_locale": widget_locale}


def widget_locale(lang):
    """What the browser widgets need in the page's language: the date picker's month and day names (CLDR via
    Babel; Tibetan month numbers in Arabic digits, as official text writes ཟླ་7) and select2's messages."""
    from babel.dates import get_day_names, get_month_names
    from flask_babel import gettext

    if lang not in ("zh", "bo"):
        return {}
    months = get_month_names("wide", locale=lang)
    days = get_day_names("wide", locale=lang)
    short = get_day_names("abbreviated", locale=lang)
    order = [6, 0, 1, 2, 3, 4, 5]  # the picker counts from Sunday
    if lang == "bo":
        months_short = [f"ཟླ་{m}" for m in range(1, 13)]
        days_min = ["ཉི", "ཟླ", "མིག", "ལྷག", "ཕུར", "སངས", "སྤེན"]
        title = "yyyyལོའི་MM"
    else:
        months_short = [f"{m}月" for m in range(1, 13)]
        days_min = ["日", "一", "二", "三", "四", "五", "六"]
        title = "yyyy年MM"
    return {
        "lang": lang,
        "datepicker": {
            "days": [days[i].rstrip("་") for i in order], "daysShort": [short[i].rstrip("་") for i in order],
            "daysMin": days_min, "months": [months[m] for m in range(1, 13)], "monthsShort": months_short,
            "today": gettext("Today"), "clear": gettext("Clear"), "format": "yyyy-mm-dd", "titleFormat": title,
            "weekStart": 1,
        },
        "select2": {
            "noResults": gettext("No results found"), "searching": gettext("Searching…"),
            "removeAllItems": gettext("Remove all items"), "removeItem": gettext("Remove item"),
            "errorLoading": gettext("The results could not be loaded."), "loadingMore": gettext("Loading more results…"),
            "search": gettext("Search"),
        },
    }
