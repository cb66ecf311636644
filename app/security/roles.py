"""Roles are code: every stakeholder of DESIGN.md §1, what it may do, and how far it sees.

`flask sync-roles` writes this map into FAB's tables (as Superset's `sync_role_definitions`); the database
is never edited by hand. Permissions are collapsed to can_read / can_write on one resource per stream, shared
by the UI views and the REST API.
"""
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

# How far a role sees business data.
CITY_WIDE = "city"  # every row in the city
OWN_ORG = "org"  # rows of the user's organization and the units below it
NO_DATA = "none"  # no business data at all (the three administrators)

READ = "can_read"
WRITE = "can_write"

# Resources (FAB view-menu names) and the menu entries that open them.
RETIREE = "Retiree"
ORGANIZATION = "Organization"
AUDIT_LOG = "AuditLog"
HANDOVER = "HandoverCase"
HANDOVER_BATCH = "HandoverBatch"
PARTY_TRANSFER = "PartyTransfer"
ARCHIVE_TRANSFER = "ArchiveTransfer"
HANDOVER_STATS = "HandoverStats"
# Supervision and accountability (issue 5, policy 四)
WORK_TASK = "WorkTask"
MONTHLY_REPORT = "MonthlyReport"
IMPL_PLAN = "ImplementationPlan"
SUPERVISION_ITEM = "SupervisionItem"
ACCOUNTABILITY = "Accountability"
WORK_CONTACT = "WorkContact"
# Money, property and people (issue 15, policy 二(五), 二(七), 二(八), 四(五))
ASSET = "RetireeAsset"
OFFPLAN = "OffPlanExpense"
STAFFING = "Staffing"
FUNDING = "Funding"
NOTICE = "PolicyNotice"
BENEFITS = "BenefitLink"
USERS = "Users"
ROLES = "Roles"

MENU = {
    RETIREE: ["Retirees", "Retiree ledger", "Roster survey", "Correction requests"],
    ORGANIZATION: ["Organizations", "Organization units"],
    AUDIT_LOG: ["Audit", "Audit log"],
    HANDOVER: ["Handover", "Handover checklists"],
    HANDOVER_BATCH: ["Handover", "Handover batches"],
    PARTY_TRANSFER: ["Handover", "Party relations", "Stalled party transfers"],
    ARCHIVE_TRANSFER: ["Handover", "Personnel archives"],
    HANDOVER_STATS: ["Handover", "Handover figures"],
    WORK_TASK: ["Supervision", "Work plan"],
    MONTHLY_REPORT: ["Supervision", "Monthly reports"],
    IMPL_PLAN: ["Supervision", "Implementation plans"],
    SUPERVISION_ITEM: ["Supervision", "Supervision items"],
    ACCOUNTABILITY: ["Supervision", "Accountability"],
    WORK_CONTACT: ["Supervision", "Contacts and leading group"],
    OFFPLAN: ["Money and people", "Off-plan expenses", "Off-plan expense items", "Average life expectancy"],
    ASSET: ["Money and people", "Assets for retirees"],
    STAFFING: ["Money and people", "Staffing", "Re-placement of enterprise staff"],
    FUNDING: ["Money and people", "Funding"],
    NOTICE: ["Supervision", "Policy notices"],
    BENEFITS: ["Money and people", "Social-security linkage"],
}


@dataclass(frozen=True)
class RoleDefinition:
    code: str
    label: object
    scope: str
    grants: tuple = ()
    needs_full_id: bool = False
    extra: tuple = field(default=())  # raw (permission, view_menu) pairs, e.g. FAB's security views


def _rw(*resources):
    return tuple((perm, r) for r in resources for perm in (READ, WRITE))


def _r(*resources):
    return tuple((READ, r) for r in resources)


