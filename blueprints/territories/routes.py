"""Territory pages: /territories/ and /territories/<istat_code>."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from app.services import territories

bp = Blueprint("territories", __name__, url_prefix="/territories")


def _page_arg() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        abort(400)
    return int(raw)


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    return render_template("territories/index.html", regions=territories.list_regions())


@bp.get("/<code>")
def show(code: str):  # type: ignore[no-untyped-def]
    territory = territories.get_by_code(code)
    return render_template(
        "territories/show.html",
        territory=territory,
        chain=territories.ancestors(territory),
        children=territories.list_children(territory, page=_page_arg()),
    )
