"""Roster pages: template download, upload → preview → commit, data quality. Thin: reading, planning and
writing live in reader.py / importer.py / workbook.py."""
import io
import time
import uuid

from flask import abort, current_app, flash, g, redirect, request, send_file, session, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l

from app import shared
from app.pdf import download_name
from app.extensions import db
from app.org.cache import all_orgs
from app.org.models import OrgKind
from app.roster import quality
from app.roster.columns import COLUMNS
from app.roster.importer import apply_import, plan_import
from app.roster.reader import RosterFileError, read_roster
from app.roster.workbook import build_template
from app.security.roles import RETIREE
from app.security.scope import user_scope

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def importable_enterprises():
    """Enterprises the current user may import for: their own (enterprise users) or any (city-wide)."""
    s = user_scope()
    return [o for o in all_orgs() if o.kind == OrgKind.ENTERPRISE and s.allows_org(o.id)]


def org_names_for_template(lang=None):
    """{kind: [name, ...]} for the template's unit drop-downs: Chinese names, or on the Tibetan side the
    Tibetan name followed by the Chinese one (the importer reads either and both)."""
    from app.roster.workbook import _lang

    bo = _lang(lang) == "bo"
    names = {}
    for org in all_orgs():
        names.setdefault(org.kind, []).append(f"{org.name_bo} {org.name_zh}" if bo and org.name_bo else org.name_zh)
    return names


def _token(token):
    if not token or len(token) != 32 or not all(c in "0123456789abcdef" for c in token):
        abort(400)
    return token



TEMPLATE_NAME = _l("Retiree roster template")

class RosterView(BaseView):
    route_base = "/roster"
    default_view = "index"
    class_permission_name = RETIREE
    method_permission_name = {"index": "read", "template": "read", "quality": "read",
                              "preview": "write", "commit": "write"}

    @expose("/")
    @has_access
    def index(self):
        from app.may import may

        return self.render_template("roster/index.html", title=_l("Roster survey"),
                                    enterprises=importable_enterprises() if may("roster", g.user, "import") else [])

    @expose("/template.xlsx")
    @has_access
    def template(self):
        data = build_template(org_names_for_template())
        return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True,
                         download_name=download_name(TEMPLATE_NAME, ext="xlsx"))

    def _chosen_enterprise(self, enterprise_id):
        allowed = {o.id: o for o in importable_enterprises()}
        try:
            return allowed.get(int(enterprise_id))
        except (TypeError, ValueError):
            return None

    @expose("/preview", methods=["POST"])
    @has_access
    def preview(self):
        enterprise = self._chosen_enterprise(request.form.get("enterprise"))
        upload = request.files.get("file")
        if enterprise is None:
            flash(gettext("Choose an enterprise that you may import for."), "danger")
            return redirect(url_for(".index"))
        if upload is None or not upload.filename:
            flash(gettext("Choose a file to upload."), "danger")
            return redirect(url_for(".index"))
        data = upload.read(int(current_app.config.get("ROSTER_MAX_BYTES", 5 * 1024 * 1024)) + 1)
        started = time.perf_counter()
        try:
            sheet = read_roster(data, upload.filename)
        except RosterFileError as error:
            flash(gettext("The file was refused: %(reason)s", reason=str(error)), "danger")
            return redirect(url_for(".index"))
        plan = plan_import(sheet, enterprise)
        db.session.rollback()  # planning never writes
        token = None
        if plan.ok:
            token = uuid.uuid4().hex
            shared.put_pending(token, data)  # Redis when configured: the commit may reach another server
            session["roster_import"] = {"token": token, "enterprise": enterprise.id, "user": g.user.id,
                                        "filename": upload.filename[:200]}
        return self.render_template("roster/preview.html", title=_l("Import preview"), plan=plan, token=token,
                                    filename=upload.filename, enterprise=enterprise, sheet=sheet,
                                    labels={c.key: str(c.label) for c in COLUMNS},
                                    seconds=time.perf_counter() - started)

    @expose("/commit", methods=["POST"])
    @has_access
    def commit(self):
        pending = session.get("roster_import") or {}
        token = request.form.get("token")
        if token != pending.get("token") or pending.get("user") != g.user.id:
            flash(gettext("This import preview has expired; upload the file again."), "danger")
            return redirect(url_for(".index"))
        enterprise = self._chosen_enterprise(pending.get("enterprise"))
        data = shared.get_pending(_token(token))
        if enterprise is None or data is None:
            flash(gettext("This import preview has expired; upload the file again."), "danger")
            return redirect(url_for(".index"))
        # planned again inside this request: the ledger may have changed since the preview
        plan = plan_import(read_roster(data, pending.get("filename")), enterprise)
        if not plan.ok:
            db.session.rollback()
            flash(gettext("The ledger changed since the preview; check the file again."), "danger")
            return redirect(url_for(".index"))
        result = apply_import(plan, g.user)
        shared.drop_pending(token)
        session.pop("roster_import", None)
        flash(gettext("Imported: %(add)s added, %(update)s updated, %(unchanged)s unchanged.", **result), "success")
        return redirect(url_for("RetireeModelView.list"))

    @expose("/quality")
    @has_access
    def quality(self):
        code = request.args.get("check")
        if code is not None and code not in quality.CHECKS_BY_CODE:
            abort(404)
        return self.render_template("roster/quality.html", title=_l("Data quality"), checks=quality.QUALITY_CHECKS,
                                    counts=quality.counts(), code=code,
                                    rows=quality.failing(code) if code else None)
