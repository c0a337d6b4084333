from tests.courses.conftest import settings  # noqa: F401  (uploads under the test's own folder)
