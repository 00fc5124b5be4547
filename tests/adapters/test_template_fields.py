"""Templates are logic-free views of one typed context: each uses exactly its context's fields."""

from __future__ import annotations

import dataclasses

import jinja2
import pytest
from jinja2 import nodes

from adapters.render import _environment
from report_templates import TEMPLATE_DIR
from transforms.documents.bulletin import BulletinContext
from transforms.documents.feedback import FeedbackContext
from transforms.documents.validation_report import ValidationReport

CONTEXTS = {
    "bulletin.html.j2": BulletinContext,
    "feedback.html.j2": FeedbackContext,
    "validation.html.j2": ValidationReport,
}


def _fields_used(name: str) -> set[str]:
    source = (TEMPLATE_DIR / name).read_text(encoding="utf-8")
    tree = _environment().parse(source)
    return {n.attr for n in tree.find_all(nodes.Getattr) if isinstance(n.node, nodes.Name) and n.node.name == "ctx"}


@pytest.mark.parametrize(("name", "context"), CONTEXTS.items())
def test_template_uses_exactly_the_context_fields(name, context):
    fields = {f.name for f in dataclasses.fields(context)}
    used = _fields_used(name)
    assert used <= fields, f"{name} reads fields its context does not have: {used - fields}"
    assert fields <= used, f"{name} ignores context fields: {fields - used}"


@pytest.mark.parametrize("name", CONTEXTS)
def test_templates_have_one_variable_and_strict_undefined(name):
    from jinja2 import meta

    source = (TEMPLATE_DIR / name).read_text(encoding="utf-8")
    assert meta.find_undeclared_variables(_environment().parse(source)) == {"ctx"}
    assert _environment().undefined is jinja2.StrictUndefined and _environment().autoescape
