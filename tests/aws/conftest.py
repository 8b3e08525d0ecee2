"""The AWS client and credential tests: tests/ goes on sys.path, for the
doubles' shared server (harness/http_double.py) and the harness."""
import os
import sys

TESTS = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)
