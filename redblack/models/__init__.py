"""The red/black lists (红黑榜) with their rules, published versions and appeals, and supervision notices (督导通知)."""
from redblack.models.jobs import ListJob
from redblack.models.lists import Appeal, Entry, ListRule, Publication
from redblack.models.supervision import Evidence, NoticeEvent, NoticeView, PlanItem, ProgressReport, SupervisionNotice

__all__ = ["Appeal", "Entry", "Evidence", "ListJob", "ListRule", "NoticeEvent", "NoticeView", "PlanItem", "ProgressReport",
           "Publication", "SupervisionNotice"]
