"""The single source of every figure, name and threshold: the catalog (catalog.yaml, catalog.py) and the
office's settings (settings.py) as typed, validated models; rule texts (rules.py); the rows of a county's
return (template_rows.py); the Great Expectations suites generated from the catalog (suites.py)."""
