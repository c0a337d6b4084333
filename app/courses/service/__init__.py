"""The course and module service: programmes, courses, content, access, completion, packages."""
