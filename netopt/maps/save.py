"""Write a map as one self-contained HTML file (:func:`save_map`), atomically.

Offline first: the page embeds Leaflet, Leaflet.markercluster and Font Awesome icons from
their ``xstatic-*`` PyPI packages (:mod:`netopt._offline`); no CDN. Saving refuses a page
that would still load a script, style or image from the internet.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import folium
from folium.plugins import DualMap

from netopt._atomic import atomic_path
from netopt._errors import NetoptError
from netopt._offline import external_resources, make_offline
from netopt.maps.elements import SideBySide

__all__ = ["save_map"]

logger = logging.getLogger(__name__)


def save_map(
    m: folium.Map | DualMap | SideBySide,
    path: str | os.PathLike[str],
    *,
    self_contained: bool = True,
) -> tuple[Path, int]:
    """Write a map as one HTML file, atomically.

    Parameters
    ----------
    m : folium.Map, folium.plugins.DualMap or netopt.maps.elements.SideBySide
        From :func:`alliance_map` or :func:`compare_map` (any Folium map works: its CDN
        links are replaced by embedded copies where a PyPI package ships them).
    path : path-like
        Target ``.html`` file; folders are created.
    self_contained : bool, keyword-only
        Embed scripts and styles (default). With False the page is written as Folium renders
        it.

    Returns
    -------
    path : pathlib.Path
    size : int
        File size in bytes (also logged).

    Raises
    ------
    NetoptError
        ``self_contained`` and the page would still load a script, style or image from the
        internet (an element without an offline copy); the URLs are listed.
    """
    path = Path(path)
    if self_contained:
        make_offline(m)
    text = m.get_root().render()
    lang = getattr(m, "netopt_lang", "en")  # alliance_map / compare_map: the labels' language
    text = text.replace("<html>", f'<html lang="{lang}">', 1)
    if self_contained:
        urls = external_resources(text)
        if urls:
            raise NetoptError(
                f"the map would load {len(urls)} resource(s) from the internet: "
                f"{', '.join(sorted(set(urls))[:5])}. Remove the elements that need them "
                "(folium.Icon needs awesome-markers: use folium.DivIcon or CircleMarker), "
                "or call save_map(..., self_contained=False)"
            )
    data = text.encode("utf-8")
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    logger.info("wrote map %s (%.2f MB)", path, len(data) / 1e6)
    return path, len(data)
