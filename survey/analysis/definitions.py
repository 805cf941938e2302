"""Definition texts shown beside every figure; the satisfaction ones are built from configuration.

Results pages and downloads print these next to each number, so a reader never has to guess what
was counted. Texts are data returned by functions, not formatting in templates.
"""

from __future__ import annotations

from typing import Final

from generator.content.models.site import SatisfactionDefinition
from survey.analysis.columns import (
    AWARENESS_YES,
    MIN_CELL,
    SCORES,
    SOLVED_NOT_APPLICABLE,
    SOLVED_YES,
)

RESPONSES_TEXT: Final = "收到的答卷总数，包括被标记为可疑和被排除的答卷。"
EXCLUDED_TEXT: Final = "评估人员排除的答卷数（附理由，不删除）；被排除的答卷不计入任何比例。"
SUSPECT_TEXT: Final = "系统标记为可疑的答卷数（频率限制、蜜罐、作答过快等）；未被排除的仍计入结果。"
SOLVED_TEXT: Final = (
    f"解决率 = {'、'.join(SOLVED_YES)} ÷（全部回答 − {'、'.join(SOLVED_NOT_APPLICABLE)}）；"
    "“部分解决”不算已解决。"
)
AWARENESS_TEXT: Final = f"知晓率 =（{' + '.join(AWARENESS_YES)}）÷ 回答该题的人数。"
SUPPRESSED_TEXT: Final = f"有效回答少于 {MIN_CELL} 份，比例不可靠，不单独公布。"
CHANGE_TEXT: Final = (
    "年底满意率 − 年中满意率（百分点）；双比例 z 检验（合并方差，双侧），p < 0.05 视为变化显著。"
)
DRIVERS_TEXT: Final = "选择该项的人数 ÷ 该批次未被排除的答卷数；可多选，比例之和可超过 100%。"


def satisfaction_text(definition: SatisfactionDefinition) -> str:
    """The configured headline definition, with the 95% Wilson interval named."""
    return f"{definition.description.strip()} 区间为 95% Wilson 置信区间。"


def top_box_text(definition: SatisfactionDefinition) -> str:
    """Top-box share over the same valid answers as the headline rate."""
    excluded = "、".join(definition.excluded) or "无"
    return f"顶端占比 =（{' + '.join(definition.top_box)}）÷ 有效回答数（不含：{excluded}）。"


def mean_score_text(definition: SatisfactionDefinition) -> str:
    """Mean score on 0–100, each level's points listed so the scale can be checked."""
    points = "，".join(f"{answer} {score:g}" for answer, score in SCORES.items())
    excluded = "、".join(definition.excluded) or "无"
    return f"平均分（0–100）：{points}；不计：{excluded}。"


def distribution_text(definition: SatisfactionDefinition) -> str:
    """Shares of all answers, and of valid answers for the levels that count."""
    excluded = "、".join(definition.excluded) or "无"
    return f"各答案占全部回答的比例；有效占比不含：{excluded}。被排除的答卷不计。"
