"""Questionnaire exports of 问卷星 and 腾讯问卷, read as the survey table they stand for.

Researchers download their answers from the platform and do not retype them into our
template. An export has the platform's bookkeeping columns (``序号``, ``提交答卷时间``,
``来自IP`` …) and one column per question, headed by the question as the respondent read
it (``4、您对社区服务的总体满意度是？``, matrix rows as ``5、(社区环境卫生)``). This module:

- recognises such a sheet (:func:`platform_of`);
- proposes a :class:`Mapping`, header by header, from keywords in the questions
  (:func:`propose`), which the page shows as a table to change and the command line prints
  and takes back as TOML (``--mapping FILE``);
- converts the answers (:func:`convert`): labels by the contract's Likert words, "说不清"
  as missing (counted), scales other than 1–5 rescaled linearly onto 1–5, bare option
  numbers only once their direction is known, the community from its name or code;
- keeps every Likert question that matches no contract column as an *item* of the
  questionnaire (a row of ``questions`` and answers in long form in ``survey_answers``,
  see :mod:`community_eval.core.schema`);
- never keeps what must not be stored: the respondent's IP, location, account, nickname,
  phone number and open-text answers are dropped before anything is parsed or previewed.

The converted answers then go through the loader's ordinary checks, report, import record
and undo: a questionnaire is one more shape of the survey table, not a second loader.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from community_eval.core.schema import LIKERT_WORDS, SURVEY, SURVEY_ITEMS, normalise_header
from community_eval.ingest import values

# ---- what a platform writes -----------------------------------------------------------------

#: Bookkeeping columns by platform (normalised headers): enough of them say which platform made the file.
_WJX = frozenset({"序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自ip"})
_TENCENT = frozenset({"编号", "开始答题时间", "结束答题时间", "答题时长"})

#: Columns that say who or where the respondent is: never parsed, stored or previewed.
_PRIVATE_HEADERS = frozenset(
    {"来自ip", "ip", "ip地址", "来源", "来源详情", "用户标识", "昵称", "用户类型", "自定义字段", "openid", "微信昵称"}
)
_PRIVATE_PREFIXES = ("地理位置", "ip")
#: Questions asking for a phone number, a name or an address: private whatever their answers.
_PRIVATE_WORDS = ("手机", "电话", "联系方式", "姓名", "您的名字", "住址", "门牌", "身份证", "微信号")
#: Bookkeeping that is harmless but not kept (how long the respondent took).
_UNUSED_HEADERS = frozenset({"所用时间", "答题时长", "开始答题时间"})
_SUBMITTED = ("提交答卷时间", "结束答题时间")
_NUMBERS = ("序号", "编号")

#: What 问卷星 writes in an unanswered cell ("(空)") and a skipped one ("(跳过)"), folded.
_SKIPPED = frozenset({"", "(空)", "(跳过)", "跳过", "空", "-", "—", "n/a"})
#: Answers that say "I cannot judge": missing, counted, never an error.
DONT_KNOW = frozenset({"说不清", "不了解", "不清楚", "不知道", "无法评价", "不好说", "说不好", "不确定"})

#: Keywords in a question's text, first match wins: which contract column it asks about.
_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("community_id", ("所在的社区", "所在社区", "哪个社区", "社区名称", "居住的社区", "社区编码")),
    ("survey_date", ("调查日期", "填写日期")),
    ("gender", ("性别",)),
    ("age_group", ("年龄",)),
    ("overall", ("总体满意", "总体评价", "总体来说", "整体满意", "总体满意度")),
    ("staff_attitude", ("服务态度", "工作人员")),
    ("environment", ("环境卫生", "环境")),
    ("safety", ("治安", "安全")),
    ("participation", ("参与",)),
    ("facilities", ("设施", "活动场所")),
    ("service", ("社区服务",)),
)

#: Where a header can go. ``item``: a researcher's own Likert question; ``drop``: not kept.
TARGETS = ("community_id", "survey_date", "response_id", "gender", "age_group", *SURVEY_ITEMS, "item", "drop")
#: Why a column is dropped, shown beside it (locale keys under ``questionnaire.why``).
WHY_PRIVATE, WHY_OPEN_TEXT, WHY_UNUSED, WHY_UNMATCHED = "private", "open_text", "unused", "unmatched"

_QUESTION_NUMBER = re.compile(r"^\s*(?:q|第)?\s*\d+\s*(?:题)?\s*[、.．:：)）_-]\s*", re.IGNORECASE)
_MATRIX_ROW = re.compile(r"^[(（]\s*(.+?)\s*[)）]$")
_SCALE_IN_TEXT = re.compile(r"[(（]\s*(\d{1,2})\s*[-~～至到]\s*(\d{1,2})\s*分?\s*[)）]")
#: An answer with its score beside it, as folded (NFKC makes brackets half-width): ``5(非常满意)``, ``非常满意(5分)``.
_LABELLED = re.compile(r"^(\d{1,2})\s*[(:.]?\s*([^\d()]+?)\s*\)?$|^([^\d()]+?)\s*\(\s*(\d{1,2})\s*分?\s*\)$")
_PHONE = re.compile(r"^1[3-9]\d{9}$")


def platform_of(headers: Sequence[str]) -> str | None:
    """``"wjx"`` or ``"tencent"`` when the headers carry that platform's bookkeeping, else None."""
    folded = {normalise_header(h) for h in headers}
    if "序号" in folded and len(folded & _WJX) >= 3:
        return "wjx"
    if "编号" in folded and len(folded & _TENCENT) >= 3:
        return "tencent"
    return None


