"""Typed contexts of the documents, one module per document: the bulletin (通报), the feedback sheet
(反馈单), the validation report and the 测评细则. Each context is a frozen dataclass whose fields the
templates read (tests/adapters/test_template_fields.py checks both ways)."""
