"""Who may change data: viewers browse, editors load, replace and undo.

The mode follows ``.streamlit/secrets.toml``:

- ``oidc``: an ``[auth]`` section exists, so Streamlit's ``st.login`` signs users in with
  the provider; editors are the e-mails in ``[community_eval] editors`` that the provider
  says are verified, everyone else (signed in or not) is a viewer;
- ``password``: ``[community_eval] editor_password_hash`` is set (see :mod:`passwords`);
  a session becomes an editor by typing the password, until it signs out or ends;
- ``open``: there are no secrets of ours at all, as on a researcher's own laptop, or
  ``[community_eval] open = true`` says so: everyone is an editor, and the data page says so;
- ``misconfigured``: anything else, such as a file that cannot be read, a key this module
  does not know, an ``editors`` list with no ``[auth]``, or a section named ``[Auth]``:
  nobody is an editor (failing closed, never open), and the sidebar and the data page say
  what is wrong. A typo must never quietly give every visitor the uploader.

The functions that change data call :func:`require_editor` themselves, so hiding the
controls is not the only protection.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st
from streamlit import config as st_config
from streamlit.errors import StreamlitAPIException

from community_eval.core import passwords
from community_eval.core.i18n import Translator

VIEWER, EDITOR = "viewer", "editor"
OPEN, PASSWORD, OIDC, MISCONFIGURED = "open", "password", "oidc", "misconfigured"
SECTION, AUTH = "community_eval", "auth"
#: Every key ``[community_eval]`` may hold. Any other is refused rather than ignored:
#: ``editor_password`` for ``editor_password_hash`` must not leave the dashboard open.
KEYS = ("editors", "editor_password_hash", "provider", "client_address_header", "open")
#: What ``st.login`` needs: in ``[auth]``, and in the provider's section (``[auth]`` itself
#: for the default provider), as ``streamlit.auth_util.validate_auth_credentials`` checks.
AUTH_KEYS = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
#: The message of each kind of unusable configuration (``locales/*.toml``).
PROBLEM_KEYS = (
    "auth.bad_unreadable",
    "auth.bad_near_section",
    "auth.bad_not_table",
    "auth.bad_outside_section",
    "auth.bad_unknown_key",
    "auth.bad_editors",
    "auth.bad_editors_without_auth",
    "auth.bad_no_method",
    "auth.bad_hash",
    "auth.bad_open",
    "auth.bad_open_conflict",
    "auth.bad_two_methods",
    "auth.bad_header",
    "auth.bad_provider",
    "auth.bad_auth_incomplete",
)

#: Headers that say a request was forwarded. A client can send any of them, and uvicorn
#: (as Streamlit starts it) takes ``X-Forwarded-For`` from a loopback peer as the address.
FORWARDING_HEADERS = ("x-forwarded-for", "x-real-ip", "forwarded")
#: Lock-out keys of requests whose own address cannot be trusted: they share one count.
FORWARDED, UNATTRIBUTED, LOCAL = "forwarded", "no-proxy-address", "local"
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an HTTP token (RFC 9110)

#: Session keys. No widget carries them, so a browser cannot set them.
_SIGNED_IN = "_community_eval_editor"
_MESSAGE = "_community_eval_auth_message"
_PASSWORD_FIELD = "auth_password"

#: Failed passwords, counted per client (see :func:`client_key`) and for everyone, for the
#: whole process.
LOCKOUT = passwords.LockOut()


@dataclass(frozen=True)
class Problem:
    """Why a configuration cannot be used: a message key of :data:`PROBLEM_KEYS` and its values."""

    key: str
    params: dict[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Config:
    """What the secrets file says about sign-in."""

    mode: str
    editors: frozenset[str] = frozenset()
    password_hash: str | None = None
    provider: str | None = None
    client_address_header: str | None = None
    problem: Problem | None = None


class Unusable(Exception):
    """Raised while reading the secrets when they cannot be used; carries the :class:`Problem`."""

    def __init__(self, message: str, /, **params: str) -> None:
        assert message in PROBLEM_KEYS, message
        super().__init__(message)
        self.problem = Problem(message, params)


def _secrets() -> Mapping[str, object] | None:
    """The secrets as a mapping; ``{}`` when there is no file, None when one exists but is unreadable.

    ``st.secrets`` is looked up on the module at each call, so AppTest's ``at.secrets`` applies.
    """
    if st.secrets.load_if_toml_exists():
        return st.secrets.to_dict()
    files = st_config.get_option("secrets.files") or []
    return None if any(Path(path).exists() for path in files) else {}


def _email(value: object) -> str:
    return str(value).strip().lower()


def config() -> Config:
    """The sign-in mode and its settings, read from the secrets on every call (they may change)."""
    secrets = _secrets()
    try:
        if secrets is None:
            raise Unusable("auth.bad_unreadable")
        return _read(secrets)
    except Unusable as unusable:
        return Config(MISCONFIGURED, problem=unusable.problem)


def _read(secrets: Mapping[str, object]) -> Config:
    """The configuration the secrets describe; raises :class:`Unusable` for anything else."""
    _refuse_near_misses(secrets)
    ours, provider_auth = _table(secrets, SECTION), _table(secrets, AUTH)
    if ours is None and provider_auth is None:
        return Config(OPEN)
    ours = ours or {}
    unknown = sorted(set(ours) - set(KEYS))
    if unknown:
        raise Unusable("auth.bad_unknown_key", name=unknown[0], known=", ".join(KEYS))
    header = _address_header(ours)
    if _says_open(ours):
        methods = [key for key in ("editor_password_hash", "editors") if key in ours]
        if methods or provider_auth is not None:
            raise Unusable("auth.bad_open_conflict", method=methods[0] if methods else f"[{AUTH}]")
        return Config(OPEN)
    if provider_auth is not None:
        if "editor_password_hash" in ours:
            raise Unusable("auth.bad_two_methods")
        provider = _provider(ours, provider_auth)
        return Config(OIDC, _editors(ours), provider=provider, client_address_header=header)
    if "editors" in ours:
        raise Unusable("auth.bad_editors_without_auth")
    if "editor_password_hash" not in ours:
        raise Unusable("auth.bad_no_method")
    stored = ours["editor_password_hash"]
    if passwords.parse_hash(stored) is None:
        raise Unusable("auth.bad_hash")
    return Config(PASSWORD, password_hash=stored, client_address_header=header)


def _squash(name: str) -> str:
    return re.sub(r"[-_\s]", "", name).lower()


def _refuse_near_misses(secrets: Mapping[str, object]) -> None:
    """A section almost named ours (``[Auth]``, ``[community-eval]``) is a typo, not someone
    else's section; and one of our keys above every section heading was meant to be under one."""
    for name, value in secrets.items():
        for meant in (SECTION, AUTH):
            if name != meant and _squash(name) == _squash(meant):
                raise Unusable("auth.bad_near_section", section=name, meant=meant)
        if name in KEYS and not isinstance(value, Mapping):
            raise Unusable("auth.bad_outside_section", name=name)


