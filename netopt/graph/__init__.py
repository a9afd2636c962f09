"""Travel-time graphs: roads, land surface, bridges and island ferries (see docs/design.md)."""

from netopt.graph.build import MODES, TravelGraph, build_graph, validate_graph
from netopt.graph.ferry import ferry_wait_min, night_wait_min, reopen_wait_min
from netopt.graph.matrix import (
    TravelTimes,
    dijkstra_matrix,
    graph_to_csr,
    travel_times,
    travel_times_at_clocks,
)
from netopt.graph.modifiers import (
    add_departures,
    add_link,
    at_clock,
    at_night,
    close_ferry,
    close_link,
    drop_closed,
    emergency_mode,
    set_headway,
)
from netopt.graph.options import DEFAULT_ROAD_SPEEDS_KMH, GraphOptions
from netopt.graph.reachability import check_reachable, nearest_lead_seconds, reachability
from netopt.graph.route import Route, route

__all__ = [
    "DEFAULT_ROAD_SPEEDS_KMH",
    "MODES",
    "GraphOptions",
    "Route",
    "TravelGraph",
    "TravelTimes",
    "add_departures",
    "add_link",
    "at_clock",
    "at_night",
    "build_graph",
    "check_reachable",
    "close_ferry",
    "close_link",
    "dijkstra_matrix",
    "drop_closed",
    "emergency_mode",
    "ferry_wait_min",
    "graph_to_csr",
    "nearest_lead_seconds",
    "night_wait_min",
    "reachability",
    "reopen_wait_min",
    "route",
    "set_headway",
    "travel_times",
    "travel_times_at_clocks",
    "validate_graph",
]
