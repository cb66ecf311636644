"""Free transfer of assets used for retirees (资产无偿划转, policy 二(五))."""


def init_app(app, appbuilder):
    from app.assets import views

    views.init_app(app, appbuilder)
