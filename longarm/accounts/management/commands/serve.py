"""`longarm serve`: the web UI and API through Waitress (a production WSGI server), or with `--workers N`
(N > 1) through Granian: N processes, so that Python work on N cores runs in parallel, each parsing HTTP
in compiled code (Rust) and running the WSGI application on `--threads` threads. Gunicorn (gthread
workers) stays available with `--server gunicorn`.

Granian instead of Gunicorn because of the border check (`bench/bench_border_check.py`): its HTTP
parsing and response writing cost a third of the CPU that Gunicorn's pure-Python ones do, and at 500
requests a second on two cores the latency is all queueing for CPU.
"""

from django.core.management import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve the web UI and API."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--workers", type=int, default=1,
                            help="worker processes; more than one serves through Granian (or --server)")
        parser.add_argument("--server", choices=("auto", "waitress", "granian", "gunicorn"), default="auto",
                            help="the WSGI server (auto: Waitress for one worker, Granian for more)")
        parser.add_argument("--insecure-http", action="store_true",
                            help="serve plain HTTP without the HTTPS redirect (loopback demos only)")

    def handle(self, *args, **options):
        server = options["server"]
        if server == "auto":
            server = "granian" if options["workers"] > 1 else "waitress"
        if server == "waitress" and options["workers"] > 1:
            raise CommandError("Waitress serves from one process: use --server granian or gunicorn for --workers > 1.")
        arguments = {"host": options["host"], "port": options["port"], "threads": options["threads"],
                     "stdout": self.stdout}
        if server == "granian":
            serve_granian(workers=options["workers"], **arguments)
        elif server == "gunicorn":
            serve_gunicorn(workers=options["workers"], **arguments)
        else:
            serve(**arguments)


def serve(*, host: str, port: int, threads: int, stdout) -> None:
    from waitress import serve as waitress_serve

    from longarm.wsgi import application

    stdout.write(f"Serving longarm at http://{host}:{port}/ (Ctrl-C to stop)")
    stdout.flush()
    waitress_serve(application, host=host, port=port, threads=threads, ident="longarm")


def serve_granian(*, host: str, port: int, workers: int, threads: int, stdout) -> None:
    from granian.constants import Interfaces
    from granian.server import Server

    import longarm.wsgi  # noqa: F401 (fails here, not in each worker, if the application cannot load)

    stdout.write(f"Serving longarm at http://{host}:{port}/ with {workers} workers (Ctrl-C to stop)")
    stdout.flush()
    Server("longarm.wsgi:application", address=host, port=port, interface=Interfaces.WSGI, workers=workers,
           blocking_threads=threads, websockets=False, log_access=False, respawn_failed_workers=True).serve()


def serve_gunicorn(*, host: str, port: int, workers: int, threads: int, stdout) -> None:
    from gunicorn.app.base import BaseApplication

    from longarm.wsgi import application

    class Server(BaseApplication):
        def load_config(self):
            for key, value in {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                               "worker_class": "gthread" if threads > 1 else "sync", "accesslog": None,
                               "keepalive": 75, "timeout": 60}.items():
                self.cfg.set(key, value)

        def load(self):
            return application

    stdout.write(f"Serving longarm at http://{host}:{port}/ with {workers} workers (Ctrl-C to stop)")
    stdout.flush()
    Server().run()
