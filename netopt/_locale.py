"""Where the pages' message catalogues live, and which languages they give (no netopt imports).

Every language is one ``<lang>.json`` file in :data:`LOCALE_DIR` (package data); English,
``en.json``, is the reference catalogue (:data:`netopt.maps.i18n.MESSAGES`). Both the region.toml check
(:mod:`netopt.io.config`) and the maps (:mod:`netopt.maps.i18n`) read the list from here.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["LOCALE_DIR", "page_languages"]

#: The folder of the languages' catalogues, one ``<lang>.json`` each (``en.json`` included).
LOCALE_DIR = Path(__file__).parent / "maps" / "locale"


def page_languages() -> tuple[str, ...]:
    """Return the languages of the pages: ``"en"``, then one per catalogue file, sorted.

    Returns
    -------
    tuple of str
    """
    return ("en", *sorted(p.stem for p in LOCALE_DIR.glob("*.json") if p.stem != "en"))
