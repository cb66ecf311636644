"""Funding per county at the quota per retiree (policy 四(五))."""


def init_app(app, appbuilder):
    from app.funding import views

    views.init_app(app, appbuilder)
