"""Generic bases for every business view and API: permissions collapsed to can_read/can_write on one
resource, rows scoped by `app.security.scope`, dropdowns narrowed, writes checked, rules enforced.

A stream's view is then configuration only (NetBox style): model, columns, titles.
"""
from flask import abort
from flask_appbuilder import ModelRestApi, ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import Boolean, DateTime
from flask_appbuilder.fields import QuerySelectField
from wtforms import BooleanField, DateField
from wtforms.fields.core import UnboundField

from app.dates import BusinessDateField
from app.extensions import db
from app.formatting import blank_if_none, local_time, yes_no
from app.rules import RuleViolation
from app.steps import Refusal
from app.security.scope import (
    OrgChoiceFilter,
    ScopeError,
    ScopeFilter,
    check_write,
    is_scoped,
    scope_values,
)

READ_METHODS = ("list", "show", "download", "get", "get_list", "info", "api_column_add", "api_column_edit")
WRITE_METHODS = ("add", "edit", "delete", "post", "put", "action", "action_post")
METHOD_PERMISSIONS = {**{m: "read" for m in READ_METHODS}, **{m: "write" for m in WRITE_METHODS}}


def previous_scope_values(obj):
    """The scope-column values an instance had when it was loaded, before any pending change."""
    return scope_values(obj, before=True)


def _org_rel_filters(model):
    kinds = getattr(model, "__org_kinds__", {})
    return {rel: [["id", OrgChoiceFilter, kind]] for rel, kind in kinds.items()}


def _scoped_config(model):
    """base_filters and dropdown filters for a model, derived from its declarations alone."""
    config = {"base_filters": [["id", ScopeFilter, None]] if is_scoped(model) else []}
    rel = _org_rel_filters(model)
    config.update(add_rel=rel, edit_rel=rel, search_rel=rel)
    return config


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


class ScopedModelView(ReadableBlankOptionsMixin, ModelView):
    """ModelView whose every route goes through the scope."""

    page_size = 25
    method_permission_name = METHOD_PERMISSIONS

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

    def pre_add(self, item):
        try:
            validate_model(item)
            check_write(item)
        except (ScopeError, RuleViolation):
            db.session.rollback()
            raise

    def pre_update(self, item):
        try:
            validate_model(item)
            check_write(item, before=previous_scope_values(item))
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

    def __init__(self):
        model = self.datamodel.obj
        cfg = _scoped_config(model)
        self.base_filters = cfg["base_filters"]
        self.add_query_rel_fields = {**cfg["add_rel"], **(self.add_query_rel_fields or {})}
        self.edit_query_rel_fields = {**cfg["edit_rel"], **(self.edit_query_rel_fields or {})}
        super().__init__()

    def pre_add(self, item):
        validate_model(item)
        check_write(item)

    def pre_update(self, item):
        validate_model(item)
        check_write(item, before=previous_scope_values(item))

    def pre_delete(self, item):
        check_write(item, before=previous_scope_values(item))

    def _guarded(self, call, *args):
        try:
            return call(*args)
        except ScopeError as e:
            db.session.rollback()
            return self.response(403, message=str(e))
        except RuleViolation as e:
            db.session.rollback()
            return self.response_422(message=e.messages)
        except Refusal as e:
            db.session.rollback()
            return self.response(403, message=e.message)

    def post_headless(self):
        return self._guarded(super().post_headless)

    def put_headless(self, pk):
        return self._guarded(super().put_headless, pk)

    def delete_headless(self, pk):
        return self._guarded(super().delete_headless, pk)
