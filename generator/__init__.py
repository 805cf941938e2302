"""Yiti generator: content files → validated models → public site and monitoring."""
