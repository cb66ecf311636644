"""Generic bases for every business view and API: permissions collapsed to can_read/can_write on one
resource, rows scoped by `app.security.scope`, dropdowns narrowed, writes checked, rules enforced.

A stream's view is then configuration only (NetBox style): model, columns, titles.
"""
from flask import abort, flash, request
from flask_babel import lazy_gettext as _l
from flask_appbuilder import ModelRestApi, ModelView
from flask_appbuilder.urltools import get_filter_args
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import Boolean, DateTime
from sqlalchemy.exc import IntegrityError
from flask_appbuilder.fields import QuerySelectField
from wtforms import BooleanField, DateField, HiddenField
from wtforms.fields.core import UnboundField

from app.dates import BusinessDateField
from app.extensions import db
from app.formatting import blank_if_none, local_time, yes_no
from app.rules import RuleViolation
from app.steps import Refusal
from app.versioning import VERSION_FIELD, VersionConflict, check_version, conflict_of, is_versioned
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import inspect as sa_inspect

from app.security.scope import (
    ActingUserFilter,
    NoOptionsFilter,
    OrgChoiceFilter,
    ScopeError,
    ScopeFilter,
    check_write,
    in_scope,
    is_scoped,
    scope_values,
)

DUPLICATE_VALUE = _l("This value is already registered.")
NOT_AN_ID = _l("Give the id of the related record (a whole number).")
CONFLICT = _l("The record conflicts with another one (a value that must be unique, or a unit still in use).")

READ_METHODS = ("list", "show", "download", "get", "get_list", "info", "api_column_add", "api_column_edit")
WRITE_METHODS = ("add", "edit", "delete", "post", "put", "action", "action_post")
METHOD_PERMISSIONS = {**{m: "read" for m in READ_METHODS}, **{m: "write" for m in WRITE_METHODS}}


def previous_scope_values(obj):
    """The scope-column values an instance had when it was loaded, before any pending change."""
    return scope_values(obj, before=True)


def _org_rel_filters(model):
    kinds = getattr(model, "__org_kinds__", {})
    return {rel: [["id", OrgChoiceFilter, kind]] for rel, kind in kinds.items()}


def _related_filters(model):
    """Every related-field source (form, search and REST `_info` dropdowns) restricted like NetBox's
    `restrict_form_fields`: a scoped model offers only the rows the user's scope holds, a user picker only the
    acting user (every `*_by` column names who acted), organization units by their declared kind, and any
    other related rows (a record's own children) nothing at all — they are never picked from a list."""
    from app.org.models import Organization

    filters = {}
    for rel in sa_inspect(model).relationships:
        target = rel.mapper.class_
        if target is Organization:
            continue
        if is_scoped(target):
            filters[rel.key] = [["id", ScopeFilter, None]]
        elif issubclass(target, User):
            filters[rel.key] = [["id", ActingUserFilter, None]]
        else:
            filters[rel.key] = [["id", NoOptionsFilter, None]]
    filters.update(_org_rel_filters(model))
    return filters


def _scoped_config(model):
    """base_filters and dropdown filters for a model, derived from its declarations alone."""
    config = {"base_filters": [["id", ScopeFilter, None]] if is_scoped(model) else []}
    rel = _related_filters(model)
    config.update(add_rel=rel, edit_rel=rel, search_rel=rel)
    return config


def unique_problems(item):
    """{column: [message]} for each single-column unique value another row already holds — checked before the
    INSERT/UPDATE so that the user reads which field, never a database error (a duplicate organization code)."""
    model = type(item)
    table = getattr(model, "__table__", None)
    problems = {}
    if table is None:
        return problems
    pk = sa_inspect(model).primary_key[0]
    own = getattr(item, pk.key, None)
    with db.session.no_autoflush:
        for column in table.columns:
            if not column.unique or column.primary_key:
                continue
            value = getattr(item, column.key, None)
            if value is None:
                continue
            query = db.session.query(getattr(model, pk.key)).filter(getattr(model, column.key) == value)
            if own is not None:
                query = query.filter(getattr(model, pk.key) != own)
            if query.first() is not None:
                problems[column.key] = [DUPLICATE_VALUE]
    return problems


def check_unique(item):
    problems = unique_problems(item)
    if problems:
        raise RuleViolation(problems)


