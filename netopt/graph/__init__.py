"""Travel-time graphs: roads, land surface, bridges and island ferries (see docs/design.md)."""

from netopt.graph.along import EDGE_MEASURES, PathSums, path_sums
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
from netopt.graph.timetable import (
    exact_wait_min,
    next_departure_min,
    worst_wait_graph,
    worst_wait_min,
)

__all__ = [
    "DEFAULT_ROAD_SPEEDS_KMH",
    "EDGE_MEASURES",
    "MODES",
    "GraphOptions",
    "PathSums",
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
    "exact_wait_min",
    "ferry_wait_min",
    "graph_to_csr",
    "nearest_lead_seconds",
    "next_departure_min",
    "night_wait_min",
    "path_sums",
    "reachability",
    "reopen_wait_min",
    "route",
    "set_headway",
    "travel_times",
    "travel_times_at_clocks",
    "validate_graph",
    "worst_wait_graph",
    "worst_wait_min",
]
