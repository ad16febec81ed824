import pytest


@pytest.fixture(autouse=True)
def plain_http(settings):
    # pytest-django loads the settings before tests/conftest.py can set LONGARM_HTTPS.
    settings.SECURE_SSL_REDIRECT = False