def check_related(item):
    """A write may only link rows of scoped models that the user's scope holds (the REST payload's related ids
    are loaded without the dropdown filters)."""
    state = sa_inspect(item)
    for rel in state.mapper.relationships:
        if not is_scoped(rel.mapper.class_) or rel.key not in item.__dict__:
            continue
        for target in state.attrs[rel.key].history.added or ():
            if target is not None and not in_scope(target):
                raise ScopeError()


def apply_scalar_defaults(item):
    """Column defaults only apply at INSERT; rules must see them before (an API payload may omit them)."""
    for column in type(item).__table__.columns:
        default = column.default
        if default is not None and default.is_scalar and getattr(item, column.key, None) is None:
            setattr(item, column.key, default.arg)


def validate_model(item):
    """Run the model's plain-function rules (if any) and raise RuleViolation with every problem."""
    apply_scalar_defaults(item)
    validator = getattr(type(item), "__validator__", None)
    if validator is not None:
        problems = validator(item)
        if problems:
            raise RuleViolation(problems)


class ScopedInterface(SQLAInterface):
    """SQLAInterface whose list pages load no related row one by one: a model's organization relations
    resolve from the per-request org cache (SQLAlchemy serves many-to-one loads from the identity map), so
    a page is one COUNT and one SELECT. Other relations a list shows are named in `load`
    (`ScopedInterface(HandoverCase, load=("retiree",))`): many-to-one ones are joined into the page's
    SELECT, collections loaded for the whole page in one more statement — never one query per row."""

    def __init__(self, obj, session=None, load=()):
        super().__init__(obj, session)
        self.list_load = tuple(load)

    def apply_all(self, query, *args, **kwargs):
        query = super().apply_all(query, *args, **kwargs)
        if not self.list_load:
            return query
        from sqlalchemy.orm import joinedload, selectinload

        options = []
        for item in self.list_load:
            if not isinstance(item, str):  # a loader option as it is, e.g. selectinload(A.b).lazyload(B.c)
                options.append(item)
                continue
            relationship = getattr(self.obj, item)
            options.append(selectinload(relationship) if relationship.property.uselist else joinedload(relationship))
        return query.options(*options)

    def query(self, filters=None, order_column="", order_direction="", page=None, page_size=None,
              select_columns=None, outer_default_load=False):
        if getattr(self.obj, "__org_kinds__", None):
            from app.org.cache import all_orgs

            all_orgs()
        if page is None and page_size is None and not select_columns:
            # every row (a search form's or a form's dropdown): the count is the number of rows read, not a
            # second statement
            query = self.apply_all(self.session.query(self.obj), filters, order_column, order_direction,
                                   outer_default_load=outer_default_load)
            rows = query.all()
            return len(rows), rows
        return super().query(filters, order_column, order_direction, page, page_size, select_columns,
                             outer_default_load)

    def get_related_interface(self, col_name):
        from app.org.models import Organization

        model = self.get_related_model(col_name)
        if model is Organization:
            return CachedOrgInterface(model)
        return ScopedInterface(model)


class CachedOrgInterface(SQLAInterface):
    """Organization dropdowns answered from the per-request org cache when only OrgChoiceFilters apply."""

    def query(self, filters=None, order_column="", order_direction="", page=None, page_size=None,
              select_columns=None, outer_default_load=False):
        from app.org.cache import all_orgs

        pairs = filters.get_filters_values() if filters is not None else []
        if not all(isinstance(flt, OrgChoiceFilter) for flt, _v in pairs) or order_column:
            return super().query(filters, order_column, order_direction, page, page_size, select_columns,
                                 outer_default_load)
        predicates = [flt.matcher(value) for flt, value in pairs]
        rows = [o for o in all_orgs() if all(p(o) for p in predicates)]
        if page_size:
            rows_page = rows[(page or 0) * page_size:((page or 0) + 1) * page_size]
            return len(rows), rows_page
        return len(rows), rows


def _boolean_columns(model):
    return [c.key for c in model.__table__.columns if isinstance(c.type, Boolean)]


def _boolean_form_fields(model, labels, columns, existing):
    """Plain checkboxes: FAB puts InputRequired on non-nullable booleans, which refuses an unticked box."""
    fields = dict(existing or {})
    for key in _boolean_columns(model):
        if key in columns and key not in fields:
            default = model.__table__.columns[key].default
            fields[key] = BooleanField(labels.get(key, key), default=default.arg if default is not None else False)
    return fields


