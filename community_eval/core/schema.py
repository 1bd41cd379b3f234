"""The data contract in code: the five tables users load, their columns, types, aliases and enums.

This module is the single source the loader, validation, templates, database DDL and the
data dictionary are derived from. ``../shared/DATA_CONTRACT.md`` is its prose twin; if the
two disagree, the contract document wins and this file is the bug.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """How a column's cells are written and stored."""

    TEXT = "text"
    INT = "int"
    NUMBER = "number"
    BOOL = "bool"
    DATE = "date"
    MONTH = "month"
    ENUM = "enum"
    LIKERT = "likert"


SQL_TYPES: dict[Kind, str] = {
    Kind.TEXT: "varchar",
    Kind.INT: "bigint",
    Kind.NUMBER: "double",
    Kind.BOOL: "boolean",
    Kind.DATE: "date",
    Kind.MONTH: "date",  # stored as the first day of the month
    Kind.ENUM: "varchar",
    # A double, not a tinyint: an answer on a 0–10 or 7-point scale is rescaled linearly onto
    # 1–5 (questionnaire.py), and 7 of 10 is 3.8, not a whole point. Files typed to the contract
    # still take whole points only (values.parse_likert).
    Kind.LIKERT: "double",
}


@dataclass(frozen=True)
class EnumValue:
    """One allowed value of an enum column: its stored code and the words people write for it."""

    code: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Unit:
    """A unit a number may carry after it (``300㎡``); ``suffixes`` are matched after normalisation."""

    key: str
    suffixes: tuple[str, ...]


M2 = Unit("m2", ("m2", "m²", "平方米", "平米", "平方"))
YUAN = Unit("yuan", ("元", "yuan", "rmb", "¥"))
HOURS = Unit("hours", ("小时", "h", "hr", "hrs", "hours", "hour", "时"))
PEOPLE = Unit("people", ("人",))
HOUSEHOLDS = Unit("households", ("户",))
ROOMS = Unit("rooms", ("间", "个", "室"))
ITEMS = Unit("items", ("件", "项", "个", "次"))
YEARS = Unit("years", ("年",))


@dataclass(frozen=True)
class Column:
    """One column of a table, with everything needed to parse, validate, store and document it."""

    name: str
    kind: Kind
    aliases: tuple[str, ...] = ()
    required: bool = False
    unique: bool = False
    minimum: float | None = None
    minimum_exclusive: bool = False
    maximum: float | None = None
    unit: Unit | None = None
    values: tuple[EnumValue, ...] = ()
    references: str | None = None
    default: object = None
    #: Not after today: a date not after today, a month (its first day) not after the current
    #: month, a year (an int column) not after the current year. Checked by loader.check_dates.
    not_in_future: bool = False

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.kind]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(v.code for v in self.values)

    @property
    def bilingual_header(self) -> str:
        """``社区编码（community_id）``: readable in both languages, and matched by the loader."""
        chinese = self.aliases[0] if self.aliases else self.name
        return f"{chinese}（{self.name}）"


