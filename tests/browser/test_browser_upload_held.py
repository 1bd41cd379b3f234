"""An upload on the data page's uploader survives the release of unheld uploads (uploads.py).

The server lets go of uploaded files no uploader holds after a grace period (here 2 s,
with a sweep every 0.5 s). A file sitting in the data page's uploader is held: an editor
who leaves the tab long past the grace still checks and loads it.
"""

from __future__ import annotations

import pytest

from community_eval.app.uploads import GRACE_ENV
from tools import meeting_screenshots as harness

CSV = ("社区编码,社区名称,区县,街道,社区类型,常住人口,户数\nXT950,久留社区,仙桃市,干河街道,纯社区,4200,1500\n").encode()


@pytest.fixture(scope="module")
def own_server(browser_ready):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(GRACE_ENV, "2")
        with harness.dashboard() as base:
            yield base


def test_a_file_in_the_uploader_is_still_there_long_after_the_grace(own_server, tab):
    view = tab(lang="en").open(f"{own_server}/data?lang=en")
    view.page.locator(".st-key-data_files input[type='file']").set_input_files(
        files=[{"name": "c.csv", "mimeType": "text/csv", "buffer": CSV}]
    )
    view.settle()
    view.page.wait_for_timeout(6000)  # three times the grace, a dozen sweeps
    view.page.locator(".st-key-data_load button").click()
    view.settle()
    alerts = " ".join(a.inner_text() for a in view.page.locator("[data-testid='stAlert']").all())
    assert "c.csv" in alerts and "1" in alerts, alerts
    assert not view.exceptions() and not view.errors, (view.exceptions(), view.errors)
