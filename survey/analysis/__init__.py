"""Evaluator analysis: results from a responses DataFrame, weighting, and streaming exports.

    repository ─ rows (mappings) ─ frame.responses_frame ─▶ analysis frame (columns.py)
        ├─ rates.summary / rates.distribution      per topic and wave, one row per figure
        ├─ breakdown.by_district / change / drivers
        ├─ weighting.weighted_rates                 district census margins, Kish effective n
        └─ modes.by_mode / mode_test                web vs phone, optionally weighted to the frame
    disposition group counts ─ aapor.rates          RR1, RR3, COOP1, REF1, CON1 (fieldwork)
    issued cases ─ dispositions.disposition_frame   the dispositions download (no phone)
    repository ─ chunks ─ frame.responses_frame ─ export.csv_bytes / write_xlsx / write_sav
        with variables.questionnaire_variables (one table: columns, labels, codebook)

Pure pandas functions (DataFrame in, DataFrame out) that know nothing about the database. Every
figure travels with its n and its definition text; figures on fewer than 30 answers are
suppressed with the reason. The satisfaction definition is always passed in (content/site.yml).
"""
