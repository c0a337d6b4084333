"""The audit trail over the API: admins and platform managers read every entry, an
institution manager (the manager of another institution here) their institution's; people
without a management role and every partner system are refused (403)."""

from tests.test_permission_matrix import register

READ = "401 | 403 403 403 403 | 200 200 | 403 403 | 403 200"

register("get", "/api/v1/audit-entries", READ, lambda w: {})
register("get", "/api/v1/audit-entries.csv", READ, lambda w: {"params": {"subject": "grade:"}})
