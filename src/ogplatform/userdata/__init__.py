"""User data: saved templates (``/api/my-templates``) and favourite backgrounds
(``/api/favorites``), kept per ``userKey`` in the SQL database. See docs/userdata.md.
"""

from ogplatform.userdata.routes import userdata_router
from ogplatform.userdata.saved import SAVED_CACHE_CONTROL, saved_card_query, saved_query

__all__ = ["SAVED_CACHE_CONTROL", "saved_card_query", "saved_query", "userdata_router"]
