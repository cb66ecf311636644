"""Rules of the implementation plans as plain functions (no database, no request): each returns a message
for the user, or None when the step is allowed. Services call them; tests call them directly.

Decisions (the policy says only "制定本单位实施方案" and that the leading-group office follows it up):
- only the enterprise's own users upload its plan; SASAC, the leading group and the supervision office read;
- only SASAC (the leading-group office) reviews, and a version is reviewed once (approved or returned);
- returning needs a comment, so the enterprise knows what to change;
- uploading while a version waits for review adds a version and marks the waiting one "replaced": nothing is
  overwritten or deleted, and SASAC reviews the newest text only;
- uploading after approval is allowed (a revision); the approved version stays in force until a newer one is
  approved, so the enterprise keeps counting as "has an approved plan".
"""
from flask_babel import lazy_gettext as _l

from app.plans.models import VersionStatus

COMMENT_MAX = 1000
NOTE_MAX = 500


def upload_problem(roles, user_org_id, enterprise_id):
    """Why this user may not upload a version of this enterprise's plan."""
    if "enterprise" not in set(roles):
        return _l("Only the enterprise itself uploads its implementation plan.")
    if user_org_id is None or user_org_id != enterprise_id:
        return _l("You can upload only your own enterprise's implementation plan.")
    return None


def edit_problem(roles, user_org_id, enterprise_id):
    """The plan's remarks are the enterprise's own words: the same people as for uploads."""
    if upload_problem(roles, user_org_id, enterprise_id):
        return _l("Only the enterprise itself changes the remarks of its implementation plan.")
    return None


def review_problem(roles, version_status):
    """Why this user may not approve or return this version."""
    if "sasac" not in set(roles):
        return _l("Only the leading-group office (SASAC) reviews implementation plans.")
    if version_status == VersionStatus.SUPERSEDED:
        return _l("A newer version has been uploaded; review the newest version.")
    if version_status != VersionStatus.SUBMITTED:
        return _l("This version has already been reviewed.")
    return None


def return_comment_problem(comment):
    text = (comment or "").strip()
    if not text:
        return _l("Say what the enterprise should change: a comment is required to return a plan.")
    if len(text) > COMMENT_MAX:
        return _l("The comment is too long (at most %(n)d characters).", n=COMMENT_MAX)
    return None


def note_problem(note):
    if len((note or "").strip()) > NOTE_MAX:
        return _l("The note is too long (at most %(n)d characters).", n=NOTE_MAX)
    return None


def statuses_after_upload(statuses):
    """The statuses of the existing versions once a new one is uploaded: a waiting one is replaced."""
    return [VersionStatus.SUPERSEDED if s == VersionStatus.SUBMITTED else s for s in statuses]


def has_approved_plan(statuses):
    """An enterprise has an approved plan once any version was approved (a later revision may be waiting)."""
    return VersionStatus.APPROVED in set(statuses)


# ---------------------------------------------------------------------------------------------------------
# Who may do what (app/may.py): one answer for the services, the API, the templates and the menus.

def may(user, action, row=None):
    """upload (row: the enterprise's plan, or None for its first), edit (the remarks), review (row: a version)."""
    from app.security.access import role_codes

    roles = role_codes(user)
    org_id = getattr(user, "org_id", None)
    if action == "upload":
        return upload_problem(roles, org_id, row.enterprise_id if row is not None else org_id) is None
    if action == "edit":
        return row is not None and edit_problem(roles, org_id, row.enterprise_id) is None
    if action == "review":
        return review_problem(roles, row.status if row is not None else VersionStatus.SUBMITTED) is None
    return False
