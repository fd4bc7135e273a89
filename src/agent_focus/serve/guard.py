"""Who may ask what of `focus serve`: the token, the Host and Origin checks.

- Writes (every method but GET and HEAD) need ``Authorization: Bearer TOKEN``, always.
- Reads of ``/api/`` need nothing on a loopback address; bound to anything else they need
  the token too (the header, or the cookie that ``/?token=TOKEN`` sets for the page).
- A Host header that is not the address the server is bound to is refused (DNS rebinding):
  a page on another site whose name points at 127.0.0.1 still sends its own name.
- A write whose Origin (or ``Sec-Fetch-Site``) says it comes from another site is refused.

The token lives in the journal folder, ``serve.token``, mode 0600, created on first serve.
It never appears in a response or a log line.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

TOKEN_NAME = "serve.token"
COOKIE = "focus_token"  # + the port: cookies are not per port, servers of two clones are
READ_METHODS = frozenset({"GET", "HEAD"})


def token_path(state_dir: Path) -> Path:
    return state_dir / TOKEN_NAME


def _read_token(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if len(text) < 32:
        return None
    if os.stat(path).st_mode & 0o077:
        os.chmod(path, 0o600)  # readable by others: tighten it
    return text


def load_or_create_token(state_dir: Path) -> str:
    """The server's token: read, or made (32 random bytes) and written with mode 0600.
    Two servers starting at once agree: the file is put in place only if none is there."""
    path = token_path(state_dir)
    found = _read_token(path)
    if found:
        return found
    state_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{TOKEN_NAME}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, (secrets.token_urlsafe(32) + "\n").encode("ascii"))
    finally:
        os.close(fd)
    try:
        if path.exists():  # a broken or short file: replaced, not kept
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if another server put one in place meanwhile
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    token = _read_token(path)
    if token is None:
        raise OSError(f"cannot read the token back from {path}")
    return token


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    return host.strip("[]") in ("0.0.0.0", "::", "")


@dataclass(frozen=True)
class Guard:
    """The rules of one server: its bound host and port, its token, extra host names."""

    host: str
    port: int
    token: str
    allowed_hosts: tuple[str, ...] = field(default=())

    @property
    def read_key(self) -> str:
        """What the reading cookie holds: derived from the token, good for reads only."""
        return hmac.new(self.token.encode(), b"focus serve: read", hashlib.sha256).hexdigest()

    @property
    def cookie(self) -> str:
        """The reading cookie's name: one per port, so two servers keep their own."""
        return f"{COOKIE}_{self.port}"

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    def host_names(self) -> set[str]:
        names = {self.host.lower().strip("[]"), *(split_host(h)[0] for h in self.allowed_hosts)}
        if self.loopback:
            names |= {"127.0.0.1", "localhost", "::1"}
        return names

    def host_ok(self, header: str | None) -> bool:
        """Whether a request's Host names this server (any name, bound to a wildcard)."""
        if is_wildcard(self.host):
            return True
        if not header:
            return False
        name, port = split_host(header)
        if port is not None and port != self.port:
            return False
        return name in self.host_names()

    def origin_ok(
        self, origin: str | None, host_header: str | None, fetch_site: str | None
    ) -> bool:
        """A write may come from no browser (no Origin) or from this server's own page."""
        if fetch_site and fetch_site not in ("same-origin", "none"):
            return False
        if not origin:
            return True
        parts = urlsplit(origin)
        return parts.scheme == "http" and parts.netloc.lower() == (host_header or "").lower()

    def token_ok(self, authorization: str | None, cookie: str | None = None) -> bool:
        """The token in ``Authorization: Bearer``; or, for a read, the cookie's read key."""
        if authorization and authorization[:7].lower() == "bearer ":
            given = authorization[7:].strip().encode()
            return hmac.compare_digest(given, self.token.encode())
        if cookie:
            return hmac.compare_digest(cookie.encode(), self.read_key.encode())
        return False

    def reads_need_token(self) -> bool:
        return not self.loopback


def split_host(header: str) -> tuple[str, int | None]:
    """``host[:port]`` (``[v6]:port`` too), the name lower-cased."""
    header = header.strip().lower()
    if header.startswith("["):
        name, _, rest = header[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    else:
        name, _, port_text = header.partition(":")
    try:
        port = int(port_text) if port_text else None
    except ValueError:
        return header, -1
    return name, port
