"""What SQL lacks: the t quantile for 95 % intervals and the p-value of a correlation (scipy)."""

from __future__ import annotations

import pandas as pd
from scipy import stats


def correlation_p_value(r: pd.Series, n: pd.Series) -> pd.Series:
    """Two-sided p-value of Pearson's r under no correlation; null below 3 points."""
    r = r.astype(float)
    dof = n.astype(float) - 2
    valid = (dof > 0) & r.notna() & (r.abs() < 1)
    t_stat = r * (dof / (1 - r**2)).pow(0.5)
    p_values = 2 * stats.t.sf(t_stat.abs().where(valid, 0.0), dof.where(valid, 1.0))
    exact = (r.abs() == 1) & (dof > 0)
    return pd.Series(p_values, index=r.index).where(valid, 0.0).where(valid | exact)


def t_interval(mean: pd.Series, se: pd.Series, df: pd.Series) -> tuple[pd.Series, pd.Series]:
    """95 % interval mean ± t(0.975, df) · se, R's ``confint(svymean(...), df = degf(design))``;
    null where it is undefined (no se, or no degree of freedom)."""
    valid = mean.notna() & se.notna() & df.notna() & (df.astype(float) > 0)
    freedom = df.astype(float).where(valid, 1.0)
    quantile = pd.Series(stats.t.ppf(0.975, freedom), index=mean.index)
    half = (quantile * se.astype(float)).where(valid)
    return (mean - half).where(valid), (mean + half).where(valid)
