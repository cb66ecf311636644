"""Policy notices (通知公告, policy 四(四))."""


def init_app(app, appbuilder):
    from app.notices import views

    views.init_app(app, appbuilder)
