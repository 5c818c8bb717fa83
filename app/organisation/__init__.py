"""The organisation's own settings page (its time zone)."""
