"""How much of an uploaded workbook is read: bounds that no real framework comes near.

Read as `limits.MAX_ROWS` (not imported by name) where they apply, so a test can lower them.
"""

MAX_ROWS = 10_000  # per sheet; far above any real framework, far below a zip bomb
MAX_COLUMNS = 40  # the widest sheet has 7; more is read only to report unknown headings
MAX_UNPACKED_BYTES = 50_000_000  # the four built-ins unpack to well under 1 MB each
