"""Staffing of townships and communities at 1:200 and re-placed enterprise staff (policy 二(八))."""


def init_app(app, appbuilder):
    from app.staffing import views

    views.init_app(app, appbuilder)
