"""HTTP layer: one package per feature (routes.py, forms.py); no queries, no business rules."""
