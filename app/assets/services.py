"""Steps of the asset transfer as plain functions taking the acting user (form, REST and demo call them).
Status changes are one conditional UPDATE each, so a double click or two users at once make one step."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from app import clock
from app.assets import rules
from app.assets.models import RetireeAsset
from app.assets.rules import AssetStatus, TransferMode
from app.extensions import db
from app.org.models import Organization, OrgKind
from app.rules import RuleViolation
from app.security.access import role_codes
from app.steps import Refusal, refuse_if


def may(actor, action, asset=None):
    user_path = recipient_path = supervising = None
    if asset is not None:
        if asset.recipient_id is not None:
            recipient_path = db.session.get(Organization, asset.recipient_id).path
        enterprise = db.session.get(Organization, asset.enterprise_id) if asset.enterprise_id else None
        supervising = enterprise.supervising_dept_id if enterprise is not None else None
    if actor.org_id is not None:
        user_path = db.session.get(Organization, actor.org_id).path
    return rules.may(role_codes(actor), actor.org_id, action, asset, supervising, recipient_path, user_path)


def _require(actor, action, asset, message):
    if not may(actor, action, asset):
        raise Refusal(message)


def save_proposal(actor, asset, new=True):
    if new and not may(actor, "propose"):
        raise Refusal(rules.NO_NEW_BUILD if role_codes(actor) & {"township", "community"}
                      else _l("Only an enterprise proposes its assets for transfer."))
    if new:
        named = asset.enterprise.id if asset.enterprise is not None else asset.enterprise_id
        if named is not None and named != actor.org_id:
            raise Refusal(_l("An enterprise proposes only its own assets."))
        asset.enterprise_id = actor.org_id
        asset.status = AssetStatus.PROPOSED
        asset.proposed_at = clock.utcnow()
    else:
        _require(actor, "edit", asset, _l("Only the enterprise changes its proposal, before it is approved."))
        if asset.status == AssetStatus.RETURNED:
            asset.status = AssetStatus.PROPOSED
            asset.proposed_at = clock.utcnow()
    if asset.book_value is not None and asset.book_value < 0:
        raise RuleViolation({"book_value": [_l("Give a value of zero or more.")]})
    return asset


def _move(asset, expected, **values):
    moved = db.session.execute(update(RetireeAsset).where(RetireeAsset.id == asset.id, RetireeAsset.status == expected)
                               .values(**values).execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise Refusal(_l("Someone else has just acted on this asset: look at its state now."))
    db.session.refresh(asset)


def approve(actor, asset):
    _require(actor, "review", asset, _l("Only the supervising department (SASAC) approves a proposed asset."))
    _move(asset, AssetStatus.PROPOSED, status=AssetStatus.APPROVED, reviewed_by_id=actor.id,
          reviewed_at=clock.utcnow(), review_comment=None)


def return_asset(actor, asset, comment):
    _require(actor, "review", asset, _l("Only the supervising department (SASAC) approves a proposed asset."))
    if not (comment or "").strip():
        raise Refusal(_l("Say what the enterprise should change: a comment is required to return it."))
    _move(asset, AssetStatus.PROPOSED, status=AssetStatus.RETURNED, reviewed_by_id=actor.id,
          reviewed_at=clock.utcnow(), review_comment=comment.strip()[:1000])


def hand_over(actor, asset, recipient_id, mode, arrangement, on_date=None):
    _require(actor, "hand_over", asset, _l("Only the enterprise hands over an approved asset."))
    recipient = db.session.get(Organization, recipient_id) if recipient_id else None
    if recipient is None or recipient.kind not in (OrgKind.TOWNSHIP, OrgKind.COMMUNITY):
        raise Refusal(_l("Choose the receiving township/street or community."))
    refuse_if(rules.mode_problem(asset.divisible, mode, arrangement))
    _move(asset, AssetStatus.APPROVED, status=AssetStatus.HANDED_OVER, recipient_id=recipient.id, mode=mode,
          arrangement=(arrangement or "").strip()[:500] or None, handed_over_on=on_date or clock.today())


def confirm(actor, asset):
    _require(actor, "confirm", asset, _l("Only the receiving township or community confirms receipt."))
    _move(asset, AssetStatus.HANDED_OVER, status=AssetStatus.CONFIRMED, confirmed_by_id=actor.id,
          confirmed_at=clock.utcnow())


def record_use(actor, asset, current_use, elderly_care):
    _require(actor, "record_use", asset, _l("Only the township or community that received the asset records its use."))
    if not (current_use or "").strip():
        raise Refusal(_l("Describe the current use."))
    asset.current_use = current_use.strip()[:300]
    asset.elderly_care = bool(elderly_care)


__all__ = ["may", "save_proposal", "approve", "return_asset", "hand_over", "confirm", "record_use", "TransferMode"]
