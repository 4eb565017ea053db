"""Accounts: users, roles, passwords, sign-ins and lockout.

Other areas import this module only; its use cases live in ``use_cases``."""

from tms_domain.accounts.events import (
    PasswordChanged,
    PasswordReset,
    SignInsEnded,
    UserChanged,
    UserCreated,
    UserDeleted,
    UserLocked,
    UserUnlocked,
)
from tms_domain.accounts.links import LinkPurpose, PasswordLink, token_hash
from tms_domain.accounts.lockout import LockoutPolicy, account_attempts_key
from tms_domain.accounts.lookups import HasUsers, existing_user
from tms_domain.accounts.model import Actor, SignIn, User, UserChanges
from tms_domain.accounts.passwords import (
    TEMPORARY_PASSWORD_SYMBOLS,
    UNAMBIGUOUS_ALPHABET,
    PasswordPolicy,
    generate_temporary_password,
    normalize_password,
)
from tms_domain.accounts.ports import (
    AttemptStore,
    GuessEstimate,
    GuessEstimator,
    PasswordHasher,
    PasswordLinkRepository,
    SignInHistory,
    SignInRepository,
    TokenService,
    UserDirectory,
    UserRepository,
    UserViews,
)
from tms_domain.accounts.profiles import (
    EMAIL_PATTERN,
    MAX_EMAIL_LENGTH,
    MAX_NAME_LENGTH,
    USERNAME_PATTERN,
    display_name,
    login_key,
    login_keys,
    login_preference,
    normalize_username,
    profile_violations,
)

__all__ = [
    "EMAIL_PATTERN",
    "MAX_EMAIL_LENGTH",
    "MAX_NAME_LENGTH",
    "TEMPORARY_PASSWORD_SYMBOLS",
    "UNAMBIGUOUS_ALPHABET",
    "USERNAME_PATTERN",
    "Actor",
    "AttemptStore",
    "GuessEstimate",
    "GuessEstimator",
    "HasUsers",
    "LinkPurpose",
    "LockoutPolicy",
    "PasswordChanged",
    "PasswordHasher",
    "PasswordLink",
    "PasswordLinkRepository",
    "PasswordPolicy",
    "PasswordReset",
    "SignIn",
    "SignInHistory",
    "SignInRepository",
    "SignInsEnded",
    "TokenService",
    "User",
    "UserChanged",
    "UserChanges",
    "UserCreated",
    "UserDeleted",
    "UserDirectory",
    "UserLocked",
    "UserRepository",
    "UserUnlocked",
    "UserViews",
    "account_attempts_key",
    "display_name",
    "existing_user",
    "generate_temporary_password",
    "login_key",
    "login_keys",
    "login_preference",
    "normalize_password",
    "normalize_username",
    "profile_violations",
    "token_hash",
]
