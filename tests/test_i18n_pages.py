"""Chinese pages without English: a zh run and comparison of the synthetic region, read as
text (no browser), keep English only in names and codes from the data and a short list."""

from __future__ import annotations

import html
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import offline_page, requires_chromium
from scenario_files import SYNTHETIC, scenario_file

from netopt._notes import Note, joined, name_in, term
from netopt.cli import main
from netopt.io import load_region
from netopt.maps.text import note_text, use_language

#: English words a Chinese page may keep besides the data's names and codes: the product,
#: abbreviations with no Chinese form in use (conditions, guideline bodies), file formats,
#: and units.
ALLOWED = {
    "netopt",
    "KPI",
    "JSON",
    "CSV",
    "GeoPackage",
    "ics",
    "STEMI",
    "PCI",
    "SFCA",
    "min",
    "km",
    "pp",
    "inf",
    "AHA",
    "ASA",
    "ESO",
    "ESC",
    "WHO",
    "ACS",
}

#: Code in the text (config keys, KPI keys, file and table names such as
#: ``max_travel_min``, ``kpis.json``, ``[model]``, ``p=2``): kept as they are.
_CODE = re.compile(r"\[\w+(?:\.\w+)*\]|\b\w+(?:[._]\w+)+\b|\b\w+\s?=\s?\S+")
_WORD = re.compile(r"[A-Za-z]{2,}")


class _Texts(HTMLParser):
    """Text nodes and titles of a page; in its own scripts, the HTML inside string
    literals (popups, tooltips) and the layer names (vendored libraries left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.tag = ""
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tag = tag
        self.out += [v for k, v in attrs if k in ("title", "aria-label", "alt") and v]

    def handle_data(self, data: str) -> None:
        if self.tag == "style":
            return
        if self.tag != "script":
            self.out.append(data)
            return
        if data.lstrip().startswith("/*") or "L.Icon.Default.imagePath" in data:
            return  # Leaflet and its icons
        for literal in re.findall(r'"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`', data):
            raw = literal[0] or literal[1]
            try:
                text = json.loads(f'"{raw}"') if literal[0] else raw
            except ValueError:
                text = raw
            if "<" in text:
                inner = _Texts()
                inner.feed(text)
                self.out += inner.out
        # layer control: "name" : feature_group_...
        self.out += [json.loads(f'"{n}"') for n in re.findall(r'"([^"]+)"\s*:\s*\w+_\w{32}', data)]


def english_left(page: str, allowed: set[str]) -> list[str]:
    """The texts of a page with an English word that is not data, code or :data:`ALLOWED`."""
    parser = _Texts()
    parser.feed(page)
    left = []
    for text in parser.out:
        plain = html.unescape(text).strip()
        for name in sorted(allowed, key=len, reverse=True):
            if name and name in plain:
                plain = plain.replace(name, " ")
        plain = _CODE.sub(" ", plain)
        if any(w not in ALLOWED for w in _WORD.findall(plain)):
            left.append(text.strip())
    return sorted(set(left))


def _data_texts(folder: Path) -> set[str]:
    """Names and codes from the region's data and the scenarios (shown as they are)."""
    region = load_region(folder)
    out = {region.name}
    for frame in (region.facilities, region.zones, region.ferries, region.links):
        if frame is None:
            continue
        for column in frame.columns:
            if frame[column].dtype == object:
                out |= {str(v) for v in frame[column].dropna() if isinstance(v, str)}
        out |= {str(i) for i in frame.index}
    scenarios = {"today", "storm", "Scenario today", "Scenario storm"}  # names and titles
    return {t for t in out if t.strip()} | scenarios


@pytest.fixture(scope="module")
def chinese_comparison(tmp_path_factory) -> Path:
    """`netopt compare today storm --lang zh` on the synthetic region (a ferry closed)."""
    tmp = tmp_path_factory.mktemp("zh_pages")
    today = scenario_file(tmp, "today")
    storm = scenario_file(tmp, "storm", '[modifiers]\nclose_ferries = ["F1"]\n')
    argv = ["compare", str(today), str(storm), "--lang", "zh", "-o", str(tmp / "out"), "-q"]
    assert main(argv, out=io.StringIO(), err=io.StringIO()) == 0
    return tmp / "out"


@pytest.mark.parametrize(
    "page",
    [
        "today/report.html",
        "storm/report.html",
        "today/map.html",
        "storm/map.html",
        "comparison.html",
        "compare_map.html",
    ],
)
def test_chinese_pages_keep_no_english_but_names(chinese_comparison, page) -> None:
    """Every text node, title, popup, tooltip and layer name of a zh page is Chinese, apart
    from the data's names and codes, code in the text and the short ALLOWED list."""
    text = (chinese_comparison / page).read_text(encoding="utf-8")
    assert english_left(text, _data_texts(SYNTHETIC)) == []


