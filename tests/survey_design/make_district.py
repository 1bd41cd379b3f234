"""Write the district that tests/test_satisfaction.py checks against R's survey package.

Nine communities in three streets and two types, with what makes design-based estimates
differ from naive ones: unequal weights in some communities and none (1) in others,
response counts from 4 (under min_n, withheld) to 70 unrelated to population, populations
from 1,200 to 21,000, a partly answered item, and respondents of both genders in every
shown community (so no gender cell is suppressed and R's domain means are comparable).
Deterministic (seed 17); run it only to change the fixture, then rerun reference.R.

    python tests/survey_design/make_district.py && Rscript tests/survey_design/reference.R
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
#: community, street, type, population, responses, weighted?, satisfaction level (mean answer)
PLAN = (
    ("D01", "北街道", "urban", 21000, 18, True, 3.1),
    ("D02", "北街道", "urban", 3500, 70, False, 4.2),
    ("D03", "北街道", "township", 1200, 4, False, 3.0),  # under min_n: withheld
    ("D04", "南街道", "township", 8000, 25, True, 3.6),
    ("D05", "南街道", "urban", 15000, 12, True, 2.7),
    ("D06", "南街道", "township", 2600, 40, False, 3.9),
    ("D07", "西镇", "township", 9800, 33, True, 3.4),
    ("D08", "西镇", "urban", 4100, 11, False, 4.0),
    ("D09", "西镇", "township", 6400, 52, True, 3.3),
)


def answers(rng: np.random.Generator, level: float, size: int) -> np.ndarray:
    """Likert answers around ``level``: a rounded normal, clipped to 1–5."""
    return np.clip(np.rint(rng.normal(level, 1.0, size)), 1, 5).astype(int)


def build() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(17)
    communities = pd.DataFrame(
        {
            "community_id": [p[0] for p in PLAN],
            "community_name": [f"设计{p[0][1:]}社区" for p in PLAN],
            "district": "设计区",
            "street": [p[1] for p in PLAN],
            "community_type": [p[2] for p in PLAN],
            "population": [p[3] for p in PLAN],
            "households": [p[3] // 3 for p in PLAN],
        }
    )
    rows = []
    for community, _, _, _, size, weighted, level in PLAN:
        overall = answers(rng, level, size)
        service = answers(rng, level + 0.2, size).astype(float)
        service[rng.random(size) < 0.3] = np.nan  # a third leave the item blank
        weights = np.round(rng.uniform(0.4, 3.0, size), 2) if weighted else np.full(size, np.nan)
        genders = np.array(["F", "M"] * (size // 2 + 1))[:size]
        rng.shuffle(genders)
        for i in range(size):
            rows.append(
                {
                    "response_id": f"{community}-{i:03d}",
                    "community_id": community,
                    "survey_date": f"2025-{1 + i % 12:02d}-15",
                    "overall": int(overall[i]),
                    "service": None if np.isnan(service[i]) else int(service[i]),
                    "weight": None if np.isnan(weights[i]) else float(weights[i]),
                    "gender": genders[i],
                }
            )
    survey = pd.DataFrame(rows)
    survey["service"] = survey["service"].astype("Int64")
    return communities, survey


if __name__ == "__main__":
    communities, survey = build()
    communities.to_csv(HERE / "communities.csv", index=False)
    survey.to_csv(HERE / "survey.csv", index=False)
    print(f"{len(communities)} communities, {len(survey)} responses")
