"""Who may change data: password hashes, the lock-out, roles, and the data page for each role.

Hashes made here use a small scrypt cost (n = 16) so the tests stay fast; the cost
travels in the hash, so verification runs exactly as with the default.
"""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest
from streamlit.runtime.context import StreamlitHeaders
from streamlit.testing.v1 import AppTest

from community_eval import cli
from community_eval.app import auth
from community_eval.core import passwords
from community_eval.core.i18n import Translator, catalog
from community_eval.db import workspaces
from community_eval.db.store import Store
from community_eval.ingest.loader import Source, ingest

ENTRY = str(Path(__file__).resolve().parent.parent / "dashboard.py")
PASSWORD = "居委会-editor 2025"
SALT = bytes(range(16))
CHEAP = {"n": 16, "r": 8, "p": 1}
HASH = passwords.hash_password(PASSWORD, salt=SALT, **CHEAP)
NEW_COMMUNITIES = (
    "社区编码,社区名称,区县,街道,社区类型,常住人口,户数\nNEW1,新建社区,新区,新街道,纯社区,3000,1000\n"
    "NEW2,另一社区,新区,新街道,村改居,8000,2600\n"
).encode()
ONE_MORE = "社区编码,社区名称,区县,街道,社区类型,常住人口,户数\nNEW3,第三社区,新区,新街道,纯社区,500,200\n".encode()
PASSWORD_SECRETS = {"community_eval": {"editor_password_hash": HASH}}
OIDC_SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-only",
        "client_id": "dashboard",
        "client_secret": "test-only",
        "server_metadata_url": "https://id.example.org/.well-known/openid-configuration",
    },
    "community_eval": {"editors": ["Editor@District.gov.cn"]},
}


