"""Waiting for an event instead of sleeping and hoping.

``wait_for(pred, timeout)`` polls ``pred()`` until it is true. The timeout is
a deadline for a hang (an event that never comes), set far above any real
latency; it is never a measure of speed, so a loaded machine only makes the
wait longer, never the test fail.
"""

import time


def wait_for(pred, timeout, what="condition", interval=0.01):
    """Poll pred() until true; returns the seconds waited, or raises
    AssertionError naming `what` after `timeout` seconds."""
    t0 = time.monotonic()
    while not pred():
        if time.monotonic() - t0 > timeout:
            raise AssertionError("%s not reached within %.1f s" % (what, timeout))
        time.sleep(interval)
    return time.monotonic() - t0
