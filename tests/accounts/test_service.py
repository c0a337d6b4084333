"""Account rules at the service level."""

import pytest
from sqlalchemy.orm import Session

from app.accounts import service
from app.accounts.auth import actor_for_user
from app.accounts.schemas import UserAdminUpdate
from app.core.actors import PlatformRole
from app.core.errors import Forbidden
from tests.accounts.factories import make_user


def test_sending_a_users_current_role_again_is_no_change_of_role(db: Session):
    """The edit form always sends the role: an admin renaming themselves is not refused as
    if granting themselves a role, and a manager may still edit an ordinary user."""
    admin = make_user(db, role=PlatformRole.ADMIN)
    manager = make_user(db, role=PlatformRole.MANAGER)
    learner = make_user(db)

    service.administer_user(
        db,
        actor_for_user(admin),
        admin.id,
        UserAdminUpdate(display_name="Gulnara Abenova", platform_role=PlatformRole.ADMIN),
    )
    service.administer_user(
        db,
        actor_for_user(manager),
        learner.id,
        UserAdminUpdate(display_name="Nguyen Thi Lan", platform_role=PlatformRole.USER),
    )
    with pytest.raises(Forbidden):
        service.administer_user(
            db, actor_for_user(admin), admin.id, UserAdminUpdate(platform_role=PlatformRole.USER)
        )

    assert (admin.display_name, admin.platform_role) == ("Gulnara Abenova", PlatformRole.ADMIN)
    assert learner.display_name == "Nguyen Thi Lan"
