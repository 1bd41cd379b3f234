"""Resident-satisfaction questionnaires exported as 问卷星 and 腾讯问卷 export them, with what each file means.

Why this exists: street offices rarely type survey answers into a table of their own; they
download what the survey platform collected. Those downloads are shaped by the platform,
not by our data contract: platform bookkeeping columns (序号, 提交答卷时间, 来自IP, 用户标识, …),
question texts as headers, matrix questions split into one column per row, answers as
option labels or as bare numbers, placeholders such as ``(跳过)`` and ``(空)``, the
researcher's own questions on 0–10 or 1–7 scales, and personal data (IP, phone, WeChat
openid, nickname) that must never reach the database. Each :class:`PlatformExport` here is
one such download together with its ``truth``: what the file means, built from the answers
the respondents gave, never read back through the loader, so a loader test compares the
loader against the file's author rather than against itself.

问卷星 (wjx) offers three downloads of the same answers, named by a kind word:

* ``按文本`` (kind "text"): option labels (非常满意 … 非常不满意, 说不清, 男/女, age labels).
* ``按序号`` (kind "code"): option numbers, 1 = the first option listed. The Likert options
  are listed 非常满意, 满意, 一般, 不满意, 非常不满意, 说不清, so 1 = 非常满意 … 5 = 非常不满意
  and 6 = 说不清: a user must state "high-first".
* ``按分数`` (kind "score"): the score the questionnaire set for each option, here
  非常满意=5 … 非常不满意=1 and no score for 说不清 (an empty cell): "low-first". Questions
  without scores (gender, age group) are written by option number, as in 按序号.

In every kind, Q1 (the community) is a 下拉框/填空 question, so it is written as the text the
respondent chose (the community's name); 0–10 scale questions (问卷星 量表题/NPS) are written
as the number chosen, 0..10; an unanswered optional question is ``(空)`` and a question
skipped by the questionnaire's logic is ``(跳过)``. The .csv is GBK with CRLF line ends.

腾讯问卷 (tencent) offers option text (kind "text", 说不清 as "说不清") and option scores
(导出分值, kind "score": 非常满意=5 … 非常不满意=1, 说不清 empty, "low-first"); questions
without scores (community, gender, age) keep their option text in both. Its 1–7 scale
question is written as the number chosen in both kinds; unanswered questions are empty
cells. The .csv is UTF-8 with a BOM.

All 问卷星 files are downloads of one survey (five communities of 沙嘴街道), all 腾讯问卷
files of another (five communities of 龙华山街道), so files of one platform share a truth.
Everything is deterministic: fixed seeds, and workbooks written by
:func:`tools.office_files.xlsx_bytes` with fixed timestamps.

``python -m tools.survey_exports --output DIR`` writes every file and a
``MANIFEST.txt`` (one line per file: name, platform, kind, the order a user must state).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from tools.office_files import Grid, csv_bytes, output_command, sample_communities, xlsx_bytes

SEED = 20240512
SHEET = "Sheet1"

#: Likert options in the order the questionnaires list them (option number = position + 1; score = 5 - position).
LIKERT_OPTIONS = ["非常满意", "满意", "一般", "不满意", "非常不满意", "说不清"]
UNSURE = 0  # the answer 说不清, kept apart from the scores 1..5
#: Answers lean to 满意 and 一般 (mean of scores 1..5 about 3.6), with about 5% 说不清.
SCORE_P = {1: 0.04, 2: 0.09, 3: 0.28, 4: 0.36, 5: 0.18, UNSURE: 0.05}
GENDER_OPTIONS = ["男", "女"]
GENDER_CODES = {"男": "M", "女": "F"}
AGE_OPTIONS = ["18-35岁", "36-59岁", "60岁及以上"]
CORE_ITEMS = ["overall", "service", "environment", "safety", "participation", "staff_attitude", "facilities"]
TRUTH_BASE = ["response_number", "community_id", "survey_date", *CORE_ITEMS, "gender", "age_group"]
PRIVATE = ["ip", "open_text", "phone", "user_id", "nickname"]

WJX_SKIPPED = "(跳过)"
WJX_EMPTY = "(空)"

# ---------------------------------------------------------------- the questionnaires

WJX_TITLE = "仙桃市社区居民满意度调查"
WJX_ID = 286512345
WJX_STREET = "沙嘴街道"
#: 问卷星 header -> what it is, in file order.
WJX_QUESTIONS: dict[str, str] = {
    "序号": "bookkeeping",
    "提交答卷时间": "bookkeeping",
    "所用时间": "bookkeeping",
    "来源": "bookkeeping",
    "来源详情": "bookkeeping",
    "来自IP": "bookkeeping",
    "1、您所在的社区是？": "community",
    "2、您的性别：": "gender",
    "3、您的年龄段：": "age_group",
    "4、您对社区服务的总体满意度是？": "overall",
    "5、(社区环境卫生)": "environment",
    "5、(社会治安状况)": "safety",
    "5、(社区工作人员服务态度)": "staff_attitude",
    "5、(社区活动场所和设施)": "facilities",
    "5、(社区服务办理)": "service",
    "6、您对居民参与社区事务的情况满意吗？": "participation",
    "7、您对社区垃圾分类工作的满意度": "item",
    "8、(社区养老服务)": "item",
    "8、(社区停车管理)": "item",
    "9、您对社区物业管理的总体评分（0-10分）": "item",
    "10、您对社区工作有什么意见和建议？": "open_text",
    "11、您的手机号码（选填）": "phone",
}
WJX_LIKERT_ITEMS = ["7、您对社区垃圾分类工作的满意度", "8、(社区养老服务)", "8、(社区停车管理)"]
WJX_TEN_POINT = "9、您对社区物业管理的总体评分（0-10分）"
WJX_KIND_WORDS = {"text": "按文本", "code": "按序号", "score": "按分数"}

TENCENT_TITLE = "仙桃市社区居委会工作满意度调查"
TENCENT_ID = 11873402
TENCENT_STREET = "龙华山街道"
TENCENT_QUESTIONS: dict[str, str] = {
    "编号": "bookkeeping",
    "用户类型": "bookkeeping",
    "用户标识": "bookkeeping",
    "昵称": "bookkeeping",
    "开始答题时间": "bookkeeping",
    "结束答题时间": "bookkeeping",
    "答题时长": "bookkeeping",
    "地理位置国家和地区": "bookkeeping",
    "地理位置省": "bookkeeping",
    "地理位置市": "bookkeeping",
    "自定义字段": "bookkeeping",
    "1.您所在的社区:": "community",
    "2.您的性别:": "gender",
    "3.您的年龄:": "age_group",
    "4.总体来说，您对本社区居委会的工作满意吗？": "overall",
    "5.请您对以下方面进行评价—社区环境卫生": "environment",
    "5.请您对以下方面进行评价—社会治安": "safety",
    "5.请您对以下方面进行评价—工作人员服务态度": "staff_attitude",
    "5.请您对以下方面进行评价—社区活动场所和设施": "facilities",
    "6.您对社区文化活动的满意程度（1-7分）": "item",
    "7.您对社区工作有什么建议？": "open_text",
}
TENCENT_SEVEN_POINT = "6.您对社区文化活动的满意程度（1-7分）"
TENCENT_KIND_WORDS = {"text": "选项文本", "score": "选项分值"}
#: Core item -> its header, in the order the columns stand in the file.
WJX_CORE = {kind: header for header, kind in WJX_QUESTIONS.items() if kind in CORE_ITEMS}
TENCENT_CORE = {kind: header for header, kind in TENCENT_QUESTIONS.items() if kind in CORE_ITEMS}

#: Suggestions residents write; each row adds its own building number, so every text is unique.
SUGGESTIONS = [
    "希望增加停车位，楼道灯经常坏",
    "垃圾分类点太远，老人不方便",
    "建议多组织老年人文体活动",
    "小区门口电动车乱停，希望管一管",
    "办事窗口中午能不能不休息",
    "楼下广场舞声音太大，影响休息",
    "希望社区食堂价格再便宜一点",
    "下水道经常堵，报修后很久没人来",
]
NICKNAMES = ["沔阳老表", "排湖清风", "仙桃小鱼儿", "阳光🌻向日葵", "龙华山下", "幸福一家人", "静待花开", "老街坊"]
OPENID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@dataclass
class PlatformExport:
    """One download from a survey platform and what it means.

    ``kind`` is "text" (option labels), "code" (option numbers, 1 = the first option listed)
    or "score" (the scores the questionnaire set). ``likert_order`` is the order a user must
    state for numeric kinds ("high-first": 1 = 非常满意; "low-first": the number is the
    score), None for "text". ``questions`` maps every header as written to what it is.
    ``truth`` has one row per response in file order (see the module docstring).
    """

    name: str
    data: bytes
    platform: str
    kind: str
    fmt: str
    truth: pd.DataFrame
    likert_order: str | None
    questions: dict[str, str]


# ---------------------------------------------------------------- the answers respondents gave


@dataclass
class Response:
    """One respondent's answers, independent of how any platform writes them.

    Likert answers are scores 1..5, ``UNSURE`` for 说不清, None when skipped; ``items`` are
    the researcher's own questions by header (raw answer on that question's own scale).
    """

    community_id: str
    community_name: str
    start: dt.datetime
    seconds: int
    likert: dict[str, int | None]
    items: dict[str, int | None]
    gender: str  # 男 | 女
    age: str  # one of AGE_OPTIONS
    open_text: str | None
    phone: str | None
    ip: str
    user_id: str
    nickname: str
    source: str

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=self.seconds)


def _likert(rng: np.random.Generator) -> int:
    return int(rng.choice(list(SCORE_P), p=list(SCORE_P.values())))


def _skippable(rng: np.random.Generator, answer: int) -> int | None:
    """An own item is occasionally skipped (about 4%)."""
    return None if rng.random() < 0.04 else answer


def _street_sample(street: str, count: int = 5) -> pd.DataFrame:
    communities = sample_communities()
    return communities[communities["street"] == street].head(count).reset_index(drop=True)


def _responses(
    street: str,
    seed: int,
    likert_items: Sequence[str],
    own_items: Callable[[np.random.Generator], dict[str, int | None]],
) -> list[Response]:
    """Respondents of five communities of ``street``, 14–22 each, in the order they submitted."""
    rng = np.random.default_rng([SEED, seed])
    responses = []
    for c in _street_sample(street).itertuples(index=False):
        for _ in range(int(rng.integers(14, 23))):
            start = dt.datetime(2024, 5, 6) + dt.timedelta(
                days=int(rng.integers(0, 20)), hours=int(rng.integers(8, 21)), seconds=int(rng.integers(0, 3600))
            )
            n = len(responses)
            responses.append(
                Response(
                    community_id=c.community_id,
                    community_name=c.community_name,
                    start=start,
                    seconds=int(rng.integers(60, 600)),
                    likert={item: _likert(rng) for item in likert_items},
                    items=own_items(rng),
                    gender=str(rng.choice(GENDER_OPTIONS)),
                    age=str(rng.choice(AGE_OPTIONS, p=[0.3, 0.45, 0.25])),
                    open_text=f"{SUGGESTIONS[n % len(SUGGESTIONS)]}（{n + 1}栋居民）" if rng.random() < 0.5 else None,
                    phone=f"1{rng.choice([38, 39, 58, 87])}{n:03d}{int(rng.integers(0, 100000)):05d}"
                    if rng.random() < 0.4
                    else None,
                    ip=f"117.136.{int(rng.integers(1, 255))}.{n + 1}(湖北-仙桃)",
                    user_id="o" + "".join(rng.choice(list(OPENID_ALPHABET), 24)) + f"{n:03d}",
                    nickname=f"{NICKNAMES[n % len(NICKNAMES)]}{n + 1}",
                    source=str(rng.choice(["手机提交", "微信", "链接"], p=[0.3, 0.55, 0.15])),
                )
            )
    return sorted(responses, key=lambda r: r.end)


def _wjx_own_items(rng: np.random.Generator) -> dict[str, int | None]:
    items = {header: _skippable(rng, _likert(rng)) for header in WJX_LIKERT_ITEMS}
    items[WJX_TEN_POINT] = _skippable(rng, int(rng.choice(11, p=[*[0.02] * 5, 0.1, 0.13, 0.2, 0.25, 0.12, 0.1])))
    return items


def _tencent_own_items(rng: np.random.Generator) -> dict[str, int | None]:
    return {TENCENT_SEVEN_POINT: _skippable(rng, int(rng.choice(7, p=[0.03, 0.05, 0.12, 0.2, 0.3, 0.2, 0.1])) + 1)}


@lru_cache(maxsize=1)
def wjx_responses() -> tuple[Response, ...]:
    """The 问卷星 survey's respondents (items by truth column name), in submission order."""
    return tuple(_responses(WJX_STREET, 1, list(WJX_CORE.values()), _wjx_own_items))


