"""Lists that clerks search every day: a compact search form with the common fields above the table (not
behind FAB's filter menu), bulk buttons where the work is bulk, and export of what the list shows.

A view declares its fields (`compact_search = [SearchField(...)]`) and mixes in `CompactListMixin`. The form
is a plain GET form; its values narrow the list through one FAB base filter (`CompactSearchFilter`), so the
list, its paging, its counts and its export read exactly the same rows, always inside the user's scope (the
scope filter stays the first base filter).

Export (`export_rows`): CSV streamed row by row, or XLSX (openpyxl write-only), one function for every list.
"""
import csv
import datetime
import io

from flask import Response, request
from flask_appbuilder import expose
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.urltools import get_filter_args
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

# The endpoints whose rows the compact form narrows (never show/edit: a stray ?q= must not hide a record).
SEARCH_ENDPOINTS = ("list", "export")


class SearchField:
    """One field of the compact form. `kind`: "text" (a free text box) or "choice" (a select); `clause(value)`
    returns the SQL condition for a submitted value (None: no condition)."""

    def __init__(self, key, label, clause, kind="text", choices=None, placeholder=None):
        self.key, self.label, self.kind, self.placeholder = key, label, kind, placeholder
        self._clause, self._choices = clause, choices

    def choices(self):
        """[(value, label)]; a callable is read per request (e.g. the counties of the user's scope)."""
        value = self._choices() if callable(self._choices) else self._choices
        return list(value or [])

    def value(self):
        return (request.args.get(self.key) or "").strip()[:100]

    def clause(self, value):
        if self.kind == "choice" and value not in {str(v) for v, _l in self.choices()}:
            return None
        return self._clause(value)


class _Fields:
    """The view's fields as one filter value (FAB would take a bare list apart)."""

    def __init__(self, fields):
        self.fields = list(fields)


class CompactSearchFilter(BaseFilter):
    """FAB base filter that applies the view's compact form (its fields are the filter's value)."""

    name = "Compact search"
    arg_name = None

    def apply(self, query, holder):
        fields = holder.fields
        endpoint = request.endpoint or ""
        if endpoint.rsplit(".", 1)[-1] not in SEARCH_ENDPOINTS:
            return query
        for field in fields:
            value = field.value()
            if value:
                clause = field.clause(value)
                if clause is not None:
                    query = query.filter(clause)
        return query


def retiree_name_clause(model):
    """Rows of a retiree-scoped model whose retiree's name (either script) or resident ID contains the text."""
    from app.retirees.models import Retiree

    def clause(value):
        like = f"%{value}%"
        return model.retiree_id.in_(select(Retiree.id).where(or_(
            Retiree.name_zh.like(like), Retiree.name_bo.like(like), Retiree.resident_id.like(like.upper()))))

    return clause


def name_field(model):
    return SearchField("q", _l("Name or ID number"), retiree_name_clause(model),
                       placeholder=_l("Name or ID number"))


def county_choices():
    """Receiving counties/districts (and liaison offices) of the user's scope, in administrative-code order."""
    from app.org.cache import all_orgs
    from app.org.models import OrgKind
    from app.security.scope import user_scope

    s = user_scope()
    units = [o for o in all_orgs() if o.kind in (OrgKind.COUNTY, OrgKind.LIAISON)]
    own = [o for o in units if o.id in s.org_ids]
    return [(o.id, o.name) for o in sorted(own or units, key=org_sort_key)]


def county_field(model):
    def clause(value):
        pk = int(value)
        return or_(model.receiving_county_id == pk, model.liaison_office_id == pk)

    return SearchField("county", _l("Receiving county/district"), clause, kind="choice", choices=county_choices)


def org_sort_key(org):
    """Administrative-code order: counties by their GB/T 2260 code, then liaison offices, departments and
    enterprises by their codes (never by the characters of their names)."""
    from app.org.models import OrgKind

    rank = {OrgKind.CITY: 0, OrgKind.COUNTY: 1, OrgKind.TOWNSHIP: 2, OrgKind.COMMUNITY: 3, OrgKind.LIAISON: 4,
            OrgKind.DEPARTMENT: 5, OrgKind.ENTERPRISE: 6}
    return (rank.get(org.kind, 9), org.code or "") if org is not None else (99, "")


