"""Validated content → Markdown pages and assets (Jinja2 templates, finished values only)."""
