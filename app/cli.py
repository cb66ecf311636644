"""Command-line interface: `flask sync-roles`, `flask seed-demo`, `flask create-user`, `flask backup`, …"""
import os
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

    from app.security.auth import password_problem

    problem = password_problem(password)
    if problem:
        click.echo(problem, err=True)
        sys.exit(2)
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


@click.command("import-retirees")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--enterprise", "enterprise_code", help="Code of the enterprise whose roster this is.")
@click.option("--dry-run", is_flag=True, help="Check and report only; change nothing.")
@click.option("--template", "template_out", type=click.Path(dir_okay=False), help="Write the blank template here.")
@click.option("--lang", default="zh", type=click.Choice(["zh", "bo"]), help="Language of the report.")
@with_appcontext
def import_retirees_command(file, enterprise_code, dry_run, template_out, lang):
    """Import an enterprise's roster (XLSX or CSV) with the web import's validation; exit 1 when a row is refused."""
    from flask_babel import force_locale
    from sqlalchemy import select

    from app.extensions import db
    from app.org.models import Organization, OrgKind
    from app.roster.importer import apply_import, plan_import
    from app.roster.reader import RosterFileError, read_roster
    from app.roster.views import org_names_for_template
    from app.roster.workbook import build_template
    from app.security.scope import as_system

    with force_locale(lang), as_system("cli:import-retirees"):
        if template_out:
            with open(template_out, "wb") as fh:
                fh.write(build_template(org_names_for_template()))
            click.echo(template_out)
            return
        if not file or not enterprise_code:
            raise click.UsageError("Give FILE and --enterprise CODE (or --template OUT.xlsx).")
        enterprise = db.session.scalars(select(Organization).where(
            Organization.code == enterprise_code, Organization.kind == OrgKind.ENTERPRISE)).first()
        if enterprise is None:
            click.echo(f"unknown enterprise code: {enterprise_code}", err=True)
            sys.exit(2)
        with open(file, "rb") as fh:
            data = fh.read()
        try:
            plan = plan_import(read_roster(data, os.path.basename(file)), enterprise)
        except RosterFileError as error:
            click.echo(str(error), err=True)
            sys.exit(1)
        for problem in plan.problems:
            click.echo(problem.text(), err=True)
        summary = f"add={plan.count('add')}\tupdate={plan.count('update')}\tunchanged={plan.count('unchanged')}" \
                  f"\tproblems={len(plan.problems)}"
        click.echo(summary)
        if not plan.ok:
            db.session.rollback()
            sys.exit(1)
        if dry_run:
            db.session.rollback()
            return
        apply_import(plan)
        click.echo("committed")


@click.command("ensure-checklists")
@with_appcontext
def ensure_checklists_command():
    """Give retirees in the handover flow without a checklist their checklist, party and archive rows."""
    from app.extensions import db
    from app.handover.services import ensure_cases
    from app.security.scope import as_system

    with as_system("cli:ensure-checklists"):
        added = ensure_cases(db.session)
        db.session.commit()
    click.echo(f"checklists added: {added}")


@click.group("report")
def report_group():
    """Printed reports."""


@report_group.command("summary")
@click.option("--lang", default="both", type=click.Choice(["zh", "bo", "both"]))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def report_summary_command(lang, out):
    """The leading group's summary PDF for the whole city (as SASAC sees it)."""
    from flask_babel import force_locale

    from app.reports.summary_pdf import render_summary
    from app.security.scope import as_system

    with current_app.test_request_context(), force_locale("bo" if lang == "bo" else "zh"), \
            as_system("cli:report-summary"):
        data = render_summary(lang)
    with open(out, "wb") as fh:
        fh.write(data)
    click.echo(f"{out}\t{len(data)} bytes")


@report_group.command("monthly")
@click.option("--month", required=True, help="The report month, YYYY-MM (the report due on its 10th).")
@click.option("--lang", default="both", type=click.Choice(["zh", "bo", "both"]))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def report_monthly_command(month, lang, out):
    """The compiled monthly report of the member units for the city SOE-reform leading group."""
    from flask_babel import force_locale

    from app import clock
    from app.monthly.pdf import render_compiled
    from app.monthly.rules import month_problem
    from app.security.scope import as_system

    with current_app.test_request_context(), force_locale("bo" if lang == "bo" else "zh"), \
            as_system("cli:report-monthly"):
        problem = month_problem(month, clock.today())
        if problem:
            raise click.BadParameter(str(problem), param_hint="--month")
        data = render_compiled(month, lang)
    with open(out, "wb") as fh:
        fh.write(data)
    click.echo(f"{out}\t{len(data)} bytes")


