"""Notice pages: the office writes and publishes; every unit reads what is addressed to it (its reading is
recorded); public notices are on a page without login for retirees and their families."""
from flask import abort, g, redirect, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from app.audit import register_model
from app.extensions import db
from app.forms_common import coded_select
from app.notices import rules, services
from app.notices.models import PolicyNotice
from app.notices.rules import Audience, NoticeStatus
from app.rules import RuleViolation
from app.scoped_views import METHOD_PERMISSIONS, ScopedModelView
from app.security.roles import NOTICE
from app.steps import run_step

LABELS = {"title_zh": _l("Title (Chinese)"), "title_bo": _l("Title (Tibetan)"), "body_zh": _l("Text (Chinese)"),
          "body_bo": _l("Text (Tibetan)"), "audience": _l("Addressed to"), "audience_label": _l("Addressed to"),
          "public": _l("Also public to retirees"), "status": _l("Status"), "status_label": _l("Status"),
          "published_at": _l("Published on"), "created_by": _l("Written by"), "title": _l("Title")}


class AddressedFilter(BaseFilter):
    """Published notices addressed to the reader's kind of unit; the office sees every notice."""

    name = "Addressed"
    arg_name = None

    def apply(self, query, value):
        from app.org.cache import org_by_id

        user = getattr(g, "user", None)
        if rules.may(user, "coverage"):
            return query
        org = org_by_id(getattr(user, "org_id", None))
        kinds = [a for a in Audience.LABELS if org is not None and rules.addressed_to(a, org.kind)]
        return query.filter(PolicyNotice.status == NoticeStatus.PUBLISHED,
                            or_(*(PolicyNotice.audience == a for a in kinds)) if kinds else PolicyNotice.id < 0)


class PolicyNoticeModelView(ScopedModelView):
    datamodel = SQLAInterface(PolicyNotice)
    class_permission_name = NOTICE
    method_permission_name = {**METHOD_PERMISSIONS, "publish": "write", "withdraw": "write"}
    route_base = "/notices"
    list_title = _l("Policy notices")
    show_title = _l("Policy notice")
    add_title = _l("Write a policy notice")
    edit_title = _l("Edit a policy notice")
    show_template = "notices/show.html"
    extra_base_filters = [["id", AddressedFilter, None]]
    label_columns = LABELS
    list_columns = ["title", "audience_label", "public", "status_label", "published_at"]
    search_columns = ["title_zh", "title_bo", "audience", "status"]
    add_columns = ["title_bo", "title_zh", "body_bo", "body_zh", "audience", "public"]
    edit_columns = add_columns
    add_form_extra_fields = {
        "audience": coded_select(_l("Addressed to"), Audience.LABELS),
        "body_zh": TextAreaField(_l("Text (Chinese)"), validators=[Optional(), Length(max=20000)],
                                 widget=BS3TextAreaFieldWidget()),
        "body_bo": TextAreaField(_l("Text (Tibetan)"), validators=[Optional(), Length(max=40000)],
                                 widget=BS3TextAreaFieldWidget()),
    }
    edit_form_extra_fields = add_form_extra_fields
    validators_columns = {"title_zh": [Optional(), Length(max=200)], "title_bo": [Optional(), Length(max=400)]}
    base_order = ("id", "desc")

    def pre_add(self, item):
        services.save_draft(g.user, item, new=True)

    def pre_update(self, item):
        services.save_draft(g.user, item, new=False)

    def pre_delete(self, item):
        raise RuleViolation({"id": [_l("Notices are kept; withdraw a published notice instead.")]})

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        notice = self._scoped(pk)
        services.mark_read(g.user, notice)
        db.session.commit()
        return self.render_template(
            self.show_template, pk=pk, title=notice.title(), widgets=self._show(pk), related_views=[],
            notice=notice, coverage=services.coverage(notice) if rules.may(g.user, "coverage") else None,
            may_publish=rules.may(g.user, "publish", notice), may_withdraw=rules.may(g.user, "withdraw", notice),
            may_edit=rules.may(g.user, "edit", notice))

    @expose("/<int:pk>/publish", methods=["POST"])
    @has_access
    def publish(self, pk):
        run_step(services.publish, self._scoped(pk), success=_l("The notice was published."))
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/withdraw", methods=["POST"])
    @has_access
    def withdraw(self, pk):
        run_step(services.withdraw, self._scoped(pk), success=_l("The notice was withdrawn."))
        return redirect(url_for(".show", pk=pk))


class PublicNoticesView(BaseView):
    """Notices marked public, for retirees and their families: no login, nothing but the notices."""

    route_base = "/public/notices"
    default_view = "index"

    @expose("/")
    def index(self):
        notices = db.session.scalars(select(PolicyNotice).where(
            PolicyNotice.status == NoticeStatus.PUBLISHED, PolicyNotice.public.is_(True))
            .order_by(PolicyNotice.published_at.desc()).limit(50)).all()
        return self.render_template("notices/public.html", notices=notices, title=_l("Policy notices"))

    @expose("/<int:pk>")
    def notice(self, pk):
        notice = db.session.get(PolicyNotice, pk)
        if notice is None or notice.status != NoticeStatus.PUBLISHED or not notice.public:
            abort(404)
        return self.render_template("notices/public.html", notices=[notice], title=notice.title(), one=True)


def init_app(app, appbuilder):
    register_model(PolicyNotice, _l("Policy notice"), dict(LABELS),
                   {"audience": Audience.LABELS, "status": NoticeStatus.LABELS})
    appbuilder.add_view(PolicyNoticeModelView, "Policy notices", icon="fa-bullhorn", label=_l("Policy notices"),
                        category="Supervision")
    appbuilder.add_view_no_menu(PublicNoticesView)