def question_text(header: str) -> str:
    """The question without its number: ``4、您对…？`` -> ``您对…？``, ``5、(社区环境卫生)`` -> ``社区环境卫生``."""
    text = _QUESTION_NUMBER.sub("", header.strip(), count=1)
    matrix = _MATRIX_ROW.match(text)
    return (matrix.group(1) if matrix else text).strip()


def item_code(header: str) -> str:
    """A stable code for a question: the same text in the next wave's export gets the same code."""
    folded = "".join(values.fold(question_text(header)).split())
    return "q" + hashlib.sha1(folded.encode("utf-8")).hexdigest()[:10]


def questionnaire_key(headers: Sequence[str]) -> str:
    """The questionnaire a file is an export of, by the set of its question texts (not their order)."""
    texts = sorted({"".join(values.fold(question_text(h)).split()) for h in headers if h.strip()})
    return hashlib.sha1("\n".join(texts).encode("utf-8")).hexdigest()[:12]


# ---- the mapping --------------------------------------------------------------------------------


@dataclass
class Mapping:
    """Where each header of an export goes, and how its answers are read.

    ``columns``: header as written -> one of :data:`TARGETS`; ``why``: header -> why it is
    dropped (private, open text, unused, matches nothing); ``themes``: an item's header -> the
    contract question it belongs with (optional); ``likert_order``: which way bare option
    numbers run (``high-first``: 1 = 非常满意, the first option listed; ``low-first``: the
    number is the score), None when not known.
    """

    columns: dict[str, str]
    why: dict[str, str] = field(default_factory=dict)
    themes: dict[str, str] = field(default_factory=dict)
    likert_order: str | None = None

    def to_toml(self) -> str:
        """The mapping as the TOML file ``--mapping`` reads: readable, one line per header."""
        lines = ["# 问卷映射 · questionnaire mapping: header -> column (item = own question, drop = not kept)"]
        if self.likert_order:
            lines.append(f'likert_order = "{self.likert_order}"')
        lines.append("\n[columns]")
        lines += [f"{_toml_key(h)} = {_toml_key(t)}" for h, t in self.columns.items()]
        if self.themes:
            lines.append("\n[themes]")
            lines += [f"{_toml_key(h)} = {_toml_key(t)}" for h, t in self.themes.items()]
        return "\n".join(lines) + "\n"

    def as_dict(self) -> dict[str, object]:
        return {"columns": self.columns, "themes": self.themes, "likert_order": self.likert_order}


