"""Application factory (see the Flask tutorial): `gunicorn 'app:create_app()'`."""
import logging
import os
import secrets

from flask import Flask

from app.extensions import appbuilder, csrf, db, migrate


def _ensure_secret_key(app):
    if app.config.get("SECRET_KEY"):
        return
    # No SECRET_KEY in the environment: keep a random one in the instance folder, never a constant.
    os.makedirs(app.instance_path, exist_ok=True)
    key_file = os.path.join(app.instance_path, "secret_key")
    if not os.path.exists(key_file):
        with open(key_file, "w") as fh:
            fh.write(secrets.token_hex(32))
        os.chmod(key_file, 0o600)
    with open(key_file) as fh:
        app.config["SECRET_KEY"] = fh.read().strip()


def create_app(config_object="config.Config"):
    from config import INSTANCE_DIR

    app = Flask(__name__, instance_path=str(INSTANCE_DIR), static_folder="../static",
                template_folder="templates")
    app.config.from_object(config_object)
    os.makedirs(app.instance_path, exist_ok=True)
    _ensure_secret_key(app)
    logging.basicConfig(format="%(asctime)s:%(levelname)s:%(name)s:%(message)s")
    logging.getLogger().setLevel(logging.INFO if not app.testing else logging.WARNING)

    db.init_app(app)
    csrf.init_app(app)
    with app.app_context():
        # Model modules must be imported before Alembic or FAB look at the metadata.
        from app import models  # noqa: F401

        migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
        appbuilder.init_app(app, db.session)

        from app import cli, errors, i18n, ops, views, web_assets
        from app.security import auth

        auth.init_app(app)  # idle timeout, forced password change, trusted proxies
        i18n.init_app(app)
        from app import breadcrumbs, may

        breadcrumbs.init_app(app)
        may.init_app(app)
        views.register(app, appbuilder)  # each stream's init_app, in menu order
        errors.init_app(app)
        from app.security import headers, input_guard, personal

        headers.init_app(app)
        input_guard.init_app(app)
        personal.init_app(app)
        cli.init_app(app)
        ops.init_app(app)
        web_assets.init_app(app)
    return app