@click.command("supervise")
@click.option("--date", "on_date", default=None, help="Act as if today were this date (YYYY-MM-DD), e.g. to catch up.")
@with_appcontext
def supervise_command(on_date):
    """Recompute deadline colours and inboxes, then send e-mail for new entries. Idempotent: safe to run
    from cron every day (or every hour); nothing depends on a long-running scheduler."""
    import datetime

    from app import clock
    from app.extensions import db
    from app.notify import run_sources
    from app.notify.mail import send_pending
    from app.security.scope import as_system

    today = datetime.date.fromisoformat(on_date) if on_date else clock.today()
    with as_system("cli:supervise"):
        result = run_sources(today)
        db.session.commit()
        mailed = send_pending()
    for kind, (new, resolved) in result.items():
        click.echo(f"{kind}\tnew {new}\tresolved {resolved}")
    click.echo(f"mailed\t{mailed}")


@click.group("backup")
def backup_group():
    """Backup and restore: the database and every stored file in one archive with checksums."""


@backup_group.command("create")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="The archive to write (e.g. /var/backups/shannan/shannan-2020-07-01.tar.gz).")
@with_appcontext
def backup_create_command(out):
    """Write a consistent backup while the application runs (see app/backup.py)."""
    from app.backup import BackupError, create_backup, describe
    from app.extensions import db
    from app.storage import storage

    try:
        manifest = create_backup(out, db.engine, storage(), log=click.echo)
    except BackupError as error:
        click.echo(f"backup failed: {error}", err=True)
        sys.exit(1)
    click.echo(f"{out}\t{describe(manifest)}")


@backup_group.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def backup_verify_command(file):
    """Check every member of an archive against its manifest (changes nothing)."""
    import tempfile

    from app.backup import BackupError, describe, unpack

    with tempfile.TemporaryDirectory() as work:
        try:
            manifest = unpack(file, work)
        except BackupError as error:
            click.echo(f"invalid: {error}", err=True)
            sys.exit(1)
    click.echo(f"ok\t{describe(manifest)}")


@backup_group.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database and file store that are not empty.")
@with_appcontext
def backup_restore_command(file, force):
    """Restore an archive into an empty database and file store (this instance's settings)."""
    from flask_migrate import upgrade

    from app.backup import BackupError, describe, restore_backup
    from app.extensions import db
    from app.storage import storage

    db.session.remove()
    try:
        manifest = restore_backup(file, db.engine, storage(), migrate_to=lambda rev: upgrade(revision=rev),
                                  force=force, log=click.echo)
    except BackupError as error:
        click.echo(f"restore refused: {error}", err=True)
        sys.exit(1)
    click.echo(f"restored\t{describe(manifest)}")
    click.echo("next: flask db upgrade && flask sync-roles (when the code is newer than the backup)")


@click.group("audit")
def audit_group():
    """The audit log: verify its hash chain, prune entries past the retention period."""


@audit_group.command("verify")
@with_appcontext
def audit_verify_command():
    """Recompute the hash chain; exit 0 when intact, 1 naming the first broken entry."""
    from app.audit.chain import verify
    from app.extensions import db

    ok, checked, broken = verify(db.session)
    if ok:
        click.echo(f"audit chain intact: {checked} entries")
        return
    entry, reason = broken
    click.echo(f"audit chain broken at entry {entry}: {reason} ({checked} entries verified before it)", err=True)
    sys.exit(1)


@audit_group.command("prune")
@click.option("--days", type=int, default=None, help="Keep this many days (default AUDIT_RETENTION_DAYS; ≥ 180).")
@with_appcontext
def audit_prune_command(days):
    """Delete entries older than the retention period, after a keyed checkpoint that keeps the chain
    verifiable; the pruning is itself an audit entry. Also removes expired rows of the database counters.
    Run it daily from cron."""
    from app.audit import record_event
    from app.audit.chain import prune
    from app.extensions import db
    from app.security.scope import as_system

    days = days if days is not None else current_app.config["AUDIT_RETENTION_DAYS"]
    if days < 180:
        raise click.BadParameter("the audit log is kept at least 180 days", param_hint="--days")
    with as_system("cli:audit-prune"):
        count = prune(db.session, days)
        record_event("audit_pruned", model="Request", changes={"count": count, "days": days}, commit=False)
        db.session.commit()
    from app.security.counters import DatabaseCounters

    purged = DatabaseCounters().purge_expired()  # login counters and audit tallies whose window ended
    click.echo(f"pruned {count} entries older than {days} days; {purged} expired counters removed")


def init_app(app):
    for command in (sync_roles_command, seed_demo_command, create_user_command, import_retirees_command,
                    ensure_checklists_command, report_group, supervise_command, backup_group, audit_group):
        app.cli.add_command(command)
