"""Handover figures aggregated in SQL within the user's scope: per receiving county, per enterprise, per
ownership level — retirees in the flow, handed over, in progress, not handed over, and per stream how many
of the applicable items are done. Every figure reads the checklist summary each case row carries (status and
stream bits, kept by services.summarize with `rules.checklist_summary`), never the items themselves.

One aggregate query (`grouped_counts`) returns the counts per (receiving county or liaison office,
enterprise, status, stream bits) — a few thousand rows at most, whatever the number of retirees — and the
three groupings and the city total are rolled up from that one result in Python (`all_figures`)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from app.extensions import db
from app.handover.models import HandoverCase, OverallStatus, Stream
from app.org.models import OwnershipLevel
from app.security.scope import scope

GROUPINGS = (
    ("county", _l("By receiving county/district")),
    ("enterprise", _l("By enterprise")),
    ("ownership", _l("By ownership level")),
)
STATUSES = (OverallStatus.HANDED_OVER, OverallStatus.IN_PROGRESS, OverallStatus.NOT_HANDED_OVER)


def per_case(where=None, scoped=True):
    """One row per case (of the user's scope, unless `scoped` is False; narrowed by `where`): its grouping
    columns, its status and per stream whether the item applies / is done (0 or 1), read from the checklist
    summary the case row carries (services.summarize) — no join to the items."""
    from app.handover.rules import STREAM_BITS

    streams = []
    for s, bit in STREAM_BITS.items():
        for kind, mask in (("applicable", HandoverCase.applicable_streams), ("done", HandoverCase.done_streams)):
            streams.append(case((mask.op("&")(bit) != 0, 1), else_=0).label(f"{kind}_{s}"))
    query = select(
        # 区外 retirees are grouped under their liaison office
        func.coalesce(HandoverCase.receiving_county_id, HandoverCase.liaison_office_id).label("county"),
        HandoverCase.enterprise_id.label("enterprise"),
        HandoverCase.summary_status.label("status"),
        *streams)
    if where is not None:
        query = query.where(where)
    return (scope(query, HandoverCase) if scoped else query).subquery("per_case")


# The grouped counts change only when business data changes, and every business change writes an audit row
# in its own transaction; so (newest change's audit id, number of cases) identifies the data a result was
# computed from (the count also catches bulk deletes that bypass the audit). Per process, per scope; and, when
# REDIS_URL is set, shared by every application server through Redis (app/shared.py) under the same version,
# so what one server computed the others reuse, and a change through any server is seen by all at once.
_CACHE = {"version": None, "results": {}}
_CACHE_LIMIT = 256


def _data_version():
    """Read once per request (a page asks for figures many times: dashboard, panels, task progress)."""
    from flask import g, has_request_context

    if has_request_context():
        if "_figures_version" not in g:
            g._figures_version = _read_data_version()
        return g._figures_version
    return _read_data_version()


def _read_data_version():
    from app.audit.models import AuditLog

    newest_change = db.session.scalar(select(func.max(AuditLog.id)).where(
        AuditLog.action.in_(("create", "update", "delete"))))
    return newest_change, db.session.scalar(select(func.count(HandoverCase.id)))


def grouped_counts():
    """[(county, enterprise, ownership level, status, cases, {stream: (applicable, done)})]: the one
    aggregate query behind every handover figure (cached until the data changes, see `_data_version`)."""
    from app.security.scope import user_scope

    version, key = _data_version(), user_scope()
    if _CACHE["version"] != version:
        _CACHE["version"], _CACHE["results"] = version, {}
    results = _CACHE["results"]
    if key not in results:
        if len(results) >= _CACHE_LIMIT:
            results.clear()
        results[key] = _shared_grouped_counts(version, key)
    return results[key]


def _scope_key(scope_):
    import hashlib

    if scope_.city_wide:
        return "city"
    return hashlib.sha1(",".join(str(i) for i in sorted(scope_.org_ids)).encode()).hexdigest()


def _shared_grouped_counts(version, scope_):
    """The grouped counts from the shared cache (Redis) when configured and present, else computed (and
    offered to the other servers)."""
    from app import shared

    parts = ("figures", "v1", version[0], version[1], _scope_key(scope_))
    cached = shared.get_json(*parts)
    if cached is not None:
        return [(c, e, o, st, n, {s_: tuple(v) for s_, v in streams.items()}) for c, e, o, st, n, streams in cached]
    result = _grouped_counts()
    shared.set_json(result, *parts, ttl=24 * 3600)
    return result


def forget_cached_figures():
    _CACHE["version"], _CACHE["results"] = None, {}


def city_grouped_counts():
    """`grouped_counts` over the whole city, whoever reads (facts about the city, e.g. a task's progress)."""
    from app.security.scope import as_system

    with as_system("figures"):
        return grouped_counts()


def _grouped_counts():
    """One GROUP BY over the case rows and the checklist summary they carry (services.summarize): no join to
    the items. The stream bits of each group are unfolded into per-stream counts here."""
    from app.handover.rules import STREAM_BITS
    from app.org.cache import org_by_id

    county = func.coalesce(HandoverCase.receiving_county_id, HandoverCase.liaison_office_id)
    # grouped by the case's own columns only, so the covering index ix_handover_case_summary answers it; the
    # enterprise's ownership level comes from the per-request organization cache
    columns = (county, HandoverCase.enterprise_id, HandoverCase.summary_status, HandoverCase.applicable_streams,
               HandoverCase.done_streams)
    query = scope(select(*columns, func.count()).group_by(*columns), HandoverCase)
    groups = {}
    for county_id, enterprise_id, status, applicable, done, n in db.session.execute(query):
        enterprise = org_by_id(enterprise_id) if enterprise_id is not None else None
        key = (county_id, enterprise_id, enterprise.ownership_level if enterprise is not None else None, status)
        if key not in groups:
            groups[key] = [0, {s: [0, 0] for s in Stream.ORDER}]
        group = groups[key]
        group[0] += int(n)
        for stream, bit in STREAM_BITS.items():
            if applicable & bit:
                group[1][stream][0] += int(n)
            if done & bit:
                group[1][stream][1] += int(n)
    return [(c, e, o, st, n, {s: tuple(v) for s, v in streams.items()})
            for (c, e, o, st), (n, streams) in groups.items()]


def _label(key, value):
    from app.org.cache import org_by_id

    if value is None:
        return str(_l("Not assigned"))
    if key == "ownership":
        return str(OwnershipLevel.LABELS.get(value, value))
    org = org_by_id(value)
    return org.name if org is not None else str(value)


def _order(key, value):
    """Rows in administrative order: counties by their GB/T 2260 code, then liaison offices; enterprises by
    their codes; ownership levels as the policy lists them — never by the characters of the names."""
    from app.listsearch import org_sort_key
    from app.org.cache import org_by_id

    if value is None:
        return (1, ())
    if key == "ownership":
        levels = list(OwnershipLevel.LABELS)
        return (0, (levels.index(value) if value in levels else len(levels), str(value)))
    return (0, org_sort_key(org_by_id(value)))


def _empty(key, value, label):
    row = {"key": value, "label": label, "retirees": 0,
           "streams": {s: {"applicable": 0, "done": 0} for s in Stream.ORDER}}
    row.update({st: 0 for st in STATUSES})
    return row


def _add(row, status, n, streams):
    row[status] += n
    row["retirees"] += n
    for s, (applicable, done) in streams.items():
        row["streams"][s]["applicable"] += applicable
        row["streams"][s]["done"] += done


def _finish(row):
    row["percent_handed_over"] = _pct(row[OverallStatus.HANDED_OVER], row["retirees"])
    row["percent_in_progress"] = _pct(row[OverallStatus.IN_PROGRESS], row["retirees"])
    for s in row["streams"].values():
        s["percent"] = _pct(s["done"], s["applicable"])
    return row


def roll_up(counts):
    """{grouping: [rows in administrative-code order] + [total row]} from the result of `grouped_counts`."""
    groups = {key: {} for key, _label_ in GROUPINGS}
    total = _empty(None, None, str(_l("Total")))
    for county, enterprise_id, ownership, status, n, streams in counts:
        for key, value in (("county", county), ("enterprise", enterprise_id), ("ownership", ownership)):
            if value not in groups[key]:
                groups[key][value] = _empty(key, value, _label(key, value))
            _add(groups[key][value], status, n, streams)
        _add(total, status, n, streams)
    _finish(total)
    result = {}
    for key, rows in groups.items():
        ordered = sorted((_finish(r) for r in rows.values()), key=lambda r: _order(key, r["key"]))
        # every grouping ends with its own copy of the same total
        result[key] = ordered + [{**total, "streams": {s: dict(v) for s, v in total["streams"].items()}}]
    return result


def all_figures():
    """{county|enterprise|ownership: figures}: every grouping from one aggregate query."""
    return roll_up(grouped_counts())


def figures(key):
    """[{key, label, retirees, handed_over, in_progress, not_handed_over, percent_handed_over,
    percent_in_progress, streams: {stream: {applicable, done, percent}}}] plus a total row, for grouping
    `key` (county, enterprise or ownership). Callers that show several groupings use `all_figures`."""
    return all_figures()[key]


def _pct(part, whole):
    return round(100.0 * part / whole, 1) if whole else 0.0
