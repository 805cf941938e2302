"""Column names of the responses frame and of result tables, and the answer vocabularies.

The repository builds one row per response with the input columns below; list-valued driver
columns hold the options a respondent ticked. The satisfaction definition is not here: it is
configuration (`content/site.yml`, `SatisfactionDefinition`) and is passed to each function.
"""

from __future__ import annotations

from typing import Final

# Input: one row per response.
TOPIC: Final = "topic"
WAVE: Final = "wave"
DISTRICT: Final = "district"
STREET: Final = "street"  # the 街乡镇's nine-digit statistical code
STREET_NAME: Final = "street_name"  # its name, stored beside the code (names repeat)
SATISFACTION: Final = "satisfaction"
SOLVED: Final = "solved"
AWARENESS: Final = "awareness"
WENT_WELL: Final = "went_well"  # list of ticked options
WENT_BADLY: Final = "went_badly"  # list of ticked options
EXCLUDED: Final = "excluded"  # bool: an evaluator excluded it, with a reason kept elsewhere
SUSPECT: Final = "suspect"  # bool: flagged by the collector (rate limit, honeypot, too fast)
WEIGHT: Final = "weight"  # float: post-stratification weight, 1.0 when unweighted
MODE: Final = "mode"  # how the answers were collected: WEB or PHONE
WEB: Final = "web"  # typed by the resident
PHONE: Final = "phone"  # asked and entered by an interviewer (survey.fieldwork)
INTERVIEWER: Final = "interviewer"  # phone: the interviewer's pseudonym, never a name
STARTED_AT: Final = "started_at"  # phone: when the interview began (UTC)

# Output: one row per figure, so that each value carries its own n and definition.
MEASURE: Final = "measure"
VALUE: Final = "value"
N: Final = "n"
CI_LOW: Final = "ci_low"
CI_HIGH: Final = "ci_high"
DEFINITION: Final = "definition"
SUPPRESSED: Final = "suppressed"
NOTE: Final = "note"
ANSWER: Final = "answer"
COUNT: Final = "count"
SHARE: Final = "share"
YEAR: Final = "year"
QUESTION: Final = "question"
OPTION: Final = "option"

# Measures in the per-topic summary, in display order.
RESPONSES: Final = "responses"
EXCLUDED_COUNT: Final = "excluded"
SUSPECT_COUNT: Final = "suspect"
SATISFACTION_RATE: Final = "satisfaction_rate"
TOP_BOX: Final = "top_box"
MEAN_SCORE: Final = "mean_score"
SOLVED_RATE: Final = "solved_rate"
AWARENESS_RATE: Final = "awareness_rate"

# Below this many valid answers a cell is suppressed, never shown as a number (BRIEF.md).
MIN_CELL: Final = 30
CONFIDENCE: Final = 0.95

# Mean score on 0–100: the five levels evenly spaced; excluded answers (说不清) carry no score.
SCORES: Final[dict[str, float]] = {
    "非常满意": 100.0,
    "满意": 75.0,
    "基本满意": 50.0,
    "不满意": 25.0,
    "非常不满意": 0.0,
}

# 解决率 (we define): 已解决 over answers other than 不适用; 部分解决 counts as not solved.
SOLVED_OPTIONS: Final = ("已解决", "部分解决", "未解决", "不适用")
SOLVED_YES: Final = ("已解决",)
SOLVED_NOT_APPLICABLE: Final = ("不适用",)

# 知晓率 (we define): knows the measures or has heard of them, over all answers to the question.
AWARENESS_OPTIONS: Final = ("知道，并了解具体措施", "听说过", "不知道")
AWARENESS_YES: Final = ("知道，并了解具体措施", "听说过")

MID: Final = "mid"
END: Final = "end"
