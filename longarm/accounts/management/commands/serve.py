"""`longarm serve`: the web UI and API through Waitress (a production WSGI server)."""

from django.core.management import BaseCommand


class Command(BaseCommand):
    help = "Serve the web UI and API."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--insecure-http", action="store_true",
                            help="serve plain HTTP without the HTTPS redirect (loopback demos only)")

    def handle(self, *args, **options):
        serve(host=options["host"], port=options["port"], threads=options["threads"], stdout=self.stdout)


def serve(*, host: str, port: int, threads: int, stdout) -> None:
    from waitress import serve as waitress_serve

    from longarm.wsgi import application

    stdout.write(f"Serving longarm at http://{host}:{port}/ (Ctrl-C to stop)")
    stdout.flush()
    waitress_serve(application, host=host, port=port, threads=threads, ident="longarm")
