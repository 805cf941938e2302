"""The `yiti survey …` command line: the group with database, codes and freeze commands (`main`),
the admin's server-side acts (`admin`), staff accounts (`users`), synthetic sample answers for a
newcomer's `make run` (`sample`), and the options every command shares (`options`). Commands of
fieldwork, jobs and operations live with their concern and are added to the group here.
"""
