"""Territory pages: /territories/ and /territories/<istat_code>."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.services import calendars, initiatives, labs, organizations, territories
from blueprints.common import page_arg

bp = Blueprint("territories", __name__, url_prefix="/territories")


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    return render_template("territories/index.html", regions=territories.list_regions())


@bp.get("/<code>")
def show(code: str):  # type: ignore[no-untyped-def]
    territory, children = territories.open_territory(code, page=page_arg())
    return render_template(
        "territories/show.html",
        territory=territory,
        chain=territories.ancestors(territory),
        children=children,
        organizations=organizations.list_for_territory(territory),
        area_labs=labs.labs_of_territory(territory),
        upcoming=calendars.upcoming_for_territory(territory),
        area_initiatives=initiatives.initiatives_of_territory(territory),
    )
