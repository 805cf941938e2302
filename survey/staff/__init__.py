"""Pages and accounts for the people who log in: staff accounts and passwords (`accounts`), login
and its throttle (`login`, `throttle`), who is logged in and may see what (`sessions`), the
evaluator's results (`evaluators/`), downloads (`downloads/`), the admin's waves and invitations
(`admin/`) and the audit log as auditors read it (`auditlog`). Residents never reach these.
"""
