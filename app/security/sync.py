"""`flask sync-roles`: make FAB's role tables equal to `roles.py` (idempotent)."""
from app.security.roles import ROLE_DEFINITIONS, permissions_of

PUBLIC_ROLE = "Public"


def sync_roles(appbuilder):
    sm = appbuilder.sm
    # FAB hands every new permission to its all-powerful admin role while creating it; that role must
    # exist during the call and is removed afterwards (等保 2.0: three separate administrators instead).
    fab_admin = sm.find_role(sm.auth_role_admin) or sm.add_role(sm.auth_role_admin)
    appbuilder.add_permissions(update_perms=True)
    wanted_roles = {r.code: permissions_of(r) for r in ROLE_DEFINITIONS}
    wanted_roles[PUBLIC_ROLE] = set()  # anonymous visitors may do nothing but log in
    report = {}
    for code, pairs in wanted_roles.items():
        role = sm.find_role(code) or sm.add_role(code)
        pvs = []
        for perm, view in sorted(pairs):
            pv = sm.find_permission_view_menu(perm, view) or sm.add_permission_view_menu(perm, view)
            pvs.append(pv)
        before = {(p.permission.name, p.view_menu.name) for p in role.permissions}
        role.permissions = pvs
        report[code] = (len(pairs), len(set(pairs) - before), len(before - set(pairs)))
    fab_admin.permissions = []
    sm.session.delete(fab_admin)
    changed = {code: f"+{added} -{removed}" for code, (_total, added, removed) in report.items() if added or removed}
    if changed:  # a change of what a role may do is a security change: audited
        from app.audit import record_event
        from app.security.scope import as_system

        with as_system("cli:sync-roles"):
            record_event("roles_synced", model="Role", changes=changed, commit=False)
    sm.session.commit()
    return report