def test_chinese_report_has_notes_definitions_and_warnings(chinese_comparison) -> None:
    """The storm's report names the cut-off residents and over-capacity lead in Chinese, its
    KPI definitions are Chinese, and its warnings section lists the unreachable pairs."""
    report = (chinese_comparison / "storm" / "report.html").read_text(encoding="utf-8")
    assert "关闭的渡口或通道恢复前与外界隔绝" in report and "牵头医院容量不足" in report
    assert "所有小区 t_lead_min 的人口加权平均值" in report
    assert "<h2>警告</h2>" in report and "个起讫点对中有" in report
    record = json.loads((chinese_comparison / "storm" / "kpis.json").read_text("utf-8"))
    assert record["language"] == "zh"
    assert any(n["key"] == "note.cut_off" for n in record["notes"] if isinstance(n, dict))
    assert record["messages"][0] == record["notes"][0]["text"]  # English kept for logs


def test_a_note_is_english_text_and_renders_in_chinese() -> None:
    """A Note is its English message (str); its key and fields render it in Chinese, with
    the Chinese facility name and translated terms; its JSON form renders the same."""
    fac = {"name": "Xiangshan First People's Hospital", "name_zh": "象山县第一人民医院"}
    note = Note(
        "note.upgrades",
        listed=joined([Note("note.name_id", name=name_in(fac, "XS-H01"), id="XS-H01")]),
        cost="1,000",
        status=term("stage.time_limit", "time_limit"),
        gap="1.00%",
    )
    assert note == (
        "upgrades to hospital-level sub-centres: Xiangshan First People's Hospital (XS-H01); "
        "stated cost 1,000 yuan (upgrade model time_limit, gap 1.00%)"
    )
    zh = note_text(note, "zh")
    assert "象山县第一人民医院（XS-H01）" in zh and "达到时限" in zh and "upgrade" not in zh
    assert note_text(json.loads(json.dumps(note.to_dict())), "zh") == zh
    assert note_text("optimal", "zh") == "最优"  # plain text: translated as a label


@requires_chromium
def test_chinese_comparison_pages_in_offline_chromium(chinese_comparison) -> None:
    """The zh comparison and its side-by-side map open offline without errors; what Chromium
    shows of them is Chinese but for the data's names and codes."""
    allowed = _data_texts(SYNTHETIC)
    with offline_page(chinese_comparison / "comparison.html") as (page, report):
        assert page.evaluate("document.documentElement.lang") == "zh"
        headings = page.locator("h1, h2").all_inner_texts()
        body = page.locator("body").inner_text()
    assert report.ok, report.problems()
    assert headings[0] == "情景比较" and "主要指标" in headings
    assert english_left(f"<p>{html.escape(body)}</p>", allowed) == []
    with offline_page(chinese_comparison / "compare_map.html") as (page, report):
        assert page.evaluate("document.documentElement.lang") == "zh"
        layers = page.evaluate(
            "[...document.querySelectorAll('.leaflet-control-layers')]"
            ".map(e => e.textContent).join(' ')"
        )
    assert report.ok, report.problems()
    assert "医共体服务范围" in layers and "Alliance catchments" not in layers


def test_scenario_language_is_read_checked_and_written(tmp_path) -> None:
    """A scenario's top-level language is read (and inherited through extends), written by
    to_dict, part of the fingerprint, and an unknown one is a DataError naming the key."""
    from netopt._errors import DataError
    from netopt.scenario import Scenario

    base = scenario_file(tmp_path, "base")
    zh = tmp_path / "zh.toml"
    zh.write_text(f'extends = "{base.name}"\nlanguage = "zh"\n', encoding="utf-8")
    child = tmp_path / "child.toml"
    child.write_text('extends = "zh.toml"\n', encoding="utf-8")
    s, plain = Scenario.from_toml(zh), Scenario.from_toml(base)
    assert s.language == "zh" and plain.language is None
    assert Scenario.from_toml(child).language == "zh"
    assert s.to_dict()["language"] == "zh" and "language" not in plain.to_dict()
    assert Scenario.from_dict(s.to_dict(), base_dir=tmp_path).language == "zh"
    assert s.fingerprint() != plain.replace(name="zh").fingerprint()
    assert s.page_language() == "zh" and plain.page_language() == "en"
    with use_language("en"):
        assert s.page_language() == "en"  # --lang wins over the scenario
    bad = tmp_path / "bad.toml"
    bad.write_text(f'extends = "{base.name}"\nlanguage = "fr"\n', encoding="utf-8")
    with pytest.raises(DataError, match="language") as err:
        Scenario.from_toml(bad)
    assert any(p.field == "language" and "zh" in p.fix for p in err.value.problems)