def _toml_key(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class MappingError(ValueError):
    """A mapping file or table that cannot be used; ``reason`` is a locale key under ``problem``."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason, self.params = reason, params


def read_mapping(text: str) -> dict[str, object]:
    """A ``--mapping`` TOML file as the override :func:`apply_override` takes."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise MappingError("mapping_unreadable", why=str(error)) from None
    columns = data.get("columns", {})
    themes = data.get("themes", {})
    order = data.get("likert_order")
    if not isinstance(columns, dict) or not isinstance(themes, dict):
        raise MappingError("mapping_unreadable", why="[columns] / [themes]")
    return {"columns": {str(k): str(v) for k, v in columns.items()}, "themes": themes, "likert_order": order}


def apply_override(mapping: Mapping, override: dict[str, object] | None) -> Mapping:
    """The proposed mapping with the user's (or a saved mapping's) choices laid over it.

    A private column stays dropped whatever the override says: an IP address or a phone
    number is never stored, not even by mistake. An unknown target or a contract column
    given twice is refused, naming the header.
    """
    if not override:
        return mapping
    columns = dict(mapping.columns)
    why = dict(mapping.why)
    for header, target in dict(override.get("columns") or {}).items():
        if header not in columns:
            continue  # a saved mapping's header this file lacks: nothing to do
        if target not in TARGETS:
            raise MappingError("mapping_target_unknown", header=header, target=target, targets=", ".join(TARGETS))
        if why.get(header) == WHY_PRIVATE and target != "drop":
            raise MappingError("mapping_private", header=header)
        columns[header] = target
        if target != "drop":
            why.pop(header, None)
        else:
            why.setdefault(header, WHY_UNMATCHED)
    taken = Counter(t for t in columns.values() if t not in ("item", "drop"))
    for target, count in taken.items():
        if count > 1:
            headers = "、".join(h for h, t in columns.items() if t == target)
            raise MappingError("mapping_target_twice", target=target, headers=headers)
    themes = {h: str(t) for h, t in dict(override.get("themes") or mapping.themes).items() if columns.get(h) == "item"}
    order = override.get("likert_order") or mapping.likert_order
    if order is not None and order not in ("high-first", "low-first"):
        raise MappingError("mapping_order_unknown", order=order)
    return Mapping(columns, why, themes, order)


def propose(headers: Sequence[str], cells: pd.DataFrame) -> Mapping:
    """The mapping a researcher would most likely choose, from the questions' words and answers."""
    columns: dict[str, str] = {}
    why: dict[str, str] = {}
    taken: set[str] = set()
    for position, header in enumerate(headers):
        target, reason = _propose_one(header, cells[position] if position in cells else pd.Series(dtype=object))
        if target not in ("item", "drop"):
            if target in taken:
                target, reason = ("item", None) if _is_likert(cells[position]) else ("drop", WHY_UNMATCHED)
            else:
                taken.add(target)
        columns[header] = target
        if reason:
            why[header] = reason
    return Mapping(columns, why)


def _propose_one(header: str, answers: pd.Series) -> tuple[str, str | None]:
    folded = normalise_header(header)
    if not header.strip():
        return "drop", WHY_UNMATCHED
    if folded in _PRIVATE_HEADERS or folded.startswith(_PRIVATE_PREFIXES):
        return "drop", WHY_PRIVATE
    if folded in _UNUSED_HEADERS:
        return "drop", WHY_UNUSED
    if folded in _SUBMITTED:
        return "survey_date", None
    if folded in _NUMBERS:
        return "response_id", None
    text = question_text(header)
    if any(word in text for word in _PRIVATE_WORDS) or _mostly(answers, lambda a: bool(_PHONE.match(a))):
        return "drop", WHY_PRIVATE
    for target, words in _KEYWORDS:
        if any(word in text for word in words):
            if target in SURVEY_ITEMS and not _is_likert(answers):
                continue
            return target, None
    if _is_likert(answers):
        return "item", None
    return "drop", WHY_OPEN_TEXT


def _answered(answers: pd.Series) -> list[str]:
    return [a for a in (values.fold(str(x)) for x in answers) if a not in _SKIPPED]


def _mostly(answers: pd.Series, test: object) -> bool:
    given = _answered(answers)
    return bool(given) and sum(1 for a in given if test(a)) * 2 > len(given)  # type: ignore[operator]


def _is_likert(answers: pd.Series) -> bool:
    """Whether (nearly) every answer reads as a scale point: a word, a labelled or bare number, 说不清."""
    given = _answered(answers)
    readable = sum(1 for a in given if a in DONT_KNOW or _score_word(a) is not None or _number(a) is not None)
    return bool(given) and readable >= 0.95 * len(given)


def _score_word(folded: str) -> int | None:
    """The score of an answer written in words (``满意``), or labelled (``5(非常满意)``, ``非常满意（5分）``)."""
    if folded in LIKERT_WORDS:
        return LIKERT_WORDS[folded]
    labelled = _LABELLED.match(folded)
    if labelled:
        word = labelled.group(2) or labelled.group(3)
        return LIKERT_WORDS.get(word.strip())
    return None


def _number(folded: str) -> float | None:
    try:
        number = float(folded)
    except ValueError:
        return None
    return number if number.is_integer() and 0 <= number <= 10 else None


# ---- converting the answers ---------------------------------------------------------------------


@dataclass
class Scale:
    """How one question's numbers are read: its range and whether the numbers are scores."""

    low: int
    high: int
    stated: bool  # the question's own text gives the range (``（0-10分）``): the numbers are scores

    @property
    def label(self) -> str:
        return f"{self.low}-{self.high}"

    def onto_five(self, number: float) -> float:
        """Linear rescaling onto 1–5: the lowest point to 1, the highest to 5."""
        return 1 + 4 * (number - self.low) / (self.high - self.low)


@dataclass
class Converted:
    """One export read through its mapping, by position (row i of the sheet's cells).

    ``prepared`` holds the parsed values of the columns this module reads itself (the
    loader then checks them like any other); ``problems`` are (position, column, value as
    written, reason, params); ``items`` the researcher's own questions in long form;
    ``notices`` (key, column, count, params) what the user must hear.
    """

    prepared: dict[str, list[object]] = field(default_factory=dict)
    problems: list[tuple[int, str, str, str, dict[str, object]]] = field(default_factory=list)
    notices: list[tuple[str, str | None, int, dict[str, object]]] = field(default_factory=list)
    items: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["position", "item_code", "value"]))
    questions: pd.DataFrame = field(default_factory=pd.DataFrame)
    codes: dict[str, int] = field(default_factory=dict)  # bare option numbers seen -> answers, when asked
    needs_order: bool = False
    coded: dict[str, int] = field(default_factory=dict)  # order -> 1–5 answers read from bare option numbers
    unsure: dict[str, int] = field(default_factory=dict)  # question -> its "说不清" answers
    unrated: list[bool] = field(default_factory=list)  # by position: no overall score (说不清 or skipped)


