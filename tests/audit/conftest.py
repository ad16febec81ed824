import pytest


@pytest.fixture
def audit_appender():
    """The process's audit appender (PostgreSQL, autocommit); its connection is closed after the test so
    that the test database can be dropped."""
    from longarm.audit.group_commit import appender

    yield appender
    appender.release_connection()
