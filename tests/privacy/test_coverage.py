"""Every table that points at a person is covered by the export and erasure rules: a new model
with a column pointing at `users.id` fails here until its line is written in
`app/privacy/service/coverage.py` (exported, with its withheld columns, or left out with a
reason; and deleted, cleared or kept with a reason on erasure)."""

import re

import app.models  # noqa: F401  (every table, as the application has them)
from app.privacy.service import tables
from app.privacy.service.coverage import (
    LEGAL_RECORD_TABLES,
    RULES,
    UPLOADS,
    Clear,
    Delete,
    Export,
    Keep,
    NotExported,
    Special,
)

SECRET = re.compile(r"(hash|digest|secret|^token$|^family$)")


def test_every_table_pointing_at_a_person_has_its_rules():
    pointing = set(tables.tables_pointing_at_people())

    assert pointing == set(RULES), {
        "not covered: add them to RULES": sorted(pointing - set(RULES)),
        "no longer pointing at people": sorted(set(RULES) - pointing),
    }


def test_each_rule_names_columns_its_table_has():
    for name, rule in RULES.items():
        columns = set(tables.table(name).columns.keys())
        person = set(tables.person_columns(tables.table(name))) or {"id"}
        if isinstance(rule.export, Export):
            assert rule.export.withheld <= columns, name
            assert set(rule.export.on) <= person, name
        else:
            assert isinstance(rule.export, NotExported), name
            assert rule.export.reason, name
        assert rule.erase, f"{name}: say what erasure does with it"
        for step in rule.erase:
            if isinstance(step, Delete):
                assert set(step.on) <= person, name
            elif isinstance(step, Clear):
                assert set(step.on) <= person, name
                assert set(step.values) <= columns, name
            else:
                assert isinstance(step, Keep | Special), name
                assert step.reason, name


def test_no_export_holds_a_secret():
    for name, rule in RULES.items():
        if not isinstance(rule.export, Export):
            continue
        secrets = {c.name for c in tables.table(name).columns if SECRET.search(c.name)}

        assert secrets <= rule.export.withheld, f"{name} would export {secrets}"


def test_only_the_account_itself_is_a_special_case():
    special = {
        name for name, rule in RULES.items() if any(isinstance(s, Special) for s in rule.erase)
    }

    assert special == {"users"}


def test_legal_records_and_uploads_name_real_tables():
    assert set(RULES) >= LEGAL_RECORD_TABLES
    for upload in UPLOADS:
        files, parent = tables.table(upload.table), tables.table(upload.parent)
        assert upload.parent_column in files.columns
        assert "content_file_id" in files.columns
        assert upload.person in parent.columns
