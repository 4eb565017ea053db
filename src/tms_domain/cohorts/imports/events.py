"""What an import tells its importer as it goes (and no one else: not even other admins)."""

from __future__ import annotations

from dataclasses import dataclass

from tms_domain.cohorts.imports.model import UserImport
from tms_domain.kernel import Audience, DomainEvent


def _importer(record: UserImport) -> Audience:
    ids = frozenset({record.created_by}) if record.created_by is not None else frozenset()
    return Audience(ids, private=True)


@dataclass(frozen=True)
class ImportProgressed(DomainEvent):
    record: UserImport

    @property
    def audience(self) -> Audience:
        return _importer(self.record)


@dataclass(frozen=True)
class ImportFinished(DomainEvent):
    record: UserImport

    @property
    def audience(self) -> Audience:
        return _importer(self.record)