class Clock:
    """A clock the tests step by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ---- hashes -----------------------------------------------------------------------------


def test_the_hash_is_salted_scrypt_in_a_documented_format():
    n, r, p = CHEAP["n"], CHEAP["r"], CHEAP["p"]
    expected_key = hashlib.scrypt(PASSWORD.encode("utf-8"), salt=SALT, n=n, r=r, p=p, dklen=32)
    expected = f"scrypt$16$8$1${base64.b64encode(SALT).decode()}${base64.b64encode(expected_key).decode()}"
    assert passwords.hash_password(PASSWORD, salt=SALT, **CHEAP) == expected
    default = passwords.hash_password(PASSWORD).split("$")
    assert default[:4] == ["scrypt", "16384", "8", "1"], "the default cost is scrypt's recommended one"
    assert len(base64.b64decode(default[4])) == 16 and len(base64.b64decode(default[5])) == 32
    assert passwords.hash_password(PASSWORD, **CHEAP) != passwords.hash_password(PASSWORD, **CHEAP), "a fresh salt"


def test_the_right_password_passes_and_others_do_not():
    assert passwords.verify_password(PASSWORD, HASH)
    assert passwords.verify_password(PASSWORD, passwords.hash_password(PASSWORD))  # the default cost
    for wrong in ("", "居委会-editor 2024", PASSWORD + " ", PASSWORD.upper()):
        assert not passwords.verify_password(wrong, HASH), wrong
    for broken in (None, "", "plain text", HASH.replace("scrypt", "bcrypt"), HASH[:-8], "scrypt$15$8$1$AA==$AA=="):
        assert not passwords.verify_password(PASSWORD, broken), broken


def test_keys_are_compared_by_hmac_compare_digest(monkeypatch):
    calls = []

    def spy(left: bytes, right: bytes) -> bool:
        calls.append((left, right))
        return False

    monkeypatch.setattr(passwords.hmac, "compare_digest", spy)
    assert not passwords.verify_password(PASSWORD, HASH), "compare_digest's answer is the answer"
    stored = passwords.parse_hash(HASH).key
    assert calls == [(hashlib.scrypt(PASSWORD.encode(), salt=SALT, dklen=32, **CHEAP), stored)]


# ---- lock-out ---------------------------------------------------------------------------


def test_five_failures_lock_out_even_the_right_password_until_the_lock_ends():
    clock = Clock()
    lockout = passwords.LockOut(attempts=5, window_seconds=600, lock_seconds=900, clock=clock)
    lefts = [passwords.sign_in("guess", HASH, "10.0.0.9", lockout).tries_left for _ in range(4)]
    assert lefts == [4, 3, 2, 1]
    fifth = passwords.sign_in("guess", HASH, "10.0.0.9", lockout)
    assert not fifth.ok and fifth.locked_for == 900
    clock.now += 899
    refused = passwords.sign_in(PASSWORD, HASH, "10.0.0.9", lockout)
    assert not refused.ok and refused.locked_for == pytest.approx(1)
    assert passwords.sign_in(PASSWORD, HASH, "10.0.0.7", lockout).ok, "another address is not locked out"
    clock.now += 2
    assert passwords.sign_in(PASSWORD, HASH, "10.0.0.9", lockout).ok, "the lock ends"


def test_failures_older_than_the_window_do_not_count():
    clock = Clock()
    lockout = passwords.LockOut(attempts=5, window_seconds=600, lock_seconds=900, clock=clock)
    for _ in range(4):
        passwords.sign_in("guess", HASH, "k", lockout)
    clock.now += 601
    assert passwords.sign_in("guess", HASH, "k", lockout).tries_left == 4
    assert passwords.sign_in(PASSWORD, HASH, "k", lockout).ok
    assert passwords.sign_in("guess", HASH, "k", lockout).tries_left == 4, "success clears the count"
    for _ in range(2):
        passwords.sign_in("guess", HASH, "k", lockout)
    clock.now += 500
    assert passwords.sign_in("guess", HASH, "k", lockout).tries_left == 1
    clock.now += 200  # the first three are now older than the window, the fourth is not
    assert passwords.sign_in("guess", HASH, "k", lockout).tries_left == 3


# ---- roles from the secrets -------------------------------------------------------------


@pytest.fixture
def secrets(monkeypatch):
    """Set what the secrets file says, without a file."""

    def use(values: dict | None) -> None:
        monkeypatch.setattr(auth, "_secrets", lambda: values)

    return use


def test_nothing_configured_is_open_and_everyone_edits(secrets):
    secrets({})
    assert auth.config().mode == auth.OPEN and auth.role() == auth.EDITOR


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ({"is_logged_in": True, "email": "editor@district.gov.cn", "email_verified": True}, auth.EDITOR),
        ({"is_logged_in": True, "email": " EDITOR@district.gov.cn", "email_verified": True}, auth.EDITOR),
        ({"is_logged_in": True, "email": "editor@district.gov.cn", "email_verified": False}, auth.VIEWER),
        ({"is_logged_in": True, "email": "someone@district.gov.cn", "email_verified": True}, auth.VIEWER),
        ({"is_logged_in": False, "email": "editor@district.gov.cn", "email_verified": True}, auth.VIEWER),
        ({"email": "editor@district.gov.cn", "email_verified": True}, auth.VIEWER),
        ({"is_logged_in": True, "email_verified": True}, auth.VIEWER),
    ],
)
def test_oidc_editors_are_the_listed_emails(secrets, monkeypatch, user, expected):
    secrets(OIDC_SECRETS)
    monkeypatch.setattr(auth, "oidc_user", lambda: user)
    assert auth.config().mode == auth.OIDC
    assert auth.role() == expected


@pytest.mark.parametrize(
    "values",
    [
        None,  # a secrets file that cannot be read
        {"community_eval": {"editors": "editor@district.gov.cn"}},  # a string, not a list
        {"community_eval": "editor"},
        {"community_eval": {"editor_password_hash": "not a hash"}},
    ],
)
def test_a_broken_configuration_fails_closed(secrets, values):
    secrets(values)
    assert auth.config().mode != auth.OPEN
    assert auth.role() == auth.VIEWER


# ---- the data page ----------------------------------------------------------------------


@pytest.fixture
def district(sample_db, tmp_path, monkeypatch) -> str:
    """A private copy of the sample district with one undoable load of two communities."""
    db = tmp_path / "district.duckdb"
    shutil.copy(sample_db, db)
    monkeypatch.setenv("COMMUNITY_EVAL_DB", str(db))
    monkeypatch.setattr(auth, "LOCKOUT", passwords.LockOut())
    store = Store(str(db))
    try:
        assert ingest(store, [Source("新社区.csv", NEW_COMMUNITIES)])[0].loaded
    finally:
        store.close()
    return str(db)


def communities(db: str) -> int:
    with duckdb.connect(db) as con:
        return con.execute("select count(*) from communities").fetchone()[0]


def data_page(secrets: dict | None = None, user: dict | None = None) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.query_params["lang"] = "en"
    if secrets is not None:
        at.secrets.update(secrets)
    if user is not None:
        at.user = user
    return at.run().switch_page("pages/data.py").run().run()


def controls(at: AppTest) -> dict[str, bool]:
    """Which data-changing controls the page shows (undo: of the load the fixture made)."""
    return {
        "uploader": bool(at.get("file_uploader")),
        "target": any(s.label == "Load into" for s in at.selectbox),
        "undo": any(b.label.startswith("Undo load") and "新社区.csv" in b.label for b in at.button),
    }


def test_a_viewer_sees_the_history_but_no_control_that_changes_data(district):
    at = data_page(PASSWORD_SECRETS)
    assert not at.exception, [e.message for e in at.exception]
    assert controls(at) == dict.fromkeys(("uploader", "target", "undo"), False)
    assert any("You are a viewer" in i.value for i in at.info)
    assert any("新社区.csv" in frame.value.to_string() for frame in at.dataframe), "the history is still there"
    assert "Editor password" in [t.label for t in at.sidebar.text_input]


def viewer_script(db: str, data: bytes, import_id: int) -> None:
    """A run that calls the data-changing functions directly, as a crafted rerun might."""
    from community_eval.app import data_page
    from community_eval.app.cache import _open_store
    from community_eval.core.i18n import Translator
    from community_eval.ingest.loader import Source

    tr = Translator("en")
    data_page.run_upload(tr, data_page.Upload("main", [Source("more.csv", data)], None, "append", False))
    data_page.undo_import(tr, _open_store(db), import_id)
    data_page._create_workspace("研究B")


def test_the_data_changing_functions_refuse_a_viewer(district):
    at = AppTest.from_function(viewer_script, default_timeout=60, kwargs={"db": district, "data": ONE_MORE})
    at.kwargs["import_id"] = Store(district).undoable_imports().pop()
    at.secrets.update(PASSWORD_SECRETS)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert communities(district) == 81, "neither the load nor the undo happened"
    assert "研究B" not in workspaces.list_datasets()
    assert sum("Only editors may" in e.value for e in at.error) == 2
    assert at.session_state["_workspace_error"] == "__refused__"


def test_the_right_password_opens_the_controls_and_undo_works(district):
    at = data_page(PASSWORD_SECRETS)
    at.sidebar.text_input(key="auth_password").input(PASSWORD)
    at.sidebar.button(key="auth_sign_in").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert controls(at) == dict.fromkeys(("uploader", "target", "undo"), True)
    assert at.session_state["auth_password"] == "", "the typed password is not kept"
    assert any("Signed in with the editor password" in c.value for c in at.sidebar.caption)
    next(b for b in at.button if b.label.startswith("Undo load") and "新社区.csv" in b.label).click().run()
    assert communities(district) == 79
    at.sidebar.button(key="auth_sign_out").click().run()
    assert not controls(at)["uploader"], "signing out makes a viewer again"


def test_wrong_passwords_lock_the_page_out(district, monkeypatch):
    monkeypatch.setattr(auth, "LOCKOUT", passwords.LockOut(attempts=2))
    at = data_page(PASSWORD_SECRETS)
    at.sidebar.text_input(key="auth_password").input("wrong").run()
    at.sidebar.button(key="auth_sign_in").click().run()
    assert [e.value for e in at.sidebar.error] == [
        "Wrong password. After 1 more wrong tries sign-in is locked for a while."
    ]
    at.sidebar.text_input(key="auth_password").input("wrong again").run()
    at.sidebar.button(key="auth_sign_in").click().run()
    at.sidebar.text_input(key="auth_password").input(PASSWORD).run()
    at.sidebar.button(key="auth_sign_in").click().run()
    assert [e.value for e in at.sidebar.error] == [
        "Too many wrong passwords: sign-in is locked; try again in 15 minutes."
    ]
    assert not controls(at)["uploader"], "the right password is refused while locked out"


def test_when_open_is_said_everyone_may_load_and_the_page_says_so(district):
    at = data_page({"community_eval": {"open": True}})
    assert not at.exception, [e.message for e in at.exception]
    assert controls(at) == dict.fromkeys(("uploader", "target", "undo"), True)
    assert any(i.value.startswith("No sign-in is configured, so anyone") for i in at.info)
    assert "Editor password" not in [t.label for t in at.sidebar.text_input], "nobody to sign in as"


def test_oidc_editors_get_the_controls_and_others_do_not(district):
    editor = data_page(OIDC_SECRETS, {"is_logged_in": True, "email": "editor@district.gov.cn", "email_verified": True})
    assert not editor.exception, [e.message for e in editor.exception]
    assert controls(editor) == dict.fromkeys(("uploader", "target", "undo"), True)
    assert any("editor@district.gov.cn (editor)" in c.value for c in editor.sidebar.caption)
    other = data_page(OIDC_SECRETS, {"is_logged_in": True, "email": "resident@example.org", "email_verified": True})
    assert controls(other) == dict.fromkeys(("uploader", "target", "undo"), False)
    assert any("resident@example.org (viewer)" in c.value for c in other.sidebar.caption)


# ---- the command that makes a hash -----------------------------------------------------


def test_hash_password_reads_stdin_and_prints_a_line_that_verifies(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["--lang", "en", "hash-password"]) == 0
    out, err = capsys.readouterr()
    assert PASSWORD not in out + err
    key, _, value = out.strip().partition(" = ")
    assert key == "editor_password_hash"
    assert passwords.verify_password(PASSWORD, value.strip('"'))
    assert "[community_eval]" in err


def test_hash_password_at_a_terminal_asks_twice(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", type("Tty", (io.StringIO,), {"isatty": lambda self: True})())
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(answers))
    assert cli.main(["--lang", "en", "hash-password"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "differ" in err


# ---- issue 15: the lock-out cannot be raced, forged or spread over addresses -----------


class CountingHash:
    """Stands in for ``passwords._derive``: counts the hashes and takes as long as a real
    one, sleeping without the GIL as ``hashlib.scrypt`` does, so threads really overlap."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.calls = 0
        self.started = threading.Event()
        self._count = threading.Lock()
        self._real = passwords._derive

    def __call__(self, *args: object, **kwargs: object) -> bytes:
        with self._count:
            self.calls += 1
        self.started.set()
        time.sleep(self.seconds)
        return self._real(*args, **kwargs)