def test_scenario_language_beats_the_region_and_a_rerun_in_another_language_rewrites(
    tmp_path, region_folder
) -> None:
    """Region zh, scenario en: English pages; the same folder run again with --lang zh is
    not reused (its pages are rewritten in Chinese), and run once more with --lang zh it is."""
    name = 'name = "Synthetic Bay County"'
    zh_region = region_folder(toml=[(name, f'{name}\nlanguage = "zh"')])
    files = []
    for n, lang in (("a", "en"), ("b", None)):
        path = scenario_file(tmp_path, n)
        text = path.read_text(encoding="utf-8").replace(SYNTHETIC.as_posix(), zh_region.as_posix())
        path.write_text((f'language = "{lang}"\n' if lang else "") + text, encoding="utf-8")
        files.append(str(path))
    out = tmp_path / "out"

    def compare(*extra: str) -> str:
        text = io.StringIO()
        assert main(["compare", *files, "-o", str(out), *extra], out=text, err=io.StringIO()) == 0
        return text.getvalue()

    first = compare()
    lang = {p: _lang(out / p) for p in ("a/report.html", "a/map.html", "b/report.html")}
    assert lang == {"a/report.html": "en", "a/map.html": "en", "b/report.html": "zh"}
    # the comparison follows the first scenario (English), and so does the summary
    assert _lang(out / "comparison.html") == "en" and "Scenario comparison" in first
    assert "Reused" not in first
    second = compare("--lang", "zh")
    assert "沿用已保存的输出" not in second and "情景比较" in second  # nothing reused
    for page in ("a/report.html", "a/map.html", "b/report.html", "comparison.html"):
        assert _lang(out / page) == "zh", page
    assert _lang(out / "compare_map.html") == "zh"  # redrawn in the new language
    third = compare("--lang", "zh")
    assert "沿用已保存的输出：a, b" in third


def _lang(path: Path) -> str:
    match = re.search(r'<html lang="(\w+)"', path.read_text(encoding="utf-8"))
    assert match, path
    return match.group(1)


def test_cli_summary_in_chinese(tmp_path) -> None:
    """`netopt run --lang zh` prints the KPI table's headers, KPI labels, stages and headline
    lines in Chinese; without --lang they are English."""
    path = scenario_file(tmp_path, "today")
    out = io.StringIO()
    argv = ["run", str(path), "--lang", "zh", "-o", str(tmp_path / "zh")]
    assert main(argv, out=out, err=io.StringIO()) == 0
    text = out.getvalue()
    for zh in (
        "指标",
        "本方案",
        "简单基准",
        "至医共体牵头医院平均通行时间",
        "牵头医院：",
        "输出：",
    ):
        assert zh in text, zh
    assert "医共体方案：" in text and "说明：牵头医院容量不足" in text
    for en in ("this plan", "naive baseline", "Leads:", "Outputs:", "Note:"):
        assert en not in text
    english = io.StringIO()
    assert main(["run", str(path), "-o", str(tmp_path / "en")], out=english, err=io.StringIO()) == 0
    assert "naive baseline" in english.getvalue() and "Leads:" in english.getvalue()


def test_cli_groups_netopt_warnings_like_log_warnings() -> None:
    """warnings.warn(NetoptWarning) inside a command is held and grouped by cause with a
    count, as the log's warnings are; other categories are left alone."""
    import warnings

    from netopt._errors import NetoptWarning
    from netopt.cli import _GroupedWarnings, _warnings_to

    err = io.StringIO()
    handler = _GroupedWarnings(err)
    with _warnings_to(handler):
        for _ in range(5):
            warnings.warn("polygon replaced by its centroid", NetoptWarning, stacklevel=1)
        warnings.warn("a CRS was reprojected", NetoptWarning, stacklevel=1)
    assert err.getvalue() == ""  # nothing printed before the end
    handler.summarise()
    lines = err.getvalue().splitlines()
    assert lines == [
        "WARNING NetoptWarning: polygon replaced by its centroid (5 times)",
        "WARNING NetoptWarning: a CRS was reprojected",
    ]


def test_grouped_warnings_render_in_the_page_language() -> None:
    """A group of templated warnings reads "<cause>: N times, first: ..." in English and in
    Chinese on a zh page (the cause and known messages through the catalogue)."""
    import logging

    from netopt._warning_groups import WarningGroups
    from netopt.maps.notes_report import warning_lines

    groups = WarningGroups()
    log = logging.getLogger("netopt.test")
    log.addHandler(groups)
    try:
        for n in range(5):
            log.warning(
                "rotation shortfall: %s",
                f"V{n}, cardiology: needs 2 visit(s) "
                "(one every 14 days over 28), gets 0, longest gap 28 days: short by 2",
            )
        log.warning("%d of %d origin-destination pairs unreachable", 3, 10)
    finally:
        log.removeHandler(groups)
    record = {"warnings": groups.groups()}
    first, second = record["warnings"]
    assert first["count"] == 5 and first["cause"] == "rotation shortfall"
    assert first["text"].startswith("rotation shortfall: 5 times, first: V0, cardiology")
    assert second["text"] == "3 of 10 origin-destination pairs unreachable"
    with use_language("zh"):
        zh = warning_lines(record)
    assert zh[0].startswith("巡诊次数不足：5 次，例如：V0，cardiology：需要 2 次巡诊")
    assert zh[1] == "10 个起讫点对中有 3 个不可达"
