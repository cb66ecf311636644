"""Off-plan expenses (统筹外费用, policy 二(七)): handling, items, SASAC review, life-expectancy payments."""


def init_app(app, appbuilder):
    from app.expenses import views

    views.init_app(app, appbuilder)