def _table(secrets: Mapping[str, object], name: str) -> Mapping[str, object] | None:
    """The section ``name``, None when absent; a plain value where a section belongs is unusable."""
    if name not in secrets:
        return None
    value = secrets[name]
    if not isinstance(value, Mapping):
        raise Unusable("auth.bad_not_table", section=name)
    return value


def _says_open(ours: Mapping[str, object]) -> bool:
    value = ours.get("open", False)
    if not isinstance(value, bool):
        raise Unusable("auth.bad_open")
    return value


def _address_header(ours: Mapping[str, object]) -> str | None:
    """The header the deployment's own proxy sets to the client's address, if it names one."""
    if "client_address_header" not in ours:
        return None
    value = ours["client_address_header"]
    if not isinstance(value, str) or not _HEADER_NAME.match(value):
        raise Unusable("auth.bad_header")
    return value


def _editors(ours: Mapping[str, object]) -> frozenset[str]:
    editors = ours.get("editors", [])
    if not isinstance(editors, list | tuple) or not all(isinstance(e, str) and "@" in e for e in editors):
        raise Unusable("auth.bad_editors")
    return frozenset(_email(e) for e in editors)


def _provider(ours: Mapping[str, object], provider_auth: Mapping[str, object]) -> str | None:
    """The named provider, after checking ``[auth]`` holds what ``st.login`` will ask for."""
    provider = ours.get("provider")
    if provider is not None and (not isinstance(provider, str) or not provider or "_" in provider):
        raise Unusable("auth.bad_provider")
    missing = [f"{AUTH}.{key}" for key in AUTH_KEYS if not provider_auth.get(key)]
    name = provider or "default"
    section, prefix = provider_auth.get(name), f"{AUTH}.{name}"
    if section is None and provider is None:  # st.login's default provider: [auth]'s own keys
        section, prefix = provider_auth, AUTH
    if isinstance(section, Mapping):
        missing += [f"{prefix}.{key}" for key in PROVIDER_KEYS if not section.get(key)]
    else:
        missing.append(f"[{prefix}]")
    if missing:
        raise Unusable("auth.bad_auth_incomplete", missing=", ".join(missing))
    return provider


