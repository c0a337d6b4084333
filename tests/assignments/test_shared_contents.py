"""A stored file is kept once by its content: a teacher removing a module's file must not drop
the content a learner submitted with the same bytes."""

from sqlalchemy import select

from app.assignments.models import SubmissionFile
from app.courses.models import ContentFile
from app.courses.service.content import drop_unused_contents
from tests.accounts.factories import make_user
from tests.assignments.factories import make_assignment, make_submission
from tests.courses.factories import import_hs101


def test_content_a_submission_uses_survives_the_removal_of_a_module_file(db, settings):
    course = import_hs101(db, settings)
    shared = ContentFile(sha256="ab" * 32, size=5, media_type="application/pdf")
    unused = ContentFile(sha256="cd" * 32, size=5, media_type="application/pdf")
    db.add_all([shared, unused])
    db.flush()
    submission = make_submission(db, make_assignment(db, course), user=make_user(db))
    db.add(SubmissionFile(submission_id=submission.id, content_file_id=shared.id, name="a.pdf"))
    db.flush()

    drop_unused_contents(db, [shared.id, unused.id])

    kept = set(db.scalars(select(ContentFile.sha256).where(ContentFile.size == 5)))
    assert kept == {"ab" * 32}
