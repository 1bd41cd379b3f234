"""Accessibility in a real browser: axe-core on every page, in Chinese on a laptop and in
meeting mode on a projector (and on two pages in English), plus two checks axe cannot make.

axe-core (bundled by axe-playwright-python, no download) checks each page as Chromium
rendered it; any serious or critical violation fails the test, reported by rule, impact,
the elements it found and what is wrong with each. The two checks of our own:

* the page's language: axe asks only that ``<html lang>`` be a valid code, not that it be
  the language of the page, and Streamlit writes ``lang="en"`` on every page;
* the text of the plotly charts: it is SVG, which axe's colour-contrast rule passes over,
  yet it is what a meeting reads off the projector.

One page load per view, on the session's one dashboard server.
"""

from __future__ import annotations

import contextlib
import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tools import meeting_screenshots as harness

LAPTOP, PROJECTOR = (1440, 900), (1920, 1080)
#: What fails the test; moderate and minor findings are listed in the message, not failed on.
FAILING = ("critical", "serious")
#: The ``<html lang>`` each language must set (BCP 47; screen readers pick their voice by it).
HTML_LANG = {"zh": "zh-CN", "en": "en"}


def _views() -> list[tuple[str, str, str, bool]]:
    """(URL path, extra parameters, language, meeting mode) for every view the test opens."""
    pages = [(path, "community=XT002" if path == "profile" else "") for *_, path in harness.entry_pages()]
    chinese = [(path, extra, "zh", meeting) for meeting in (False, True) for path, extra in pages]
    # English has the same widgets and colours (a full English run found what Chinese found):
    # the first page, and the data page for its uploader and tabs, keep it checked.
    english = [(path, extra, "en", False) for path, extra in pages if path in (pages[0][0], "data")]
    return chinese + english


VIEWS = _views()
IDS = [f"{path}-{lang}-{'projector' if meeting else 'laptop'}" for path, _, lang, meeting in VIEWS]


@pytest.fixture(scope="session")
def axe(browser_ready):
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.mark.parametrize(("path", "extra", "lang", "meeting"), VIEWS, ids=IDS)
def test_no_serious_accessibility_violation(server, tab, axe, path, extra, lang, meeting):
    width, height = PROJECTOR if meeting else LAPTOP
    view = tab(width, height, lang)
    target = harness.View(path, lang, width, height, extra=extra)
    if meeting:
        harness.open_slide(view.page, server, target)
    else:
        view.open(f"{server}/{target.url_path}?lang={lang}{'&' + extra if extra else ''}")
    assert not view.exceptions(), view.exceptions()
    found = axe.run(view.page, options={"resultTypes": ["violations"]}).response["violations"]
    found += _language_problems(view.page, lang) + _chart_text_problems(view.page)
    failing = [v for v in found if v["impact"] in FAILING]
    where = f"{path} ({lang}, {width}×{height}{', meeting mode' if meeting else ''})"
    if failing:
        pytest.fail(describe(failing, [v for v in found if v not in failing], where), pytrace=False)


# ---- what axe does not check ------------------------------------------------------------------


def _problem(rule: str, help_text: str, nodes: list[dict]) -> list[dict]:
    """Our own finding in axe's shape, so one report shows both."""
    return [{"id": rule, "impact": "serious", "help": help_text, "helpUrl": "", "nodes": nodes}] if nodes else []


def _language_problems(page, lang: str) -> list[dict]:
    # Our script sets the attribute once the page has run; on a loaded machine that can come
    # a moment after the page looks settled, so give it 5 s before reading what it says.
    with contextlib.suppress(PlaywrightTimeout):  # reported below, with what the page does say
        page.wait_for_function(f"document.documentElement.lang === {HTML_LANG[lang]!r}", timeout=5000)
    declared = page.evaluate("document.documentElement.lang")
    node = {
        "target": ["html"],
        "html": f'<html lang="{declared}">',
        "failureSummary": f"expected lang={HTML_LANG[lang]!r}",
    }
    return _problem(
        "html-lang-matches-page", "<html lang> names the page's language", [] if declared == HTML_LANG[lang] else [node]
    )


#: Every text of every plotly chart: its colour, size and weight, and what lies behind it (the
#: legend's or annotation's box, the chart's paper, the nearest opaque page background). Text
#: inside heatmap cells and bars is left out: plotly picks black or white against each cell.
CHART_TEXTS = """() => {
  const opaque = (el) => {
    for (; el; el = el.parentElement) {
      const colour = getComputedStyle(el).backgroundColor;
      if (!/^rgba\\(.*, 0\\)$/.test(colour) && colour !== 'transparent') return colour;
    }
    return 'rgb(255, 255, 255)';
  };
  return [...document.querySelectorAll('.js-plotly-plot')].flatMap((chart, index) => {
    const page = opaque(chart);
    const paper = getComputedStyle(chart.querySelector('.main-svg')).backgroundColor;
    return [...chart.querySelectorAll('svg text')]
      .filter((t) => t.textContent.trim() && !t.closest('.heatmap-label, .bartext, .hoverlayer'))
      .map((t) => {
        const style = getComputedStyle(t);
        const span = t.querySelector('tspan[style*="bold"], b') ? 700 : Number(style.fontWeight) || 400;
        const box = t.closest('.annotation, .legend');
        const rect = box && box.querySelector('rect.bg');
        return {
          chart: index, text: t.textContent.slice(0, 40),
          cls: t.getAttribute('class') || t.parentElement.getAttribute('class') || '',
          fill: style.fill, opacity: Number(style.fillOpacity) * Number(style.opacity),
          size: parseFloat(style.fontSize), weight: span,
          layers: [page, paper, rect ? `${getComputedStyle(rect).fill}/${getComputedStyle(rect).fillOpacity}` : ''],
        };
      });
  });
}"""


