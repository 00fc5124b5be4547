"""Jinja2 templates and print CSS for the bulletin; filters.py holds the only formatting code."""

from pathlib import Path

TEMPLATE_DIR = Path(__file__).parent