@lru_cache(maxsize=1)
def tencent_responses() -> tuple[Response, ...]:
    """The 腾讯问卷 survey's respondents, in the order they finished."""
    return tuple(_responses(TENCENT_STREET, 2, list(TENCENT_CORE.values()), _tencent_own_items))


# ---------------------------------------------------------------- what the files mean


def rescale(value: int | None, low: int, high: int) -> float | None:
    """An answer on a ``low``..``high`` scale put linearly onto 1..5 (0–10: 1 + 4·x/10)."""
    return None if value is None else 1 + 4 * (value - low) / (high - low)


def _score(answer: int | None) -> float | None:
    return None if answer is None or answer == UNSURE else float(answer)


def _own_item_truth(header: str, answer: int | None) -> float | None:
    if header == WJX_TEN_POINT:
        return rescale(answer, 0, 10)
    if header == TENCENT_SEVEN_POINT:
        return rescale(answer, 1, 7)
    return _score(answer)


def _truth(platform: str, responses: Sequence[Response], own_items: Sequence[str]) -> pd.DataFrame:
    """What a platform's file means: one row per response in file order, in the columns of ``TRUTH_BASE``,
    then one per own item (rescaled onto 1..5), then the personal strings of ``PRIVATE``."""
    headers = WJX_CORE if platform == "wjx" else TENCENT_CORE
    rows = []
    for number, r in enumerate(responses, start=1):
        row: dict[str, object] = {
            "response_number": number,
            "community_id": r.community_id,
            "survey_date": r.end.date(),
        }
        for item in CORE_ITEMS:
            row[item] = _score(r.likert[headers[item]]) if item in headers else None
        row["gender"] = GENDER_CODES[r.gender]
        row["age_group"] = r.age
        for header in own_items:
            row[header] = _own_item_truth(header, r.items[header])
        rows.append(row | _private(r, platform))
    return pd.DataFrame(rows, columns=[*TRUTH_BASE, *own_items, *PRIVATE], dtype=object)


