"""The built-in card templates, registered as one pack in the ``ogplatform.templates`` group."""

from ogplatform.builtin.templates.docs import docs_page
from ogplatform.builtin.templates.editorial import blog_post, quote
from ogplatform.builtin.templates.event import event
from ogplatform.builtin.templates.product import product_launch
from ogplatform.builtin.templates.release import release_notes
from ogplatform.builtin.templates.repository import open_source
from ogplatform.builtin.templates.seed import gradient, minimal, photo_glass, photo_hero
from ogplatform.builtin.templates.stats import stats

__all__ = ["pack"]

pack = [
    # The four the public card API names come first.
    gradient,
    minimal,
    photo_hero,
    photo_glass,
    blog_post,
    product_launch,
    release_notes,
    docs_page,
    event,
    quote,
    stats,
    open_source,
]
