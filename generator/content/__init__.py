"""The content model: files in `content/` read with line numbers (`yamlsource`; `yamlguard`
refuses endless aliases and names pasted spaces and encodings), validated into models
(`models/`), checked across files (`checks`, `questionnaire_checks`), and the survey
calendar, questionnaires and published results that the site and the survey app both read.
Everything here is pure reading and checking: nothing writes the site or touches a database.
"""
