"""The rules an import's file and rows pass: which headers mean which column, and what a
row must hold. Pure functions: reading the file and looking codes up happen elsewhere."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from tms_domain.accounts import USERNAME_PATTERN, login_key, normalize_username, profile_violations
from tms_domain.cohorts.imports.model import CellError, PersonRow, Rejection
from tms_domain.kernel import InvalidInput, Role

EMAIL, FIRST_NAME, LAST_NAME, USERNAME, ROLE, BATCH, COURSE = (
    "email",
    "first_name",
    "last_name",
    "username",
    "role",
    "batch",
    "course",
)
COLUMNS = (EMAIL, FIRST_NAME, LAST_NAME, USERNAME, ROLE, BATCH, COURSE)
"""The template's columns, in its order."""
EXAMPLE_ROW = ("ada.lovelace@example.com", "Ada", "Lovelace", "ada.lovelace", "trainee", "", "")

SYNONYMS: dict[str, str] = {
    **dict.fromkeys(("email", "emailaddress", "mail", "mailaddress", "emailid"), EMAIL),
    **dict.fromkeys(("firstname", "givenname", "forename", "first"), FIRST_NAME),
    **dict.fromkeys(("lastname", "surname", "familyname", "last"), LAST_NAME),
    **dict.fromkeys(("username", "user", "login", "loginname", "signinname"), USERNAME),
    **dict.fromkeys(("role", "userrole", "type"), ROLE),
    **dict.fromkeys(("batch", "batchcode", "cohort", "group"), BATCH),
    **dict.fromkeys(("course", "coursecode"), COURSE),
}
"""Header spellings (lower case, letters and digits only) -> the column they mean."""

MAX_CELL_LENGTH = 254
ROLES = {role.value: role for role in Role}
_NOT_HEADER_CHARACTER = re.compile(r"[^0-9a-z]+")
_NOT_USERNAME_CHARACTER = re.compile(r"[^\w.+-]+")

NO_ROWS = "The file has a header but no rows to import"
EMPTY_FILE = "The file is empty"
NO_EMAIL_COLUMN = "The file has no e-mail column (a header named email, e-mail or email address)"


def column_of(header: str) -> str | None:
    """The column a header means ("E-mail", "Email address", "Surname" ...), or None."""
    return SYNONYMS.get(_NOT_HEADER_CHARACTER.sub("", header.strip().lower()))


def match_headers(headers: Sequence[str]) -> dict[int, str]:
    """Position -> column for the headers that mean one (others are ignored). InvalidInput
    (field ``file``) without an e-mail column, or when two headers mean the same column."""
    if not any(header.strip() for header in headers):
        raise InvalidInput.for_field("file", EMPTY_FILE)
    found: dict[int, str] = {}
    for position, header in enumerate(headers):
        column = column_of(header)
        if column is None:
            continue
        if column in found.values():
            raise InvalidInput.for_field(
                "file", f"Two headers mean the column {column}: keep one (header {header!r})"
            )
        found[position] = column
    if EMAIL not in found.values():
        raise InvalidInput.for_field("file", NO_EMAIL_COLUMN)
    return found


def default_username(email: str) -> str:
    """The e-mail's local part as a username (letters, digits, . + - _); the whole address
    with its @ as a dot when the local part is too short."""
    local = _NOT_USERNAME_CHARACTER.sub("", email.partition("@")[0])[:50]
    if len(local) >= 3:
        return local
    return _NOT_USERNAME_CHARACTER.sub("", email.replace("@", "."))[:50]


def username_candidates(row: PersonRow, tries: int = 5) -> list[str]:
    """The usernames to try for a new user: the one given, or the default and then the
    default with 2, 3, ... appended (another user may hold it)."""
    if row.username_given:
        return [row.username]
    base = row.username[:48]
    return [row.username] + [f"{base}{n}" for n in range(2, tries + 1)]


def check_row(number: int, cells: Mapping[str, str], seen: dict[str, int]) -> PersonRow | Rejection:
    """Every rule a row's own cells must pass, all errors at once. ``seen`` maps the e-mail
    keys of earlier rows to their row numbers (a duplicate is an error on the later row);
    this row's key is added when its e-mail is valid and new."""
    errors: list[CellError] = []

    def error(column: str, message: str) -> None:
        errors.append(CellError(number, column, message))

    for column, value in cells.items():
        if len(value) > MAX_CELL_LENGTH:
            error(column, f"At most {MAX_CELL_LENGTH} characters")
    email = cells.get(EMAIL, "")
    email_error = _email_error(email, seen)
    if email_error:
        error(EMAIL, email_error)
    else:
        seen[login_key(email)] = number
    raw_role = cells.get(ROLE, "").lower()
    role = ROLES.get(raw_role or Role.TRAINEE.value)
    if role is None:
        error(ROLE, f"Unknown role {cells.get(ROLE)!r}: trainee, trainer or admin")
    given = normalize_username(cells.get(USERNAME, ""))
    username = given or default_username(email)
    if given and not USERNAME_PATTERN.fullmatch(given):
        error(USERNAME, "3 to 50 characters: letters, digits and . + - _ only")
    first_name = cells.get(FIRST_NAME, "") or email.partition("@")[0][:100]
    for column, message in profile_violations(
        first_name=first_name, last_name=cells.get(LAST_NAME, "")
    ):
        error(column, message)
    course = cells.get(COURSE, "")
    if course and role is not None and role is not Role.TRAINEE:
        error(COURSE, "Only trainees are enrolled in courses")
    if errors or role is None:
        return Rejection(number, dict(cells), errors)
    return PersonRow(
        number=number,
        email=email,
        first_name=first_name,
        last_name=cells.get(LAST_NAME, ""),
        username=username,
        username_given=bool(given),
        role=role,
        role_given=bool(raw_role),
        batch=cells.get(BATCH, ""),
        course=course,
        cells=dict(cells),
    )


def _email_error(email: str, seen: dict[str, int]) -> str | None:
    if not email:
        return "An e-mail address is required"
    if profile_violations(email=email):
        return f"Not a valid e-mail address: {email}"
    first = seen.get(login_key(email))
    if first is not None:
        return f"The same e-mail address as row {first}"
    return None


def check_codes(
    row: PersonRow, course_ids: Mapping[str, int | None], batch_ids: Mapping[str, int | None]
) -> list[CellError]:
    """The row's course and batch codes, against what the lookups found (None: unknown)."""
    errors = []
    if row.course and course_ids.get(row.course) is None:
        errors.append(CellError(row.number, COURSE, f"Unknown course code {row.course}"))
    if row.batch and batch_ids.get(row.batch) is None:
        errors.append(CellError(row.number, BATCH, f"Unknown batch code {row.batch}"))
    return errors
