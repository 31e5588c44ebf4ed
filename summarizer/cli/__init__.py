"""The command line. The only package that imports click; each command group has its module."""

from . import _batch, _serve  # noqa: F401 - register `batch`, `cache` and `serve`
from ._main import cli, engine_options, main, make_summarizer, render, settings_from

__all__ = ["cli", "engine_options", "main", "make_summarizer", "render", "settings_from"]
