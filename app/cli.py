"""Command-line interface: `flask sync-roles`, `flask seed-demo`, `flask create-user`."""
import sys

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("sync-roles")
@with_appcontext
def sync_roles_command():
    """Create or reset every role to its definition in app/security/roles.py."""
    from app.security.sync import sync_roles

    for code, (total, added, removed) in sync_roles(current_app.appbuilder).items():
        click.echo(f"{code}\t{total} permissions\t+{added}\t-{removed}")


@click.command("seed-demo")
@click.option("--password", envvar="DEMO_PASSWORD", help="Password of every demo account (or $DEMO_PASSWORD).")
@click.option("--if-empty", is_flag=True, help="Do nothing when the ledger already holds retirees.")
@with_appcontext
def seed_demo_command(password, if_empty):
    """Load the demo organization tree, 965 retirees and one account per role (deterministic, idempotent)."""
    from app.demo.seed import seed_demo

    if not password:
        raise click.UsageError("Give the demo accounts' password with --password or DEMO_PASSWORD.")
    accounts = seed_demo(password, if_empty=if_empty)
    for username, role, org_code, org_name in accounts:
        click.echo(f"{username}\t{role}\t{org_code}\t{org_name}")


@click.command("create-user")
@click.argument("username")
@click.option("--role", required=True, help="Role code, e.g. sysadmin, enterprise, county.")
@click.option("--org", "org_code", required=True, help="Organization code of the user's unit.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--email", default=None)
@with_appcontext
def create_user_command(username, role, org_code, password, email):
    """Create a user attached to an organization unit (e.g. the first system administrator)."""
    from app.extensions import db
    from app.org.models import Organization

    sm = current_app.appbuilder.sm
    org = db.session.query(Organization).filter_by(code=org_code).one_or_none()
    role_obj = sm.find_role(role)
    if org is None or role_obj is None:
        click.echo("Unknown organization code or role (run `flask sync-roles` first).", err=True)
        sys.exit(2)
    user = sm.add_user(username, username, "-", email or f"{username}@localhost", role_obj, password)
    if not user:
        click.echo("The user could not be created (duplicate username or e-mail?).", err=True)
        sys.exit(1)
    user.org_id = org.id
    db.session.commit()
    click.echo(f"created {username}")


def init_app(app):
    for command in (sync_roles_command, seed_demo_command, create_user_command):
        app.cli.add_command(command)