class CompactListMixin:
    """Mix into a ScopedModelView (before it): compact search form, bulk buttons, CSV/XLSX export."""

    list_template = "compact_list.html"
    compact_search = []
    # [(action name, label, css class)]: shown as buttons above the table for the roles that may use them
    bulk_buttons = []
    export_limit = 50_000

    def __init__(self, **kwargs):
        self.extra_base_filters = list(getattr(self, "extra_base_filters", [])) + [
            ["id", CompactSearchFilter, _Fields(self.compact_search)]]
        self.method_permission_name = {**self.method_permission_name, "export": "read"}
        super().__init__(**kwargs)

    def visible_bulk_buttons(self):
        return [b for b in self.bulk_buttons if self.bulk_allowed(b[0])]

    def bulk_allowed(self, action_name):
        return self.appbuilder.sm.has_access("can_write", self.class_permission_name)

    def _get_list_widget(self, filters, actions=None, **kwargs):
        # FAB's action dropdown offers only the actions this user's role may use
        allowed = {k: v for k, v in (actions or self.actions).items() if self.bulk_allowed(k)}
        return super()._get_list_widget(filters, actions=allowed, **kwargs)

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            kwargs.setdefault("compact_fields", [(f, f.value()) for f in self.compact_search])
            kwargs.setdefault("bulk_buttons", self.visible_bulk_buttons())
            kwargs.setdefault("export_args", {k: v for k, v in request.args.items()})
        return super().render_template(template, **kwargs)

    @expose("/export")
    @has_access
    def export(self):
        get_filter_args(self._filters)
        filters = self._filters.get_joined_filters(self._base_filters)
        order = self.base_order or ("id", "asc")
        _count, rows = self.datamodel.query(filters, *order, page=0, page_size=self.export_limit)
        columns = [c for c in self.list_columns]
        headers = [str(self.label_columns.get(c, c)) for c in columns]
        fmt = "xlsx" if request.args.get("format") == "xlsx" else "csv"
        return export_rows(rows, columns, headers, str(self.list_title), fmt)


def cell(row, column):
    """The text of one list cell: attributes and methods, related rows by their name, booleans as words."""
    value = row
    for part in column.split("."):
        value = getattr(value, part, None)
        if callable(value):
            value = value()
        if value is None:
            return ""
    if isinstance(value, bool):
        from app.formatting import yes_no

        return str(yes_no(value))
    if isinstance(value, datetime.datetime):
        from app.formatting import local_time

        return str(local_time(value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _preload_retirees(rows):
    """One query per 500 retirees instead of one per row (the rows' `retiree` resolves from the identity map)."""
    from app.extensions import db
    from app.retirees.models import Retiree

    ids = sorted({r.retiree_id for r in rows if getattr(r, "retiree_id", None)})
    for start in range(0, len(ids), 500):
        db.session.scalars(select(Retiree).where(Retiree.id.in_(ids[start:start + 500]))).all()


def export_rows(rows, columns, headers, title, fmt="csv"):
    """A download of `rows` (model objects) in `columns`: CSV streamed (UTF-8 with BOM, so Excel on a Chinese
    Windows opens it right) or XLSX. The one export of every list."""
    from urllib.parse import quote

    _preload_retirees(rows)
    table = [[cell(row, c) for c in columns] for row in rows]  # read inside the request's session
    stamp = datetime.date.today().isoformat()
    filename = f"{title}-{stamp}.{fmt}"
    disposition = f"attachment; filename=export-{stamp}.{fmt}; filename*=UTF-8''{quote(filename)}"
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(title=title[:31] or "Sheet1")
        sheet.append(headers)
        for values in table:
            sheet.append(values)
        out = io.BytesIO()
        book.save(out)
        return Response(out.getvalue(), headers={"Content-Disposition": disposition},
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(headers)
        for values in table:
            writer.writerow(values)
            if buffer.tell() > 16384:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(generate(), headers={"Content-Disposition": disposition},
                    mimetype="text/csv; charset=utf-8")
