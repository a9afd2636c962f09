r"""Three tiers: city or tertiary hospitals hosting county alliance leads.

A county lead can be hosted by a partner hospital (given in the data, or chosen by the
optimiser among candidates with the capacity each offers). The package has five parts:

**Options** (:mod:`~netopt.hosting.options`). :class:`HostingLink` (partner, lead, capacity,
follow-up share and levels), :class:`HostingCandidate` and :class:`HostingOptions`, read from
region.toml ``[[hosting]]`` rows or a scenario's ``[hosting]`` table
(:meth:`HostingOptions.from_dict`). The follow-up share default, :data:`FOLLOWUP_SHARE` =
0.75, is an ESTIMATE (9 of the 12 cycles of an adjuvant FOLFOX course at home).

**Model** (:mod:`~netopt.hosting.model`). On a plan's :class:`netopt.flows.Flows`: (a) the
hosted zones' visits at the transfer levels at other hospitals outside the area move to the
partner where it is no farther (within its capacity, largest saving first); (b) a share of
their recurring visits at the partner happen at the county hospital where that is nearer.
Every move goes to a facility no farther for the zone: hosting never raises patient-hours.

**Choice** (:mod:`~netopt.hosting.choose`). :func:`choose_partners`: each lead to at most one
candidate, minimising the patient-hours left under the partners' capacities (an exact branch
and bound; status, objective, bound and gap in a :class:`netopt.solve.SolveResult`).

**Result** (:mod:`~netopt.hosting.result`). :class:`Hosting`: the link and zone tables,
savings by island and township, :meth:`~Hosting.kpis` and :meth:`~Hosting.record` (the
``kpis.json`` ``"hosting"`` entry).

**Planner** (:mod:`~netopt.hosting.planner`). :func:`plan_hosting` on an
:class:`netopt.alliances.AlliancePlan`.
"""

from netopt.hosting.choose import choose_partners, hosting_costs
from netopt.hosting.model import LinkEffect, host_flows, host_visits
from netopt.hosting.options import (
    FOLLOWUP_LEVELS,
    FOLLOWUP_SHARE,
    HostingCandidate,
    HostingLink,
    HostingOptions,
)
from netopt.hosting.planner import plan_hosting
from netopt.hosting.result import (
    HOSTING_KPIS,
    LINK_COLUMNS,
    PLACE_COLUMNS,
    ZONE_COLUMNS,
    Hosting,
    hosting_tables,
)

__all__ = [
    "FOLLOWUP_LEVELS",
    "FOLLOWUP_SHARE",
    "HOSTING_KPIS",
    "LINK_COLUMNS",
    "PLACE_COLUMNS",
    "ZONE_COLUMNS",
    "Hosting",
    "HostingCandidate",
    "HostingLink",
    "HostingOptions",
    "LinkEffect",
    "choose_partners",
    "host_flows",
    "host_visits",
    "hosting_costs",
    "hosting_tables",
    "plan_hosting",
]
