"""What an indicator is asked for: the place (district, street, community type, community) and
the level its rows are grouped at. The sidebar, the URL, the command line and the report all
build a :class:`Filters`; every query of ``queries/`` takes its :meth:`Filters.params`.

Its own module, below the indicators and the retention curves, so both can use it without
importing each other.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

LEVELS = ("community", "street", "district", "community_type", "all")


@dataclass(frozen=True)
class Filters:
    """What the sidebar selects; None means no restriction."""

    district: str | None = None
    street: str | None = None
    community_type: str | None = None
    community_id: str | None = None

    def params(self, level: str = "community") -> dict[str, object]:
        if level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}")
        return {**asdict(self), "level": level}
