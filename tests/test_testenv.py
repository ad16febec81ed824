def test_suite_runs_on_plain_http_in_a_throwaway_data_directory():
    from django.conf import settings
    assert settings.SECURE_SSL_REDIRECT is False
    assert "longarm-test-" in str(settings.DATA_DIR)
