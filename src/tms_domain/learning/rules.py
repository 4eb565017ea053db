"""The bounds of a course's and a lesson's fields: pure checks, every violation named."""

from __future__ import annotations

import re

from tms_domain.kernel.content import check_video_url
from tms_domain.kernel.errors import InvalidInput

MAX_CODE_LENGTH = 32
MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 10_000
MAX_CATEGORY_LENGTH = 100
MAX_ESTIMATED_MINUTES = 100_000
MAX_BODY_LENGTH = 100_000
MAX_VIDEO_URL_LENGTH = 2000
MAX_LESSON_MINUTES = 10_000
MAX_SESSIONS_PER_LESSON = 50
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
CODE_RULE = "Code must be letters, digits, '.', '-' or '_', starting with a letter or digit"
GENERATED_CODE_PREFIX = "CRS-"


def generated_code(number: int) -> str:
    """The code a course gets when its author gives none: ``CRS-0007``."""
    return f"{GENERATED_CODE_PREFIX}{number:04d}"


def course_violations(
    *,
    code: str | None = None,
    title: str | None = None,
    description: str | None = None,
    category: str | None = None,
    estimated_minutes: int | None = None,
    certificate_valid_months: int | None = None,
) -> list[tuple[str, str]]:
    """The rules broken by the fields given (None: not given)."""
    errors: list[tuple[str, str]] = []
    if code is not None:
        if not 1 <= len(code.strip()) <= MAX_CODE_LENGTH:
            errors.append(("code", f"Code must be 1-{MAX_CODE_LENGTH} characters"))
        elif not CODE_PATTERN.fullmatch(code.strip()):
            errors.append(("code", CODE_RULE))
    if title is not None and not 1 <= len(title.strip()) <= MAX_TITLE_LENGTH:
        errors.append(("title", f"Title must be 1-{MAX_TITLE_LENGTH} characters"))
    if description is not None and len(description) > MAX_DESCRIPTION_LENGTH:
        errors.append(("description", f"At most {MAX_DESCRIPTION_LENGTH} characters"))
    if category is not None and len(category.strip()) > MAX_CATEGORY_LENGTH:
        errors.append(("category", f"At most {MAX_CATEGORY_LENGTH} characters"))
    if estimated_minutes is not None and not 0 <= estimated_minutes <= MAX_ESTIMATED_MINUTES:
        errors.append(("estimated_minutes", f"Estimated minutes must be 0-{MAX_ESTIMATED_MINUTES}"))
    if certificate_valid_months is not None and not 0 <= certificate_valid_months <= 600:
        errors.append(("certificate_valid_months", "Certificate validity must be 0-600 months"))
    return errors


def module_violations(title: str | None) -> list[tuple[str, str]]:
    if title is not None and not 1 <= len(title.strip()) <= MAX_TITLE_LENGTH:
        return [("title", f"Title must be 1-{MAX_TITLE_LENGTH} characters")]
    return []


def lesson_violations(
    *,
    title: str | None = None,
    body: str | None = None,
    video_url: str | None = None,
    duration_minutes: int | None = None,
    session_count: int | None = None,
) -> list[tuple[str, str]]:
    errors = module_violations(title)
    if body is not None and len(body) > MAX_BODY_LENGTH:
        errors.append(("body", f"At most {MAX_BODY_LENGTH} characters"))
    if video_url is not None:
        if len(video_url) > MAX_VIDEO_URL_LENGTH:
            errors.append(("video_url", f"At most {MAX_VIDEO_URL_LENGTH} characters"))
        else:
            try:
                check_video_url(video_url)
            except InvalidInput as error:
                errors.extend((e.field, e.message) for e in error.errors)
    if duration_minutes is not None and not 0 <= duration_minutes <= MAX_LESSON_MINUTES:
        errors.append(("duration_minutes", f"Duration must be 0-{MAX_LESSON_MINUTES} minutes"))
    if session_count is not None and session_count > MAX_SESSIONS_PER_LESSON:
        errors.append(("session_ids", f"At most {MAX_SESSIONS_PER_LESSON} sessions"))
    return errors


def ensure_valid(message: str, errors: list[tuple[str, str]]) -> None:
    if errors:
        raise InvalidInput.many(message, errors)
