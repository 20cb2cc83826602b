"""Who may reach the web UI. Loopback by default; any other address needs a user and password."""
from __future__ import annotations

import ipaddress
from pathlib import Path

from ..errors import UserError

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def is_loopback(host: str) -> bool:
    if host in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def credentials(auth_file: str | None, ui_auth: str | None = None) -> list[tuple[str, str]]:
    """From a file of user:password lines (mode 600 advised) or MEDASSIST_UI_AUTH ("user:password",
    Settings.ui_auth)."""
    lines: list[str] = []
    if auth_file:
        try:
            lines = Path(auth_file).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise UserError(f"Cannot read the auth file {auth_file} ({exc.strerror}).") from None
    elif ui_auth:
        lines = [ui_auth]
    pairs = []
    for line in lines:
        if line.strip() and not line.startswith("#"):
            user, sep, password = line.strip().partition(":")
            if not sep or not user or len(password) < 8:
                raise UserError("Each credential is user:password, with a password of at least 8 characters.")
            pairs.append((user, password))
    return pairs


def launch_options(host: str, auth_file: str | None, ui_auth: str | None = None) -> dict:
    """Refuse to serve beyond this machine without authentication; never a public share link."""
    pairs = credentials(auth_file, ui_auth)
    if not is_loopback(host) and not pairs:
        raise UserError(f"Binding to {host} exposes the UI to the network, so it needs a login: set "
                        "MEDASSIST_UI_AUTH=user:password or pass --auth-file FILE (lines of user:password).")
    return {"server_name": host, "share": False, "auth": pairs or None}
