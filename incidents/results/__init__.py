"""Counting: official station results beside their forensics (pure functions, pages, charts, imports)."""