def scale_of(header: str, numbers: Sequence[float]) -> Scale:
    """A question's scale: from its text when it says (``（0-10分）``), else from the numbers seen.

    Bare numbers up to 5 (and 6, the "说不清" option after 非常不满意) are a 5-point scale;
    up to 7 a 7-point one; a 0 or anything above 7 a 0–10 or 1–10 score.
    """
    stated = _SCALE_IN_TEXT.search(values.fold(header))
    if stated:
        low, high = int(stated.group(1)), int(stated.group(2))
        if high > low:
            return Scale(low, high, True)
    top = max(numbers, default=5)
    if any(n == 0 for n in numbers):
        return Scale(0, 10 if top > 5 else 5, False)
    if top <= 6:
        return Scale(1, 5, False)
    if top <= 7:
        return Scale(1, 7, False)
    return Scale(1, 10, False)


def convert(
    headers: Sequence[str],
    cells: pd.DataFrame,
    mapping: Mapping,
    communities: dict[str, str],
    key: str,
) -> Converted:
    """Read an export's answers through ``mapping``; ``communities`` maps code -> name of known ones."""
    out = Converted()
    position_of = {h: p for p, h in enumerate(headers)}
    rows = len(cells)
    likert = [(h, t) for h, t in mapping.columns.items() if t in SURVEY_ITEMS or t == "item"]
    _read_scales(out, headers, cells, likert, mapping, position_of)
    if out.needs_order:
        return out
    for header, target in mapping.columns.items():
        column = cells[position_of[header]]
        if target == "survey_date":
            out.prepared["survey_date"] = _dates(out, column)
        elif target == "response_id":
            out.prepared["response_id"] = [f"{key}-{values.squash(str(v))}" if str(v).strip() else None for v in column]
        elif target == "community_id":
            out.prepared["community_id"] = _communities(out, column, communities)
        elif target in ("gender", "age_group"):
            _personal(out, target, header, column)
    items = []
    questions = []
    for header, target in likert:
        scores = _scores(out, header, target, cells[position_of[header]], mapping.likert_order)
        if target == "item":
            code = item_code(header)
            items += [(p, code, s) for p, s in enumerate(scores) if s is not None]
            scale = scale_of(header, _numbers_in(cells[position_of[header]]))
            questions.append((key, code, question_text(header), mapping.themes.get(header), scale.label))
        else:
            out.prepared[target] = scores
    out.items = pd.DataFrame(items, columns=["position", "item_code", "value"])
    out.questions = pd.DataFrame(questions, columns=["questionnaire", "item_code", "item_text", "theme", "scale"])
    if out.unsure:  # one line for the file: a line per question made a wall of notices
        listed = "、".join(f"“{question}” {count}" for question, count in out.unsure.items())
        out.notices.append(("answer_unsure", None, sum(out.unsure.values()), {"questions": listed}))
    for order, count in out.coded.items():  # said once for the file, as for a contract-shaped one
        out.notices.append(("likert_turned" if order == "high-first" else "likert_kept", None, count, {"order": order}))
    if "overall" in out.prepared:
        _unrated_overall(out, rows)
    return out