# Every logged-in user can see and edit their own profile and password.
_SELF_SERVICE = (
    ("can_this_form_get", "ResetMyPasswordView"),
    ("can_this_form_post", "ResetMyPasswordView"),
    ("can_this_form_get", "UserInfoEditView"),
    ("can_this_form_post", "UserInfoEditView"),
    ("can_userinfo", "UserDBModelView"),
    ("can_get", "OpenApi"),  # the REST API's OpenAPI description
    ("resetmypassword", "UserDBModelView"),
    ("can_read", "Inbox"),  # every user has a to-do inbox
)
_USER_ADMIN = tuple(
    (p, "UserDBModelView")
    for p in ("can_list", "can_show", "can_add", "can_edit", "can_delete", "resetpasswords")
) + (
    ("can_this_form_get", "ResetPasswordView"),
    ("can_this_form_post", "ResetPasswordView"),
    ("menu_access", "List Users"),
    ("menu_access", "Security"),
    ("can_list", "RoleModelView"),
    ("can_show", "RoleModelView"),
    ("menu_access", "List Roles"),
)
_SECURITY_ADMIN = (
    ("can_list", "PermissionModelView"),
    ("menu_access", "Base Permissions"),
    ("can_list", "ViewMenuModelView"),
    ("menu_access", "Views/Menus"),
    ("can_list", "PermissionViewModelView"),
    ("menu_access", "Permission on Views/Menus"),
    ("can_list", "RoleModelView"),
    ("can_show", "RoleModelView"),
    ("menu_access", "List Roles"),
    ("menu_access", "Security"),
    ("can_list", "UserDBModelView"),
    ("can_show", "UserDBModelView"),
    ("can_edit", "UserDBModelView"),  # to assign roles: the only change app/security/admin.py lets it make
    ("menu_access", "List Users"),
)

# The handover (issue 4): an enterprise writes its own handover, the receiving side acts on what it receives,
# the departments work their own stream (which stream each role may move is a rule: handover/rules.py
# STREAM_EDITORS), SASAC, the leading group and the supervision office read city-wide.
_HANDOVER_ALL = (HANDOVER, HANDOVER_BATCH, PARTY_TRANSFER, ARCHIVE_TRANSFER, HANDOVER_STATS)
_HANDOVER_READ = _r(*_HANDOVER_ALL)
_RECEIVER = _rw(RETIREE, HANDOVER, HANDOVER_BATCH, PARTY_TRANSFER, ARCHIVE_TRANSFER) + _r(ORGANIZATION, HANDOVER_STATS)
_LOCAL = _rw(RETIREE, HANDOVER, PARTY_TRANSFER) + _r(ORGANIZATION, ARCHIVE_TRANSFER, HANDOVER_STATS)
_CITY_READ = _r(RETIREE, ORGANIZATION) + _HANDOVER_READ

# Supervision (issue 5). Which rows a unit may change is a rule of each stream (a unit writes its own
# report, signs its own items); the grants say only which streams a role works in at all.
# Member units of the leading group (departments and counties): tasks, monthly reports, items, contacts.
_MEMBER = _rw(WORK_TASK, MONTHLY_REPORT, SUPERVISION_ITEM, WORK_CONTACT)
_ENTERPRISE_SUPERVISION = _r(WORK_TASK) + _rw(IMPL_PLAN, SUPERVISION_ITEM, WORK_CONTACT)
_SUPERVISION_READ = _r(WORK_TASK, MONTHLY_REPORT, IMPL_PLAN, SUPERVISION_ITEM, ACCOUNTABILITY, WORK_CONTACT)

# Money, property and people: the enterprise proposes assets, records its off-plan expenses and re-placed staff;
# SASAC approves assets and reviews the expenses; counties assign staff and record their funding share; townships
# and communities confirm assets they receive; finance records the city's funding share. Which rows each may
# change is each stream's may(); the grants say only which streams a role works in.
_MONEY_READ = _r(ASSET, OFFPLAN, STAFFING, FUNDING, BENEFITS)

