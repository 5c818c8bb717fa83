"""HOW we ask and summarise: pure Python, no Flask, no SQL."""
