import pytest
from django.core.cache import cache
from django.utils import timezone

from api import services
from core import roles
from tests.conftest import make_user


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached answers live in the cache: each test starts clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def key_maker(django_user_model):
    return make_user(django_user_model, "key-maker", roles.SUPERVISOR)


@pytest.fixture
def make_key(key_maker):
    def make(name="Main IVR", scopes=("ivr",)):
        api_key, key = services.api_key_create(
            actor=key_maker, now=timezone.now(), name=name, scopes=list(scopes)
        )
        return api_key, key

    return make


@pytest.fixture
def ivr_key(make_key):
    return make_key("Main IVR", ["ivr"])


@pytest.fixture
def crm_key(make_key):
    return make_key("CRM", ["crm"])


def bearer(key):
    return {"Authorization": f"Bearer {key}"}
