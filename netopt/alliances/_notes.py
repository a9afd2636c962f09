"""What the planner is told: plan messages and argument errors of the alliance planner."""

from __future__ import annotations

import logging

from netopt._errors import DataError, Problem

__all__ = ["argument_error", "note"]

logger = logging.getLogger("netopt.alliances")


def note(messages: list[str], msg: str) -> None:
    """Log a planner-facing message and keep it for the plan's ``messages``."""
    logger.warning(msg)
    messages.append(msg)


def argument_error(file: str, field: str, found: str, fix: str) -> DataError:
    """A DataError about an argument of :func:`~netopt.alliances.plan_alliances` or an option."""
    return DataError(Problem(file, "", field, found, fix))