ROLE_DEFINITIONS = (
    RoleDefinition("enterprise", _l("Enterprise"), OWN_ORG, _RECEIVER + _ENTERPRISE_SUPERVISION
                   + _rw(ASSET, OFFPLAN, STAFFING), True),
    RoleDefinition("county", _l("County/district government"), OWN_ORG, _RECEIVER + _MEMBER
                   + _rw(STAFFING, FUNDING, BENEFITS) + _r(ASSET), True),
    RoleDefinition("township", _l("Township/street"), OWN_ORG, _LOCAL + _r(WORK_TASK, STAFFING) + _rw(ASSET, BENEFITS), True),
    RoleDefinition("community", _l("Community"), OWN_ORG, _LOCAL + _r(WORK_TASK, STAFFING) + _rw(ASSET, BENEFITS), True),
    RoleDefinition("sasac", _l("City SASAC (leading-group office)"), CITY_WIDE,
                   _rw(RETIREE, HANDOVER, IMPL_PLAN) + _r(ORGANIZATION) + _HANDOVER_READ + _SUPERVISION_READ
                   + _MEMBER + _rw(ASSET, OFFPLAN, NOTICE) + _MONEY_READ, True),
    RoleDefinition("hrss", _l("Human resources and social security bureau"), CITY_WIDE,
                   _CITY_READ + _rw(HANDOVER, BENEFITS) + _MEMBER + _r(STAFFING, OFFPLAN), True),
    RoleDefinition("medins", _l("Medical insurance bureau"), CITY_WIDE,
                   _CITY_READ + _rw(HANDOVER, BENEFITS) + _MEMBER, True),
    RoleDefinition("orgdept", _l("Organization department"), CITY_WIDE,
                   _CITY_READ + _rw(HANDOVER, PARTY_TRANSFER, ARCHIVE_TRANSFER) + _MEMBER, True),
    RoleDefinition("finance", _l("Finance bureau"), CITY_WIDE, _r(RETIREE, ORGANIZATION, HANDOVER_STATS) + _MEMBER
                   + _rw(FUNDING) + _r(STAFFING, ASSET, OFFPLAN)),
    RoleDefinition("housing", _l("Housing and urban-rural development bureau"), CITY_WIDE,
                   _r(RETIREE, ORGANIZATION, HANDOVER_STATS) + _MEMBER + _r(ASSET)),
    RoleDefinition("health", _l("Health commission"), CITY_WIDE,
                   _r(RETIREE, ORGANIZATION, HANDOVER_STATS) + _MEMBER),
    RoleDefinition("archives", _l("Archives"), CITY_WIDE, _CITY_READ + _rw(ARCHIVE_TRANSFER) + _MEMBER),
    RoleDefinition("supervision", _l("Supervision office"), CITY_WIDE,
                   _CITY_READ + _SUPERVISION_READ + _rw(SUPERVISION_ITEM, ACCOUNTABILITY) + _MONEY_READ),
    RoleDefinition("leading_group", _l("Leading group"), CITY_WIDE, _CITY_READ + _SUPERVISION_READ + _MONEY_READ),
    # The three administrators of 等保 2.0: none of them sees business data.
    RoleDefinition("sysadmin", _l("System administrator"), NO_DATA, _rw(ORGANIZATION), extra=_USER_ADMIN),
    RoleDefinition("secadmin", _l("Security administrator"), NO_DATA, extra=_SECURITY_ADMIN),
    RoleDefinition("auditadmin", _l("Audit administrator"), NO_DATA, _r(AUDIT_LOG)),
)

ROLES_BY_CODE = {r.code: r for r in ROLE_DEFINITIONS}


def permissions_of(role: RoleDefinition):
    """The full (permission, view_menu) set of a role, menu entries included."""
    pairs = set(_SELF_SERVICE) | set(role.extra) | set(role.grants)
    if role.scope != NO_DATA:  # policy notices (policy 四(四)) are read by every unit; SASAC writes them
        pairs.add((READ, NOTICE))
    for perm, resource in role.grants:
        for menu in MENU.get(resource, ()):
            pairs.add(("menu_access", menu))
    return pairs


OTHER_ROLE_LABELS = {"Public": _l("Anonymous visitors"), "Admin": _l("Administrator")}


def role_label(code):
    role = ROLES_BY_CODE.get(code)
    if role:
        return str(role.label)
    return str(OTHER_ROLE_LABELS.get(code, code))