def _numbers_in(column: pd.Series) -> list[float]:
    found = (_number(a) for a in _answered(column))
    return [n for n in found if n is not None]


@dataclass
class Plan:
    """How one sheet recognised as an export will be read: its platform, questionnaire and mapping."""

    platform: str
    key: str
    mapping: Mapping
    saved_name: str | None = None  # the saved mapping laid over the proposal, when there was one


def order_needed(headers: Sequence[str], cells: pd.DataFrame, mapping: Mapping) -> dict[str, int]:
    """The bare option numbers seen (code -> answers) when their direction is needed and not given."""
    out = Converted()
    position_of = {h: p for p, h in enumerate(headers)}
    likert = [(h, t) for h, t in mapping.columns.items() if t in SURVEY_ITEMS or t == "item"]
    _read_scales(out, headers, cells, likert, mapping, position_of)
    return out.codes if out.needs_order else {}


def _read_scales(
    out: Converted,
    headers: Sequence[str],
    cells: pd.DataFrame,
    likert: list[tuple[str, str]],
    mapping: Mapping,
    position_of: dict[str, int],
) -> None:
    """Whether bare option numbers need a direction no one gave: then nothing is read yet."""
    codes: Counter[str] = Counter()
    for header, _ in likert:
        column = cells[position_of[header]]
        numbers = _numbers_in(column)
        if numbers and not scale_of(header, numbers).stated:
            codes.update(str(int(n)) for n in numbers)
    if codes:
        out.codes = dict(sorted(codes.items(), key=lambda item: int(item[0])))
        out.needs_order = mapping.likert_order is None


def _scores(out: Converted, header: str, target: str, column: pd.Series, order: str | None) -> list[float | None]:
    """One question's answers as scores on 1–5 (None when unanswered or "说不清")."""
    numbers = _numbers_in(column)
    scale = scale_of(header, numbers)
    scores: list[float | None] = []
    unsure = turned = 0
    named = header if target == "item" else target  # an own question is named by its header in problems
    for position, raw in enumerate(column):
        folded = values.fold(str(raw))
        if folded in _SKIPPED:
            scores.append(None)
        elif folded in DONT_KNOW:
            scores.append(None)
            unsure += 1
        elif (word := _score_word(folded)) is not None:
            scores.append(float(word))
        elif (number := _number(folded)) is not None:
            score = _from_number(number, scale, order)
            if score is None:
                out.problems.append((position, named, str(raw), "not_on_scale", {"scale": scale.label}))
            elif score == "unsure":
                unsure += 1
                score = None
            else:
                turned += 1
            scores.append(score if isinstance(score, float) else None)
        else:
            out.problems.append((position, named, str(raw), "not_likert", {}))
            scores.append(None)
    column_name = None if target == "item" else target
    label = question_text(header)
    if turned and scale.label == "1-5" and not scale.stated and order is not None:
        out.coded[order] = out.coded.get(order, 0) + turned
    if unsure:
        out.unsure[label] = unsure
    if scale.label != "1-5" and turned:
        params = {"question": label, "scale": scale.label}
        out.notices.append(("answer_rescaled", column_name, turned, params))
    return scores


