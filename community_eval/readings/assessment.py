"""The assessment in sentences and its table: who leads, who is not rated and why, how stable
the ranking is under other weights, who moved, and each community's best lever.

Pure Python over the indicators' frames, no Streamlit: the assessment page and the offline
report (also made from the command line) read them the same way.
"""

from __future__ import annotations

import pandas as pd

from community_eval.core.i18n import Translator


def ranking_takeaway(tr: Translator, scores: pd.DataFrame) -> str:
    """Who leads among the rated communities, and how many are not rated for incomplete data.

    Only a rated community (every component of positive weight scored) can be named first:
    a partial composite, lacking e.g. the heavily weighted satisfaction, may read higher
    than it would be. A clause whose count is zero is left out.
    """
    rated = scores["rated"].astype(bool)
    unrated, unscored = int((~rated).sum()), int(scores["composite"].isna().sum())
    ranked = scores[rated].dropna(subset=["rank"]).sort_values("rank")
    if ranked.empty:
        sentences = [tr("assessment.takeaway_none")]
    else:
        first = ranked.iloc[0]
        sentences = [
            tr(
                "assessment.takeaway",
                name=first["community_name"],
                score=tr.number(first["composite"], "score"),
                tier=first["tier"],
                rated=len(ranked),
            )
        ]
    if unrated:
        key = "assessment.takeaway_unrated_unscored" if unscored else "assessment.takeaway_unrated"
        sentences.append(tr(key, count=unrated, total=len(scores), unscored=unscored))
    return ("" if tr.lang == "zh" else " ").join(sentences)


def missing_words(tr: Translator, codes: object) -> str:
    """``satisfaction,burden`` in words, joined as the language lists them."""
    if not isinstance(codes, str):
        return ""
    return tr.join(tr(f"assessment.component.{code}") for code in codes.split(",") if code)


def unrated_lines(tr: Translator, scores: pd.DataFrame) -> list[str]:
    """One sentence per community that is not rated: what it lacks, and its partial composite."""
    unrated = scores[~scores["rated"].astype(bool)]
    unrated = unrated.sort_values(["composite", "community_id"], ascending=[False, True], na_position="last")
    lines = []
    for _, row in unrated.iterrows():
        missing = missing_words(tr, row["components_missing"])
        if pd.isna(row["composite"]):
            lines.append(tr("assessment.unrated_line_empty", name=row["community_name"], missing=missing))
        else:
            score = tr.number(row["composite"], "score")
            lines.append(tr("assessment.unrated_line", name=row["community_name"], missing=missing, score=score))
    return lines


def stability_takeaway(tr: Translator, ranges: pd.DataFrame) -> str:
    """How many places the weighting, not the data, decides."""
    shift = ranges["rank_worst"] - ranges["rank_best"]
    moving = int((shift > 0).sum())
    if not moving:
        return tr("assessment.stability_none")
    return tr("assessment.stability_takeaway", moving=moving, max_shift=int(shift.max()), fixed=len(ranges) - moving)


def movement_takeaway(tr: Translator, moved: pd.DataFrame, year: int) -> str:
    """Who rose and who fell most since last year, in places."""
    known = moved.dropna(subset=["rank_change"])
    if known.empty:
        return tr("assessment.movement_none", previous=year - 1)
    up, down = known.loc[known["rank_change"].idxmax()], known.loc[known["rank_change"].idxmin()]
    return tr(
        "assessment.movement_takeaway",
        previous=year - 1,
        up=up["community_name"],
        up_by=int(up["rank_change"]),
        down=down["community_name"],
        down_by=int(-down["rank_change"]),
    )


def lever_lines(tr: Translator, scores: pd.DataFrame, limit: int) -> list[str]:
    """One sentence per community (best first): the component whose rise would add most."""
    rows = scores.dropna(subset=["best_lever"]).sort_values("rank").head(limit)
    return [
        tr(
            "assessment.lever",
            name=row["community_name"],
            component=tr(f"assessment.component.{row['best_lever']}"),
            gain=tr.number(row["best_lever_gain"], "score"),
        )
        for _, row in rows.iterrows()
    ]


def ranking_table(
    tr: Translator, scores: pd.DataFrame, ranges: pd.DataFrame, moved: pd.DataFrame
) -> tuple[pd.DataFrame, list[str]]:
    """The page's table: scores with rank range and movement, component codes in words."""
    table = scores.merge(ranges[["community_id", "rank_best", "rank_worst"]], on="community_id", how="left")
    table = table.merge(moved[["community_id", "previous_rank", "rank_change"]], on="community_id", how="left")

    table["components_missing"] = [missing_words(tr, codes) for codes in table["components_missing"]]
    table["best_lever"] = [
        tr(f"assessment.component.{code}") if isinstance(code, str) else "" for code in table["best_lever"]
    ]
    # No empty text cell reads "None": an unrated community has no tier, shown blank, and
    # the rated column says why.
    table["tier"] = [tier if isinstance(tier, str) else "" for tier in table["tier"]]
    table["rated"] = [tr("assessment.rated_yes" if ok else "assessment.rated_no") for ok in table["rated"]]
    columns = [
        "rank",
        "community_name",
        "tier",
        "composite",
        "rated",
        "satisfaction_score",
        "burden_score",
        "facility_score",
        "staffing_score",
        "components_missing",
        "best_lever",
        "best_lever_gain",
        "rank_best",
        "rank_worst",
        "previous_rank",
        "rank_change",
    ]
    return table, columns
