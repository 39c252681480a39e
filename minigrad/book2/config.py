"""The book's ``common/config.py``: ``GPU`` is accepted but only False is supported."""

GPU = False