def _from_number(number: float, scale: Scale, order: str | None) -> float | str | None:
    """A bare number as a score: rescaled when its scale is not 1–5, turned when 1 = 非常满意."""
    if scale.stated or scale.label != "1-5":
        if not scale.low <= number <= scale.high:
            return None
        if not scale.stated and order == "high-first":
            number = scale.high + scale.low - number
        return float(scale.onto_five(number))
    if number == 6 and order == "high-first":
        return "unsure"  # the option listed after 非常不满意: 说不清
    if not 1 <= number <= 5:
        return None
    return float(6 - number) if order == "high-first" else float(number)


def _dates(out: Converted, column: pd.Series) -> list[object]:
    """The submission time's date: ``2024/5/12 10:23:45`` and ``2024-05-12 10:23:45`` alike."""
    dates: list[object] = []
    for position, raw in enumerate(column):
        text = values.squash(str(raw)).split(" ")[0]
        try:
            dates.append(values.parse_date(text, SURVEY.column("survey_date")))
        except values.Invalid as invalid:
            out.problems.append((position, "survey_date", str(raw), invalid.reason, invalid.params))
            dates.append(None)
    return dates


def _communities(out: Converted, column: pd.Series, communities: dict[str, str]) -> list[object]:
    """The answer to "您所在的社区" as a community code: by code, or by a name only one community has.

    An unknown answer stays as written, so the loader reports it as an unknown community
    with its row; an answer two communities could be is a problem naming both.
    """
    by_name: dict[str, list[str]] = {}
    for code, name in communities.items():
        folded = "".join(values.fold(name).split())
        by_name.setdefault(folded, []).append(code)
        if folded.endswith("社区") and len(folded) > 2:
            by_name.setdefault(folded[:-2], []).append(code)
    found: list[object] = []
    named = 0
    for position, raw in enumerate(column):
        text = values.squash(str(raw))
        folded = "".join(values.fold(text).split())
        if not folded or folded in _SKIPPED:
            found.append(None)
        elif text in communities:
            found.append(text)
        elif len(set(by_name.get(folded, []))) == 1:
            found.append(by_name[folded][0])
            named += 1
        elif len(set(by_name.get(folded, []))) > 1:
            codes = "、".join(sorted(set(by_name[folded])))
            out.problems.append((position, "community_id", text, "community_name_ambiguous", {"codes": codes}))
            found.append(None)
        else:
            found.append(text)
    if named:
        out.notices.append(("community_from_name", "community_id", named, {}))
    return found


def _personal(out: Converted, target: str, header: str, column: pd.Series) -> None:
    """Gender and age group as their labels; bare option numbers cannot say which label: not kept."""
    given = _answered(column)
    if given and all(_number(a) is not None for a in given):
        out.notices.append(("personal_codes_dropped", target, len(given), {"question": question_text(header)}))
        out.prepared[target] = [None] * len(column)
        return
    contract = SURVEY.column(target)
    parsed: list[object] = []
    for position, raw in enumerate(column):
        text = "" if values.fold(str(raw)) in _SKIPPED else str(raw)
        try:
            parsed.append(values.parse_cell(text, contract))
        except values.Invalid as invalid:
            out.problems.append((position, target, str(raw), invalid.reason, invalid.params))
            parsed.append(None)
    out.prepared[target] = parsed


def _unrated_overall(out: Converted, rows: int) -> None:
    """Rows with no overall score because the answer was 说不清: left out with a count, not refused."""
    overall = out.prepared["overall"]
    failed = {p for p, c, *_ in out.problems if c == "overall"}
    out.unrated = [overall[p] is None and p not in failed for p in range(rows)]