def _private(r: Response, platform: str) -> dict[str, object]:
    """The personal strings written in the file (None where the platform has no such column)."""
    wjx = platform == "wjx"
    return {
        "ip": r.ip if wjx else None,
        "open_text": r.open_text,
        "phone": r.phone if wjx else None,
        "user_id": None if wjx else r.user_id,
        "nickname": None if wjx else r.nickname,
    }


# ---------------------------------------------------------------- how the platforms write them


def _likert_cell(answer: int | None, kind: str, skipped: object) -> object:
    """One Likert answer as written: label, option number (1 = 非常满意) or score (说不清 empty)."""
    if answer is None:
        return skipped
    label = "说不清" if answer == UNSURE else LIKERT_OPTIONS[5 - answer]
    if kind == "text":
        return label
    if kind == "code":
        return LIKERT_OPTIONS.index(label) + 1
    return None if answer == UNSURE else answer


def _option_cell(label: str, options: Sequence[str], kind: str) -> object:
    return label if kind == "text" else options.index(label) + 1


def _wjx_row(number: int, r: Response, kind: str) -> list[object]:
    end = r.end
    own = r.items
    return [
        number,
        f"{end.year}/{end.month}/{end.day} {end.hour}:{end.minute:02d}:{end.second:02d}",
        f"{r.seconds}秒",
        r.source,
        "直接访问" if r.source == "链接" else "N/A",
        r.ip,
        r.community_name,
        _option_cell(r.gender, GENDER_OPTIONS, kind),
        _option_cell(r.age, AGE_OPTIONS, kind),
        *(_likert_cell(r.likert[header], kind, WJX_SKIPPED) for header in WJX_CORE.values()),
        *(_likert_cell(own[header], kind, WJX_SKIPPED) for header in WJX_LIKERT_ITEMS),
        WJX_SKIPPED if own[WJX_TEN_POINT] is None else own[WJX_TEN_POINT],
        r.open_text or WJX_EMPTY,
        r.phone or WJX_SKIPPED,
    ]


