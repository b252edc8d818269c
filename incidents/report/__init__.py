"""What an observer sees: the report forms and pages, and the offline app (``offline``)."""
