"""Production settings pass Django's deployment checklist."""

import os
import subprocess
import sys


def test_check_deploy_reports_no_issue_with_production_settings(tmp_path):
    # A clean environment: the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LONGARM_", "DJANGO_"))}
    env.update({"LONGARM_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "longarm.settings"})
    result = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