def _tencent_row(number: int, r: Response, kind: str) -> list[object]:
    seven = r.items[TENCENT_SEVEN_POINT]
    return [
        number,
        "微信",
        r.user_id,
        r.nickname,
        f"{r.start:%Y-%m-%d %H:%M:%S}",
        f"{r.end:%Y-%m-%d %H:%M:%S}",
        f"{r.seconds // 60}分{r.seconds % 60}秒",
        "中国",
        "湖北省",
        "仙桃市",
        None,
        r.community_name,
        r.gender,
        r.age,
        *(_likert_cell(r.likert[header], kind, None) for header in TENCENT_CORE.values()),
        seven,
        r.open_text,
    ]


def _grid(headers: Sequence[str], rows: Sequence[list[object]]) -> Grid:
    grid = Grid(SHEET)
    grid.add(*headers)
    for cells in rows:
        if len(cells) != len(headers):
            raise ValueError(f"row of {len(cells)} cells under {len(headers)} headers")
        grid.add(*cells)
    return grid


def _encode(grid: Grid, fmt: str, csv_encoding: str) -> bytes:
    return xlsx_bytes([grid]) if fmt == "xlsx" else csv_bytes(grid, csv_encoding, "\r\n")


def wjx_exports() -> list[PlatformExport]:
    """The 问卷星 survey downloaded 按文本, 按序号 and 按分数, each as .xlsx and as GBK .csv."""
    responses = wjx_responses()
    own = [*WJX_LIKERT_ITEMS, WJX_TEN_POINT]
    truth = _truth("wjx", responses, own)
    n = len(responses)
    orders = {"text": None, "code": "high-first", "score": "low-first"}
    exports = []
    for kind, order in orders.items():
        grid = _grid(list(WJX_QUESTIONS), [_wjx_row(i, r, kind) for i, r in enumerate(responses, start=1)])
        for fmt in ("xlsx", "csv"):
            name = f"{WJX_ID}_{WJX_KIND_WORDS[kind]}_{WJX_TITLE}_{n}_{n}.{fmt}"
            data = _encode(grid, fmt, "gbk")
            exports.append(PlatformExport(name, data, "wjx", kind, fmt, truth.copy(), order, dict(WJX_QUESTIONS)))
    return exports