@dataclass(frozen=True)
class Table:
    """A table of the contract. ``key`` lists the columns that together must be unique."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = field(default=())
    #: Rows are individual residents' answers: never displayed one by one, not even in the
    #: upload preview; only statistics over at least min_n of them are shown.
    rows_private: bool = False

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def unique_checks(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """What must not repeat among the current rows: ``("key", key)`` and ``(column, (column,))`` per
        unique column. Defined once, because the loader, the bulk path and the store's own commit check
        must agree on it (a unique column that is the whole key is checked once)."""
        checks = [("key", self.key)] if self.key else []
        checks += [(c.name, (c.name,)) for c in self.columns if c.unique and (c.name,) != self.key]
        return tuple(checks)


def _e(code: str, zh: str, en: str, *aliases: str) -> EnumValue:
    return EnumValue(code, zh, en, aliases)


COMMUNITY_TYPES = (
    _e("urban", "纯社区", "Urban", "城市社区", "纯", "城市"),
    _e("village_converted", "村改居", "Village-converted", "村改居社区", "村转居", "村转居社区"),
    _e("township", "乡镇社区", "Township", "集镇社区", "乡镇", "集镇"),
    _e("rural", "村", "Rural", "农村", "农村社区"),
)
ROLES = (
    _e("secretary", "书记", "Secretary", "党支部书记", "党委书记", "党总支书记", "社区书记", "社区党组织书记"),
    _e("deputy_secretary", "副书记", "Deputy secretary", "党支部副书记", "党委副书记", "社区副书记"),
    _e("director", "主任", "Director", "居委会主任", "社区主任", "居民委员会主任"),
    _e("deputy_director", "副主任", "Deputy director", "居委会副主任", "社区副主任"),
    _e("member", "委员", "Member", "居委会委员", "社区委员", "党支部委员", "党委委员", "两委委员"),
    _e("grid_worker", "网格员", "Grid worker", "专职网格员", "社区网格员"),
    _e("other", "其他", "Other"),
)
EMPLOYMENT = (
    _e("full_time", "专职", "Full-time"),
    _e("part_time", "兼职", "Part-time"),
)
GENDERS = (
    _e("F", "女", "Female", "female", "女性"),
    _e("M", "男", "Male", "male", "男性"),
)
EDUCATION = (
    _e("junior_or_below", "初中及以下", "Junior high or below", "初中", "小学", "初中以下", "小学及以下"),
    _e("high_school", "高中", "High school", "中专", "职高", "技校", "中职"),
    _e("college", "大专", "College", "大学专科", "专科"),
    _e(
        "bachelor_or_above",
        "本科及以上",
        "Bachelor or above",
        "本科",
        "硕士",
        "研究生",
        "大学本科",
        "研究生及以上",
        "硕士研究生",
        "博士",
        "博士研究生",
    ),
)
EXIT_REASONS = (
    _e("pay", "待遇", "Pay"),
    _e("workload", "工作负担", "Workload"),
    _e("career", "个人发展", "Career"),
    _e("retirement", "退休", "Retirement"),
    _e("dismissal", "免职", "Dismissal", "罢免"),
    _e("other", "其他", "Other"),
)
TASK_CATEGORIES = (
    _e("administrative", "行政事务", "Administrative"),
    _e("inspection", "检查评比", "Inspection", "督查考核"),
    _e("ledger", "台账报表", "Ledger", "报表", "台账"),
    _e("certificate", "证明", "Certificate", "出具证明"),
    _e("service", "居民服务", "Service", "公共服务"),
    _e("self_governance", "自治活动", "Self-governance", "居民自治"),
)
TENURES = (
    _e("owned", "自有", "Owned"),
    _e("rented", "租用", "Rented", "租赁"),
    _e("borrowed", "借用", "Borrowed"),
)

#: Task categories that count as administrative work (INDICATORS.md).
ADMINISTRATIVE_CATEGORIES = ("administrative", "inspection", "ledger", "certificate")
#: The one category that is the committee's own work, not handed down.
OWN_WORK_CATEGORY = "self_governance"

#: Likert words, normalised (lower case), to their score.
LIKERT_WORDS: dict[str, int] = {
    "非常满意": 5,
    "满意": 4,
    "一般": 3,
    "基本满意": 3,
    "不满意": 2,
    "不太满意": 2,
    "非常不满意": 1,
    "very satisfied": 5,
    "satisfied": 4,
    "neutral": 3,
    "dissatisfied": 2,
    "very dissatisfied": 1,
}

#: The scale's middle answer, 一般 ("neither satisfied nor dissatisfied"): a mean below it
#: leans to the dissatisfied side of the 1–5 scale. A fact of the scale, not a target.
NEUTRAL_ANSWER = LIKERT_WORDS["一般"]

SURVEY_ITEMS = ("overall", "service", "environment", "safety", "participation", "staff_attitude", "facilities")

_COMMUNITY_REF = ("社区编码", "社区代码")

COMMUNITIES = Table(
    "communities",
    (
        Column("community_id", Kind.TEXT, ("社区编码", "社区代码", "编码"), required=True, unique=True),
        Column("community_name", Kind.TEXT, ("社区名称", "社区"), required=True),
        Column("district", Kind.TEXT, ("区县", "区", "县(市、区)"), required=True),
        Column("street", Kind.TEXT, ("街道", "街道(乡镇)", "乡镇", "片区"), required=True),
        Column("community_type", Kind.ENUM, ("社区类型", "类型"), required=True, values=COMMUNITY_TYPES),
        Column("population", Kind.INT, ("常住人口", "人口", "人口数"), required=True, minimum=0, unit=PEOPLE),
        Column("households", Kind.INT, ("户数", "住户数", "总户数"), required=True, minimum=0, unit=HOUSEHOLDS),
        Column("latitude", Kind.NUMBER, ("纬度",), minimum=-90, maximum=90),
        Column("longitude", Kind.NUMBER, ("经度",), minimum=-180, maximum=180),
    ),
    key=("community_id",),
)

STAFF = Table(
    "staff",
    (
        Column("staff_id", Kind.TEXT, ("人员编号", "工号", "编号"), required=True, unique=True),
        Column("community_id", Kind.TEXT, _COMMUNITY_REF, required=True, references="communities"),
        Column("role", Kind.ENUM, ("职务", "岗位"), required=True, values=ROLES),
        Column("employment", Kind.ENUM, ("专兼职", "用工性质"), required=True, values=EMPLOYMENT),
        Column("gender", Kind.ENUM, ("性别",), values=GENDERS),
        Column("education", Kind.ENUM, ("学历",), values=EDUCATION),
        # 一肩挑: the secretary is also the committee's director (only with role secretary: loader.check_also_director)
        Column("also_director", Kind.BOOL, ("一肩挑", "兼任主任", "书记主任一肩挑"), default=False),
        Column("certified_social_worker", Kind.BOOL, ("社工证", "持证", "是否持社工证"), default=False),
        Column("monthly_pay", Kind.NUMBER, ("月工资", "月薪", "月收入"), minimum=0, unit=YUAN),
        Column("hire_date", Kind.DATE, ("入职日期", "入职时间", "任职日期"), required=True, not_in_future=True),
        Column("exit_date", Kind.DATE, ("离职日期", "离职时间"), not_in_future=True),
        Column("exit_reason", Kind.ENUM, ("离职原因",), values=EXIT_REASONS),
    ),
    key=("staff_id",),
    depends_on=("communities",),
)

TASKS = Table(
    "tasks",
    (
        Column("community_id", Kind.TEXT, _COMMUNITY_REF, required=True, references="communities"),
        # a month is stored as its first day, so "not in the future" is "not after the current month"
        Column("period", Kind.MONTH, ("月份", "期间", "年月"), required=True, not_in_future=True),
        Column("department", Kind.TEXT, ("派出部门", "部门", "交办单位"), required=True),
        Column("task_category", Kind.ENUM, ("事项类别", "类别"), required=True, values=TASK_CATEGORIES),
        Column("task_count", Kind.INT, ("事项数", "数量", "件数"), required=True, minimum=1, unit=ITEMS),
        Column("hours", Kind.NUMBER, ("工时", "用时", "耗时(小时)"), required=True, minimum=0, unit=HOURS),
        Column("admitted", Kind.BOOL, ("是否准入", "准入", "列入准入清单"), required=True),
        Column("funded", Kind.BOOL, ("费随事转", "是否配套经费", "配套经费"), required=True),
    ),
    depends_on=("communities",),
)

FACILITIES = Table(
    "facilities",
    (
        Column("community_id", Kind.TEXT, _COMMUNITY_REF, required=True, references="communities"),
        # at most the current year: checked by the loader (loader.check_dates), not the DDL, whose
        # bound must not become wrong next January
        Column(
            "year",
            Kind.INT,
            ("年份", "年度"),
            required=True,
            minimum=2000,
            maximum=2100,
            unit=YEARS,
            not_in_future=True,
        ),
        Column("office_area_m2", Kind.NUMBER, ("办公用房面积", "办公面积"), required=True, minimum=0, unit=M2),
        Column(
            "service_area_m2",
            Kind.NUMBER,
            ("服务用房面积", "活动用房面积", "服务面积"),
            required=True,
            minimum=0,
            unit=M2,
        ),
        Column("room_count", Kind.INT, ("功能室数", "功能室数量"), required=True, minimum=0, unit=ROOMS),
        Column("has_hall", Kind.BOOL, ("多功能厅", "是否有多功能厅"), required=True),
        Column("tenure", Kind.ENUM, ("产权", "用房性质", "用房来源"), required=True, values=TENURES),
        Column(
            "operating_budget_yuan",
            Kind.NUMBER,
            ("工作经费", "年度工作经费", "办公经费"),
            minimum=0,
            unit=YUAN,
        ),
    ),
    key=("community_id", "year"),
    depends_on=("communities",),
)

_LIKERT_ALIASES = {
    "overall": ("总体满意度", "总体评价"),
    "service": ("社区服务", "服务"),
    "environment": ("环境卫生", "环境"),
    "safety": ("社会治安", "治安", "安全"),
    "participation": ("居民参与", "参与"),
    "staff_attitude": ("工作人员态度", "服务态度"),
    "facilities": ("设施", "活动场所"),
}

SURVEY = Table(
    "survey",
    (
        Column("response_id", Kind.TEXT, ("问卷编号", "编号"), unique=True),
        Column("community_id", Kind.TEXT, _COMMUNITY_REF, required=True, references="communities"),
        Column("survey_date", Kind.DATE, ("调查日期", "填写日期", "日期"), required=True, not_in_future=True),
        *(
            Column(item, Kind.LIKERT, _LIKERT_ALIASES[item], required=item == "overall", minimum=1, maximum=5)
            for item in SURVEY_ITEMS
        ),
        Column("weight", Kind.NUMBER, ("权重", "加权"), minimum=0, minimum_exclusive=True, default=1.0),
        Column("gender", Kind.ENUM, ("性别",), values=GENDERS),
        Column("age_group", Kind.TEXT, ("年龄段", "年龄组")),
    ),
    depends_on=("communities",),
    rows_private=True,
)

#: All tables, in the order they must be loaded (a table after the ones it refers to).
TABLES: dict[str, Table] = {t.name: t for t in (COMMUNITIES, STAFF, TASKS, FACILITIES, SURVEY)}

# A researcher's own questions. Each questionnaire asks its own; the survey table keeps the
# contract's seven fixed ones wide (one column each, what every indicator reads), and the
# rest are kept long beside it: one row per (response, item) in survey_answers, joined to the
# survey by response_id, and one row per item in questions. Long, because no two
# questionnaires share their questions (a wide table would grow a column per study and a
# schema change per upload), and items line up across waves by a code made from the
# question's text (questionnaire.item_code). Both are written by the survey load that
# brought them, in its transaction and under its import id, so undo and replace treat them
# with the survey rows. They are not files users load: no template, no header matching.
QUESTIONS = Table(
    "questions",
    (
        Column("questionnaire", Kind.TEXT, required=True),
        Column("item_code", Kind.TEXT, required=True),
        Column("item_text", Kind.TEXT, required=True),
        Column("theme", Kind.TEXT),
        Column("scale", Kind.TEXT, required=True),  # the scale as asked ("1-5", "0-10"), before rescaling
    ),
    key=("questionnaire", "item_code"),
)
SURVEY_ANSWERS = Table(
    "survey_answers",
    (
        Column("response_id", Kind.TEXT, required=True),
        Column("item_code", Kind.TEXT, required=True),
        Column("value", Kind.NUMBER, required=True, minimum=1, maximum=5),
    ),
    key=("response_id", "item_code"),
    rows_private=True,
)
#: Tables written with a contract table's load, under its import id (undone and replaced with it).
COMPANIONS: dict[str, tuple[Table, ...]] = {"survey": (QUESTIONS, SURVEY_ANSWERS)}

_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|<[^>]*>|【[^】]*】")
_SEPARATORS = re.compile(r"[\s\-_./]+")


def normalise_header(text: str) -> str:
    """Fold a header the way the contract promises to match it.

    Case, surrounding spaces, full-width forms and bracketed units are ignored, so
    ``户数``, `` 户数 ``, ``户数（户）`` and ``Households`` all fold to the same key.
    """
    folded = unicodedata.normalize("NFKC", str(text)).lower()
    folded = _BRACKETED.sub("", folded)
    return _SEPARATORS.sub("_", folded).strip("_")


def header_index(table: Table) -> dict[str, str]:
    """Map every normalised alias (and canonical name) of ``table`` to its column name."""
    index: dict[str, str] = {}
    for col in table.columns:
        for alias in (col.name, *col.aliases):
            index.setdefault(normalise_header(alias), col.name)
    return index


#: Schema of the row tables behind the contract's views (see :func:`create_view_sql`).
STORED_SCHEMA = "stored"


def create_table_sql(table: Table) -> str:
    """DDL for the row table behind one contract table, in the ``stored`` schema.

    Besides the contract's columns, each row records the load that brought it
    (``import_id``) and the load that replaced it (``replaced_by``, null while current),
    which is what makes a load undoable without copying tables. Keys and references are
    checked by the loader (with row numbers for the user), so the DDL carries only types,
    NOT NULL and value checks: enough that a script writing to the file directly cannot
    store a value the dashboard would misread.
    """
    lines = []
    for col in table.columns:
        parts = [col.name, col.sql_type]
        if col.required:
            parts.append("not null")
        check = _check_sql(col)
        if check:
            parts.append(f"check ({check})")
        lines.append("    " + " ".join(parts))
    lines += ["    import_id bigint not null", "    replaced_by bigint"]
    body = ",\n".join(lines)
    return f"create table if not exists {STORED_SCHEMA}.{table.name} (\n{body}\n)"


def create_view_sql(table: Table) -> str:
    """The contract table itself: a view with exactly the contract's name and columns.

    Researchers opening the file in DuckDB, R or Python query ``communities``, ``survey``
    and so on directly and see the current data only.
    """
    columns = ", ".join(table.column_names)
    return (
        f"create or replace view main.{table.name} as select {columns} "
        f"from {STORED_SCHEMA}.{table.name} where replaced_by is null"
    )


#: The DuckDB variable holding the root of a Parquet dataset (set with a bound parameter).
PARQUET_ROOT_VARIABLE = "community_eval_parquet"
#: How a Parquet dataset is laid out: the column each table is partitioned by (hive style,
#: ``<root>/<table>/year=2025/*.parquet``), or None for a table kept whole.
PARQUET_PARTITIONS: dict[str, str | None] = {
    "communities": None,
    "staff": None,
    "tasks": "year(period)",
    "facilities": "year",
    "survey": "year(survey_date)",
    # A questionnaire's own questions and their answers, kept whole: they go with the survey rows.
    "questions": None,
    "survey_answers": None,
}


#: The tables a query asks for by year, and the column the year comes from: each has a view
#: ``macros.<table>_by_year`` (see :func:`create_year_view_sql`).
YEAR_VIEWS: dict[str, str] = {"tasks": "period", "survey": "survey_date"}


def create_year_view_sql(
    catalog: str, table: Table, parquet: bool, present: set[str] | None = None, files_alike: bool = False
) -> str:
    """The contract table with its year as a column, ``year_of``, for queries that ask for some years.

    Why a view of its own: on a Parquet dataset the year of each file is in its path
    (``survey/year=2025/``), and DuckDB skips the other years' files only when a query filters
    on that partition column, never on ``year(survey_date)`` computed from the rows. So the
    Parquet form reads the partition column as ``year_of``; the stored form computes it from
    the date, with the same meaning (the files are partitioned by exactly that year). Queries
    filter on ``year_of`` through ``macros.<table>_in_years`` and work alike on both. It lives
    in the in-memory macro catalog, not in the database file, so a researcher's ``survey``
    keeps exactly the contract's columns.

    ``files_alike``: every file has the same columns of the same types (checked when the store
    opens). Then the files are read without ``union_by_name``, which would open every file's
    footer at each query to unite their columns, the other years' too.
    """
    date_column = YEAR_VIEWS[table.name]
    if not parquet:
        body = f"select *, year({date_column}) as year_of from main.{table.name}"
    else:
        columns = _parquet_columns_sql(table, present)
        body = f"select {columns}, year as year_of from {_parquet_source(table, union_by_name=not files_alike)}"
    return f"create or replace view {catalog}.{table.name}_by_year as {body}"


def create_parquet_view_sql(table: Table, present: set[str] | None = None) -> str:
    """The contract table as a view over Parquet files instead of stored rows.

    The files live under ``<root>/<table>/`` (any depth, hive partitions such as
    ``year=2025`` allowed; the partition column is dropped unless the contract has it).
    The root is read from a DuckDB variable, so the path is never written into SQL, and
    every column is cast to the contract's type, so an indicator reads the same types
    whichever way the data arrive. An optional column the files do not have (``present``
    lacks it: files written before the contract gained it) reads as its default.
    """
    columns = _parquet_columns_sql(table, present)
    return f"create or replace view main.{table.name} as select {columns} from {_parquet_source(table)}"


def _parquet_columns_sql(table: Table, present: set[str] | None) -> str:
    """Every contract column cast to its type; one the files lack (not in ``present``) as its default."""
    return ", ".join(
        f"cast({_literal(col.default) if present is not None and col.name not in present else col.name} "
        f"as {col.sql_type}) as {col.name}"
        for col in table.columns
    )


def parquet_glob(table: Table) -> str:
    """The SQL expression naming the table's files under the dataset's root (a DuckDB variable:
    the path is never written into SQL)."""
    return f"getvariable('{PARQUET_ROOT_VARIABLE}') || '/{table.name}/**/*.parquet'"


def _parquet_source(table: Table, union_by_name: bool = True) -> str:
    """The table's files, their partition column read from the path; columns united by name
    unless every file is known to have the same ones."""
    return (
        f"read_parquet({parquet_glob(table)}, hive_partitioning = true, union_by_name = {str(union_by_name).lower()})"
    )


def _literal(value: object) -> str:
    """A schema default as SQL (only the schema's own values: booleans, numbers, None)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    raise ValueError(f"no SQL literal for the default {value!r}")


def add_column_sql(table: Table, column: Column) -> str:
    """DDL adding a column the contract gained to a row table made before it (old rows take its default)."""
    default = f" default {_literal(column.default)}" if column.default is not None else ""
    return f"alter table {STORED_SCHEMA}.{table.name} add column if not exists {column.name} {column.sql_type}{default}"


def _check_sql(col: Column) -> str | None:
    """A CHECK expression for enums and bounded numbers; literals come only from this module."""
    if col.kind is Kind.ENUM:
        codes = ", ".join(f"'{code}'" for code in col.codes)
        return f"{col.name} in ({codes})"
    bounds = []
    if col.minimum is not None:
        op = ">" if col.minimum_exclusive else ">="
        bounds.append(f"{col.name} {op} {col.minimum:g}")
    if col.maximum is not None:
        bounds.append(f"{col.name} <= {col.maximum:g}")
    return " and ".join(bounds) or None


#: Enum columns' values by column name, for display words in either language.
ENUMS: dict[str, tuple[EnumValue, ...]] = {
    "community_type": COMMUNITY_TYPES,
    "role": ROLES,
    "employment": EMPLOYMENT,
    "gender": GENDERS,
    "education": EDUCATION,
    "exit_reason": EXIT_REASONS,
    "task_category": TASK_CATEGORIES,
    "tenure": TENURES,
}
