"""The choices a load offers, as plain names.

The command line gives them to argparse before it knows which command runs; the loader
itself imports pandas and DuckDB, which ``--help`` should not wait for (issue 20).
"""

from __future__ import annotations

#: Append the file's rows, or replace the table's rows with them.
MODES = ("append", "replace")
#: Which way numeric answer codes run: "high-first" = code 1 is the first option, 非常满意
#: (问卷星's 按序号 export of a scale listed from satisfied down); "low-first" = the code is the score.
LIKERT_ORDERS = ("high-first", "low-first")
