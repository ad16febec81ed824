"""The `longarm` command: a console script over Django's management commands.

`longarm demo` runs on its own fresh SQLite file (unless LONGARM_DATABASE_URL
is set) and serves plain HTTP on the loopback address.
"""

import os
import sys
from pathlib import Path

COMMANDS = """\
longarm: keep officials from escaping justice abroad; bring back those who fled.

  longarm demo [--officials N] [--port P] [--no-serve]
                                 synthetic country, one login per role, web UI at http://127.0.0.1:8000
  longarm init                   create or upgrade the database (LONGARM_DATABASE_URL)
  longarm serve [--host H] [--port P] [--insecure-http]
                                 serve the web UI and the API
  longarm synth --officials N --seed S --out DIR [--as-of D] [--format csv|jsonl]
                                 write a synthetic world in the exchange formats, with its ground truth
  longarm import PATH... [--kind K] [--partial] [--allow-extra-columns] [--rejects-dir D]
                                 import exchange-format files (CSV or JSON Lines)
  longarm reconcile --as-of YYYY-MM-DD [--return-grace-days N ...]
                                 evaluate the alert rules on the border feed
  longarm resolve [--full] [--train [--model-version V]]
                                 identity resolution: DUPLICATE_IDENTITY alerts, the review queue (also run by reconcile)
  longarm alerts export --format csv|jsonl [--output FILE] [--code C] [--status S]
  longarm report recoveries --from A --to B [--operation NAME] --format json|csv|xlsx|pdf [--output F]
  longarm reminders send [--today D]
                                 passports due back and documents about to expire, in the app and by e-mail
  longarm watchlist lapse [--today D]
                                 record in the watch list's history the entries that lapsed on expiry
  longarm audit verify           check the audit log's hash chain
  longarm createuser USERNAME --role R [--jurisdiction CN-GD] [--organization O] [--official ID]
  longarm token USERNAME         issue an API token (border posts, scripts)

Every Django management command works too (`longarm help` lists them).
"""


def _demo_environment() -> None:
    os.environ.setdefault("LONGARM_HTTPS", "false")
    os.environ.setdefault("LONGARM_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    if not os.environ.get("LONGARM_DATABASE_URL"):
        import platformdirs

        data_dir = Path(os.environ.get("LONGARM_DATA_DIR") or platformdirs.user_data_dir("longarm"))
        database = data_dir / "demo" / "longarm-demo.sqlite3"
        database.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        os.environ["LONGARM_DATABASE_URL"] = f"sqlite:///{database}"


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "longarm"
    if len(argv) == 1 or argv[1] in ("-h", "--help"):
        sys.stdout.write(COMMANDS)
        return
    if argv[1] == "demo":
        _demo_environment()
    if argv[1] == "serve" and "--insecure-http" in argv:
        os.environ.setdefault("LONGARM_HTTPS", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "longarm.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
