"""Errors of the figure workflow. Each carries a message a clerk can act on (zh, translated to en)."""
from __future__ import annotations

from django.utils.translation import gettext as _

from liangshan_edu.formats import plain


class FigureError(Exception):
    """Base: ``status`` is the HTTP status the API answers with."""

    status = 400

    def __init__(self, message: str, problems: list | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class Invalid(FigureError):
    status = 400


class NotAllowed(FigureError):
    status = 403


class Locked(FigureError):
    status = 409


class WrongState(FigureError):
    status = 409


class Stale(FigureError):
    """A save based on an older version: refused, never merged (the newer figure is attached)."""

    status = 409

    def __init__(self, figure) -> None:
        self.figure = figure
        shown = plain(figure.value, none="—")
        super().__init__(
            _("该数据已被他人修改（当前版本%(version)s，当前值%(value)s，状态：%(status)s）。请刷新后再修改。") % {
                "version": figure.version, "value": shown, "status": figure.get_status_display()}
        )
