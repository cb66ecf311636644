"""The roster survey (摸底调查): Excel template, import with row-level validation, export, data quality."""


def init_app(app, appbuilder):
    from flask_babel import lazy_gettext as _l

    from app.roster.views import RosterView

    appbuilder.add_view(RosterView, "Roster survey", icon="fa-table", label=_l("Roster survey"), category="Retirees")