def explain(tr: Translator, current: Config) -> str:
    """What is wrong with a misconfigured setup, in the reader's language."""
    problem = current.problem or Problem("auth.bad_unreadable")
    return tr("auth.bad_secrets", reason=tr(problem.key, **problem.params))


# ---- who is this ------------------------------------------------------------------------


def oidc_user() -> dict[str, object]:
    """The identity claims of the signed-in user (``st.user``); tests replace this."""
    return st.user.to_dict()


def signed_in_email() -> str | None:
    """The provider-verified e-mail of the signed-in user, if any.

    Only ``email_verified`` that is the boolean true counts: a provider that leaves the
    claim out, or sends the string ``"false"``, may let users type any address, and such
    an address must not name an editor.
    """
    user = oidc_user()
    if user.get("is_logged_in") is not True or user.get("email_verified") is not True:
        return None
    email = user.get("email")
    return _email(email) if email else None


def _fingerprint(stored: str | None) -> str:
    """What a password sign-in remembers: a digest of the hash it matched, so changing the
    password in the secrets signs every session out."""
    return hashlib.sha256((stored or "").encode()).hexdigest()


def role(current: Config | None = None) -> str:
    """``editor`` or ``viewer`` for the current session."""
    current = current or config()
    if current.mode == OPEN:
        return EDITOR
    if current.mode == OIDC:
        email = signed_in_email()
        return EDITOR if email is not None and email in current.editors else VIEWER
    if current.mode == PASSWORD and current.password_hash:
        return EDITOR if st.session_state.get(_SIGNED_IN) == _fingerprint(current.password_hash) else VIEWER
    return VIEWER


def is_editor() -> bool:
    return role() == EDITOR


def require_editor(tr: Translator) -> bool:
    """Whether the session may change data; if not, say so in one sentence.

    Every function that loads, replaces, undoes or creates calls this first, so a rerun
    crafted to reach it without the (hidden) control is still refused.
    """
    if is_editor():
        return True
    st.error(tr("auth.refused"), icon=":material/lock:")
    return False


def client_key(current: Config | None = None) -> str:
    """What the lock-out counts this client's failures against.

    Not ``st.context.ip_address`` as it comes: uvicorn, as Streamlit starts it, replaces a
    loopback peer's address with whatever ``X-Forwarded-For`` says, so a client behind a
    proxy on the same host, or a local user, could claim a fresh address for every guess.
    So: with ``client_address_header`` set, the address the deployment's own proxy put in
    that header (one shared key when it is missing or not an address); without it, every
    request that carries any forwarding header shares one key, and only a request that
    forwards nothing is counted by its connection's address. Streamlit gives no address
    for loopback connections; those share the key ``local``.
    """
    current = current or config()
    headers = st.context.headers
    if current.client_address_header:
        return _proxy_address(headers.get_all(current.client_address_header)) or UNATTRIBUTED
    if any(headers.get_all(name) for name in FORWARDING_HEADERS):
        return FORWARDED
    address = st.context.ip_address
    return address if isinstance(address, str) and address else LOCAL


