"""The template marketplace: a bundled catalogue, publishing, versions, ratings and bundles.

See ``docs/marketplace.md``. The runtime never imports this package; it uses the
runtime (spec validation, capability checks) and the store's database.
"""

from marketplace._catalogue import CATALOGUE_DIR, BundledTemplate, bundled_templates
from marketplace._market import PER_PAGE, Marketplace
from marketplace._model import (
    CATEGORIES,
    Derived,
    Release,
    TemplateMeta,
    derive,
    parse_version,
    slugify,
    version_key,
)
from marketplace._records import (
    SORTS,
    ReleaseInfo,
    Review,
    SearchPage,
    TemplateCard,
    TemplateDetail,
)
from marketplace._share import BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, find_secrets, make_bundle

__all__ = [
    "BUNDLE_FORMAT",
    "BUNDLE_FORMAT_VERSION",
    "CATALOGUE_DIR",
    "CATEGORIES",
    "PER_PAGE",
    "SORTS",
    "BundledTemplate",
    "Derived",
    "Marketplace",
    "Release",
    "ReleaseInfo",
    "Review",
    "SearchPage",
    "TemplateCard",
    "TemplateDetail",
    "TemplateMeta",
    "bundled_templates",
    "derive",
    "find_secrets",
    "make_bundle",
    "parse_version",
    "slugify",
    "version_key",
]
