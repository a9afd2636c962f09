"""Folium maps of alliance plans and rotation schedules, for officials, working offline.

:func:`alliance_map` draws one scenario run (:class:`netopt.scenario.Result`: its plan, its
rotation schedule and the travel network as it ran) or a bare
:class:`~netopt.alliances.AlliancePlan`; :func:`compare_map` puts two to four runs side by side
on synchronised maps (``scenarios=`` names which); :func:`save_map` writes a self-contained HTML
file.

Design choices:

* **Offline first.** The page embeds Leaflet, Leaflet.markercluster and Font Awesome icons from
  their ``xstatic-*`` PyPI packages (:mod:`netopt._offline`); no CDN, no tiles by default. The
  region's land and township polygons are the basemap; OpenStreetMap or Tianditu tiles can be
  added as online extras (``tiles=``).
* **Light.** Resident zones are not drawn one by one: Voronoi cells of the zones (or the zone
  polygons) are dissolved into one area per alliance and one per travel-time band, clipped to
  the land, simplified to screen precision and written with 5 decimals (about 1 m). Points and
  lines are one GeoJSON layer each, drawn on a canvas; facility markers are clustered above
  ``cluster_threshold``.
* **Safe.** Every text that comes from data (names, ids, specialties) is HTML-escaped in
  Python before it reaches the page, and all data is embedded as JSON with ``<``, ``>`` and
  ``&`` escaped, so a facility named ``<img src=x onerror=alert(1)>`` is shown as text.
* **Colour-blind safe.** Alliances use Paul Tol's *muted* palette: one colour each up to its
  nine colours, beyond that assigned so that neighbouring catchments differ; travel-time
  bands use Tol's sequential *YlOrBr*.
* **Drawing never routes.** Rotation lines come from the schedule's ``routes`` table; the
  network as a run used it (closed ferries, changed timetables, new and closed links, night)
  is read from the run's graph records (:mod:`netopt.maps.network`); this package does not
  import :mod:`netopt.graph`.
* **Honest.** Every map shows the region's data caveat (:func:`netopt.maps.text.data_caveat`)
  and each stage's status in words (:func:`netopt.solve.status.stage_text`); the panels never
  cover the region when the page opens (the view is fitted to the space they leave), and the
  KPI panel collapses with a button.

Modules: ``options`` (:class:`MapOptions`), ``styles`` (palette, band colours, ferry styles,
icon sizes, CSS), ``text`` (escaping, number formats, popups, the data caveat), ``i18n`` (the
labels' catalogue ``MESSAGES`` and one ``locale/<lang>.json`` per other language, re-exported by
``text``), ``tables`` (the plan's tables joined for drawing),
``geometry`` (zone cells, dissolved catchments, GeoJSON features), ``elements`` (the Folium
elements: GeoJSON layer, collapsible panel, full-screen button, view fitted around the panels,
maps side by side), ``tiles`` (online basemaps), ``layers`` (land, catchments, bands, zones,
flows, facilities), ``network`` (the network as a run used it), ``network_layers`` (ferries in
their run state, new and closed links), ``rotation_layers`` (expert rotations), ``panels``
(legend, KPI panel, caveat), ``draw`` (:func:`alliance_map`, :func:`compare_map`), ``save``
(:func:`save_map`).
"""

from netopt.maps.draw import alliance_map, compare_map
from netopt.maps.geometry import dissolve_cells, zone_cells
from netopt.maps.network import NetworkState, network_state
from netopt.maps.options import MapOptions
from netopt.maps.save import save_map
from netopt.maps.styles import BAND_COLOURS, PALETTE

__all__ = [
    "BAND_COLOURS",
    "PALETTE",
    "MapOptions",
    "NetworkState",
    "alliance_map",
    "compare_map",
    "dissolve_cells",
    "network_state",
    "save_map",
    "zone_cells",
]
