"""Course membership: roles people hold in courses, read by every domain."""