def _proxy_address(values: list[str]) -> str | None:
    """The address in the last value the proxy wrote: a proxy appends to ``X-Forwarded-For``
    (and ``Forwarded``), so only the last entry is its own; ``for=`` is ``Forwarded``'s form."""
    if not values:
        return None
    entry = values[-1].split(",")[-1].strip()
    for part in entry.split(";"):
        name, equals, value = part.strip().partition("=")
        if equals and name.lower() == "for":
            entry = value
    return _ip(entry.strip().strip('"'))


def _ip(text: str) -> str | None:
    """``text`` as a normalised IP address, also when written with a port; None when it is not one."""
    candidates = [text]
    if text.startswith("["):
        candidates.append(text[1:].partition("]")[0])
    elif text.count(":") == 1:
        candidates.append(text.partition(":")[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


# ---- sidebar ----------------------------------------------------------------------------


def _try_password() -> None:
    """Sign-in button callback: check the typed password, then forget it."""
    typed = st.session_state.get(_PASSWORD_FIELD) or ""
    st.session_state[_PASSWORD_FIELD] = ""
    current = config()
    if current.mode != PASSWORD:
        return
    result = passwords.sign_in(typed, current.password_hash, client_key(current), LOCKOUT)
    if result.ok:
        st.session_state[_SIGNED_IN] = _fingerprint(current.password_hash)
        st.session_state.pop(_MESSAGE, None)
    elif result.locked_for > 0:
        st.session_state[_MESSAGE] = ("locked", result.locked_for)
    else:
        st.session_state[_MESSAGE] = ("wrong", result.tries_left)


def _sign_out() -> None:
    st.session_state.pop(_SIGNED_IN, None)
    st.session_state.pop(_MESSAGE, None)


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


def _password_sidebar(tr: Translator, current: Config) -> None:
    if role(current) == EDITOR:
        st.sidebar.caption(tr("auth.you_password_editor"))
        st.sidebar.button(tr("auth.sign_out"), key="auth_sign_out", on_click=_sign_out, icon=":material/logout:")
        return
    st.sidebar.caption(tr("auth.you_viewer"))
    kind, value = st.session_state.pop(_MESSAGE, (None, None))
    waiting = LOCKOUT.locked_for(client_key(current))
    if waiting > 0:
        st.sidebar.error(tr("auth.locked", minutes=_minutes(waiting)))
    elif kind == "wrong":
        st.sidebar.error(tr("auth.wrong", left=value))
    st.sidebar.text_input(tr("auth.password"), type="password", key=_PASSWORD_FIELD)
    st.sidebar.button(tr("auth.sign_in"), key="auth_sign_in", on_click=_try_password, icon=":material/login:")


def _oidc_sidebar(tr: Translator, current: Config) -> None:
    email = signed_in_email()
    if email is None:
        st.sidebar.caption(tr("auth.you_viewer"))
        if st.sidebar.button(tr("auth.sign_in"), key="auth_login", icon=":material/login:"):
            try:
                st.login(current.provider)
            except StreamlitAPIException:
                st.sidebar.error(tr("auth.oidc_unavailable"))
        return
    st.sidebar.caption(tr("auth.you_signed_in", email=email, role=tr(f"auth.role_{role(current)}")))
    if st.sidebar.button(tr("auth.sign_out"), key="auth_logout", icon=":material/logout:"):
        st.logout()


def sidebar(tr: Translator) -> None:
    """The sidebar's small sign-in section: who you are, your role, sign in or out.

    Nothing is drawn when nothing is configured: there is nobody to sign in as.
    """
    current = config()
    if current.mode == OPEN:
        return
    st.sidebar.subheader(tr("auth.title"))
    if current.mode == MISCONFIGURED:
        st.sidebar.error(explain(tr, current))
    elif current.mode == PASSWORD:
        _password_sidebar(tr, current)
    else:
        _oidc_sidebar(tr, current)


def data_page_notice(tr: Translator) -> bool:
    """Say on the data page who may change data; returns whether this session may."""
    current = config()
    if current.mode == OPEN:
        st.info(tr("auth.open_notice"), icon=":material/lock_open:")
        return True
    if current.mode == MISCONFIGURED:
        st.error(explain(tr, current), icon=":material/lock:")
        return False
    if role(current) == EDITOR:
        return True
    st.info(tr("auth.viewer_notice"), icon=":material/lock:")
    return False
