"""Complaint monitoring: hotline records → topic volumes per half month and the street ranking.

Data flow (I/O only at the two ends):

    export file ─ reading (layout: header row, delimiter; workbook: .xlsx) ─▶ raw Arrow batch
        ─ checks (+ validate for reasons) ─▶ records
        ─ store ─▶ instance/monitoring/*.parquet
    records ─ topics.assign_topics ─▶ hits ─ halfmonth.half_month_table ─▶ table per topic
    records ─ ranking.street_ranking (+ governance list) ─▶ monthly ranking of the 343 街乡镇

The site calls `generator.monitor.api.monitoring_for_site`.
"""
