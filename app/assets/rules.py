"""Rules of the free transfer of assets (资产无偿划转, policy 二(五)) as plain functions.

The flow: the enterprise proposes an asset it uses for its retirees → the supervising department (SASAC)
approves or returns it → the enterprise hands it over free of charge to a township/community (divisible), or
records the swap or other arrangement agreed with them (not divisible) → the recipient confirms receipt and
keeps its current use (elderly care first). Guard: a township or community cannot require the enterprise to build
anew — only the enterprise proposes, and only assets that exist.
"""
from flask_babel import lazy_gettext as _l


class AssetKind:
    VENUE = "venue"
    ACTIVITY = "activity"
    EQUIPMENT = "equipment"
    LABELS = {VENUE: _l("Service venue"), ACTIVITY: _l("Activity venue"), EQUIPMENT: _l("Facilities and equipment")}


class TransferMode:
    FREE = "free"
    SWAP = "swap"
    OTHER = "other"
    LABELS = {FREE: _l("Free transfer"), SWAP: _l("Swap"), OTHER: _l("Other agreed arrangement")}


class AssetStatus:
    PROPOSED = "proposed"
    APPROVED = "approved"
    RETURNED = "returned"
    HANDED_OVER = "handed_over"
    CONFIRMED = "confirmed"
    LABELS = {PROPOSED: _l("Waiting for approval"), APPROVED: _l("Approved"), RETURNED: _l("Returned for revision"),
              HANDED_OVER: _l("Handed over, waiting for confirmation"), CONFIRMED: _l("Received")}
    CSS = {PROPOSED: "info", APPROVED: "primary", RETURNED: "warning", HANDED_OVER: "info", CONFIRMED: "success"}


NO_NEW_BUILD = _l("Policy 二(五): townships and communities do not require the enterprise to build or fund new "
                  "venues; only the enterprise proposes the assets it has.")


def mode_problem(divisible, mode, arrangement):
    if mode not in TransferMode.LABELS:
        return _l("Not a valid choice.")
    if divisible and mode != TransferMode.FREE:
        return _l("Policy 二(五): an asset that can be divided is handed over free of charge as it is.")
    if not divisible and mode == TransferMode.FREE:
        return _l("Policy 二(五): an asset that cannot be divided is swapped or otherwise arranged with the "
                  "township or community.")
    if mode != TransferMode.FREE and not (arrangement or "").strip():
        return _l("Describe the arrangement agreed with the township or community.")
    return None


def may(roles, user_org_id, action, asset=None, supervising_dept_id=None, recipient_path=None, user_path=None):
    """Who may take which step on an asset (one answer for the service, the views and the templates)."""
    roles = set(roles)
    status = getattr(asset, "status", None)
    own = "enterprise" in roles and asset is not None and user_org_id == asset.enterprise_id
    if action == "propose":
        return "enterprise" in roles
    if action == "edit":
        return own and status in (AssetStatus.PROPOSED, AssetStatus.RETURNED)
    if action == "review":
        return "sasac" in roles and status == AssetStatus.PROPOSED and (
            supervising_dept_id is None or supervising_dept_id == user_org_id)
    if action == "hand_over":
        return own and status == AssetStatus.APPROVED
    if action in ("confirm", "record_use"):
        expected = AssetStatus.HANDED_OVER if action == "confirm" else AssetStatus.CONFIRMED
        # the recipient itself, or the township above a receiving community
        return bool(roles & {"township", "community"}) and status == expected and recipient_path is not None \
            and user_path is not None and recipient_path.startswith(user_path)
    return False
