"""Policy notices (通知公告, policy 四(四) 做好政策宣传) as plain functions.

Decisions: the leading-group office (SASAC) issues notices; a notice is published in both languages (Tibetan
and Chinese title and text, the region's rule for official text) to an audience — every unit, counties,
enterprises, townships and communities, departments — and, when marked public, to retirees on the public pages
without login. A published notice is not edited (what units have read must stay what was published): it is
withdrawn and issued anew. Each unit's first reading is recorded, so the office sees who has not read it.
"""
from flask_babel import lazy_gettext as _l

from app.org.models import OrgKind


class Audience:
    ALL = "all"
    COUNTIES = "counties"
    ENTERPRISES = "enterprises"
    LOCAL = "local"
    DEPARTMENTS = "departments"
    LABELS = {ALL: _l("Every unit"), COUNTIES: _l("Counties/districts"), ENTERPRISES: _l("Enterprises"),
              LOCAL: _l("Townships/streets and communities"), DEPARTMENTS: _l("City departments")}
    KINDS = {ALL: None, COUNTIES: {OrgKind.COUNTY}, ENTERPRISES: {OrgKind.ENTERPRISE},
             LOCAL: {OrgKind.TOWNSHIP, OrgKind.COMMUNITY, OrgKind.LIAISON}, DEPARTMENTS: {OrgKind.DEPARTMENT}}


class NoticeStatus:
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"
    LABELS = {DRAFT: _l("Draft"), PUBLISHED: _l("Published"), WITHDRAWN: _l("Withdrawn")}
    CSS = {DRAFT: "default", PUBLISHED: "success", WITHDRAWN: "warning"}


ISSUERS = {"sasac"}


def addressed_to(audience, org_kind):
    kinds = Audience.KINDS.get(audience)
    return kinds is None or org_kind in kinds


def publish_problems(title_zh, title_bo, body_zh, body_bo):
    """Every part must be there in both languages before a notice goes out."""
    problems = {}
    for field, value in (("title_zh", title_zh), ("title_bo", title_bo), ("body_zh", body_zh), ("body_bo", body_bo)):
        if not (value or "").strip():
            problems[field] = [_l("A notice is published in Tibetan and Chinese: fill in this part.")]
    return problems


def may(user, action, row=None):
    from app.security.access import role_codes

    issuer = bool(role_codes(user) & ISSUERS)
    status = getattr(row, "status", None)
    if action == "add":
        return issuer
    if action in ("edit", "publish"):
        return issuer and (row is None or status == NoticeStatus.DRAFT)
    if action == "withdraw":
        return issuer and status == NoticeStatus.PUBLISHED
    if action == "coverage":
        return issuer
    return False