def _chart_text_problems(page) -> list[dict]:
    """Chart texts under WCAG's contrast, one entry per chart, kind of text and colour pair."""
    found: dict[tuple, dict] = {}
    for text in page.evaluate(CHART_TEXTS):
        behind = _parse(text["layers"][0])
        for layer in text["layers"][1:]:
            if layer:
                colour, _, opacity = layer.partition("/")
                behind = _over(_parse(colour, float(opacity or 1)), behind)
        ink = _over(_parse(text["fill"], text["opacity"]), behind)
        ratio, needed = contrast(ink[:3], behind[:3]), _needed(text["size"], text["weight"])
        if ratio < needed:
            key = (text["chart"], text["cls"], _hex(ink), _hex(behind))
            entry = found.setdefault(key, {"target": [f"chart {key[0]} text.{key[1]}"], "texts": []})
            entry["texts"].append(text["text"])
            entry["failureSummary"] = (
                f"contrast {ratio:.2f}, needs {needed} (text {key[2]} on {key[3]}, "
                f"{text['size']:g}px, weight {text['weight']})"
            )
    nodes = [
        {**entry, "html": f"{len(entry['texts'])} texts: " + ", ".join(entry["texts"][:4])} for entry in found.values()
    ]
    return _problem("chart-text-contrast", "Chart text (SVG, which axe skips) must meet 4.5:1 (3:1 if large)", nodes)


# ---- WCAG contrast ----------------------------------------------------------------------------


def _needed(size_px: float, weight: int) -> float:
    """WCAG 2 AA: 3:1 for large text (18 pt, or 14 pt bold; 1 pt = 4/3 px), else 4.5:1."""
    large = size_px >= 24 or (weight >= 700 and size_px >= 18.66)
    return 3.0 if large else 4.5


def _parse(colour: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    """``rgb(…)``, ``rgba(…)`` or ``#rrggbb`` as (r, g, b, alpha) with r, g, b in 0–255."""
    if colour.startswith("#"):
        return (*(int(colour[i : i + 2], 16) for i in (1, 3, 5)), alpha)
    parts = [float(p) for p in re.findall(r"[\d.]+", colour)]
    return (*parts[:3], (parts[3] if len(parts) > 3 else 1.0) * alpha)


def _over(top: tuple, bottom: tuple) -> tuple[float, float, float, float]:
    """``top`` painted over an opaque ``bottom``."""
    a = top[3]
    return (*(a * t + (1 - a) * b for t, b in zip(top[:3], bottom[:3], strict=True)), 1.0)


def _hex(colour: tuple) -> str:
    return "#" + "".join(f"{round(c):02x}" for c in colour[:3])


def _luminance(rgb: tuple) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: tuple, second: tuple) -> float:
    """WCAG 2 contrast ratio of two opaque colours, 1 to 21."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_is_wcags():
    # Worked by hand from WCAG's formula: black on white is 21:1, #767676 the lightest grey at 4.5:1.
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((0x76,) * 3, (255,) * 3) == pytest.approx(4.54, abs=0.01)
    assert contrast((0x77,) * 3, (255,) * 3) < 4.5
    # Streamlit's default caption colour, #2f2d2b at 60 % on white, is #828180: 3.89:1.
    assert _hex(_over(_parse("rgba(47, 45, 43, 0.6)"), _parse("#ffffff"))) == "#828180"
    assert contrast(_parse("#828180")[:3], (255,) * 3) == pytest.approx(3.89, abs=0.01)
    assert _needed(24, 400) == _needed(18.67, 700) == 3.0 and _needed(18, 700) == _needed(23, 400) == 4.5


# ---- the report -------------------------------------------------------------------------------


def _short(selector: str, limit: int = 110) -> str:
    """axe's selectors chain Streamlit's generated class names; the end says where."""
    return selector if len(selector) <= limit else "…" + selector[-limit:]


def describe(failing: list[dict], others: list[dict], where: str) -> str:
    """A readable report: per rule its impact, count and help, then each element found."""
    lines = [f"{sum(len(v['nodes']) for v in failing)} serious or critical accessibility problem(s) on {where}:"]
    for violation in failing:
        lines.append(
            f"  {violation['id']} ({violation['impact']}) ×{len(violation['nodes'])}: {violation['help']} "
            f"{violation.get('helpUrl', '')}".rstrip()
        )
        for node in violation["nodes"][:8]:
            summary = " ".join(line.strip() for line in node.get("failureSummary", "").splitlines()[1:] or [""])
            lines.append(f"    {' '.join(_short(t) for t in map(str, node['target']))}")
            lines.append(f"      {node['html'][:100]!r}: {summary or node.get('failureSummary', '')}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    … and {len(violation['nodes']) - 8} more")
    if others:
        lines.append("  not failed on: " + ", ".join(f"{v['id']} ({v['impact']}) ×{len(v['nodes'])}" for v in others))
    return "\n".join(lines)
