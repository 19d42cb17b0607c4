"""Who is asking: the signed-in user of a request and the CSRF token its forms must echo.

The auth middleware puts both on the request before any console handler runs; handlers only
read them here, so a page never knows how a user signed in (password, one-time link).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from aiohttp import web

Role = Literal["viewer", "duty", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "duty", "admin")

# What each role may do; a role may do everything the roles before it in ROLES may.
Permission = Literal["view", "act", "admin"]
_NEEDS: dict[Permission, Role] = {"view": "viewer", "act": "duty", "admin": "admin"}

# The form field (and the X-CSRF-Token header for scripts) that must carry the token on every
# unsafe request a browser session makes.
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class User:
    name: str  # the login, and the actor recorded in the audit trail
    role: Role
    display: str = ""  # shown in the console; the login when empty

    @property
    def label(self) -> str:
        return self.display or self.name


USER: web.RequestKey[User] = web.RequestKey("user")
CSRF: web.RequestKey[str] = web.RequestKey("csrf")
# Who made the request, as the audit trail names them when the request does not say: a
# signed-in user's login, or the client name of an API bearer token.
CALLER: web.RequestKey[str] = web.RequestKey("caller")


def may(user: User | None, permission: Permission) -> bool:
    if user is None:
        return False
    return ROLES.index(user.role) >= ROLES.index(_NEEDS[permission])


def current_user(request: web.Request) -> User | None:
    return request.get(USER)


def csrf_token(request: web.Request) -> str:
    """The token to put in the request's forms (empty when no session)."""
    token: str = request.get(CSRF, "")
    return token
