"""Languages of the pages: one message catalogue per language, complete, used by maps and reports."""

from __future__ import annotations

import ast
import io
import json
import string
from pathlib import Path

import pytest
from browser import offline_page, requires_chromium
from scenario_files import SYNTHETIC, scenario_file
from test_report import record

from netopt import maps
from netopt._errors import DataError
from netopt.cli import main
from netopt.io import load_region
from netopt.kpis import KPIS
from netopt.maps.text import (
    LANGUAGES,
    LOCALE_DIR,
    MESSAGES,
    catalogue,
    localise,
    message,
    translate,
    use_language,
)
from netopt.report import comparison_report, scenario_report
from netopt.scenario import compare

ROOT = Path(__file__).resolve().parents[1]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_chinese_is_a_language() -> None:
    """English and simplified Chinese are the languages; each other one is a locale file."""
    assert LANGUAGES[0] == "en" and "zh" in LANGUAGES
    assert sorted(p.stem for p in LOCALE_DIR.glob("*.json")) == sorted(LANGUAGES)


@pytest.mark.parametrize("lang", [x for x in LANGUAGES if x != "en"])
def test_every_catalogue_has_every_english_key_with_its_fields(lang: str) -> None:
    """A catalogue lacking a key of the English one (or a {field} of it) fails here."""
    english = catalogue("en")
    theirs = json.loads((LOCALE_DIR / f"{lang}.json").read_text(encoding="utf-8"))
    assert sorted(set(english) - set(theirs)) == []
    assert sorted(set(theirs) - set(english)) == []
    assert {k for k in english if _fields(english[k]) != _fields(theirs[k])} == set()
    assert all(theirs[k].strip() for k in english)
    assert {f"kpi.{k.key}" for k in KPIS} <= set(english)


def test_every_message_key_used_in_the_code_is_in_the_catalogue() -> None:
    """Each message("...") with a literal key in netopt/ names a key of MESSAGES."""
    used = set()
    for path in (ROOT / "netopt").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "message"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                used.add(node.args[0].value)
    assert len(used) > 40
    assert sorted(used - set(MESSAGES)) == []


def test_stage_texts_and_kpi_labels_translate() -> None:
    """Stage texts translate part by part; KPI labels by key or English text; names stay."""
    assert translate("evaluated", "zh") == "评估"
    assert translate("optimal", "zh") == "最优"
    assert translate("time limit, gap 10.3 %", "zh") == "达到时限，差距 10.3 %"
    assert translate("evaluated; feasible, gap < 0.1 %", "zh") == "评估；可行，差距 < 0.1 %"
    assert translate("not run", "zh") == "未运行"
    assert (
        translate("Mean travel time to the alliance lead", "zh") == "至医共体牵头医院平均通行时间"
    )
    assert translate("kpi.mean_lead_min", "zh") == "至医共体牵头医院平均通行时间"
    assert translate("Hospital One", "zh") == "Hospital One"
    assert translate("optimal", "en") == "optimal"
    with use_language("zh"):
        assert message("network.links", n="2") == "2 条新增连接"
    assert message("network.links", n="2") == "2 new link(s)"  # English outside the block
    with pytest.raises(KeyError, match="unknown language"), use_language("xx"):
        pass


def test_localise_translates_whole_text_nodes_only() -> None:
    """Only text nodes and titles that are a catalogue label change; <html lang> follows the
    language."""
    page = (
        '<html lang="en"><h2>Plan</h2><td> optimal </td><td>Plan B</td><td title="Plan">x</td>'
        '<td title="Plan B">y</td>'
    )
    assert localise(page, "zh") == (
        '<html lang="zh"><h2>方案</h2><td> 最优 </td><td>Plan B</td><td title="方案">x</td>'
        '<td title="Plan B">y</td>'
    )
    assert localise(page, "en") == page


def test_reports_in_chinese_carry_lang_and_chinese_labels() -> None:
    """A scenario report and a comparison written in zh: lang="zh", Chinese headings and KPIs."""
    one, two = record("a", "A", 30.0), record("b", "B", 25.0)
    one["definitions"] = two["definitions"] = {}
    with use_language("zh"):
        page = scenario_report(one)
        table = compare([one, two])
        both = comparison_report([one, two], table)
    for text in (page, both):
        assert '<html lang="zh">' in text
        assert "主要指标" in text and "至医共体牵头医院平均通行时间" in text
        assert "Mean travel time to the alliance lead" not in text
        assert "Key figures" not in text
    assert "最优" in page and "情景比较" in both
    assert '<html lang="en">' in scenario_report(one)  # English stays the default


def test_region_language_is_checked(region_folder) -> None:
    """region.toml language = "zh" is read; an unknown language is a DataError naming the key."""
    assert load_region(SYNTHETIC).language == "en"
    name = 'name = "Synthetic Bay County"'
    zh = region_folder(toml=[(name, f'{name}\nlanguage = "zh"')])
    assert load_region(zh).language == "zh"
    bad = region_folder(toml=[(name, f'{name}\nlanguage = "klingon"')])
    with pytest.raises(DataError) as err:
        load_region(bad)
    assert any(p.field == "language" and "zh" in p.fix for p in err.value.problems)


