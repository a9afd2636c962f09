"""netopt: plan hospital alliances on travel-time graphs with roads and island ferries."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("netopt")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

from netopt._errors import DataError, InfeasibleError, NetoptError, NetoptWarning, Problem, SolverError
from netopt.region import Region

__all__ = [
    "__version__",
    "DataError",
    "InfeasibleError",
    "NetoptError",
    "NetoptWarning",
    "Problem",
    "Region",
    "SolverError",
]