def _readable_blank_options(form_class):
    """FAB's relation dropdowns offer an empty choice whose text WTForms 3.2+ renders as its value, "__None"."""
    for name in dir(form_class):
        unbound = getattr(form_class, name, None)
        if isinstance(unbound, UnboundField) and issubclass(unbound.field_class, QuerySelectField):
            unbound.kwargs["blank_text"] = "—"


def _business_date_fields(form_class):
    """Every date field of a business form reads dates with the one parser (app/dates.py): FAB generates
    WTForms' DateField for Date columns, which refuses 20180430 (and its picker turned it into today)."""
    for name in dir(form_class):
        unbound = getattr(form_class, name, None)
        if isinstance(unbound, UnboundField) and unbound.field_class is DateField:
            setattr(form_class, name, BusinessDateField(*unbound.args, **unbound.kwargs))


class ReadableBlankOptionsMixin:
    def _init_forms(self):
        super()._init_forms()
        for form_class in (self.add_form, self.edit_form):
            _readable_blank_options(form_class)
            _business_date_fields(form_class)
        if is_versioned(self.datamodel.obj):
            # the version the edit form was opened with, sent back with the save (app/versioning.py)
            setattr(self.edit_form, VERSION_FIELD, HiddenField())


class ScopedModelView(ReadableBlankOptionsMixin, ModelView):
    """ModelView whose every route goes through the scope."""

    page_size = 25
    method_permission_name = METHOD_PERMISSIONS
    # Who may add, edit or delete here is the stream's `may` (app/may.py): FAB's "+", edit and delete buttons
    # appear only when it says yes. `may_actions` maps FAB's add / edit / delete (and the view's own steps)
    # to the stream's actions; False: never offered here (rows that come with another record).
    may_stream = None
    may_actions = {}

    # The view's own workflow steps (its POST routes): method name -> the stream's may() action; the row is
    # `may_step_row` (the scoped row of the route's pk). The crawler test checks every form against it.
    may_steps = {}

    def may_step_row(self, method, args):
        pk = args.get("pk")
        return db.session.get(self.datamodel.obj, pk) if pk is not None else None

    def may_row(self, action, pk=None, user=None):
        """Whether the current user may take FAB's `action` here (on the row `pk`)."""
        from flask import g

        from app.may import may

        user = user or g.user

        stream_action = self.may_actions.get(action, True)
        if stream_action is False:
            return False
        if stream_action is True or not self.may_stream:
            return True
        row = db.session.get(self.datamodel.obj, pk) if pk not in (None, "") else None
        if pk not in (None, "") and row is None:
            return False
        return may(self.may_stream, user, stream_action, row)

    def _scoped(self, pk):
        """The row if the current user's scope holds it (FAB's base filters: the one scope), else 404 — for
        the custom routes (workflow steps, downloads) beside FAB's own."""
        row = self.datamodel.get(pk, self._base_filters)
        if row is None:
            abort(404)
        return row

    def __init__(self, **kwargs):
        model = self.datamodel.obj
        cfg = _scoped_config(model)
        self.base_filters = cfg["base_filters"] + list(getattr(self, "extra_base_filters", []))
        self.add_form_query_rel_fields = {**cfg["add_rel"], **(self.add_form_query_rel_fields or {})}
        self.edit_form_query_rel_fields = {**cfg["edit_rel"], **(self.edit_form_query_rel_fields or {})}
        self.search_form_query_rel_fields = {**cfg["search_rel"], **(self.search_form_query_rel_fields or {})}
        labels = self.label_columns or {}
        self.add_form_extra_fields = _boolean_form_fields(model, labels, self.add_columns or [],
                                                          self.add_form_extra_fields)
        self.edit_form_extra_fields = _boolean_form_fields(model, labels, self.edit_columns or [],
                                                           self.edit_form_extra_fields)
        shown = set(self.list_columns or []) | set(self.show_columns or []) | {
            f for _title, spec in (self.show_fieldsets or []) for f in spec.get("fields", [])}
        timestamps = [c.key for c in model.__table__.columns if isinstance(c.type, DateTime)]
        self.formatters_columns = {**{k: blank_if_none for k in shown},
                                   **{k: yes_no for k in _boolean_columns(model)},
                                   **{k: local_time for k in timestamps},
                                   **(self.formatters_columns or {})}
        super().__init__(**kwargs)

    # -- add and edit: a refusal comes back beside its field, the form kept as typed, nothing written --------

    def _refused(self, form, error):
        """Put a refusal's messages beside their fields (form-wide ones at the top): nothing is written."""
        db.session.rollback()
        if isinstance(error, RuleViolation):
            messages = error.messages
        else:
            messages = {None: [getattr(error, "message", str(error))]}
        for field_name, texts in messages.items():
            field = form._fields.get(field_name) if field_name else None
            if field is not None:
                field.errors = list(field.errors or []) + list(texts)
            else:
                for text in texts:
                    flash(text, "danger")

    def _add(self):
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        form = self.add_form.refresh()
        if request.method != "POST":
            self.update_redirect()
            return self._get_add_widget(form=form, exclude_cols=exclude_cols)
        self._fill_form_exclude_cols(exclude_cols, form)
        if form.validate():
            self.process_form(form, True)
            item = self.datamodel.obj()
            try:
                form.populate_obj(item)
                self.pre_add(item)
            except (RuleViolation, Refusal, ScopeError, VersionConflict) as e:
                self._refused(form, e)
                return self._get_add_widget(form=form, exclude_cols=exclude_cols)
            try:
                self._save(self.datamodel.add, item)
                self.post_add(item)
            except (RuleViolation, Refusal, VersionConflict) as e:
                self._refused(form, e)
                return self._get_add_widget(form=form, exclude_cols=exclude_cols)
            flash(self.add_row_message, "success")
            return None
        return self._get_add_widget(form=form, exclude_cols=exclude_cols)

    def _edit(self, pk):
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        pk = self.datamodel.get_pk_value(item)
        if request.method != "POST":
            form = self.edit_form.refresh(obj=item)
            self.prefill_form(form, pk)
            if VERSION_FIELD in form._fields:
                form[VERSION_FIELD].data = item.version
            self.update_redirect()
            return self._edit_widgets(item, form, exclude_cols)
        form = self.edit_form.refresh(request.form)
        self._fill_form_exclude_cols(exclude_cols, form)
        form._id = pk
        if form.validate():
            self.process_form(form, False)
            try:
                check_version(item, request.form.get(VERSION_FIELD))
                form.populate_obj(item)
                self.pre_update(item)
            except (RuleViolation, Refusal, ScopeError, VersionConflict) as e:
                self._refused(form, e)
                return self._edit_widgets(item, form, exclude_cols)
            try:
                self._save(self.datamodel.edit, item)
                self.post_update(item)
            except (RuleViolation, Refusal, VersionConflict) as e:
                self._refused(form, e)
                return self._edit_widgets(item, form, exclude_cols)
            flash(self.edit_row_message, "success")
            return None
        return self._edit_widgets(item, form, exclude_cols)

    def _edit_widgets(self, item, form, exclude_cols):
        from flask_appbuilder.urltools import get_order_args, get_page_args, get_page_size_args

        widgets = self._get_edit_widget(form=form, exclude_cols=exclude_cols)
        return self._get_related_views_widgets(item, filters={}, orders=get_order_args(), pages=get_page_args(),
                                               page_sizes=get_page_size_args(), widgets=widgets)

    def _save(self, write, item):
        """FAB's add/edit with the database errors of a race turned into a refusal (app/versioning.py)."""
        from flask_babel import lazy_gettext as _l

        try:
            write(item)
        except Exception as e:  # noqa: BLE001 - FAB re-raises what the session raised
            conflict = conflict_of(e)
            db.session.rollback()
            if conflict is None:
                raise Refusal(_l("The record could not be saved. Nothing was changed."))
            raise conflict

    def pre_add(self, item):
        try:
            validate_model(item)
            check_unique(item)
            check_write(item)
            check_related(item)
        except (ScopeError, RuleViolation):
            db.session.rollback()
            raise

    def pre_update(self, item):
        try:
            validate_model(item)
            check_unique(item)
            check_write(item, before=previous_scope_values(item))
            check_related(item)
        except (ScopeError, RuleViolation):
            db.session.rollback()
            raise

    def pre_delete(self, item):
        check_write(item, before=previous_scope_values(item))

    def download(self, filename):
        # FAB's download serves any file of the upload folder to anyone with read access; streams that
        # store files serve them through their own scoped routes.
        abort(404)


