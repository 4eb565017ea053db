"""Bulk imports of users: starting one (the file checked as a whole, the work queued) and
running it as a background job, chunk by chunk, each chunk one unit of work."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from tms_domain.accounts import (
    Actor,
    PasswordHasher,
    User,
    UserChanged,
    UserChanges,
    UserCreated,
    login_key,
)
from tms_domain.accounts.use_cases.links import issue_invitations
from tms_domain.accounts.use_cases.users import (
    assigned_trainers,
    enqueue_provisioning,
    ensure_role_can_change,
)
from tms_domain.audit import AuditEntry, audit_entry, record_audit
from tms_domain.cohorts.imports.batches import add_to_batches, batch_exists, batch_ids_by_code
from tms_domain.cohorts.imports.events import ImportFinished, ImportProgressed
from tms_domain.cohorts.imports.model import (
    CellError,
    ImportKind,
    ImportOptions,
    ImportStatus,
    PersonRow,
    Rejection,
    RowOutcome,
    UserImport,
)
from tms_domain.cohorts.imports.ports import SheetReader
from tms_domain.cohorts.imports.rules import (
    EMAIL,
    FIRST_NAME,
    LAST_NAME,
    ROLE,
    USERNAME,
    check_codes,
    check_row,
    username_candidates,
)
from tms_domain.kernel import (
    Conflict,
    DomainError,
    DomainEvent,
    InvalidInput,
    NotFound,
    Page,
    Permission,
    Role,
    authorize,
)
from tms_domain.kernel.files import StoredFile
from tms_domain.kernel.jobs import JobContext, JobHandler
from tms_domain.learning.use_cases.enrolments import MAX_TRAINEES_PER_CALL, CourseEnrolmentService
from tms_domain.unit_of_work import Core, UnitOfWork

IMPORT_JOB = "imports.users"
IMPORT_NOT_FOUND = "Import not found"

Progress = Callable[[UserImport], Awaitable[None] | None]
"""Told after each chunk (the CLI's progress bar)."""


@dataclass(frozen=True)
class ImportLimits:
    max_rows: int = 10_000
    chunk_size: int = 500


@dataclass
class _Run:
    """What one run of an import carries from chunk to chunk."""

    actor: Actor
    record: UserImport
    seen: dict[str, int] = field(default_factory=dict)
    """E-mail keys of the rows read so far -> their row numbers (duplicates in the file)."""
    usernames: set[str] = field(default_factory=set)
    """Username keys known taken: by users found so far (one query per chunk) and by this
    run (a dry run writes none, yet two rows may want one)."""
    courses: dict[str, int | None] = field(default_factory=dict)
    batches: dict[str, int | None] = field(default_factory=dict)
    password_hash: str = ""
    """Of a random secret nobody knows, for every user the run creates (none in a dry run)."""


@dataclass
class _Chunk:
    """What one chunk gathers before it is written: the users to create, every user
    brought in, and the rows refused; audit entries and events by row number, recorded in
    the rows' order."""

    new: list[tuple[PersonRow, User]] = field(default_factory=list)
    brought: list[tuple[PersonRow, User]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    audit: list[tuple[int, AuditEntry]] = field(default_factory=list)
    events: list[tuple[int, DomainEvent]] = field(default_factory=list)

    def refuse(self, run: _Run, row: PersonRow | Rejection, refused: _RowRefused) -> None:
        self.rejected.append(Rejection(row.row, row.cells, refused.errors))
        run.record.count(RowOutcome.FAILED)


class UserImportService:
    def __init__(
        self,
        core: Core,
        reader: SheetReader,
        hasher: PasswordHasher,
        enrolments: CourseEnrolmentService,
        limits: ImportLimits,
        provision_at_provider: bool = False,
    ) -> None:
        self._core = core
        self._reader = reader
        self._hasher = hasher
        self._enrolments = enrolments
        self._limits = limits
        self._provision_at_provider = provision_at_provider

    def check_may_import(self, actor: Actor) -> None:
        """Admins only (the templates, and an upload before it is read)."""
        authorize(actor, Permission.IMPORT_USERS)

    async def start(self, actor: Actor, upload: StoredFile, options: ImportOptions) -> UserImport:
        """Admins. The file (stored already) is read once as a whole: 415 when it is neither
        CSV nor XLSX, 422 (field ``file``) when it is empty, not UTF-8 (naming the line),
        has no e-mail column or no rows, or more rows than the limit; ``batch_id`` and
        ``course_id`` must name a batch and a course (422). Then the import is recorded,
        audited (``import.started``) and queued; a second import of the same content (and
        the same kind of run) while one is under way is refused (409)."""
        authorize(actor, Permission.IMPORT_USERS)
        survey = await self._reader.survey(upload, max_rows=self._limits.max_rows)
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            await _check_options(uow, options)
            stored = await uow.files.add(upload)
            record = await uow.imports.add(
                UserImport(
                    id=0,
                    kind=ImportKind.USERS,
                    file_id=stored.id,
                    file_name=stored.name,
                    sha256=stored.sha256,
                    format=survey.format,
                    options=options,
                    status=ImportStatus.QUEUED,
                    total_rows=survey.total_rows,
                    created_by=actor.id,
                    created_at=now,
                )
            )
            await record_audit(
                uow,
                actor,
                "import.started",
                "import",
                record.id,
                now,
                {
                    "file_name": [None, record.file_name],
                    "total_rows": [None, record.total_rows],
                    "dry_run": [None, options.dry_run],
                },
            )
            uow.jobs.enqueue(
                IMPORT_JOB, {"import_id": record.id}, idempotency_key=f"import:{record.id}"
            )
            await uow.commit()
        return record

    async def options_by_code(
        self,
        actor: Actor,
        *,
        dry_run: bool = False,
        invite: bool = True,
        batch_code: str | None = None,
        course_code: str | None = None,
    ) -> ImportOptions:
        """The options of an import that names its batch and course by code (the CLI):
        InvalidInput naming ``batch`` or ``course`` when no such code exists."""
        authorize(actor, Permission.IMPORT_USERS)
        errors = []
        async with self._core.uow(read_only=True) as uow:
            batch_id = course_id = None
            if batch_code:
                batch_id = (await batch_ids_by_code(uow, [batch_code])).get(batch_code)
                if batch_id is None:
                    errors.append(("batch", f"Unknown batch code {batch_code}"))
            if course_code:
                course_id = (await uow.courses.ids_by_code([course_code])).get(course_code)
                if course_id is None:
                    errors.append(("course", f"Unknown course code {course_code}"))
        if errors:
            raise InvalidInput.many("Invalid import options", errors)
        return ImportOptions(dry_run, batch_id, course_id, invite)

    async def get(self, actor: Actor, import_id: int) -> UserImport:
        authorize(actor, Permission.IMPORT_USERS)
        async with self._core.uow(read_only=True) as uow:
            record = await uow.imports.get(import_id)
        if record is None:
            raise NotFound(IMPORT_NOT_FOUND)
        return record

    async def list_imports(self, actor: Actor, page: Page) -> list[UserImport]:
        authorize(actor, Permission.IMPORT_USERS)
        async with self._core.uow(read_only=True) as uow:
            return await uow.imports.page(skip=page.skip, limit=page.limit)

    async def rejections(
        self, actor: Actor, import_id: int, *, after_row: int, limit: int
    ) -> list[Rejection]:
        """The rows not imported (to fix and upload again), by row number."""
        authorize(actor, Permission.IMPORT_USERS)
        async with self._core.uow(read_only=True) as uow:
            if after_row == 0 and await uow.imports.get(import_id) is None:
                raise NotFound(IMPORT_NOT_FOUND)
            return await uow.imports.rejections(import_id, after_row=after_row, limit=limit)

    def handler(self) -> JobHandler:
        async def run_import(job: JobContext) -> None:
            await self.run(int(job.payload["import_id"]))

        return run_import

    async def run(self, import_id: int, progress: Progress | None = None) -> UserImport | None:
        """Process the import's rows in chunks, each chunk one commit with its counts and
        rejected rows, so that a run that stops (a crash, a restart) goes on from the
        last chunk committed. Every row is checked (all of its errors at once) and matched
        by e-mail with the users: a new address creates a user (invited, unless the import
        says not to), a known one updates the names and role it changes, or is unchanged.
        A dry run checks the same and writes no user. The importer hears ``import_progress``
        after each chunk and ``import_finished`` at the end (audited ``import.finished``)."""
        begun = await self._begin(import_id)
        if begun is None:
            return None
        run, file = begun
        done = run.record.processed_rows
        read = 0
        try:
            async for chunk in self._reader.rows(file, chunk_size=self._limits.chunk_size):
                checked = [check_row(row.number, row.cells, run.seen) for row in chunk]
                fresh = checked[max(done - read, 0) :]
                read += len(chunk)
                if fresh:
                    await self._chunk(run, fresh)
                    if progress is not None and (told := progress(run.record)) is not None:
                        await told
        except DomainError as error:
            return await self._finish(run, str(error))
        return await self._finish(run, None)

    async def _begin(self, import_id: int) -> tuple[_Run, StoredFile] | None:
        async with self._core.uow() as uow:
            record = await uow.imports.get(import_id, for_update=True)
            if record is None or not record.running:
                return None
            importer = await uow.users.get(record.created_by) if record.created_by else None
            file = await uow.files.get(record.file_id) if record.file_id else None
            record.status = ImportStatus.RUNNING
            await uow.imports.update(record)
            await uow.commit()
        if importer is None or file is None:
            run = _Run(Actor(_nobody(record)), record)
            await self._finish(run, "The importer or the uploaded file no longer exists")
            return None
        return _Run(Actor(importer), record), file

    async def _chunk(self, run: _Run, rows: Sequence[PersonRow | Rejection]) -> None:
        """One unit of work: every row checked and matched, then the chunk's new users
        written at once (each statement carries the chunk: users, their invitations and
        mails, the audit entries), then its trainees into their batches."""
        now = self._core.clock.now()
        people = [row for row in rows if isinstance(row, PersonRow)]
        if not run.record.dry_run and not run.password_hash:
            # Nobody knows the secret: invited users choose their password by the link.
            # One hash per run, none per user.
            run.password_hash = await self._hasher.hash(secrets.token_urlsafe(32))
        chunk = _Chunk()
        async with self._core.uow() as uow:
            await self._look_up_codes(uow, run, people)
            existing = await uow.users.find_by_emails(p.email for p in people)
            run.usernames |= await uow.users.taken_usernames(
                [p.email for p in people] + [n for p in people for n in username_candidates(p)]
            )
            usernames_before = set(run.usernames)
            for row in rows:
                await self._row(uow, run, row, existing, chunk, now)
            await self._create_all(uow, run, chunk, usernames_before, now)
            await uow.audit.record_many([entry for _, entry in sorted(chunk.audit, key=_first)])
            for _, event in sorted(chunk.events, key=_first):
                uow.record(event)
            await uow.imports.reject(run.record.id, sorted(chunk.rejected, key=lambda r: r.row))
            enrol, members = self._followers(run, chunk)
            await add_to_batches(uow, run.actor, members, now)
            await uow.imports.update(run.record)
            uow.record(ImportProgressed(replace(run.record, errors=[])))
            await uow.commit()
        await self._enrol(run.actor, enrol)

    @staticmethod
    def _followers(run: _Run, chunk: _Chunk) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
        """The trainees brought in, by course and by batch to join (the import's and their
        row's), in row order; none in a dry run."""
        enrol: dict[int, list[int]] = {}
        members: dict[int, list[int]] = {}
        if run.record.dry_run:
            return enrol, members
        options = run.record.options
        for row, user in sorted(chunk.brought, key=lambda pair: pair[0].number):
            if user.role is Role.TRAINEE:
                _follow(enrol, user.id, run.courses.get(row.course), options.course_id)
                _follow(members, user.id, run.batches.get(row.batch), options.batch_id)
        return enrol, members

    async def _row(
        self,
        uow: UnitOfWork,
        run: _Run,
        row: PersonRow | Rejection,
        existing: dict[str, User],
        chunk: _Chunk,
        now: datetime,
    ) -> None:
        """One row matched (an existing user updated or unchanged), planned (a new user,
        created with the chunk's others), or rejected."""
        try:
            if isinstance(row, Rejection):
                raise _RowRefused(row.errors)
            errors = check_codes(row, run.courses, run.batches)
            if errors:
                raise _RowRefused(errors)
            user = existing.get(login_key(row.email))
            if user is None:
                user = next(self._new_users(run, row, now))
                run.usernames.add(login_key(user.username))
                if not run.record.dry_run:
                    chunk.new.append((row, user))
                    return
                outcome = RowOutcome.CREATED
            else:
                outcome = await self._update(uow, run, user, row, chunk, now)
        except _RowRefused as refused:
            chunk.refuse(run, row, refused)
            return
        run.record.count(outcome)
        chunk.brought.append((row, user))

    async def _look_up_codes(self, uow: UnitOfWork, run: _Run, people: list[PersonRow]) -> None:
        courses = {p.course for p in people if p.course and p.course not in run.courses}
        if courses:
            found = await uow.courses.ids_by_code(courses)
            run.courses.update({code: found.get(code) for code in courses})
        batches = {p.batch for p in people if p.batch and p.batch not in run.batches}
        if batches:
            found = await batch_ids_by_code(uow, batches)
            run.batches.update({code: found.get(code) for code in batches})

    def _new_users(self, run: _Run, row: PersonRow, now: datetime) -> Iterator[User]:
        """The user the row would create, under each free username in turn (the given
        one, or the default with a number); the row is refused when its address is another
        user's sign-in name, or when no name is left."""
        if login_key(row.email) in run.usernames:
            message = "That address is another user's sign-in name"
            raise _RowRefused([CellError(row.number, EMAIL, message)])
        for username in username_candidates(row):
            if login_key(username) not in run.usernames:
                yield User(
                    id=0,
                    username=username,
                    email=row.email,
                    role=row.role,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    password_hash=run.password_hash,
                    is_temporary_password=True,
                    created_at=now,
                    updated_at=now,
                )
        column = USERNAME if row.username_given else EMAIL
        message = "A user with that username already exists"
        raise _RowRefused([CellError(row.number, column, message)])

    async def _create_all(
        self, uow: UnitOfWork, run: _Run, chunk: _Chunk, usernames_before: set[str], now: datetime
    ) -> None:
        """The chunk's new users in one statement; when it clashes (a look-alike username,
        someone added meanwhile: nothing was inserted), one at a time from the same start,
        each clash moving to the next free name as the rules say. Then their audit entries,
        invitations (links and mails at once) and events."""
        if not chunk.new:
            return
        made: list[tuple[PersonRow, User]] = []
        try:
            await uow.users.add_many([user for _, user in chunk.new])
            made = chunk.new
        except Conflict:
            run.usernames = usernames_before
            for row, _ in chunk.new:
                try:
                    made.append((row, await self._insert_one(uow, run, row, now)))
                except _RowRefused as refused:
                    chunk.refuse(run, row, refused)
        invited = (
            await issue_invitations(uow, run.actor, [u for _, u in made], now)
            if run.record.options.invite
            else []
        )
        for at, (row, user) in enumerate(made):
            if self._provision_at_provider:
                # As an admin creating the user by hand: the identity provider gets it too.
                enqueue_provisioning(uow, user.id)
            run.record.count(RowOutcome.CREATED)
            chunk.brought.append((row, user))
            fields = {k: [None, v] for k, v in user.audit_fields().items()}
            chunk.audit.append(
                (row.number, audit_entry(run.actor, "user.created", "user", user.id, now, fields))
            )
            if invited:
                chunk.audit.append((row.number, invited[at]))
            chunk.events.append((row.number, UserCreated(user.snapshot())))

    async def _insert_one(self, uow: UnitOfWork, run: _Run, row: PersonRow, now: datetime) -> User:
        for user in self._new_users(run, row, now):
            try:
                user = await uow.users.add(user)
            except Conflict as clash:
                if row.username_given:
                    raise _RowRefused([CellError(row.number, USERNAME, str(clash))]) from None
                continue
            run.usernames.add(login_key(user.username))
            return user
        raise AssertionError("unreachable: _new_users refuses the row when no name is left")

    async def _update(
        self, uow: UnitOfWork, run: _Run, user: User, row: PersonRow, chunk: _Chunk, now: datetime
    ) -> RowOutcome:
        """The names and role the row gives (empty cells change nothing); the rules of a
        role change hold (and nobody changes their own)."""
        changes = UserChanges(
            first_name=row.first_name if row.cells.get(FIRST_NAME) else None,
            last_name=row.last_name if row.cells.get(LAST_NAME) else None,
            role=row.role if row.role_given else None,
        )
        if changes.first_name == user.first_name:
            changes = replace(changes, first_name=None)
        if changes.last_name == user.last_name:
            changes = replace(changes, last_name=None)
        if changes.role is user.role:
            changes = replace(changes, role=None)
        if changes == UserChanges():
            return RowOutcome.UNCHANGED
        if changes.role is not None:
            if user.id == run.actor.id:
                raise _RowRefused([CellError(row.number, ROLE, "You cannot change your own role")])
            try:
                await ensure_role_can_change(uow, user, changes.role)
            except Conflict as refused:
                raise _RowRefused([CellError(row.number, ROLE, str(refused))]) from None
        if run.record.dry_run:
            return RowOutcome.UPDATED
        changed, end_sign_ins = user.apply(changes, None, now)
        await uow.users.update(user)
        chunk.audit.append(
            (row.number, audit_entry(run.actor, "user.updated", "user", user.id, now, changed))
        )
        event = UserChanged(user.snapshot(), await assigned_trainers(uow, user))
        chunk.events.append((row.number, event))
        if end_sign_ins:
            await uow.sign_ins.revoke_all(user.id, now)
        return RowOutcome.UPDATED

    async def _enrol(self, actor: Actor, enrol: dict[int, list[int]]) -> None:
        """Trainees into the courses named (by the import or a row), after the chunk's
        commit, through the courses' own enrolment (those enrolled already are counted)."""
        for course_id, trainee_ids in enrol.items():
            for start in range(0, len(trainee_ids), MAX_TRAINEES_PER_CALL):
                await self._enrolments.enrol(
                    actor, course_id, trainee_ids[start : start + MAX_TRAINEES_PER_CALL]
                )

    async def _finish(self, run: _Run, error: str | None) -> UserImport:
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            record = await uow.imports.get(run.record.id, for_update=True)
            if record is None:
                return run.record
            record.finish(now, error)
            await uow.imports.update(record)
            changes = {
                name: [None, getattr(record, name)]
                for name in ("status", "total_rows", "created", "updated", "unchanged", "failed")
            }
            if error:
                changes["error"] = [None, error]
            actor = run.actor if run.actor.id else None
            await record_audit(uow, actor, "import.finished", "import", record.id, now, changes)
            uow.record(ImportFinished(replace(record, errors=[])))
            await uow.commit()
        return record


class _RowRefused(Exception):
    def __init__(self, errors: list[CellError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


async def _check_options(uow: UnitOfWork, options: ImportOptions) -> None:
    errors = []
    if options.course_id is not None and await uow.courses.header(options.course_id) is None:
        errors.append(("course_id", f"No course has the id {options.course_id}"))
    if options.batch_id is not None and not await batch_exists(uow, options.batch_id):
        errors.append(("batch_id", f"No batch has the id {options.batch_id}"))
    if errors:
        raise InvalidInput.many("Invalid import options", errors)


def _first(pair: tuple[int, object]) -> int:
    return pair[0]


def _follow(into: dict[int, list[int]], user_id: int, *ids: int | None) -> None:
    """Note the user under each id given (a course or batch to join)."""
    for target in set(ids):
        if target is not None:
            into.setdefault(target, []).append(user_id)


def _nobody(record: UserImport) -> User:
    """Who an import acts as when its importer is gone: no one (id 0, no rights)."""
    at = record.created_at
    return User(0, "", "", Role.TRAINEE, "", "", "", False, at, at)
