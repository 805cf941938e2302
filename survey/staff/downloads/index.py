"""The downloads page's table: waves, newest first, with the topics an account may download."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from generator.content.loader import Content
from survey.staff.downloads.scope import ALL, topics_in_wave

# Format, label, what it is: the order links are shown in.
LINKS: tuple[tuple[str, str, str], ...] = (
    ("csv", "CSV", "UTF-8 带 BOM，Excel 可直接打开"),
    ("csv-utf8", "CSV（无 BOM）", "纯 UTF-8，供 R、Python 等程序读取"),
    ("xlsx", "Excel（XLSX）", "答卷、变量说明和元数据三个工作表"),
    ("sav", "SPSS（SAV）", "含变量标签、值标签和缺失值代码"),
    ("codebook", "变量说明（CSV）", "变量名、标签、类型、取值和缺失值代码"),
    (
        "manifest",
        "清单（JSON）",
        "CSV 的行数、SHA-256、筛选条件、问卷版本和生成时间（XLSX 和 SAV 的清单随后台生成的文件提供）",
    ),
)
# Only on rows whose topic has telephone fieldwork in the wave.
DISPOSITION_LINKS: tuple[tuple[str, str, str], ...] = (
    (
        "dispositions",
        "样本结果（CSV）",
        "电话调查每个已发放样本的 AAPOR 结果代码、拨打次数和分组；不含电话号码",
    ),
    ("dispositions-utf8", "样本结果（CSV，无 BOM）", "同上，纯 UTF-8"),
    ("dispositions-codebook", "样本结果变量说明（CSV）", "样本结果文件的变量名、标签和取值"),
)


@dataclass(frozen=True)
class Row:
    """One line of the table: a topic (or all topics) of a wave."""

    slug: str
    title: str
    fieldwork: bool = False  # a topic of the row has telephone fieldwork: dispositions offered


@dataclass(frozen=True)
class WaveRows:
    """A wave and its lines, "all topics" first when there is more than one topic."""

    wave: str
    rows: list[Row]


def listing(
    content: Content,
    sees: Callable[[str], bool],
    answered: Collection[tuple[str, str]],
    surveyed: Collection[tuple[str, str]] = (),
) -> list[WaveRows]:
    """Waves with answers in at least one topic the account may see, newest first.

    `answered` holds the (wave, topic) pairs that have responses: a wave nobody answered has
    nothing to download, and listing it would only offer empty files. `surveyed` holds the
    pairs with telephone fieldwork, whose rows also offer the dispositions.
    """
    titles = {t.slug: t.title for t in content.topics}
    out = []
    for wave in sorted((w.id for w in content.site.waves), reverse=True):
        slugs = [s for s in topics_in_wave(content, wave, sees) if (wave, s) in answered]
        if not slugs:
            continue
        phoned = {slug for slug in slugs if (wave, slug) in surveyed}
        rows = [Row(slug, titles[slug], slug in phoned) for slug in slugs]
        if len(slugs) > 1:
            every = f"全部议题（{len(slugs)} 个，仅限您有权查看的议题）"
            rows.insert(0, Row(ALL, every, bool(phoned)))
        out.append(WaveRows(wave, rows))
    return out
