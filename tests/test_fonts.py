"""Chinese text renders as glyphs, not boxes, in the maps (real Chromium, offline).

Needs a CJK font (Debian's ``fonts-noto-cjk``, which ``.ci/run`` installs when missing): without
one the test is skipped with that reason, so a local run on a machine without the font passes
while CI runs the check.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from browser import offline_page, requires_chromium

from netopt import maps
from netopt.alliances import AllianceOptions, plan_alliances
from netopt.graph import build_graph
from netopt.solve import SolverParams

XIANGSHAN = Path(__file__).resolve().parents[1] / "geodata" / "xiangshan" / "region.toml"
#: A code point no font has a glyph for: every font draws its "missing glyph" box for it.
NO_GLYPH = "\U0010fffd"


def _cjk_fonts() -> list[str]:
    """Return the fonts fontconfig knows for simplified Chinese (empty without fc-list)."""
    if shutil.which("fc-list") is None:
        return []
    done = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
    )
    return [line for line in done.stdout.splitlines() if line.strip()]


requires_cjk_font = pytest.mark.skipif(
    not _cjk_fonts(),
    reason="no Chinese font installed (apt-get install fonts-noto-cjk; .ci/run installs it)",
)

#: Draw each character of ``chars`` alone on a canvas in the font of ``selector`` and return
#: the characters whose pixels equal those of the missing-glyph box drawn for ``box``, and
#: the number of distinct bitmaps among ``chars``.
_BOXES_JS = """([selector, chars, box]) => {
  const el = document.querySelector(selector);
  const style = getComputedStyle(el);
  const font = `${style.fontWeight} 32px ${style.fontFamily}`;
  const canvas = document.createElement("canvas");
  canvas.width = 48; canvas.height = 48;
  const ctx = canvas.getContext("2d", {willReadFrequently: true});
  const draw = (ch) => {
    ctx.clearRect(0, 0, 48, 48);
    ctx.font = font; ctx.textBaseline = "top"; ctx.fillStyle = "#000";
    ctx.fillText(ch, 4, 4);
    return Array.from(ctx.getImageData(0, 0, 48, 48).data).join(",");
  };
  const tofu = draw(box);
  const seen = new Set();
  const boxes = [];
  for (const ch of chars) {
    const pixels = draw(ch);
    seen.add(pixels);
    if (pixels === tofu) boxes.push(ch);
  }
  return {font: font, boxes: boxes, distinct: seen.size, text: el.textContent};
}"""


def chinese_chars(text: str) -> list[str]:
    """Return the distinct CJK ideographs of ``text`` in order of first appearance."""
    return list(dict.fromkeys(ch for ch in text if "\u4e00" <= ch <= "\u9fff"))


def glyph_check(page, selector: str, chars: list[str]) -> dict:
    """Return ``{font, boxes, distinct, text}`` for ``chars`` drawn in ``selector``'s font."""
    return page.evaluate(_BOXES_JS, [selector, chars, NO_GLYPH])


@pytest.fixture(scope="module")
def caveat_map(_synthetic_region_cached, tmp_path_factory):
    """A real alliance map of the synthetic region carrying Xiangshan's bilingual caveat."""
    caveat = tomllib.loads(XIANGSHAN.read_text(encoding="utf-8"))["caveat"]
    r = _synthetic_region_cached
    region = dataclasses.replace(r, metadata={**r.metadata, "caveat": caveat})
    plan = plan_alliances(
        region,
        build_graph(region),
        options=AllianceOptions(fixed_leads=("T1", "C1"), allow_outside_leads=True),
        params=SolverParams(time_limit_s=20),
    )
    path = tmp_path_factory.mktemp("fonts") / "plan.html"
    saved, _size = maps.save_map(maps.alliance_map(plan), path)
    return caveat, saved


def test_caveat_has_chinese():
    """Xiangshan's caveat carries Chinese text, so the glyph check below has something to check."""
    caveat = tomllib.loads(XIANGSHAN.read_text(encoding="utf-8"))["caveat"]
    assert len(chinese_chars(caveat)) >= 20


@pytest.mark.browser
@requires_chromium
@requires_cjk_font
def test_chinese_caveat_renders_glyphs_not_boxes(caveat_map, tmp_path):
    """Every Chinese character of the map's caveat is drawn as its own glyph, none as a box."""
    caveat, path = caveat_map
    chars = chinese_chars(caveat)
    with offline_page(path, screenshot=tmp_path / "caveat.png") as (page, report):
        found = glyph_check(page, ".netopt-caveat span", chars)
    assert report.ok, report.problems()
    assert all(ch in found["text"] for ch in chars)
    assert found["boxes"] == [], f"drawn as boxes in {found['font']}: {''.join(found['boxes'])}"
    # a box font draws one bitmap for every missing character; real glyphs all differ
    assert found["distinct"] == len(chars)
