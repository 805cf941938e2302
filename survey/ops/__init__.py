"""Operating the survey in production: the WSGI entry point, backups and restores."""
