"""Online basemaps, an optional extra: OpenStreetMap and Tianditu tile layers.

The maps need no tiles: the region's land and township polygons are the basemap, and a page
without tiles loads nothing from the network. Tile URLs appear in the page only as layer
templates that the browser fetches when it is online.
"""

from __future__ import annotations

from typing import Any

import folium

from netopt._errors import DataError, Problem

__all__ = ["check_tiles", "tile_layers"]

_TIANDITU = (("vec", "Tianditu (online)"), ("cva", "Tianditu labels"))


def _items(tiles: Any) -> list[Any]:
    if tiles is None:
        return []
    return [tiles] if isinstance(tiles, (str, folium.TileLayer)) else list(tiles)


def check_tiles(tiles: Any, tianditu_key: str | None) -> list[Problem]:
    """Return the problems of a ``tiles`` option (empty when it is valid).

    Parameters
    ----------
    tiles : None, str, folium.TileLayer or a sequence of them
        ``"openstreetmap"`` (or ``"osm"``), ``"tianditu"`` (needs ``tianditu_key``).
    tianditu_key : str or None

    Returns
    -------
    list of Problem
    """
    problems = []
    for item in _items(tiles):
        if isinstance(item, folium.TileLayer) or str(item).lower() in ("openstreetmap", "osm"):
            continue
        if str(item).lower() == "tianditu":
            if not tianditu_key:
                problems.append(
                    Problem(
                        "alliance_map",
                        "",
                        "tianditu_key",
                        "missing",
                        "pass tianditu_key=<your Tianditu browser key>",
                    )
                )
            continue
        problems.append(
            Problem(
                "alliance_map",
                "",
                "tiles",
                repr(item),
                "use None, 'openstreetmap', 'tianditu' or a folium.TileLayer",
            )
        )
    return problems


def tile_layers(tiles: Any, tianditu_key: str | None) -> list[folium.TileLayer]:
    """Return the tile layers a ``tiles`` option asks for (none for None).

    Parameters
    ----------
    tiles : None, str, folium.TileLayer or a sequence of them
        See :func:`check_tiles`.
    tianditu_key : str or None
        Written into the Tianditu tile URLs.

    Returns
    -------
    list of folium.TileLayer

    Raises
    ------
    DataError
        An unknown basemap, or Tianditu without a key.
    """
    problems = check_tiles(tiles, tianditu_key)
    if problems:
        raise DataError(problems)
    out = []
    for item in _items(tiles):
        if isinstance(item, folium.TileLayer):
            out.append(item)
        elif str(item).lower() in ("openstreetmap", "osm"):
            out.append(folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)"))
        else:  # tianditu
            for layer, label in _TIANDITU:
                url = (
                    f"https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS"
                    f"&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}&STYLE=default"
                    "&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
                    f"&tk={tianditu_key}"
                )
                out.append(
                    folium.TileLayer(
                        url,
                        name=label,
                        attr="&copy; Tianditu",
                        overlay=(layer == "cva"),
                        subdomains="01234567",
                        max_zoom=18,
                    )
                )
    return out
