"""Column names and fixed vocabularies shared by every monitoring module.

Frames are passed between pure functions; naming their columns once here keeps a typo from
becoming a silent `KeyError` three modules away.
"""

from __future__ import annotations

from typing import Final

# A stored hotline record (one row per request).
REQUEST_ID: Final = "request_id"
RECEIVED_AT: Final = "received_at"
KIND: Final = "kind"
CATEGORY: Final = "category"
DISTRICT: Final = "district"
STREET: Final = "street"
TEXT: Final = "text"
RECORD_COLUMNS: Final = (REQUEST_ID, RECEIVED_AT, KIND, CATEGORY, DISTRICT, STREET, TEXT)
REQUIRED_FIELDS: Final = (REQUEST_ID, RECEIVED_AT, KIND, CATEGORY, DISTRICT, STREET)

# Import bookkeeping: the source row (spreadsheet numbering, header = row 1) and why it failed.
ROW: Final = "row"
REASON: Final = "reason"
# A problem found while reading, before validation (e.g. a CSV line with too many fields).
READ_PROBLEM: Final = "read_problem"

# Topic rules and topic hits.
TOPIC: Final = "topic"
TOPIC_YEAR: Final = "topic_year"
CATEGORIES: Final = "categories"
KEYWORDS: Final = "keywords"
EXCLUDE: Final = "exclude_keywords"

# Half-month table.
YEAR: Final = "year"
MONTH: Final = "month"
HALF: Final = "half"
START: Final = "start"
END: Final = "end"
LABEL: Final = "label"
VOLUME: Final = "volume"
PREV_VOLUME: Final = "prev_volume"
CHANGE_PREV: Final = "change_prev"  # 环比, a fraction: -0.123 is 12.3% down
YOY_VOLUME: Final = "yoy_volume"
CHANGE_YOY: Final = "change_yoy"  # 同比, a fraction
PARTIAL: Final = "partial"
BASELINE: Final = (
    "baseline"  # median of the previous six complete periods (generator.monitor.rising)
)
RISING: Final = "rising"  # a sudden rise by the rule in generator.monitor.rising

# Places, population and the ranking.
STREET_CODE: Final = "street_code"
STREET_KIND: Final = "street_kind"
POPULATION: Final = "population"
PER_10K: Final = "per_10k"
RANK: Final = "rank"
IN_TOP: Final = "in_top"
ON_LIST: Final = "on_list"
WARNING: Final = "warning"  # 预警约谈
RETURNED: Final = "returned"  # left the governance list and rose into the top N again
SINCE: Final = "since"
UNTIL: Final = "until"

# 诉求性质, as the brief lists them.
KINDS: Final = ("咨询", "求助", "投诉", "举报", "建议")
# Development zones have statistical codes but are not 街乡镇 and are never ranked.
NOT_RANKED_KIND: Final = "功能区"