def test_attempts_in_flight_count_so_a_burst_cannot_outrun_the_lock_out(monkeypatch):
    hashing = CountingHash(0.2)
    monkeypatch.setattr(passwords, "_derive", hashing)
    lockout = passwords.LockOut(attempts=5)
    assert [passwords.sign_in("guess", HASH, "10.0.0.9", lockout).tries_left for _ in range(4)] == [4, 3, 2, 1]
    hashing.calls = 0
    hashing.started.clear()
    burst = threading.Barrier(15)

    def wrong() -> passwords.Attempt:
        burst.wait()
        return passwords.sign_in("guess", HASH, "10.0.0.9", lockout)

    def right() -> passwords.Attempt:
        assert hashing.started.wait(10), "no wrong guess was ever hashed"
        return passwords.sign_in(PASSWORD, HASH, "10.0.0.9", lockout)  # while the guesses are hashed

    with ThreadPoolExecutor(16) as pool:
        results = [future.result() for future in [pool.submit(wrong) for _ in range(15)] + [pool.submit(right)]]
    assert not any(result.ok for result in results), "the right password got past a lock-out in the making"
    assert hashing.calls <= 1, f"{hashing.calls} hashes ran with 1 try left"
    assert passwords.sign_in(PASSWORD, HASH, "10.0.0.9", lockout).locked_for > 0


