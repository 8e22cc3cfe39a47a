"""Two super admins stepping each other down at the same moment, on PostgreSQL with real
threads: the services lock the super admins first, so one wins and the other is refused, and
the account always keeps an active super admin."""

import pytest
from django.db import connection

from faktura.accounts.models import Role
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.team import services
from faktura.team.rules import active_super_admins
from tests.threads import at_once

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: run bin/test, which starts one"
    ),
]


@pytest.mark.parametrize("step_down", ["demote", "deactivate"])
@pytest.mark.parametrize("attempt", range(5))
def test_two_super_admins_removing_each_other_leave_one(
    admin_user, editor_user, step_down, attempt
):
    editor_user.role = Role.SUPER_ADMIN
    editor_user.save()
    first, second = Actor.for_user(admin_user), Actor.for_user(editor_user)

    def remove(user, actor):
        if step_down == "demote":
            return lambda: services.change_role(user, Role.VIEWER, actor=actor)
        return lambda: services.deactivate_user(user, actor=actor)

    results = at_once(remove(editor_user, first), remove(admin_user, second))
    assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, RuleViolation)]
    # One wins; the other is refused, as the last super admin or as one no longer.
    [refusal] = [r for r in results if isinstance(r, RuleViolation)]
    assert refusal.code in ("last_super_admin", "permission_denied")
    assert active_super_admins().count() == 1
