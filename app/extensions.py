"""Extensions created once at import time and bound to an app in the factory."""
from flask_appbuilder import AppBuilder
from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

db = SQLA()
appbuilder = AppBuilder()
migrate = Migrate()
csrf = CSRFProtect()
