"""Who may change data: viewers browse, editors load, replace and undo.

The mode follows ``.streamlit/secrets.toml``:

- ``oidc``: an ``[auth]`` section exists, so Streamlit's ``st.login`` signs users in with
  the provider; editors are the e-mails in ``[community_eval] editors``, everyone else
  (signed in or not) is a viewer;
- ``password``: ``[community_eval] editor_password_hash`` is set (see :mod:`passwords`);
  a session becomes an editor by typing the password, until it signs out or ends;
- ``open``: neither, as on a researcher's own laptop: everyone is an editor, and the data
  page says so;
- ``misconfigured``: a secrets file exists but cannot be read, or says something this
  module cannot use: nobody is an editor (failing closed, never open), and the sidebar says so.

The functions that change data call :func:`require_editor` themselves, so hiding the
controls is not the only protection.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit import config as st_config
from streamlit.errors import StreamlitAPIException

from community_eval import passwords
from community_eval.i18n import Translator

VIEWER, EDITOR = "viewer", "editor"
OPEN, PASSWORD, OIDC, MISCONFIGURED = "open", "password", "oidc", "misconfigured"
SECTION = "community_eval"

#: Session keys. No widget carries them, so a browser cannot set them.
_SIGNED_IN = "_community_eval_editor"
_MESSAGE = "_community_eval_auth_message"
_PASSWORD_FIELD = "auth_password"

#: Failed passwords, counted per client address for the whole process (see :func:`client_key`).
LOCKOUT = passwords.LockOut()


@dataclass(frozen=True)
class Config:
    """What the secrets file says about sign-in."""

    mode: str
    editors: frozenset[str] = frozenset()
    password_hash: str | None = None
    provider: str | None = None


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
    if secrets is None:
        return Config(MISCONFIGURED)
    ours = secrets.get(SECTION) or {}
    if not isinstance(ours, Mapping):
        return Config(MISCONFIGURED)
    editors = ours.get("editors", [])
    if isinstance(editors, str) or not isinstance(editors, list | tuple):
        return Config(MISCONFIGURED)
    provider = ours.get("provider")
    if isinstance(secrets.get("auth"), Mapping):
        return Config(OIDC, frozenset(_email(e) for e in editors), provider=str(provider) if provider else None)
    if "editor_password_hash" in ours:
        stored = ours["editor_password_hash"]
        return Config(PASSWORD, password_hash=stored if isinstance(stored, str) else None)
    return Config(OPEN)


# ---- who is this ------------------------------------------------------------------------


def oidc_user() -> dict[str, object]:
    """The identity claims of the signed-in user (``st.user``); tests replace this."""
    return st.user.to_dict()


def signed_in_email() -> str | None:
    """The provider-verified e-mail of the signed-in user, if any.

    A provider that says ``email_verified = false`` lets users type any address, so such an
    address is not trusted to name an editor.
    """
    user = oidc_user()
    if user.get("is_logged_in") is not True or user.get("email_verified") is False:
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


def client_key() -> str:
    """What the lock-out counts failures against: the client's address.

    A counter in the session is reset by reloading the page, and a single counter lets
    anyone lock every editor out. The address is the connection's own (``st.context``),
    not a forwarded header a client could change at will. Streamlit gives no address for
    local connections, which include every client behind a reverse proxy on the same
    host: those share one counter, which may lock editors out for a while but never lets
    guesses through.
    """
    address = st.context.ip_address
    return address if isinstance(address, str) and address else "local"


# ---- sidebar ----------------------------------------------------------------------------


def _try_password() -> None:
    """Sign-in button callback: check the typed password, then forget it."""
    typed = st.session_state.get(_PASSWORD_FIELD) or ""
    st.session_state[_PASSWORD_FIELD] = ""
    current = config()
    result = passwords.sign_in(typed, current.password_hash, client_key(), LOCKOUT)
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
    if current.password_hash is None or passwords.parse_hash(current.password_hash) is None:
        st.sidebar.error(tr("auth.bad_hash"))
        return
    if role(current) == EDITOR:
        st.sidebar.caption(tr("auth.you_password_editor"))
        st.sidebar.button(tr("auth.sign_out"), key="auth_sign_out", on_click=_sign_out, icon=":material/logout:")
        return
    st.sidebar.caption(tr("auth.you_viewer"))
    kind, value = st.session_state.pop(_MESSAGE, (None, None))
    waiting = LOCKOUT.locked_for(client_key())
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
        st.sidebar.error(tr("auth.bad_secrets"))
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
    if role(current) == EDITOR:
        return True
    st.info(tr("auth.viewer_notice"), icon=":material/lock:")
    return False
