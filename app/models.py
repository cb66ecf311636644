"""Every model module, imported once so that FAB, Alembic and the audit listener see the whole schema."""
from app.audit.models import AuditLog  # noqa: F401
from app.org.models import Organization  # noqa: F401
from app.retirees.models import Retiree  # noqa: F401
from app.security.models import OrgUser  # noqa: F401
