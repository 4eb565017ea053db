"""Security adapters: the argon2id password hasher, JWT access tokens, the common-password
list, the password guess estimator."""

from tms_adapters.security.common_passwords import load_common_passwords
from tms_adapters.security.guessing import ZxcvbnGuessEstimator
from tms_adapters.security.hashing import Argon2PasswordHasher
from tms_adapters.security.tokens import JoseTokenService

__all__ = [
    "Argon2PasswordHasher",
    "JoseTokenService",
    "ZxcvbnGuessEstimator",
    "load_common_passwords",
]
