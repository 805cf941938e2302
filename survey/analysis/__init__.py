"""Evaluator analysis: results from a responses DataFrame, weighting, and streaming exports.

    repository ─ rows (mappings) ─ frame.responses_frame ─▶ analysis frame (columns.py)
        ├─ rates.summary / rates.distribution      per topic and wave, one row per figure
        ├─ breakdown.by_district / change / drivers
        └─ weighting.weighted_rates                 district census margins, Kish effective n
    repository ─ chunks ─ frame.responses_frame ─ export.csv_bytes / write_xlsx / write_sav
        with variables.questionnaire_variables (one table: columns, labels, codebook)

Pure pandas functions (DataFrame in, DataFrame out) that know nothing about the database. Every
figure travels with its n and its definition text; figures on fewer than 30 answers are
suppressed with the reason. The satisfaction definition is always passed in (content/site.yml).
"""
