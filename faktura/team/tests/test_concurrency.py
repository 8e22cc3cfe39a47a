"""Two super admins stepping each other down at the same moment, on PostgreSQL with real
threads: the services lock the super admins first, so one wins and the other is refused, and
the account always keeps an active super admin."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from faktura.accounts.models import Role
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.team import services
from faktura.team.rules import active_super_admins

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: run bin/test, which starts one"
    ),
]


def at_once(*workers: Callable[[], object]) -> list[object]:
    """Run the workers in threads released together; each one's result or exception."""
    barrier = threading.Barrier(len(workers))
    results: list[object] = [None] * len(workers)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = workers[index]()
        except Exception as error:  # RuleViolation expected; anything else fails the test
            results[index] = error
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    return results


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
