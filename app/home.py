"""The landing page: who you are, what you see, and the ledger figures of your scope."""
from flask import g, redirect, url_for
from flask_appbuilder import IndexView, expose
from sqlalchemy import case, func, select

from app.extensions import db
from app.retirees.models import Category, Retiree
from app.security.access import role_codes
from app.security.roles import ROLES_BY_CODE, role_label
from app.security.scope import scope, user_scope


def ledger_figures():
    """Counts of the user's scope, one aggregate query."""
    query = select(
        func.count(Retiree.id),
        func.sum(case((Retiree.category == Category.IN_REGION, 1), else_=0)),
        func.sum(case((Retiree.category == Category.OUT_REGION, 1), else_=0)),
        func.sum(case((Retiree.party_member.is_(True), 1), else_=0)),
        func.sum(case((Retiree.leader_cadre.is_(True), 1), else_=0)),
        func.sum(case((Retiree.is_lixiu.is_(True), 1), else_=0)),
    )
    row = db.session.execute(scope(query, Retiree)).one()
    keys = ("total", "in_region", "out_region", "party_members", "leader_cadres", "lixiu")
    return dict(zip(keys, (int(v or 0) for v in row)))


class HomeView(IndexView):
    index_template = "home.html"

    @expose("/")
    def index(self):
        user = g.user
        if user is None or not user.is_authenticated:
            return redirect(url_for(self.appbuilder.sm.auth_view.__class__.__name__ + ".login"))
        codes = role_codes(user)
        needs_org = any(ROLES_BY_CODE[c].scope == "org" for c in codes if c in ROLES_BY_CODE)
        sees_data = user_scope(user).city_wide or bool(user_scope(user).org_ids)
        from app.reports.dashboard import dashboard_context
        from app.reports.work import OVERSIGHT_ROLES, work_cards

        return self.render_template(
            self.index_template,
            appbuilder=self.appbuilder,
            role_names=[role_label(c) for c in sorted(codes)],
            org=user.org,
            missing_org=needs_org and user.org_id is None,
            work=work_cards(codes) if sees_data else [],
            oversight=bool(codes & OVERSIGHT_ROLES),
            **(dashboard_context() if sees_data else {"figures": None}),
        )
