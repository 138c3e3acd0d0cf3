"""``defcoop serve``: the web UI and JSON API (``defcoop.web``) on one port."""

from __future__ import annotations

import os
import time
from typing import Annotated

import typer

from defcoop.cli._store import DbOption, err_console, open_store
from defcoop.cli.app import app

HostOption = Annotated[
    str, typer.Option("--host", help="Address to listen on (0.0.0.0: every interface).")
]
PortOption = Annotated[int, typer.Option("--port", "-p", min=1, max=65535, help="Port.")]
PublicOption = Annotated[
    bool,
    typer.Option(
        "--public/--private",
        help="--public: anonymous visitors may read (as viewers); editors and admins log in. "
        "Default --private: everyone logs in.",
    ),
]


def run_server(
    store_url: str | None, host: str, port: int, public: bool, *, quiet: bool = False
) -> None:
    """Open the store and serve it with uvicorn until interrupted."""
    import uvicorn

    from defcoop.store.users import list_users
    from defcoop.web import create_app
    from defcoop.web.app import SECRET_ENV, warm_up

    err = err_console()
    with open_store(store_url) as store:
        if not public and not any(u.active for u in list_users(store)):
            err.print(
                "note: no user yet and the server is private: nobody can log in. Add one with "
                "`defcoop users add NAME --role admin`, or serve with --public.",
                markup=False,
            )
        if not os.environ.get(SECRET_ENV):
            err.print(
                f"note: {SECRET_ENV} is not set: sessions end when the server stops.",
                markup=False,
            )
        web = create_app(store, public=public)
        t0 = time.perf_counter()
        warm_up(web)  # before the port opens: the first visitor gets a warm server
        if not quiet:
            err.print(f"defcoop: ready in {time.perf_counter() - t0:.1f} s", markup=False)
        if not quiet:
            err.print(
                f"defcoop: serving {store.url} on http://{host}:{port}/ "
                f"({'public reading' if public else 'login required'}); Ctrl+C stops",
                markup=False,
            )
        uvicorn.run(web, host=host, port=port, log_level="info", server_header=False,
                    proxy_headers=False)  # fmt: skip


@app.command()
def serve(
    db: DbOption = None,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    public: PublicOption = False,
) -> None:
    """Serve the web UI and the JSON API (default http://127.0.0.1:8000/, API under /api/)."""
    run_server(db, host, port, public)
