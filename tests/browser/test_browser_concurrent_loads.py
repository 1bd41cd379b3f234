"""Two browser sessions load the same communities file in append mode at nearly the same
time: the server runs both loads at once, on two threads, against one database. Each id
ends up stored once: the second load is checked against the first's rows (it waits for the
dataset's write lock), and either is refused or was never offered once the first had landed.
"""

from __future__ import annotations

#: Enough rows that the Python path (under the bulk path's 5,000) spends a while checking them:
#: without the lock, both sessions would read the stored keys before either stored its rows.
ROWS = 4000
SAMPLE_COMMUNITIES = 79
#: Click the load button when the clock reaches the given time (ms since the epoch).
CLICK_AT = """(at) => setTimeout(
  () => document.querySelector('.st-key-data_load button').click(), Math.max(0, at - Date.now()))"""


def _communities_file() -> bytes:
    header = "community_id,community_name,district,street,community_type,population,households\n"
    lines = [f"RACE{n:05d},并发社区{n},仙桃市,并发街道,urban,{1000 + n},{300 + n}" for n in range(ROWS)]
    return (header + "\n".join(lines) + "\n").encode("utf-8")


def _communities_metric(view) -> str:
    return view.page.locator("[data-testid='stMetricValue']").first.inner_text()


def test_two_sessions_appending_the_same_file_store_each_id_once(own_server, tab):
    data = _communities_file()
    sessions = [tab(lang="en").open(f"{own_server}/data?lang=en") for _ in range(2)]
    for view in sessions:
        view.page.locator(".st-key-data_files input[type='file']").set_input_files(
            files=[{"name": "communities.csv", "mimeType": "text/csv", "buffer": data}]
        )
    for view in sessions:
        view.settle()
        assert view.page.locator(".st-key-data_load button").is_enabled(), "the preview found nothing wrong"

    # Both clicks at one moment of the clock, each page's own timer firing it: the two loads start together.
    at = sessions[0].page.evaluate("() => Date.now() + 1000")
    for view in sessions:
        view.page.evaluate(CLICK_AT, at)
    sessions[0].page.wait_for_timeout(1500)
    for view in sessions:
        view.settle(timeout_ms=120_000)
        assert not view.exceptions() and not view.errors, (view.exceptions(), view.errors)

    overview = tab(lang="en").open(f"{own_server}/?lang=en")
    assert _communities_metric(overview) == f"{SAMPLE_COMMUNITIES + ROWS:,}", "each id stored once"
    successes = sum(view.page.locator("[data-testid='stAlertContentSuccess']").count() for view in sessions)
    assert successes == 1, "exactly one session loaded the file"
