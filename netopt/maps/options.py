"""How a map is drawn (:class:`MapOptions`): basemaps, bands, clustering, precision, panels.

:func:`~netopt.maps.alliance_map` and :func:`~netopt.maps.compare_map` take these as keyword
arguments and check them once, here, listing every problem in one
:class:`~netopt.DataError`.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import folium

from netopt._errors import DataError, Problem
from netopt._options import OptionsMixin
from netopt.maps.text import LANGUAGES
from netopt.maps.tiles import check_tiles

__all__ = ["MapOptions"]

_BAND_TIMES = ("nearest", "assigned")
_ROTATION_LAYERS = ("auto", "expert", "week")


@dataclass(frozen=True)
class MapOptions(OptionsMixin):
    """Drawing options of :func:`~netopt.maps.alliance_map` (all keyword arguments there).

    Parameters
    ----------
    tiles : None, str, folium.TileLayer or a sequence of them
        Online basemaps: ``"openstreetmap"``, ``"tianditu"`` (needs ``tianditu_key``). None
        (default): no tiles, the page needs no network.
    tianditu_key : str, optional
        Tianditu browser key (it is written into the page).
    bands_min : sequence of float
        Travel-time band limits in minutes, increasing, default ``(15, 30, 60)``.
    band_time : {"nearest", "assigned"}
        Bands by time to the nearest lead (default) or to the zone's own lead.
    cluster_threshold : int
        Cluster a facility layer's markers when it has more than this many (default 500).
    max_zone_features : int
        Draw the zones as points only up to this many (default 5000).
    tolerance_deg : float, optional
        Simplification tolerance in degrees; default 1/4000 of the region's extent (a quarter
        of a pixel on a 1000-pixel-wide view of the whole region).
    precision : int
        Decimals of the coordinates written, 0..8 (default 5, about 1 m).
    rotation_layers : {"auto", "expert", "week"}
        One rotation layer per expert or per week; ``"auto"`` (default) draws one per
        expert up to 8 experts with visits, else one per week.
    kpis : sequence of str, optional
        KPI keys for the panel (default: :func:`netopt.kpis.kpis_in` ``("panel")``, those the
        plan has).
    fullscreen : bool
        Add the full-screen button (default True).
    lang : str, optional
        Language of the page's labels, one of :data:`netopt.maps.text.LANGUAGES` (``"zh"``:
        simplified Chinese); default the one set by :func:`netopt.maps.text.use_language`,
        else ``"en"``.

    Raises
    ------
    DataError
        Every invalid option, listed together.
    """

    tiles: Any = None
    tianditu_key: str | None = None
    bands_min: Sequence[float] = (15, 30, 60)
    band_time: str = "nearest"
    cluster_threshold: int = 500
    max_zone_features: int = 5000
    tolerance_deg: float | None = None
    precision: int = 5
    rotation_layers: str = "auto"
    kpis: Sequence[str] | None = None
    fullscreen: bool = True
    lang: str | None = None

    def __post_init__(self) -> None:
        if self.tiles is not None and not isinstance(self.tiles, (str, folium.TileLayer)):
            object.__setattr__(self, "tiles", tuple(self.tiles))
        if self.kpis is not None:
            object.__setattr__(self, "kpis", tuple(self.kpis))
        problems = []
        b = _numbers(self.bands_min)
        if b is None or not b or any(not (x > 0) for x in b) or b != sorted(b):
            problems.append(
                _problem(
                    "bands_min",
                    repr(self.bands_min),
                    "give increasing positive minutes, e.g. (15, 30, 60)",
                )
            )
        else:
            object.__setattr__(self, "bands_min", tuple(self.bands_min))
        if self.band_time not in _BAND_TIMES:
            problems.append(
                _problem("band_time", repr(self.band_time), "use 'nearest' or 'assigned'")
            )
        if self.rotation_layers not in _ROTATION_LAYERS:
            problems.append(
                _problem(
                    "rotation_layers", repr(self.rotation_layers), "use 'auto', 'expert' or 'week'"
                )
            )
        if not (_is_int(self.precision) and 0 <= int(self.precision) <= 8):
            problems.append(
                _problem("precision", repr(self.precision), "use 0..8 decimals (5 is about 1 m)")
            )
        if self.lang is not None and self.lang not in LANGUAGES:
            problems.append(_problem("lang", repr(self.lang), f"use one of {list(LANGUAGES)}"))
        problems += check_tiles(self.tiles, self.tianditu_key)
        if problems:
            raise DataError(problems)


def _numbers(values: Any) -> list[float] | None:
    try:
        return [float(x) for x in values]
    except (TypeError, ValueError):
        return None


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _problem(name: str, found: str, fix: str) -> Problem:
    return Problem("alliance_map", "", name, found, fix)
