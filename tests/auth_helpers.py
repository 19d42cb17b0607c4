"""What the tests of sign-in share: a password hasher cheap enough to sign in hundreds of times
(production uses ``alerts.auth.accounts.production_hasher``)."""

from __future__ import annotations

from argon2 import PasswordHasher

CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
