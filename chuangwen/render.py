"""Rendering a bulletin context to HTML (Jinja2) and PDF (WeasyPrint), offline and deterministic."""

from __future__ import annotations

import functools
import os
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import jinja2

from report_templates import TEMPLATE_DIR
from report_templates.filters import FILTERS


class RefusedURL(ValueError):
    pass


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def render_html(template: str, ctx: object) -> str:
    """Render a template of report_templates/ with one typed context object, `ctx`."""
    return _environment().get_template(template).render(ctx=ctx)


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetsOnlyFetcher(URLFetcher):
        """Only data: URLs and files under report_templates/ may be loaded: the bulletin must never
        embed a local file or reach the network, whatever the HTML says."""

        def __init__(self, root: Path):
            super().__init__(allowed_protocols=("data", "file"))
            self.root = os.path.realpath(root)

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise RefusedURL(f"refused to fetch {url}")
            path = os.path.realpath(url2pathname(unquote(parts.path)))
            if os.path.commonpath([path, self.root]) != self.root or not os.path.isfile(path):
                raise RefusedURL(f"refused to fetch {url}")
            return URLFetcherResponse(url=Path(path).as_uri(), body=Path(path).read_bytes())

    return AssetsOnlyFetcher(TEMPLATE_DIR)


# WeasyPrint does not promise thread safety (Pango and fontconfig state): one render at a time per
# process. Parallel rendering uses processes (a process pool or Dask workers), each with its own lock.
_RENDER_LOCK = threading.Lock()


def render_pdf(html: str) -> bytes:
    """PDF bytes of the HTML with fonts embedded (subset by HarfBuzz: byte-identical runs)."""
    from weasyprint import HTML

    with _RENDER_LOCK:
        document = HTML(string=html, base_url=str(TEMPLATE_DIR) + "/", url_fetcher=_fetcher())
        return document.write_pdf(pdf_variant="pdf/a-3b")
