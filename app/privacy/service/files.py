"""An erased person's uploads: their rows go in the erasure's transaction; the stored content
goes once that transaction commits, and only if nothing else uses it (the storage keeps one
copy per content, however many rows refer to it). Should the transaction roll back, the
content stays."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, event, select, union
from sqlalchemy.orm import Session, SessionTransaction

from app.core.storage import Storage, storage_key_columns
from app.privacy.service import tables
from app.privacy.service.coverage import UPLOADS, Upload

CONTENT_FILES = "content_files"
_PENDING = "agora.privacy.unstore"


def remove_uploads(session: Session, storage: Storage, person_id: int) -> int:
    """Delete the person's attachments (`coverage.UPLOADS`), then the content no row uses any
    more, from the storage once the transaction commits. Returns how many files went."""
    candidates: set[int] = set()
    removed = 0
    for upload in UPLOADS:
        found = _content_ids(session, upload, person_id)
        candidates.update(content for _row, content in found)
        rows = [row for row, _content in found]
        if rows:
            files = tables.table(upload.table)
            session.execute(delete(files).where(files.c.id.in_(rows)))
            removed += len(rows)
    if candidates:
        _forget_unused_content(session, storage, candidates)
    return removed


def _content_ids(session: Session, upload: Upload, person_id: int) -> list[tuple[int, int]]:
    files, parent = tables.table(upload.table), tables.table(upload.parent)
    stmt = (
        select(files.c.id, files.c.content_file_id)
        .join(parent, parent.c.id == files.c[upload.parent_column])
        .where(parent.c[upload.person] == person_id)
    )
    if upload.only is not None:
        stmt = stmt.where(upload.only(parent))
    return [(row_id, content_id) for row_id, content_id in session.execute(stmt)]


def _forget_unused_content(session: Session, storage: Storage, candidates: set[int]) -> None:
    content = tables.table(CONTENT_FILES)
    unused: ColumnElement[bool] = content.c.id.in_(candidates)
    for user in tables.tables():
        for column in user.columns:
            if tables.points_at(column, CONTENT_FILES):
                unused &= content.c.id.not_in(select(column).where(column.is_not(None)))
    keys = set(session.scalars(select(content.c.sha256).where(unused)))
    if not keys:
        return
    session.execute(delete(content).where(unused))
    still_used = union(*(select(c).where(c.in_(keys)) for c in storage_key_columns()))
    keys -= set(session.scalars(still_used))
    _unstore_after_commit(session, storage, keys)


@dataclass(frozen=True)
class _Unstore:
    storage: Storage
    sha256: str
    modified_at: datetime | None
    transaction: SessionTransaction | None


def _unstore_after_commit(session: Session, storage: Storage, keys: set[str]) -> None:
    transaction = session.get_nested_transaction() or session.get_transaction()
    pending = session.info.setdefault(_PENDING, [])
    for key in sorted(keys):
        pending.append(_Unstore(storage, key, storage.modified_at(key), transaction))


@event.listens_for(Session, "after_commit")
def _unstore(session: Session) -> None:
    # Fired for savepoints too: the content goes when the outermost transaction commits.
    if session.get_nested_transaction() is not None:
        return
    for item in session.info.pop(_PENDING, []):
        # Saved again since (an upload of the same content, which will refer to it): kept.
        if item.storage.modified_at(item.sha256) == item.modified_at:
            item.storage.delete(item.sha256)


@event.listens_for(Session, "after_soft_rollback")
def _keep_stored(session: Session, previous_transaction: SessionTransaction) -> None:
    pending: list[_Unstore] = session.info.get(_PENDING, [])
    kept = [item for item in pending if not _undone_by(item.transaction, previous_transaction)]
    session.info[_PENDING] = kept


def _undone_by(transaction: SessionTransaction | None, rolled_back: SessionTransaction) -> bool:
    current = transaction
    while current is not None:
        if current is rolled_back:
            return True
        current = current.parent
    return False
