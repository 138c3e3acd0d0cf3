"""Who is asking: sessions, API tokens, roles, CSRF and login rate limiting.

* **Sessions** — after a password login the browser holds ``defcoop_session``: a value
  signed with the app's secret (itsdangerous, timestamped, 12 h), HttpOnly,
  SameSite=Lax, Secure on HTTPS. It carries the user id, a digest of the user's
  password hash (a password change or a deactivation ends every session) and the
  session's CSRF token. Nothing else is kept on the server.
* **API tokens** — scripts send ``Authorization: Bearer dc_…`` (``defcoop users token``);
  the store keeps only the token's hash. A bearer request carries no ambient
  credential, so it needs no CSRF token.
* **CSRF** — signed double-submit, bound to the session: ``defcoop_csrf`` holds a signed
  random token; every form carries it in ``csrf_token`` and every state-changing API
  call made with the session cookie in ``X-CSRF-Token``. The request passes when the
  submitted token matches the cookie's signed token and, for a logged-in session, the
  token stored in the session (a new one is issued at login).
* **Roles** — ``viewer`` < ``editor`` < ``admin``. Anonymous requests are viewers when
  the app is public (``defcoop serve --public``), otherwise they must log in.
* **Rate limiting** — 5 failed logins per (client IP, user name) within a minute, or 20
  per client IP, answer 429 with ``Retry-After`` until the window has passed.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from defcoop.store import Store
from defcoop.store.users import UserView, has_role, password_fingerprint, user_for_token

SESSION_COOKIE = "defcoop_session"
CSRF_COOKIE = "defcoop_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SESSION_MAX_AGE = 12 * 3600
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Principal:
    """The requester: a user (by session or token) or an anonymous visitor."""

    user: UserView | None
    via: str  # session | token | anonymous
    public: bool = False
    session_csrf: str | None = None

    @property
    def name(self) -> str | None:
        return self.user.name if self.user else None

    @property
    def role(self) -> str | None:
        if self.user is not None:
            return self.user.role
        return "viewer" if self.public else None

    def can(self, role: str) -> bool:
        return has_role(self.role, role)

    @property
    def authenticated(self) -> bool:
        return self.user is not None


class AuthError(Exception):
    """401 (not authenticated) or 403 (role too low) — rendered by the app's handlers."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class CsrfError(AuthError):
    def __init__(self) -> None:
        super().__init__(
            403,
            "csrf_failed",
            "missing or invalid CSRF token: reload the page and try again",
        )