def test_sixty_simultaneous_guesses_hash_at_most_the_allowed_five(monkeypatch):
    hashing = CountingHash(0.05)
    monkeypatch.setattr(passwords, "_derive", hashing)
    lockout = passwords.LockOut(attempts=5)
    burst = threading.Barrier(60)

    def guess(index: int) -> passwords.Attempt:
        burst.wait()
        return passwords.sign_in(f"guess {index}", HASH, "10.0.0.9", lockout)

    with ThreadPoolExecutor(60) as pool:
        results = list(pool.map(guess, range(60)))
    assert hashing.calls <= 5, f"{hashing.calls} hashes for 5 allowed tries"
    assert sum(result.locked_for > 0 for result in results) >= 55


def test_a_right_password_in_flight_is_not_left_counted_as_a_failure():
    lockout = passwords.LockOut(attempts=5)
    for _ in range(4):
        passwords.sign_in("guess", HASH, "k", lockout)
    assert passwords.sign_in(PASSWORD, HASH, "k", lockout).ok, "the fifth try may be the right one"
    assert passwords.sign_in("guess", HASH, "k", lockout).tries_left == 4, "and it clears the count"


def test_failures_from_all_addresses_together_lock_password_sign_in_for_everyone():
    clock = Clock()
    lockout = passwords.LockOut(attempts=5, global_attempts=20, window_seconds=600, lock_seconds=900, clock=clock)
    for address in range(5):
        for _ in range(4):  # never enough from one address to lock it out
            assert not passwords.sign_in("guess", HASH, f"10.0.1.{address}", lockout).ok
    refused = passwords.sign_in(PASSWORD, HASH, "10.0.2.1", lockout)
    assert not refused.ok and refused.locked_for == 900, "20 failures from anywhere lock everyone out"
    clock.now += 901
    assert passwords.sign_in(PASSWORD, HASH, "10.0.2.1", lockout).ok, "the global lock ends too"


