"""Telephone fieldwork (CATI): the evaluator's sample frame, the drawn sample, interviewers'
calls with AAPOR dispositions, supervision and response rates.

Phones are personal data: they are stored only encrypted (`survey.fieldwork.crypto`), shown
only to the interviewer who holds the case, never exported, and purged when the wave's
fieldwork closes. Answers given by phone are stored as ordinary responses with mode `phone`
and carry no case id, so an answer can never be joined back to a number.

Calling (interviewers, supervisors):
    interviewers (blueprint) ─ queue (next case) ─ cases (the held case, its phone, audited)
                             ─ calls (outcomes; hours: calling hours and spreading)
                             ─ interview (forms ─ survey.storage.repository: the response and 1.1)
    supervisors (blueprint)  ─ supervision (figures) ─ quality (pure pandas flags)
"""
