"""The MkDocs configuration, as data: theme, search, Markdown extensions and a small nav.

The nav lists only the home, year, theme and about pages: Material renders the whole nav into
every page, so listing 100 topics there would add tens of KB to each (issue: ≤ 50 KB gzipped).
Topic pages are reached from the indexes, search and their own section links.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.content.loader import Content

THEME_DIR = Path(__file__).parent / "theme"
MONITORING_PAGE = "monitoring/index.md"


def mkdocs_config(content: Content, docs_dir: Path, pages: Iterable[str] = ()) -> dict[str, Any]:
    """The whole mkdocs.yml for `content`, with `docs_dir` holding the generated `pages`."""
    years = [{f"{y} 年": f"years/{y}.md"} for y in content.years()]
    optional = [{"诉求监测": MONITORING_PAGE}] if MONITORING_PAGE in pages else []
    return {
        "site_name": content.site.title,
        "site_description": f"{content.site.title}：议题的职责清单、办事流程、流程图、政策问答和进展",
        "docs_dir": str(docs_dir),
        "use_directory_urls": True,
        "copyright": f"{content.site.organisation} · 热线 {content.site.contact.phone}",
        "theme": _theme(),
        "extra_css": ["assets/stylesheets/yiti.css"],
        "extra": {"sample_notice": _sample_notice(content)},
        "plugins": [{"search": {"lang": "zh", "separator": r"[\s\u200b\-_,:!=\[\]()\"`/]+"}}],
        "markdown_extensions": _extensions(),
        "nav": [
            {"首页": "index.md"},
            {"按年度": ["years/index.md", *years]},
            {"按主题": "themes.md"},
            *optional,
            {"关于本站": "about.md"},
        ],
        "validation": {
            "nav": {"omitted_files": "info", "not_found": "warn", "absolute_links": "info"},
            "links": {
                "not_found": "warn",
                "anchors": "warn",
                "absolute_links": "info",
                "unrecognized_links": "warn",
            },
        },
    }


def _sample_notice(content: Content) -> str:
    """The site-wide banner text, only while some topic is sample content."""
    return content.site.sample_notice if any(t.sample for t in content.topics) else ""


def _theme() -> dict[str, Any]:
    return {
        "name": "material",
        "custom_dir": str(THEME_DIR),
        "language": "zh",
        # No Google Fonts: nothing may load from another host; CJK system fonts via yiti.css.
        "font": False,
        "palette": {"scheme": "default", "primary": "custom", "accent": "custom"},
        "features": ["navigation.indexes", "search.highlight", "content.tooltips"],
        "icon": {"logo": "material/hand-heart-outline"},
    }


def _extensions() -> list[Any]:
    return [
        "admonition",
        "attr_list",
        "md_in_html",
        "def_list",
        "tables",
        # Readable anchors that keep Chinese: 政策问答 → #政策问答, not #_1.
        {
            "toc": {
                "slugify": PythonCall("pymdownx.slugs.slugify", {"case": "lower"}),
                "toc_depth": 3,
            }
        },
        "pymdownx.details",
    ]


@dataclass(frozen=True)
class PythonCall:
    """A callable in mkdocs.yml, written as MkDocs expects: `!!python/object/apply:NAME`."""

    name: str
    kwds: dict[str, Any] = field(default_factory=dict)


def _represent_call(dumper: yaml.SafeDumper, call: PythonCall) -> yaml.Node:
    tag = f"tag:yaml.org,2002:python/object/apply:{call.name}"
    return dumper.represent_mapping(tag, {"kwds": call.kwds})


class _Dumper(yaml.SafeDumper):
    """SafeDumper that also writes PythonCall values."""


_Dumper.add_representer(PythonCall, _represent_call)


def dump(config: dict[str, Any]) -> str:
    """The config as mkdocs.yml text."""
    return yaml.dump(config, Dumper=_Dumper, allow_unicode=True, sort_keys=False)