class ScopedModelRestApi(ModelRestApi):
    """ModelRestApi with the same scope, dropdown filters and rules as the UI views."""

    method_permission_name = METHOD_PERMISSIONS
    allow_browser_login = True
    # the stream's may() for the API's post / put / delete (app/may.py): refused → 403
    may_stream = None
    may_actions = {}

    def _check_may(self, action, item):
        from flask import g

        from app.may import NotAllowed, may

        stream_action = self.may_actions.get(action)
        if stream_action and self.may_stream and not may(self.may_stream, g.user, stream_action, item):
            db.session.rollback()
            raise NotAllowed()

    def __init__(self):
        model = self.datamodel.obj
        cfg = _scoped_config(model)
        self.base_filters = cfg["base_filters"]
        self.add_query_rel_fields = {**cfg["add_rel"], **(self.add_query_rel_fields or {})}
        self.edit_query_rel_fields = {**cfg["edit_rel"], **(self.edit_query_rel_fields or {})}
        super().__init__()

    def pre_add(self, item):
        self._check_may("post", None)
        validate_model(item)
        check_unique(item)
        check_write(item)
        check_related(item)

    def pre_update(self, item):
        self._check_may("put", item)
        validate_model(item)
        check_unique(item)
        check_write(item, before=previous_scope_values(item))
        check_related(item)
        # write now, inside `_guarded`: a concurrent save since the read (StaleDataError) answers 409, where
        # FAB's own commit would turn it into an English 422
        db.session.flush()

    def pre_delete(self, item):
        self._check_may("delete", item)
        check_write(item, before=previous_scope_values(item))

    def _route_enabled(self, method):
        routes = self.include_route_methods
        return routes is None or method in routes

    def merge_add_field_info(self, response, **kwargs):
        # No POST route: no add form, and no dropdown values to leak through `_info`.
        if self._route_enabled("post"):
            return super().merge_add_field_info(response, **kwargs)
        response["add_columns"] = []

    def merge_edit_field_info(self, response, **kwargs):
        if self._route_enabled("put"):
            return super().merge_edit_field_info(response, **kwargs)
        response["edit_columns"] = []

    def _related_shape_problems(self, schema):
        """marshmallow-sqlalchemy builds a related row from an object given where an id belongs (a TypeError,
        so a 500): related fields take ids only."""
        from flask import request
        from marshmallow_sqlalchemy.fields import Related, RelatedList

        from app.security.input_guard import ID_MAX

        def is_id(v):
            return (isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= ID_MAX) or (
                isinstance(v, str) and v.isdigit() and int(v) <= ID_MAX)

        body = request.get_json(silent=True)
        if not isinstance(body, dict) or schema is None:
            return {}
        problems = {}
        for name, field in schema.fields.items():
            if name not in body or body[name] is None:
                continue
            value = body[name]
            if isinstance(field, RelatedList):
                ok = isinstance(value, list) and all(is_id(v) for v in value)
            elif isinstance(field, Related):
                ok = is_id(value)
            else:
                continue
            if not ok:
                problems[name] = [str(NOT_AN_ID)]
        return problems

    def _guarded(self, call, *args, schema=None):
        problems = self._related_shape_problems(schema)
        if problems:
            return self.response_422(message=problems)
        try:
            return call(*args)
        except ScopeError as e:
            db.session.rollback()
            return self.response(403, message=str(e))
        except RuleViolation as e:
            db.session.rollback()
            return self.response_422(message=e.messages)
        except IntegrityError:  # a race past check_unique: a message, never the database's text
            db.session.rollback()
            return self.response_422(message=str(CONFLICT))
        except Refusal as e:
            db.session.rollback()
            # a stale version: 409; any other refused step (a lock, may() saying no): 403
            return self.response(409 if isinstance(e, VersionConflict) else 403, message=e.message)
        except Exception as e:  # noqa: BLE001 - a race between read and write (app/versioning.py)
            conflict = conflict_of(e)
            if conflict is None:
                raise
            db.session.rollback()
            return self.response(409, message=conflict.message)

    def post_headless(self):
        return self._guarded(super().post_headless, schema=self.add_model_schema)

    def put_headless(self, pk):
        from flask import request as req

        payload = req.get_json(silent=True)
        if isinstance(payload, dict) and "version" in payload and is_versioned(self.datamodel.obj):
            submitted = payload.pop("version")  # checked here, not loaded into the row
            item = self.datamodel.get(pk, self._base_filters)
            if item is not None:
                try:
                    check_version(item, submitted)
                except VersionConflict as e:
                    return self.response(409, message=e.message)
        return self._guarded(super().put_headless, pk, schema=self.edit_model_schema)

    def delete_headless(self, pk):
        return self._guarded(super().delete_headless, pk)
