"""重复身份证号: a resident ID number that one enterprise enters while another enterprise holds it.

The enterprise is told only that the number is already registered in the city (naming the holder answered
"who holds this person?" across units); the case goes to SASAC, which sees both sides and resolves it."""


def init_app(app, appbuilder):
    from app.duplicates.views import register

    register(appbuilder)
