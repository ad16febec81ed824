"""Test environment, loaded as a pytest plugin (`-p tests.testenv`) before Django reads its settings.

Plain HTTP, a throwaway data directory and a fixed secret key. The database
comes from LONGARM_DATABASE_URL: SQLite by default, PostgreSQL when
`scripts/test` sets it.
"""

import os
import tempfile

os.environ["LONGARM_HTTPS"] = "false"
os.environ.setdefault("LONGARM_DATA_DIR", tempfile.mkdtemp(prefix="longarm-test-"))
os.environ.setdefault("LONGARM_SECRET_KEY", "test-only-key-not-used-anywhere-else-" + "x" * 20)