def tencent_exports() -> list[PlatformExport]:
    """The 腾讯问卷 survey downloaded as option text and as option scores, each as .xlsx and as UTF-8 .csv."""
    responses = tencent_responses()
    truth = _truth("tencent", responses, [TENCENT_SEVEN_POINT])
    orders = {"text": None, "score": "low-first"}
    exports = []
    for kind, order in orders.items():
        grid = _grid(list(TENCENT_QUESTIONS), [_tencent_row(i, r, kind) for i, r in enumerate(responses, start=1)])
        for fmt in ("xlsx", "csv"):
            name = f"{TENCENT_ID}_{TENCENT_TITLE}_{TENCENT_KIND_WORDS[kind]}_20240601.{fmt}"
            data = _encode(grid, fmt, "utf-8-sig")
            exports.append(
                PlatformExport(name, data, "tencent", kind, fmt, truth.copy(), order, dict(TENCENT_QUESTIONS))
            )
    return exports


def platform_exports() -> list[PlatformExport]:
    """Every platform × kind × format: six 问卷星 files, then four 腾讯问卷 files."""
    return [*wjx_exports(), *tencent_exports()]


# ---------------------------------------------------------------- writing them out


def manifest(exports: Sequence[PlatformExport]) -> str:
    """One line per file: name, platform, kind, and the order a user must state ("-" for text)."""
    return "".join(f"{e.name}\t{e.platform}\t{e.kind}\t{e.likert_order or '-'}\n" for e in exports)


def write(out_dir: str | Path) -> list[Path]:
    """Write every export and ``MANIFEST.txt`` into ``out_dir``; returns the paths written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    exports = platform_exports()
    paths = []
    for export in exports:
        path = out / export.name
        path.write_bytes(export.data)
        paths.append(path)
    (out / "MANIFEST.txt").write_text(manifest(exports), encoding="utf-8")
    return [*paths, out / "MANIFEST.txt"]


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: write every survey-platform export into a folder."""
    output_command(write, __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    main()
