"""The schema changes, oldest first (`0001_initial` …); each names the revision it follows."""
