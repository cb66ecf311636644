"""Malformed input is answered before any view runs, never with a 500 (issue 11, "Robustness").

FAB's views and REST API hand many request values straight to the database or to Python built-ins: an integer
beyond 64 bits in a `<pk>` route or a `_flt_` filter, a negative page (PostgreSQL refuses a negative OFFSET), a
NUL byte or a lone surrogate in text (PostgreSQL refuses both), rison nested deeply enough to exhaust the
recursion limit, an unknown action name, a JSON body that is a list or `null`, a body over the size limit
(FAB's `@safe` turns the 413 into a 500). One `before_request` checks them all:

- out-of-range or non-numeric id in a route (`pk`, action `rowid`s) → 404;
- bad paging, filters or rison → 400;
- text with NUL or a lone surrogate → 400 (forms, URLs) / 422 (JSON);
- a REST POST/PUT body that is not a JSON object → 422;
- a REST body over `MAX_JSON_BODY_KB` → 413.
"""
import re

import prison
from flask import abort, current_app, request
from flask_babel import lazy_gettext as _l

INT64_MAX = 2 ** 63 - 1
# Primary and foreign keys are INTEGER columns: 32 bits on PostgreSQL ("integer out of range" beyond).
ID_MAX = 2 ** 31 - 1
MAX_PAGE = 10 ** 6
MAX_RISON_DEPTH = 12
_DIGITS = re.compile(r"\d{1,19}")
_PAGING = ("page_", "psize_")


def clean_text(value):
    """False for text PostgreSQL cannot store: a NUL byte or a lone surrogate."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _id_ok(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return 0 <= value <= ID_MAX
    return bool(_DIGITS.fullmatch(str(value))) and int(value) <= ID_MAX


def _view_of_request():
    """The registered FAB view or API that serves this request (None for other routes)."""
    blueprint = (request.endpoint or "").rsplit(".", 1)[0]
    if not blueprint:
        return None
    return next((v for v in current_app.appbuilder.baseviews
                 if getattr(v, "blueprint", None) is not None and v.blueprint.name == blueprint), None)


def _integer_column(view, column):
    """True when filtering `column` of the view's model compares with an INTEGER (a key or a number)."""
    from sqlalchemy import Integer

    datamodel = getattr(view, "datamodel", None)
    if datamodel is None or not isinstance(column, str):
        return False
    try:
        if datamodel.is_relation(column):
            return True
        col = datamodel.obj.__table__.columns.get(column)
    except Exception:
        return False
    return col is not None and isinstance(col.type, Integer)


def _filter_value_ok(view, column, value):
    if not _integer_column(view, column):
        return True
    if isinstance(value, list):
        return all(_filter_value_ok(view, column, v) for v in value)
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return abs(int(text)) <= ID_MAX
    if view.datamodel.is_relation(column):
        return text in ("", "None")  # a related record is named by its id; FAB sends the database anything else
    return isinstance(value, str)  # FAB's number filters parse text themselves (and answer no rows)


def _walk(value, depth=0):
    """Problems in a parsed rison/JSON value: too deep, integers beyond 64 bits, unstorable text, negative or
    absurd paging."""
    if depth > MAX_RISON_DEPTH:
        return "too deep"
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return None if -INT64_MAX <= value <= INT64_MAX else "integer out of range"
    if isinstance(value, float):
        return None if value == value and abs(value) < 1e300 else "bad number"
    if isinstance(value, str):
        return None if clean_text(value) else "bad text"
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not clean_text(key):
                return "bad key"
            if key in ("page", "page_size") and not (isinstance(item, int) and 0 <= item <= MAX_PAGE):
                return "bad paging"
            problem = _walk(item, depth + 1)
            if problem:
                return problem
        return None
    if isinstance(value, (list, tuple)):
        for item in value:
            problem = _walk(item, depth + 1)
            if problem:
                return problem
        return None
    return None


def _json_error(message, code=422):
    return {"message": str(message)}, code


def _check_route():
    for key, value in (request.view_args or {}).items():
        if isinstance(value, str) and not clean_text(value):
            abort(404)
        if key == "pk" and not _id_ok(value):
            abort(404)


