"""Staffing of townships/streets and communities (policy 二(八)) as plain functions.

"每个乡镇（街道）和社区专职人员比例按1:200确定，退休人员不足200人的由乡镇（街道）和社区工作人员兼职":
a unit with 200 retirees or more under management needs full-time staff so that no worker has more than 200
(ceil(n / 200): 200 → 1, 201 → 2, 400 → 2); below 200 the unit's existing staff do it part-time (0 full-time
required, at least one part-time worker named). Retirees under management: those the county accepted into the
unit, alive and not 离休 (kept under their existing management).
"""
from flask_babel import lazy_gettext as _l

RATIO = 200


def required_full_time(retirees):
    if retirees < RATIO:
        return 0
    return -(-retirees // RATIO)


class StaffingState:
    MET = "met"
    SHORT = "short"
    PART_TIME_MISSING = "part_time_missing"
    NONE_NEEDED = "none_needed"
    LABELS = {MET: _l("Staffed"), SHORT: _l("Full-time staff missing"),
              PART_TIME_MISSING: _l("No part-time worker named"), NONE_NEEDED: _l("No retirees under management")}
    CSS = {MET: "success", SHORT: "danger", PART_TIME_MISSING: "warning", NONE_NEEDED: "default"}


def staffing_state(retirees, full_time, part_time):
    """(state, gap of full-time staff)."""
    if retirees == 0:
        return StaffingState.NONE_NEEDED, 0
    required = required_full_time(retirees)
    if required:
        gap = max(0, required - (full_time or 0))
        return (StaffingState.SHORT if gap else StaffingState.MET), gap
    if (full_time or 0) + (part_time or 0) == 0:
        return StaffingState.PART_TIME_MISSING, 0
    return StaffingState.MET, 0


class Placement:
    TRANSFER = "transfer"
    REASSIGNMENT = "reassignment"
    CONTRACT = "contract"
    LABELS = {TRANSFER: _l("Internal transfer"), REASSIGNMENT: _l("Reassignment to another post"),
              CONTRACT: _l("Labour contract changed")}


def may(roles, action, user_org_id=None, unit_in_scope=False, enterprise_id=None):
    roles = set(roles)
    if action == "record_staffing":
        return "county" in roles and unit_in_scope  # 各县（区）要配备…专职管理服务工作人员
    if action == "record_placement":
        return "enterprise" in roles and user_org_id is not None and (enterprise_id in (None, user_org_id))
    return False
