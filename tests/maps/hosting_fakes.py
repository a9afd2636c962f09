"""A real hosting of the synthetic region, built once per session, and variants of it.

T1 (Ningbo First Hospital, a tertiary hospital outside the area) hosts the county lead C1;
:func:`two_links` adds a second link, chosen by the optimiser, from T1 to C2 (Beiyu Island
Hospital) with a capacity and conditions referred up.
"""

from __future__ import annotations

import functools
import html as html_lib
import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd

from netopt.alliances import AllianceOptions, plan_alliances
from netopt.graph import build_graph
from netopt.hosting import Hosting, HostingOptions, plan_hosting
from netopt.io import load_region
from netopt.region import Region

SYNTHETIC = Path(__file__).parents[1] / "data" / "synthetic"
#: The source of the given link (with markup, to see it escaped).
SOURCE = "Hubei pattern <Honghu>"
#: The figures of the chosen link of :func:`two_links`.
CHOSEN = {
    "lead": "C2",
    "lead_name": "Beiyu Island Hospital",
    "chosen": True,
    "capacity_per_year": 3000.0,
    "referrals_up_per_year": 12345.6,
    "followups_home_per_year": 2222.2,
    "followup_patient_hours_saved_per_year": 7777.7,
    "referral_patient_hours_saved_per_year": 1111.1,
    "followup_hours_saved_per_trip": 3.5,
    "added_load_per_year": 2222.2,
    "conditions_up": "stroke;stemi",
    "source": "chosen by the optimiser",
}


@functools.cache
def synthetic() -> tuple[Region, Hosting]:
    """The synthetic region and T1 hosting C1 (links given in the data)."""
    region = load_region(SYNTHETIC)
    plan = plan_alliances(region, build_graph(region), options=AllianceOptions(fixed_leads=("C1",)))
    options = HostingOptions.from_dict(
        {"links": [{"partner": "T1", "lead": "C1", "source": SOURCE}]}
    )
    return region, plan_hosting(plan, options=options)


def two_links() -> SimpleNamespace:
    """A stand-in hosting with the real link and a chosen one (only ``links``)."""
    _, hosting = synthetic()
    given = hosting.links.iloc[0].to_dict()
    return SimpleNamespace(links=pd.DataFrame([given, {**given, **CHOSEN}]))


def record(hosting: Any | None = None) -> dict[str, Any]:
    """The kpis.json record of a hosting (a JSON round trip, as a saved report reads it)."""
    hosting = synthetic()[1] if hosting is None else hosting
    return json.loads(json.dumps({"hosting": hosting.record()}))


def english_words(html: str, allowed: list[str]) -> set[str]:
    """Latin words of three letters or more in the text of ``html``, beyond ``allowed``."""
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", html))
    for name in sorted(allowed, key=len, reverse=True):
        text = text.replace(name, " ")
    return set(re.findall(r"[A-Za-z]{3,}", text))
