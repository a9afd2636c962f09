"""Load a :class:`~netopt.region.Region` from a folder with a ``region.toml``, and save one.

``region.toml`` names the file of each layer and maps the user's column names and tier
labels to ours, so nobody has to edit their data (the format is in ``docs/design.md`` and
the README). Loading collects every problem in every file in one pass and raises a single
:class:`~netopt._errors.DataError` listing them all.

Coordinates may be declared as WGS-84, GCJ-02 (converted to WGS-84 on load) or any CRS
pyproj understands; every layer of the returned region is in EPSG:4326 and
:attr:`Region.metric_crs` is the UTM zone of the facilities and zones.

Modules: :mod:`~netopt.io.config` (region.toml: tables, keys, defaults),
:mod:`~netopt.io.tables` (one layer's file to a frame), :mod:`~netopt.io.columns` (typed
columns), :mod:`~netopt.io.load` (:func:`load_region`), :mod:`~netopt.io.save`
(:func:`save_region`, :func:`dumps_toml`), :mod:`~netopt.io.fingerprint`
(:func:`region_fingerprint`). The CRS helpers live in :mod:`netopt._crs`.
"""

from netopt._crs import GCJ02, parse_crs, pick_metric_crs
from netopt.io.columns import WEEKDAYS, empty_layer
from netopt.io.fingerprint import region_fingerprint
from netopt.io.load import load_region
from netopt.io.save import dumps_toml, save_region

__all__ = [
    "GCJ02",
    "WEEKDAYS",
    "dumps_toml",
    "empty_layer",
    "load_region",
    "parse_crs",
    "pick_metric_crs",
    "region_fingerprint",
    "save_region",
]
