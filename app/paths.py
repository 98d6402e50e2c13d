"""Route paths of the app: a leaf module, so pages can link without importing each other."""

HOME = "/"
