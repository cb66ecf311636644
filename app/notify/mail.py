"""E-mail for new inbox entries: sent through SMTP when MAIL_SERVER is configured, skipped quietly when not
(most intranet deployments have no mail relay; the inbox is the primary channel)."""
import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from app import clock

log = logging.getLogger(__name__)


def recipients(entry):
    """(email, locale) of the users an entry is addressed to."""
    from app.extensions import db
    from app.security.models import OrgUser

    query = select(OrgUser).where(OrgUser.active.is_(True))
    query = query.where(OrgUser.id == entry.user_id) if entry.user_id else query.where(OrgUser.org_id == entry.org_id)
    return [(u.email, u.locale or "zh") for u in db.session.scalars(query) if u.email and "@" in u.email
            and not u.email.endswith("@localhost")]


def send_pending():
    """Mail every open entry not mailed yet; returns the number of messages sent (0 when not configured)."""
    from app.extensions import db
    from app.notify import render
    from app.notify.models import Notification
    import json

    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return 0
    entries = db.session.scalars(select(Notification).where(
        Notification.emailed_at.is_(None), Notification.resolved_at.is_(None)).order_by(Notification.id)).all()
    if not entries:
        return 0
    sent = 0
    try:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config.get("MAIL_PORT", 25), timeout=10)
    except OSError as exc:
        log.warning("mail server %s unreachable: %s", config["MAIL_SERVER"], exc)
        return 0
    with smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        for entry in entries:
            params = json.loads(entry.params) if entry.params else {}
            for address, locale in recipients(entry):
                with force_locale(locale):
                    text = render(entry.message, params, locale)
                    from flask_babel import gettext

                    subject = gettext("Shannan SOE retirees: to-do")
                msg = EmailMessage()
                msg["From"] = config.get("MAIL_FROM", "noreply@localhost")
                msg["To"] = address
                msg["Subject"] = subject
                msg.set_content(text + ("\n\n" + entry.link if entry.link else ""))
                smtp.send_message(msg)
                sent += 1
            entry.emailed_at = clock.utcnow()
    db.session.commit()
    return sent
