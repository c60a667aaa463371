"""The ceiling: the fastest a Flask + SQLAlchemy + Jinja page can be on this machine, served by
gunicorn with the same workers as Ponte, measured in the same rounds (``python -m bench run``).

- ``/hello``            a bare "hello": the cost of gunicorn + Flask routing alone.
- ``/memory``           a ≈35 KB page of 20 rows rendered with Jinja from memory, in an HTML shell
                        (header, language menu, navigation, footer) the size of a Ponte page.
- ``/keyset?after=N``   the same page, its 20 rows fetched by keyset (``id > N ORDER BY id LIMIT 20``)
                        from the forum ``posts`` table of the seeded database: one query, SQLAlchemy Core.

Ponte's pages are compared with ``/keyset`` (CPU per request and requests per second, within a round).
Run: ``BENCH_CEILING_DATABASE_URL=sqlite:///instance/bench/S.db gunicorn -w 2 -k sync bench.ceiling:app``.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, Response, render_template, request
from jinja2 import DictLoader
from markupsafe import Markup
from sqlalchemy import Column, Integer, MetaData, Table, Text, create_engine, event, select

ROWS = 20
ENV_URL = "BENCH_CEILING_DATABASE_URL"

# The forum posts table as models/forums.py declares it (the columns a post row shows).
metadata = MetaData()
posts = Table(
    "posts", metadata,
    Column("id", Integer, primary_key=True),
    Column("thread_id", Integer),
    Column("position", Integer),
    Column("author_id", Integer),
    Column("body_html", Text),
)

LANGUAGES = [("it", "Italiano"), ("en", "English"), ("fr", "Français"), ("ar", "العربية"), ("ro", "Română"), ("sq", "Shqip"),
             ("uk", "Українська"), ("zh-Hans", "简体中文"), ("es", "Español"), ("bn", "বাংলা"), ("ur", "اردو"), ("pa-Guru", "ਪੰਜਾਬੀ")]
NAV = [("/territories/", "Territori"), ("/organizations/", "Organizzazioni"), ("/forums/", "Forum"), ("/labs/", "Laboratori"),
       ("/proposals/", "Proposte"), ("/events/", "Eventi"), ("/initiatives/", "Iniziative"), ("/practices/", "Buone pratiche"),
       ("/transparency/", "Trasparenza"), ("/opendata/", "Dati aperti")]
FOOTER = [("/privacy", "Informativa privacy"), ("/accessibility", "Dichiarazione di accessibilità"), ("/feedback", "Segnala un problema"),
          ("/api/v1/openapi.json", "API"), ("/opendata/catalog.rdf", "Catalogo dati"), ("/about", "Chi siamo"),
          ("/founding/", "Fondare un'associazione"), ("/calendar.ics", "Calendario"), ("/volunteers/", "Volontariato")]

BASE = """<!doctype html>
<html lang="it" dir="ltr">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{{ title }} · Ponte</title>
  <meta name="description" content="Ponte: la piattaforma di partecipazione di associazioni di migranti, comuni, scuole e cittadini.">
  <link rel="stylesheet" href="/static/vendor/fonts.css?v=87c7c20df2f9">
  <link rel="stylesheet" href="/static/vendor/bootstrap-italia/css/bootstrap-italia.min.css?v=adf285aabc52">
  <link rel="stylesheet" href="/static/css/ponte.css?v=51fcc940b161">
  <link rel="icon" href="/static/img/favicon.svg?v=c8b70c1379b1" type="image/svg+xml">
</head>
<body>
  <a class="visually-hidden-focusable ponte-skip" href="#main">Vai al contenuto</a>
  <header class="it-header-wrapper ponte-header">
    <div class="it-header-slim-wrapper"><div class="container"><div class="it-header-slim-wrapper-content ponte-slim">
      <a class="navbar-brand ponte-slim-brand" href="/">Ponte · Piani regionali di integrazione FAMI</a>
      <div class="ponte-slim-right">
        <details class="ponte-lang">
          <summary><span class="visually-hidden">Lingua: </span><span lang="it">Italiano</span>
            <span class="visually-hidden">(cambia lingua)</span></summary>
          <ul class="ponte-lang-list" aria-label="Scegli la lingua">
          {% for code, name in languages %}
            <li><a href="/lang/{{ code }}?next={{ path|urlencode }}" lang="{{ code }}" hreflang="{{ code }}">{{ name }}</a></li>
          {% endfor %}
          </ul>
        </details>
        <a class="btn btn-primary btn-sm ponte-account" href="/auth/login"><svg class="icon icon-white icon-sm" aria-hidden="true"
           focusable="false"><use href="/static/vendor/bootstrap-italia/svg/sprites.svg#it-user"></use></svg> Accedi</a>
      </div>
    </div></div></div>
    <div class="it-nav-wrapper"><div class="it-header-center-wrapper"><div class="container"><div class="it-header-center-content-wrapper">
      <div class="it-brand-wrapper"><a href="/"><div class="it-brand-text"><div class="it-brand-title">Ponte</div>
        <div class="it-brand-tagline d-none d-md-block">Partecipazione e integrazione nei territori</div></div></a></div>
      <div class="it-right-zone"><form class="ponte-search" action="/search" method="get" role="search">
        <label class="visually-hidden" for="q">Cerca</label><input id="q" name="q" type="search" class="form-control">
        <button class="btn btn-primary" type="submit">Cerca</button></form></div>
    </div></div></div>
    <div class="it-header-navbar-wrapper"><div class="container"><nav class="navbar navbar-expand-lg has-megamenu" aria-label="Menu principale">
      <ul class="navbar-nav">
      {% for href, label in nav %}
        <li class="nav-item"><a class="nav-link{% if path.startswith(href) %} active{% endif %}" href="{{ href }}"><span>{{ label }}</span></a></li>
      {% endfor %}
      </ul>
    </nav></div></div></div>
  </header>
  <main id="main" class="container my-4">
    <nav class="breadcrumb-container" aria-label="Percorso"><ol class="breadcrumb">
      <li class="breadcrumb-item"><a href="/">Home</a><span class="separator">/</span></li>
      <li class="breadcrumb-item"><a href="/forums/">Forum</a><span class="separator">/</span></li>
      <li class="breadcrumb-item active" aria-current="page">{{ title }}</li></ol></nav>
    <h1>{{ title }}</h1>
    {% block content %}{% endblock %}
  </main>
  <footer class="it-footer"><div class="it-footer-main"><div class="container">
    <div class="row">
      <div class="col-lg-4"><h2 class="h5">Ponte</h2><p>Un progetto dei piani regionali di integrazione FAMI: associazioni di
        migranti, comuni, scuole e cittadini decidono insieme. I testi sono pubblicati con licenza CC BY 4.0.</p></div>
      <div class="col-lg-8"><ul class="footer-list">
      {% for href, label in footer %}<li><a href="{{ href }}">{{ label }}</a></li>{% endfor %}
      </ul></div>
    </div>
  </div></div></footer>
