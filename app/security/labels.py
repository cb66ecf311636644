"""Readable names for FAB's permission and resource identifiers, so the security pages speak zh/bo."""
from flask_babel import gettext, lazy_gettext as _l

PERMISSION_LABELS = {
    "can_read": _l("Read"),
    "can_write": _l("Write"),
    "menu_access": _l("Menu access"),
    "can_list": _l("List"),
    "can_show": _l("Show"),
    "can_add": _l("Add"),
    "can_edit": _l("Edit"),
    "can_delete": _l("Delete"),
    "can_download": _l("Download"),
    "can_get": _l("Read"),
    "can_info": _l("Read"),
    "can_post": _l("Add"),
    "can_put": _l("Edit"),
    "can_userinfo": _l("Your user information"),
    "can_this_form_get": _l("Open form"),
    "can_this_form_post": _l("Submit form"),
    "resetmypassword": _l("Reset my password"),
    "resetpasswords": _l("Reset Password"),
    "copyrole": _l("Copy Role"),
    "userinfoedit": _l("Edit User"),
}

RESOURCE_LABELS = {
    "Retiree": _l("Retiree ledger"),
    "Retirees": _l("Retirees"),
    "Retiree ledger": _l("Retiree ledger"),
    "Roster survey": _l("Roster survey"),
    "Correction requests": _l("Correction requests"),
    "Organization": _l("Organization units"),
    "Organizations": _l("Organizations"),
    "Organization units": _l("Organization units"),
    "AuditLog": _l("Audit log"),
    "Audit": _l("Audit"),
    "Audit log": _l("Audit log"),
    "Handover": _l("Handover"),
    "HandoverCase": _l("Handover checklists"),
    "HandoverBatch": _l("Handover batches"),
    "PartyTransfer": _l("Party relations"),
    "ArchiveTransfer": _l("Personnel archives"),
    "HandoverStats": _l("Handover figures"),
    "Handover checklists": _l("Handover checklists"),
    "Handover batches": _l("Handover batches"),
    "Party relations": _l("Party relations"),
    "Stalled party transfers": _l("Stalled party transfers"),
    "Personnel archives": _l("Personnel archives"),
    "Handover figures": _l("Handover figures"),
    "Inbox": _l("My to-do list"),
    "Supervision": _l("Supervision"),
    "WorkTask": _l("Work plan"),
    "Work plan": _l("Work plan"),
    "MonthlyReport": _l("Monthly reports"),
    "Monthly reports": _l("Monthly reports"),
    "ImplementationPlan": _l("Implementation plans"),
    "Implementation plans": _l("Implementation plans"),
    "SupervisionItem": _l("Supervision items"),
    "Supervision items": _l("Supervision items"),
    "Accountability": _l("Accountability"),
    "WorkContact": _l("Contacts and leading group"),
    "Contacts and leading group": _l("Contacts and leading group"),
    "Money and people": _l("Money and people"),
    "OffPlanExpense": _l("Off-plan expenses"),
    "Off-plan expenses": _l("Off-plan expenses"),
    "Off-plan expense items": _l("Off-plan expense items"),
    "Average life expectancy": _l("Average life expectancy"),
    "RetireeAsset": _l("Assets for retirees"),
    "Assets for retirees": _l("Assets for retirees"),
    "Staffing": _l("Staffing"),
    "Re-placement of enterprise staff": _l("Re-placement of enterprise staff"),
    "Funding": _l("Funding"),
    "PolicyNotice": _l("Policy notices"),
    "BenefitLink": _l("Social-security linkage"),
    "Social-security linkage": _l("Social-security linkage"),
    "Policy notices": _l("Policy notices"),
    "UserDBModelView": _l("List Users"),
    "List Users": _l("List Users"),
    "RoleModelView": _l("List Roles"),
    "List Roles": _l("List Roles"),
    "UserGroupModelView": _l("List Groups"),
    "List Groups": _l("List Groups"),
    "Security": _l("Security"),
    "PermissionModelView": _l("Base Permissions"),
    "Base Permissions": _l("Base Permissions"),
    "ViewMenuModelView": _l("Views/Menus"),
    "Views/Menus": _l("Views/Menus"),
    "PermissionViewModelView": _l("Permission on Views/Menus"),
    "Permission on Views/Menus": _l("Permission on Views/Menus"),
    "ResetMyPasswordView": _l("Reset my password"),
    "ResetPasswordView": _l("Reset Password"),
    "UserInfoEditView": _l("Edit User"),
    "MenuApi": _l("Menu"),
    "OpenApi": _l("Interface description"),
    "SwaggerView": _l("Interface description"),
}


def permission_label(name):
    return str(PERMISSION_LABELS.get(name, name))


def resource_label(name):
    return str(RESOURCE_LABELS.get(name, name))


def permission_view_label(pv):
    from app.tibetan import with_colon

    return f"{with_colon(permission_label(pv.permission.name), '：')}{resource_label(pv.view_menu.name)}"


def permissions_label(pvs):
    from app.tibetan import join_list

    return join_list(sorted(permission_view_label(pv) for pv in pvs), gettext("; ")) if pvs else ""