@dataclass
class LoginLimiter:
    """Failed-login counter per (IP, user name) and per IP over a sliding window."""

    per_user: int = 5
    per_ip: int = 20
    window: float = 60.0
    _fails: dict[Any, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _prune(self, key: Any, now: float) -> deque[float]:
        q = self._fails[key]
        while q and q[0] <= now - self.window:
            q.popleft()
        if not q:
            self._fails.pop(key, None)
        return q

    def retry_after(self, ip: str, user: str) -> int | None:
        """Seconds to wait when (ip, user) or ip is over its limit, else None."""
        now = time.monotonic()
        with self._lock:
            waits = []
            for key, limit in (((ip, user.strip().casefold()), self.per_user), (ip, self.per_ip)):
                q = self._prune(key, now)
                if len(q) >= limit:
                    waits.append(q[0] + self.window - now)
            return max(1, int(max(waits)) + 1) if waits else None

    def failed(self, ip: str, user: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._fails[(ip, user.strip().casefold())].append(now)
            self._fails[ip].append(now)

    def succeeded(self, ip: str, user: str) -> None:
        with self._lock:
            self._fails.pop((ip, user.strip().casefold()), None)


class Auth:
    """Signing, session/CSRF cookies and principal resolution for one app."""

    def __init__(self, store: Store, secret: str, *, public: bool, secure: bool | None) -> None:
        self.store = store
        self.public = public
        self.secure = secure
        self._session = URLSafeTimedSerializer(secret, salt="defcoop.session")
        self._csrf = URLSafeSerializer(secret, salt="defcoop.csrf")
        self.limiter = LoginLimiter()

    # -- cookies ----------------------------------------------------------------------
    def _secure(self, request: Request) -> bool:
        return self.secure if self.secure is not None else request.url.scheme == "https"

    def _set(self, response: Response, request: Request, name: str, value: str, max_age: int | None) -> None:  # fmt: skip
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            httponly=True,
            samesite="lax",
            secure=self._secure(request),
            path="/",
        )

    def csrf_token(self, request: Request) -> str:
        """The request's CSRF token (from its cookie, or a new one to be set on the response)."""
        cached = getattr(request.state, "csrf_token", None)
        if cached:
            return str(cached)
        cookie = self._cookie_csrf(request)
        try:
            p = self.principal(request)
        except AuthError:
            p = Principal(None, "anonymous", self.public)
        if p.via == "session" and p.session_csrf:
            token = p.session_csrf
            if cookie != token:
                request.state.new_csrf = token
        elif cookie is not None:
            token = cookie
        else:
            token = secrets.token_urlsafe(32)
            request.state.new_csrf = token
        request.state.csrf_token = token
        return token

    def _cookie_csrf(self, request: Request) -> str | None:
        raw = request.cookies.get(CSRF_COOKIE)
        if not raw:
            return None
        try:
            value = self._csrf.loads(raw)
        except BadSignature:
            return None
        return value if isinstance(value, str) and len(value) >= 32 else None

    def finish(self, request: Request, response: Response) -> Response:
        """Set the CSRF cookie on ``response`` when the request made a new token."""
        new = getattr(request.state, "new_csrf", None)
        if new:
            self._set(response, request, CSRF_COOKIE, self._csrf.dumps(new), None)
            request.state.new_csrf = None
        return response

    def login(self, request: Request, response: Response, user: UserView) -> None:
        """Start a session for ``user`` with a fresh CSRF token (no fixation)."""
        fp = password_fingerprint(self.store, user.id)
        digest = fp[1] if fp else ""
        token = secrets.token_urlsafe(32)
        value = self._session.dumps({"u": user.id, "p": digest, "c": token})
        self._set(response, request, SESSION_COOKIE, value, SESSION_MAX_AGE)
        self._set(response, request, CSRF_COOKIE, self._csrf.dumps(token), None)
        request.state.csrf_token = token
        request.state.new_csrf = None

    def logout(self, request: Request, response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/")
        token = secrets.token_urlsafe(32)
        self._set(response, request, CSRF_COOKIE, self._csrf.dumps(token), None)

    # -- who is asking ----------------------------------------------------------------
    def principal(self, request: Request) -> Principal:
        cached = getattr(request.state, "principal", None)
        if cached is not None:
            return cached
        p = self._resolve(request)
        request.state.principal = p
        return p

    def _resolve(self, request: Request) -> Principal:
        header = request.headers.get("authorization")
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise AuthError(401, "unauthorized", "Authorization: use 'Bearer <token>'")
            user = user_for_token(self.store, token.strip())
            if user is None:
                raise AuthError(401, "unauthorized", "invalid, expired or revoked API token")
            return Principal(user, "token", self.public)
        raw = request.cookies.get(SESSION_COOKIE)
        if raw:
            try:
                data = self._session.loads(raw, max_age=SESSION_MAX_AGE)
            except BadSignature:
                data = None
            if isinstance(data, dict) and isinstance(data.get("u"), int):
                found = password_fingerprint(self.store, data["u"])
                if found is not None and hmac.compare_digest(found[1], str(data.get("p", ""))):
                    return Principal(found[0], "session", self.public, str(data.get("c", "")))
        return Principal(None, "anonymous", self.public)

    def require(self, request: Request, role: str = "viewer") -> Principal:
        """The principal if it has ``role`` (AuthError 401/403 otherwise); state-changing
        requests made with the session cookie must carry a valid CSRF token."""
        p = self.principal(request)
        if not p.can(role):
            if not p.authenticated:
                raise AuthError(401, "unauthorized", "log in, or send an API token")
            raise AuthError(403, "forbidden", f"this needs the {role} role (you are {p.role})")
        return p

    def check_csrf(self, request: Request, submitted: str | None) -> None:
        """Raise CsrfError unless ``submitted`` is this browser's (and session's) token."""
        p = self.principal(request)
        if p.via == "token":
            return
        cookie = self._cookie_csrf(request)
        if not submitted or cookie is None or not hmac.compare_digest(submitted, cookie):
            raise CsrfError()
        if p.via == "session" and not hmac.compare_digest(submitted, p.session_csrf or ""):
            raise CsrfError()


def client_ip(request: Request) -> str:
    """The peer address (forwarding headers are not trusted)."""
    return request.client.host if request.client else "unknown"
