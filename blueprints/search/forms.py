"""The search form: words, and optional filters by type, place and action (a GET form)."""

from __future__ import annotations

from wtforms import SearchField, SelectField, StringField
from wtforms.validators import Optional

from app.i18n import ACTION_NAMES, _l
from app.services.search import MAX_QUERY, SearchQuery
from blueprints.forms_common import BaseForm, choices, max_length

# The type filter, and the badge of each kind of result.
TYPE_NAMES = {
    "organization": _l("Organisations"),
    "forum": _l("Discussions"),
    "lab": _l("Community labs"),
    "proposal": _l("Proposals"),
    "event": _l("Events"),
    "initiative": _l("Initiatives"),
    "practice": _l("Good practices"),
}
KIND_NAMES = {
    "organization": _l("Organisation"),
    "thread": _l("Discussion"),
    "post": _l("Message"),
    "lab": _l("Community lab"),
    "proposal": _l("Proposal"),
    "event": _l("Event"),
    "initiative": _l("Initiative"),
    "practice": _l("Good practice"),
}


class SearchForm(BaseForm):
    class Meta:
        csrf = False

    # The service checks the length, with a message; maxlength only helps the browser.
    q = SearchField(_l("Words to look for"), render_kw={"maxlength": MAX_QUERY})
    type = SelectField(_l("Kind"), choices=choices([("", _l("All types")), *TYPE_NAMES.items()]), validate_choice=False)
    territory = StringField(_l("Place"), [Optional(), max_length(100)], description=_l("A comune, province or region."))
    action = SelectField(_l("Action"), choices=choices([("", _l("All actions")), *ACTION_NAMES.items()]), validate_choice=False)

    def to_query(self) -> SearchQuery:
        return SearchQuery(q=(self.q.data or "").strip(), type=self.type.data or "",
                           territory=(self.territory.data or "").strip(), action=self.action.data or "")