def _check_args():
    for key, values in request.args.lists():
        if not clean_text(key) or not all(clean_text(v) for v in values):
            abort(400)
        if key.startswith(_PAGING):
            if not all(_DIGITS.fullmatch(v) and int(v) <= MAX_PAGE for v in values):
                abort(400)
        elif key.startswith("_flt_"):
            column = key.split("_", 3)[-1]
            if any(v.strip().lstrip("-").isdigit() and abs(int(v)) > INT64_MAX for v in values):
                abort(400)
            if not all(_filter_value_ok(_view_of_request(), column, v) for v in values):
                abort(400)
        elif key == "q" and request.path.startswith("/api/"):
            try:
                parsed = prison.loads(values[0])
            except Exception:  # prison raises assorted errors, RecursionError among them
                abort(400)
            if _walk(parsed):
                abort(400)
            filters = parsed.get("filters") if isinstance(parsed, dict) else None
            if isinstance(filters, list):
                view = _view_of_request()
                for flt in filters:
                    if isinstance(flt, dict) and not _filter_value_ok(view, flt.get("col"), flt.get("value")):
                        abort(400)


def _unknown_action():
    """FAB's action routes call `self.actions.get(name).func` unchecked."""
    endpoint = request.endpoint or ""
    if not endpoint.endswith((".action", ".action_post")):
        return False
    name = (request.view_args or {}).get("name") if endpoint.endswith(".action") else request.form.get("action")
    view = _view_of_request()
    return view is None or name not in (getattr(view, "actions", None) or {})


def _check_form():
    if request.method not in ("POST", "PUT", "PATCH") or request.is_json:
        return
    for key, values in request.form.lists():
        if not clean_text(key) or not all(clean_text(v) for v in values):
            abort(400)
    if not all(_id_ok(v) for v in request.form.getlist("rowid")):
        abort(404)


def _check_api_body():
    if not request.path.startswith("/api/") or request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return None
    limit = current_app.config.get("MAX_JSON_BODY_KB", 1024) * 1024
    if (request.content_length or 0) > limit:
        abort(413)
    request.max_content_length = limit
    if len(request.get_data(cache=True)) > limit:  # a chunked body: 413 here, not a 500 inside FAB's @safe
        abort(413)
    if request.method == "DELETE" or not request.get_data(cache=True):
        return None
    if not request.is_json:
        return None  # FAB answers 400 "Request is not JSON"
    body = request.get_json(silent=True)
    if body is None and request.get_data(cache=True).strip() not in (b"null",):
        return _json_error(_l("The request body is not valid JSON."), 400)
    if not isinstance(body, dict):
        return _json_error(_l("The request body must be a JSON object."))
    view = _view_of_request()
    out_of_range = any(isinstance(v, int) and not isinstance(v, bool) and abs(v) > ID_MAX
                       and _integer_column(view, k) for k, v in body.items())
    if _walk(body) or out_of_range:
        return _json_error(_l("The request holds text or numbers that cannot be stored (a NUL character, a "
                              "broken character or a number out of range)."))
    return None


def guard():
    _check_route()
    _check_args()
    answer = _check_api_body()
    if answer is not None:
        return answer
    _check_form()
    if _unknown_action():
        abort(404)
    return None




def _form_max(view, column):
    from wtforms.validators import Length

    limits = [v.max for v in (getattr(view, "validators_columns", None) or {}).get(column, [])
              if isinstance(v, Length) and v.max and v.max > 0]
    return min(limits) if limits else None


def align_api_text_lengths(appbuilder, default_max):
    """Every text field of every REST add/edit schema gets the form's length: the smallest of the column's
    length, the Length validators of the ModelViews over the same model, and `MAX_TEXT_CHARS` for unbounded
    text — a field the form limits to 4,000 characters no longer takes a megabyte through the API."""
    from flask_appbuilder import ModelRestApi, ModelView
    from marshmallow import fields, validate
    from sqlalchemy import String

    views = [v for v in appbuilder.baseviews if isinstance(v, ModelView)]
    for api in appbuilder.baseviews:
        if not isinstance(api, ModelRestApi):
            continue
        model = api.datamodel.obj
        table = getattr(model, "__table__", None)
        if table is None:
            continue
        for schema in (api.add_model_schema, api.edit_model_schema):
            if schema is None:
                continue
            for name, field in schema.fields.items():
                if not isinstance(field, fields.String) or name not in table.columns:
                    continue
                column = table.columns[name]
                limits = [default_max]
                if isinstance(column.type, String) and column.type.length:
                    limits.append(column.type.length)
                limits += [m for m in (_form_max(v, name) for v in views if v.datamodel.obj is model) if m]
                limit = min(limits)
                if not any(isinstance(v, validate.Length) and v.max is not None and v.max <= limit
                           for v in field.validators):
                    field.validators.append(validate.Length(max=limit))


def init_app(app):
    app.before_request(guard)
    align_api_text_lengths(app.appbuilder, app.config.get("MAX_TEXT_CHARS", 4000))
