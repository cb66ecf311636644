"""Every model module, imported once so that FAB, Alembic and the audit listener see the whole schema."""
from app.audit.models import AuditChainHead, AuditCheckpoint, AuditLog  # noqa: F401
from app.org.models import Organization  # noqa: F401
from app.retirees.models import Retiree, RetireeCorrection  # noqa: F401
from app.security.models import OrgUser, SecurityCounter  # noqa: F401
from app.handover.models import HandoverBatch, HandoverCase, HandoverItem  # noqa: F401,E402
from app.party.models import PartyTransfer  # noqa: F401,E402
from app.archives.models import ArchiveTransfer  # noqa: F401,E402
from app.notify.models import Notification  # noqa: F401,E402
from app.uploads import StoredFile  # noqa: F401,E402
from app.monthly.models import MonthlyReport, MonthlyReportEvent  # noqa: F401,E402
from app.supervision import models as _supervision_models  # noqa: F401,E402
from app.workplan.models import WorkTask  # noqa: F401,E402
from app.plans import models as _plans_models  # noqa: F401,E402
from app.expenses.models import ExpenseHandling, ExpenseItem, ExpenseReview, LifeExpectancy  # noqa: F401,E402
from app.assets.models import RetireeAsset  # noqa: F401,E402
from app.staffing.models import StaffingRecord, StaffPlacement  # noqa: F401,E402
from app.funding.models import FundingRecord  # noqa: F401,E402
from app.benefits.models import BenefitLink  # noqa: F401,E402
from app.notices.models import NoticeRead, PolicyNotice  # noqa: F401,E402
