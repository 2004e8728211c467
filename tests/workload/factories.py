"""Factories for the workload tests: agents on duty, due callbacks."""

from datetime import UTC, datetime, timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from callbacks import policy
from callbacks.models import AgentDuty
from core import roles
from tests.factories import CallbackFactory

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"worker{n:03d}")
    first_name = factory.Sequence(lambda n: f"Worker{n:03d}")
    last_name = "Tester"

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create:
            # A transactional test before this one may have flushed the migrated groups.
            self.groups.add(Group.objects.get_or_create(name=extracted or roles.AGENT)[0])


def on_duty(user, *, cap=None, at=T0):
    AgentDuty.objects.update_or_create(
        agent=user, defaults={"on_duty": True, "cap": cap, "changed_at": at}
    )
    return user


def due(minutes, *, status=policy.QUEUED, agent=None, attempts=0, **extra):
    """A released callback due ``minutes`` after T0."""
    return CallbackFactory(
        status=status,
        due_at=T0 + timedelta(minutes=minutes),
        released_at=T0 - timedelta(hours=8),
        assigned_to=agent,
        assigned_at=T0 - timedelta(hours=1) if agent else None,
        attempts=attempts,
        created_at=T0 - timedelta(hours=8),
        updated_at=T0 - timedelta(hours=8),
        **extra,
    )