</body>
</html>
"""

PAGE = """{% extends "base.html" %}
{% block content %}
<ol class="list-unstyled ponte-posts">
{% for row in rows %}
  <li id="post-{{ row.position }}" class="card card-bg mb-3 ponte-post">
    <article class="card-body">
      <header class="d-flex justify-content-between ponte-post-head">
        <p class="mb-1"><a href="/people/{{ row.author_id }}">Persona {{ row.author_id }}</a>
          <span class="badge bg-secondary ms-2">#{{ row.position }}</span></p>
        <a class="ponte-anchor" href="/threads/{{ row.thread_id }}#post-{{ row.position }}">Link al messaggio {{ row.id }}</a>
      </header>
      <div class="ponte-rich">{{ row.body_html|rich }}</div>
      <footer class="ponte-post-tools"><a href="/threads/{{ row.thread_id }}?reply={{ row.position }}#reply">Rispondi</a>
        <a href="/threads/{{ row.thread_id }}/posts/{{ row.position }}/report">Segnala</a></footer>
    </article>
  </li>
{% endfor %}
</ol>
{% if rows %}<nav class="pagination-wrapper" aria-label="Pagine"><a rel="next" href="?after={{ rows[-1].id }}">Pagina successiva</a></nav>{% endif %}
{% endblock %}
"""

# Twenty rows of ≈0.8 KB of stored, already-sanitized HTML each, as Ponte keeps them in body_html.
_SENTENCE = ("Il corso serale di italiano riprende lunedì alla biblioteca di quartiere: portate il permesso di soggiorno "
             "e la tessera sanitaria, ci sarà anche una mediatrice per chi parla arabo o bengalese. ")
MEMORY_ROWS = [
    {"id": 1000 + i, "thread_id": 7, "position": i + 1, "author_id": 40 + i,
     "body_html": f"<p>{_SENTENCE * 2}</p><p>{_SENTENCE * 2}<strong>Grazie a tutte e a tutti.</strong></p>"}
    for i in range(ROWS)
]


def _engine(url: str) -> Any:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 5})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

        return engine
    return create_engine(url, pool_size=5, max_overflow=5, pool_pre_ping=True)


def create_app(database_url: str | None = None) -> Flask:
    """The ceiling application; the database is read only by ``/keyset``."""
    app = Flask(__name__)
    app.jinja_loader = DictLoader({"base.html": BASE, "page.html": PAGE})  # compiled once, cached like Ponte's
    app.jinja_env.filters["rich"] = Markup  # stored, already-sanitized HTML (as Ponte's rich_html filter)
    url = database_url or os.environ.get(ENV_URL, "")
    engine = _engine(url) if url else None
    shell = {"languages": LANGUAGES, "nav": NAV, "footer": FOOTER}

    @app.get("/hello")
    def hello() -> Response:
        return Response("hello", mimetype="text/plain")

    @app.get("/memory")
    def memory() -> str:
        return render_template("page.html", title="Discussione", rows=MEMORY_ROWS, path=request.path, **shell)

    @app.get("/keyset")
    def keyset() -> Any:
        if engine is None:
            return Response(f"set {ENV_URL}", status=500)
        after = request.args.get("after", "0")
        if not after.isdigit():
            return Response("after must be a number", status=400)
        stmt = select(posts.c.id, posts.c.thread_id, posts.c.position, posts.c.author_id, posts.c.body_html)
        with engine.connect() as conn:
            rows = conn.execute(stmt.where(posts.c.id > int(after)).order_by(posts.c.id).limit(ROWS)).mappings().all()
        return render_template("page.html", title="Discussione", rows=rows, path=request.path, **shell)

    return app


app = create_app()
