"""Who may use the roster survey's import (app/may.py): the users who write the ledger."""


def may(user, action, row=None):
    """import (upload a roster file, preview and commit it)."""
    from app.security.access import granted
    from app.security.roles import RETIREE, WRITE

    if action == "import":
        return granted(user, WRITE, RETIREE)
    return False
