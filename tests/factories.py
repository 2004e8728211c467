"""Factories shared by every app's tests."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from callbacks import policy
from callbacks.models import CallbackRequest
from outages import lifecycle
from outages.models import Coverage, Customer, Outage, ServiceArea


def _filer():
    return get_user_model().objects.get_or_create(username="filer")[0]


class ServiceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceArea
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"AR-{n:03d}")
    name = factory.Sequence(lambda n: f"Area {n}")
    region = "North"


class CoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coverage

    postal_code = factory.Sequence(lambda n: f"{20000 + n}")
    area = factory.SubFactory(ServiceAreaFactory)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    account_number = factory.Sequence(lambda n: f"ACC{n:06d}")
    name = factory.Faker("name")
    phone = factory.Sequence(lambda n: f"+1202555{n % 10000:04d}")
    address = factory.Sequence(lambda n: f"{n + 1} Maple Avenue")
    postal_code = "20001"
    area = factory.SubFactory(ServiceAreaFactory)
    status = Customer.Status.ACTIVE


class OutageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outage
        skip_postgeneration_save = True

    kind = lifecycle.NETWORK
    title = factory.Sequence(lambda n: f"Outage {n}")
    service = "Home broadband"
    severity = lifecycle.MAJOR
    status = lifecycle.INVESTIGATING
    cause = ""
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    updated_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas.set(extracted)


class CallbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallbackRequest

    outage = factory.SubFactory(OutageFactory)
    name = factory.Faker("name")
    phone = factory.Sequence(lambda n: f"+1303555{n % 10000:04d}")
    call_reason = "Billing question"
    status = policy.WAITING
    created_by = factory.LazyFunction(lambda: _filer())
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)
