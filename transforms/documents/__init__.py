"""Typed contexts of the documents, one module per document (the bulletin and the others move here)."""
