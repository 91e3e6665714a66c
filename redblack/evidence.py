"""Evidence uploads (佐证材料): bounded size, type checked on the content (not only the name), stored under
MEDIA_ROOT with a name of our own, served only to those who may read what they belong to."""
from __future__ import annotations

import hashlib
import uuid
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from liangshan_edu.roles import can_read_county
from redblack import conf
from redblack.models import Evidence

# Extension → (content type, how the file starts). Office files are ZIP containers.
TYPES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
}


class EvidenceError(ValueError):
    pass


def check(upload) -> tuple[str, bytes]:
    """The extension of an acceptable upload and its bytes; ``EvidenceError`` with a message otherwise."""
    limit = conf.evidence_max_bytes()
    if upload.size is not None and upload.size > limit:
        raise EvidenceError(_("文件“%(name)s”超过 %(mb)s MB。") % {"name": upload.name, "mb": limit // (1024 * 1024)})
    ext = PurePath(upload.name or "").suffix.lower().lstrip(".")
    if ext not in TYPES:
        raise EvidenceError(_("文件“%(name)s”的类型不受支持（可上传 PDF、PNG、JPG、DOCX、XLSX）。") % {"name": upload.name})
    data = b"".join(upload.chunks())
    if len(data) > limit:
        raise EvidenceError(_("文件“%(name)s”超过 %(mb)s MB。") % {"name": upload.name, "mb": limit // (1024 * 1024)})
    if not data.startswith(TYPES[ext][1]):
        raise EvidenceError(_("文件“%(name)s”的内容与扩展名不符。") % {"name": upload.name})
    return ext, data


def store(user, upload, *, report=None, appeal=None) -> Evidence:
    ext, data = check(upload)
    evidence = Evidence(report=report, appeal=appeal, name=PurePath(upload.name).name[:200], size=len(data),
                        sha256=hashlib.sha256(data).hexdigest(), uploaded_by=user)
    evidence.file.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(data), save=False)
    evidence.save()
    return evidence


def content_type(evidence: Evidence) -> str:
    return TYPES.get(PurePath(evidence.file.name).suffix.lower().lstrip("."), ("application/octet-stream",))[0]


def may_read(user, evidence: Evidence) -> bool:
    """Readers of everything, and the clerks and the responsible leader of the county the notice or the appeal
    concerns (they read their county as its clerks do)."""
    county_id = evidence.report.notice.county_id if evidence.report_id else evidence.appeal.county_id
    return can_read_county(user, county_id)
