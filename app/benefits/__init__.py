"""Social-security linkage after the handover (policy 二(二), 四(二))."""


def init_app(app, appbuilder):
    from app.benefits import views

    views.init_app(app, appbuilder)
    from app.benefits.models import BenefitLink
    from app.retirees import followers

    followers.register(BenefitLink)  # scoped like its retiree, kept in step by the ledger's service
