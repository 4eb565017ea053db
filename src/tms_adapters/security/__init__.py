"""Security adapters: the argon2id password hasher, JWT access tokens, the common-password list."""

from tms_adapters.security.common_passwords import load_common_passwords
from tms_adapters.security.hashing import Argon2PasswordHasher
from tms_adapters.security.tokens import JoseTokenService

__all__ = ["Argon2PasswordHasher", "JoseTokenService", "load_common_passwords"]
