"""What the export command offers and how it refuses, without what builds its tables.

The command line needs the choices to parse its arguments and the error to answer any
command; :mod:`community_eval.report.export` builds the tables from every indicator (pandas,
scipy), which only ``export`` and ``report`` should pay for (issue 20).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from community_eval.indicators.names import NAMES

if TYPE_CHECKING:
    from community_eval.core.i18n import Translator

#: The indicators the command writes, in the order its help lists them.
INDICATORS = NAMES
FORMATS = ("csv", "json")


class ExportError(Exception):
    """Why an export cannot be made, as a message key and its parameters (never a traceback)."""

    def __init__(self, key: str, status: int = 1, **params: object) -> None:
        super().__init__(f"{key}: {params}")
        self.key = key
        self.status = status
        self.params = params


def message(tr: Translator, key: str, **params: object) -> str:
    """The sentence for ``key`` in the reader's language."""
    return tr(key, **params)