def test_the_documented_numbers():
    lockout = passwords.LockOut()
    assert (lockout.attempts, lockout.global_attempts) == (5, 20)
    assert lockout.window_seconds == lockout.lock_seconds == 15 * 60


def use_context(monkeypatch, address: str | None, headers: list[tuple[str, str]] = ()) -> None:
    """What ``st.context`` says about the connection: its (uvicorn-rewritten) address and headers."""
    context = type("Context", (), {"ip_address": address, "headers": StreamlitHeaders(headers)})()
    monkeypatch.setattr(auth.st, "context", context)


@pytest.mark.parametrize(
    ("header", "value"),
    [("X-Forwarded-For", "{}"), ("x-real-ip", "{}"), ("Forwarded", "for={}"), ("X-Forwarded-For", "10.1.1.1, {}")],
)
def test_forged_forwarding_headers_share_one_count(secrets, monkeypatch, header, value):
    secrets(PASSWORD_SECRETS)
    keys = set()
    for forged in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        # uvicorn trusts X-Forwarded-For from loopback and makes it the connection's address
        use_context(monkeypatch, forged, [("Host", "dash"), (header, value.format(forged))])
        keys.add(auth.client_key())
    assert len(keys) == 1, f"each forged address got its own count: {keys}"
    use_context(monkeypatch, "203.0.113.5")
    assert auth.client_key() not in keys, "a connection that forwards nothing keeps its own count"


def test_without_forwarding_headers_each_connection_address_counts_alone(secrets, monkeypatch):
    secrets(PASSWORD_SECRETS)
    keys = []
    for address in ("203.0.113.5", "203.0.113.6", None):
        use_context(monkeypatch, address, [("Host", "dash")])
        keys.append(auth.client_key())
    assert keys == ["203.0.113.5", "203.0.113.6", "local"]


def test_the_deployments_own_proxy_header_names_the_client(secrets, monkeypatch):
    secrets({"community_eval": {"editor_password_hash": HASH, "client_address_header": "X-Real-IP"}})
    assert auth.config().client_address_header == "X-Real-IP"
    use_context(monkeypatch, "127.0.0.1", [("X-Real-IP", "198.51.100.7"), ("X-Forwarded-For", "1.2.3.4")])
    assert auth.client_key() == "198.51.100.7"
    use_context(monkeypatch, None, [("X-Forwarded-For", "1.2.3.4")])
    missing = auth.client_key()
    use_context(monkeypatch, None, [("X-Real-IP", "not an address")])
    assert auth.client_key() == missing != "1.2.3.4", "no usable address from the proxy: one shared count"
    secrets({"community_eval": {"editor_password_hash": HASH, "client_address_header": "X-Forwarded-For"}})
    use_context(monkeypatch, None, [("X-Forwarded-For", "1.2.3.4, 198.51.100.8")])
    assert auth.client_key() == "198.51.100.8", "the address the deployment's proxy appended, the last one"


# ---- issue 15: a configuration that cannot be used lets nobody change data -------------

AUTH_SECTION = OIDC_SECRETS["auth"]


