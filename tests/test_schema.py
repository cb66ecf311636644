"""Alembic owns the schema: the suite's database was built by `upgrade` from empty, and the models must
agree with it (a model change without a migration fails here)."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_appbuilder import Model

from app.extensions import db


def test_models_and_migrations_agree(app):
    with app.app_context():
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Model.metadata)
    assert diff == [], f"models differ from migrations; run `flask db migrate`: {diff}"


def test_every_table_comes_from_the_migrations(app):
    from sqlalchemy import inspect

    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert {"alembic_version", "ab_user", "ab_role", "org_unit", "retiree", "audit_log"} <= tables
    assert set(Model.metadata.tables) <= tables
