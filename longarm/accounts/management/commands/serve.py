"""`longarm serve`: the web UI and API through Waitress (a production WSGI server), or through
Gunicorn with `--workers N` (N > 1): N processes, so that Python work on N cores runs in parallel."""

from django.core.management import BaseCommand


class Command(BaseCommand):
    help = "Serve the web UI and API."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--workers", type=int, default=1,
                            help="worker processes; more than one serves through Gunicorn (gthread workers)")
        parser.add_argument("--insecure-http", action="store_true",
                            help="serve plain HTTP without the HTTPS redirect (loopback demos only)")

    def handle(self, *args, **options):
        if options["workers"] > 1:
            serve_gunicorn(host=options["host"], port=options["port"], workers=options["workers"],
                           threads=options["threads"], stdout=self.stdout)
        else:
            serve(host=options["host"], port=options["port"], threads=options["threads"], stdout=self.stdout)


def serve(*, host: str, port: int, threads: int, stdout) -> None:
    from waitress import serve as waitress_serve

    from longarm.wsgi import application

    stdout.write(f"Serving longarm at http://{host}:{port}/ (Ctrl-C to stop)")
    stdout.flush()
    waitress_serve(application, host=host, port=port, threads=threads, ident="longarm")


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
