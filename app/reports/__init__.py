"""Dashboards and printed summaries for the leading group (issue 6)."""
