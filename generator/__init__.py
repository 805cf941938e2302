"""The `yiti` command and everything that turns files into public pages.

`content/` reads and checks the editors' files into models; `site/` renders those models into
the public site with MkDocs; `monitor/` turns hotline exports into the monitoring pages' figures;
`sheets/` holds the spreadsheet rules (import columns, formula-safe cells) shared with the survey.
`cli` is the one entry point and `errors` the errors it turns into exit codes.
"""
