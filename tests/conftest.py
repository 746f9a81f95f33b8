"""Suite-wide settings.

The content-hash cache is off for the suite (tests check fixture folders in place and must not leave
cache folders behind, nor depend on what an earlier test cached); tests/unit/test_cache.py
turns it on explicitly.
"""

import os

os.environ["FES_DOCS_NO_CACHE"] = "1"
