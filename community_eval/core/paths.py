"""Where the project's files are: one place, so moving a module never moves what it reads.

The package reads files that live beside it in the checkout (locales, named queries, the
standards, the sample data, the entry script); each module used to count ``.parent`` steps
from its own file, which broke the day the modules moved into sub-packages.
"""

from __future__ import annotations

from pathlib import Path

#: The package folder, ``community_eval/``.
PACKAGE_DIR = Path(__file__).resolve().parents[1]
#: The checkout: the folder holding ``dashboard.py``, ``queries/``, ``locales/``.
PROJECT_ROOT = PACKAGE_DIR.parent

LOCALE_DIR = PROJECT_ROOT / "locales"
QUERY_DIR = PROJECT_ROOT / "queries"
SAMPLE_DIR = PROJECT_ROOT / "sample_data"
STANDARDS_FILE = PROJECT_ROOT / "standards.toml"
ENTRY = PROJECT_ROOT / "dashboard.py"
FAVICON = PACKAGE_DIR / "assets" / "favicon.png"
