"""The template marketplace: a bundled catalogue, publishing, versions, ratings, bundles
and the catalogues of other instances.

See ``docs/marketplace.md``. The runtime never imports this package; it uses the
runtime (spec validation, capability checks) and the store's database.
"""

from marketplace._bundle import (
    MAX_BUNDLE_BYTES,
    MAX_RELEASES,
    export_bundle,
    import_bundle,
    read_bundle,
)
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
from marketplace._remote import (
    API_PREFIX,
    RemoteCatalogue,
    TemplateSource,
    add_source,
    install_remote,
    list_sources,
    normalise_source_url,
    remove_source,
)
from marketplace._share import BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, find_secrets, make_bundle
from marketplace._wire import (
    PUBLIC_ORIGINS,
    detail_to_wire,
    page_to_wire,
    public_bundle,
    public_detail,
    public_search,
)

__all__ = [
    "API_PREFIX",
    "BUNDLE_FORMAT",
    "BUNDLE_FORMAT_VERSION",
    "CATALOGUE_DIR",
    "CATEGORIES",
    "MAX_BUNDLE_BYTES",
    "MAX_RELEASES",
    "PER_PAGE",
    "PUBLIC_ORIGINS",
    "SORTS",
    "BundledTemplate",
    "Derived",
    "Marketplace",
    "Release",
    "ReleaseInfo",
    "RemoteCatalogue",
    "Review",
    "SearchPage",
    "TemplateCard",
    "TemplateDetail",
    "TemplateMeta",
    "TemplateSource",
    "add_source",
    "bundled_templates",
    "derive",
    "detail_to_wire",
    "export_bundle",
    "find_secrets",
    "import_bundle",
    "install_remote",
    "list_sources",
    "make_bundle",
    "normalise_source_url",
    "page_to_wire",
    "parse_version",
    "public_bundle",
    "public_detail",
    "public_search",
    "read_bundle",
    "remove_source",
    "slugify",
    "version_key",
]