@pytest.mark.parametrize(
    ("values", "message_key", "named"),
    [
        (None, "auth.bad_unreadable", ""),
        ({"community_eval": {"editors": ["editor@district.gov.cn"]}}, "auth.bad_editors_without_auth", "[auth]"),
        ({"community_eval": {"editor_password": PASSWORD}}, "auth.bad_unknown_key", "editor_password"),
        ({"community-eval": {"editor_password_hash": HASH}}, "auth.bad_near_section", "[community-eval]"),
        ({"Auth": AUTH_SECTION, "community_eval": {"editors": ["a@b.cn"]}}, "auth.bad_near_section", "[Auth]"),
        ({"CommunityEval": {"open": True}}, "auth.bad_near_section", "[CommunityEval]"),
        ({"community_eval": {}}, "auth.bad_no_method", "editor_password_hash"),
        ({"community_eval": {"open": False}}, "auth.bad_no_method", "editor_password_hash"),
        ({"community_eval": {"provider": "x"}}, "auth.bad_no_method", "editor_password_hash"),
        ({"editor_password_hash": HASH}, "auth.bad_outside_section", "editor_password_hash"),
        ({"community_eval": "editor"}, "auth.bad_not_table", "[community_eval]"),
        ({"auth": "yes"}, "auth.bad_not_table", "[auth]"),
        ({"community_eval": {"editors": "editor@district.gov.cn"}, "auth": AUTH_SECTION}, "auth.bad_editors", ""),
        ({"community_eval": {"editors": [7]}, "auth": AUTH_SECTION}, "auth.bad_editors", ""),
        ({"community_eval": {"editor_password_hash": "not a hash"}}, "auth.bad_hash", ""),
        ({"community_eval": {"open": "yes"}}, "auth.bad_open", ""),
        ({"community_eval": {"open": True, "editor_password_hash": HASH}}, "auth.bad_open_conflict", ""),
        ({"community_eval": {"editor_password_hash": HASH}, "auth": AUTH_SECTION}, "auth.bad_two_methods", ""),
        ({"community_eval": {"editor_password_hash": HASH, "client_address_header": ""}}, "auth.bad_header", ""),
        ({"community_eval": {"editor_password_hash": HASH, "client_address_header": "a b"}}, "auth.bad_header", ""),
        ({"auth": {"redirect_uri": "http://x/oauth2callback"}}, "auth.bad_auth_incomplete", "auth.cookie_secret"),
        ({"auth": AUTH_SECTION, "community_eval": {"provider": "corp"}}, "auth.bad_auth_incomplete", "auth.corp"),
    ],
)
def test_each_unusable_configuration_is_misconfigured_and_says_why(secrets, values, message_key, named):
    secrets(values)
    current = auth.config()
    assert current.mode == auth.MISCONFIGURED
    assert current.problem is not None and current.problem.key == message_key
    assert auth.role() == auth.VIEWER
    for lang in ("en", "zh"):
        assert named in auth.explain(Translator(lang), current)


@pytest.mark.parametrize(
    "values",
    [{}, {"connections": {"db": {"url": "duckdb:///x"}}}, {"community_eval": {"open": True}}],
)
def test_open_only_without_our_sections_or_when_said_explicitly(secrets, values):
    secrets(values)
    assert auth.config().mode == auth.OPEN and auth.role() == auth.EDITOR


def test_every_misconfiguration_has_a_message_in_both_languages():
    for key in auth.PROBLEM_KEYS:
        assert key in catalog("en") and key in catalog("zh"), key


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"community_eval": {"editors": ["editor@district.gov.cn"]}}, "[auth]"),
        ({"community_eval": {"editor_password": PASSWORD}}, "editor_password"),
        ({"community-eval": {"editor_password_hash": HASH}}, "[community-eval]"),
        ({"Auth": AUTH_SECTION, "community_eval": {"editors": ["editor@district.gov.cn"]}}, "[Auth]"),
    ],
)
def test_the_reported_malformed_secrets_give_nobody_the_uploader_and_say_why(district, values, named):
    at = data_page(values, {"is_logged_in": True, "email": "editor@district.gov.cn", "email_verified": True})
    assert not at.exception, [e.message for e in at.exception]
    assert controls(at) == dict.fromkeys(("uploader", "target", "undo"), False)
    assert any(named in e.value for e in at.main.error), [e.value for e in at.main.error]
    assert any(named in e.value for e in at.sidebar.error), [e.value for e in at.sidebar.error]


# ---- issue 15: only a verified e-mail names an editor ----------------------------------


@pytest.mark.parametrize(
    ("verified", "expected"),
    [(True, auth.EDITOR), (None, auth.VIEWER), ("false", auth.VIEWER), ("true", auth.VIEWER), (1, auth.VIEWER)],
)
def test_only_email_verified_true_names_an_editor(secrets, monkeypatch, verified, expected):
    secrets(OIDC_SECRETS)
    user = {"is_logged_in": True, "email": "editor@district.gov.cn"}
    if verified is not None:
        user["email_verified"] = verified
    monkeypatch.setattr(auth, "oidc_user", lambda: user)
    assert auth.role() == expected
