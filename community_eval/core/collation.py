"""Chinese names in the order Chinese lists print them: by their pinyin, syllable by syllable.

Python and DuckDB compare text by character code, which puts 三伏潭镇 before 干河街道 and
长埫口镇 near the end; a list of 街道 in a government document runs 长埫口镇, 陈场镇, 豆河镇…
DuckDB's ICU collation (``collate zh``) orders by pinyin too, but gives each character one
reading, so 长沙 and 长埫口 file under zhǎng and 厦门 under shà. pypinyin reads a character
in its phrase (长沙 cháng, 厦门 xià, 重庆 chóng); :data:`PLACE_READINGS` corrects the place
names its phrase dictionary still reads otherwise.

Pinyin orders where a list is alphabetical (filters, names as categories) and breaks ties
where a list is ranked by a value; a ranking itself stays by its value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cache, lru_cache

import pandas as pd

#: How place names are read where pypinyin reads them otherwise (it reads 长埫口 zhǎng chǒng,
#: 朝阳 zhāo): the sample district's 长埫口镇, and 朝阳, the name of many a 社区 and 街道.
PLACE_READINGS = {
    "长埫口": ["chang2", "tang3", "kou3"],
    "朝阳": ["chao2", "yang2"],
}


def _syllables(text: str) -> list[str]:
    """The pinyin of ``text`` with tone numbers (neutral tone 5); other characters as they are."""
    for phrase, reading in PLACE_READINGS.items():
        at = text.find(phrase)
        if at >= 0:
            return _syllables(text[:at]) + reading + _syllables(text[at + len(phrase) :])
    if not text:
        return []
    return _reader()(text)


@cache
def _reader() -> Callable[[str], list[str]]:
    """pypinyin's reading with tone numbers, imported when a name is first put in order.

    Loading pypinyin builds its phrase dictionary (0.2 s); a command that sorts no name (the
    command line's ``--help``, ``ingest``) must not pay for it (issue 20).
    """
    from pypinyin import Style, lazy_pinyin

    def read(text: str) -> list[str]:
        return lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True)

    return read


@lru_cache(maxsize=65536)
def _key(text: str) -> str:
    # Each syllable ends in its tone digit, and digits sort before letters, so the joined
    # string compares syllable by syllable (xi1an1 西安 before xian1 先); after a NUL, which
    # sorts before anything, the text itself breaks what pinyin leaves tied (同音字).
    return "".join(syllable.lower() for syllable in _syllables(text)) + "\0" + text


def pinyin_key(value: object) -> str:
    """A sort key (a string) putting names in pinyin order; a missing value sorts first."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return _key(str(value))


def by_pinyin(values: Iterable[object]) -> list:
    """``values`` in pinyin order."""
    return sorted(values, key=pinyin_key)


def sort_frame(
    frame: pd.DataFrame,
    columns: Sequence[str],
    ascending: bool | Sequence[bool] = True,
    names: Iterable[str] | None = None,
) -> pd.DataFrame:
    """``frame`` sorted by ``columns``, those in ``names`` (all of them by default) by pinyin.

    A stable sort, so rows equal on every column keep the order they came in.
    """
    by_name = set(columns if names is None else names)
    if frame.empty:
        return frame

    def key(column: pd.Series) -> pd.Series:
        return column.map(pinyin_key) if column.name in by_name else column

    return frame.sort_values(list(columns), ascending=ascending, kind="stable", key=key)
