"""Prepare the browser tests' database: the seed, and the demo accounts with a known password."""

import sys

from app import seed
from app.accounts.schemas import UserCreate
from app.accounts.service import create_user, find_user_by_email
from app.core.actors import SYSTEM
from app.core.config import get_settings
from app.core.db import session_factory


def main(password: str) -> None:
    with session_factory() as session, session.begin():
        seed.load_seed(session, get_settings())
        for demo in seed.DEMO_ACCOUNTS:
            if find_user_by_email(session, demo.email) is None:
                data = UserCreate(
                    email=demo.email,
                    display_name=demo.name,
                    password=password,
                    preferred_language="en",
                    time_zone=demo.time_zone,
                    platform_role=demo.role,
                    institution_code=demo.institution,
                )
                create_user(session, SYSTEM, data, is_demo=True)
        seed.enrol_demo_accounts(session)


if __name__ == "__main__":
    main(sys.argv[1])