@pytest.fixture(scope="module")
def chinese_run(tmp_path_factory):
    """`netopt run scenario --lang zh` on the synthetic region: its output folder."""
    tmp = tmp_path_factory.mktemp("zh")
    path = scenario_file(tmp, "today")
    argv = ["run", str(path), "--lang", "zh", "-o", str(tmp / "out"), "-q"]
    code = main(argv, out=io.StringIO(), err=io.StringIO())
    assert code == 0
    return tmp / "out" / "today"


def test_cli_lang_zh_writes_chinese_map_and_report(chinese_run) -> None:
    """--lang zh: map.html and report.html are lang="zh" with Chinese labels, no English ones."""
    page = (chinese_run / "map.html").read_text(encoding="utf-8")
    assert '<html lang="zh">' in page
    for zh in ("陆地与乡镇", "医共体服务范围", "图例", "牵头医院", "医共体", "级别", "床位"):
        assert zh in page or json.dumps(zh)[1:-1] in page  # layer names are JSON-escaped
    for en in ("Land and townships", "Alliance catchments", "<b>Legend</b>", "Member facilities"):
        assert en not in page
    assert "最优" in page or "评估" in page
    report = (chinese_run / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh">' in report and "主要指标" in report


def test_unknown_cli_language_is_an_input_error(tmp_path) -> None:
    """--lang xx exits 1 and names the languages there are."""
    err = io.StringIO()
    path = scenario_file(tmp_path, "today")
    code = main(["run", str(path), "--lang", "xx", "-o", str(tmp_path / "o"), "-q"], err=err)
    assert code == 1
    assert "zh" in err.getvalue()


def test_map_language_option_is_checked() -> None:
    """alliance_map(lang=...) accepts the catalogue's languages only."""
    with pytest.raises(DataError, match="lang"):
        maps.MapOptions(lang="xx")
    assert maps.MapOptions(lang="zh").lang == "zh"


@requires_chromium
def test_chinese_map_and_report_in_offline_chromium(chinese_run) -> None:
    """The zh map opens offline without errors; its layer control, legend, KPI panel and the
    report read Chinese, with no English left in those labels."""
    with offline_page(chinese_run / "map.html") as (page, report):
        assert page.evaluate("document.documentElement.lang") == "zh"
        layers = page.locator(".leaflet-control-layers").inner_text()
        legend = page.locator("details").first.inner_text()
    assert report.ok, report.problems()
    assert "陆地与乡镇" in layers and "牵头医院" in layers and "图例" in legend
    for english in ("Land and townships", "Lead hospitals", "Legend", "Lines"):
        assert english not in layers + legend
    with offline_page(chinese_run / "report.html") as (page, report):
        assert page.evaluate("document.documentElement.lang") == "zh"
        headings = page.locator("h2").all_inner_texts()
    assert report.ok, report.problems()
    assert "主要指标与简单基准对比" in headings and not any("Key figures" in h for h in headings)


def test_region_language_reaches_a_comparison(tmp_path, region_folder) -> None:
    """language = "zh" in region.toml, no --lang: the scenario pages, the comparison and its
    side-by-side map are Chinese; --lang en wins over it."""
    name = 'name = "Synthetic Bay County"'
    zh = region_folder(toml=[(name, f'{name}\nlanguage = "zh"')])
    files = []
    for n in ("a", "b"):
        path = scenario_file(tmp_path, n)
        path.write_text(
            path.read_text(encoding="utf-8").replace(SYNTHETIC.as_posix(), zh.as_posix()),
            encoding="utf-8",
        )
        files.append(str(path))
    assert main(["compare", *files, "-o", str(tmp_path / "zh"), "-q"], err=io.StringIO()) == 0
    for page in ("comparison.html", "compare_map.html", "a/report.html", "b/map.html"):
        assert '<html lang="zh">' in (tmp_path / "zh" / page).read_text(encoding="utf-8")
    comparison = (tmp_path / "zh" / "comparison.html").read_text(encoding="utf-8")
    assert "情景比较" in comparison and "医共体方案：状态" in comparison
    argv = ["compare", *files, "-o", str(tmp_path / "en"), "-q", "--lang", "en"]
    assert main(argv, err=io.StringIO()) == 0
    for page in ("comparison.html", "compare_map.html", "a/report.html", "b/map.html"):
        assert '<html lang="en">' in (tmp_path / "en" / page).read_text(encoding="utf-8")


def test_chinese_pages_use_the_chinese_facility_names() -> None:
    """On Chinese pages a facility is named by its name_zh where the data give one (the
    English name elsewhere and on English pages)."""
    import pandas as pd

    from netopt.maps.tables import display_names

    fac = pd.DataFrame(
        {
            "name": ["Xiangshan First People's Hospital", "Clinic"],
            "name_zh": ["象山县第一人民医院", None],
        },
        index=["XS-H01", "V1"],
    )
    with use_language("zh"):
        assert display_names(fac).tolist() == ["象山县第一人民医院", "Clinic"]
    with use_language("en"):
        assert display_names(fac).tolist() == ["Xiangshan First People's Hospital", "Clinic"]
    assert display_names(fac.drop(columns="name_zh")).tolist() == fac["name"].tolist()
