"""pytest fixtures shared by the conftest files built on the harness.

A conftest takes one by importing it (``from harness.fixtures import
provider_binary  # noqa: F401``); pytest then finds it there as if defined in
place.

- ``provider_binary`` (session): the provider's path (env SSMPATCH_PROVIDER or
  build/terraform-provider-ssmpatch, ``harness.plugin.provider_binary``); the
  test skips when it is not built or protoc/.proto files are missing.
"""
import os

import pytest

from . import plugin as plugin_mod
from . import protos


@pytest.fixture(scope="session")
def provider_binary():
    path = plugin_mod.provider_binary()
    if not os.access(path, os.X_OK):
        pytest.skip("provider binary not built: %s (set SSMPATCH_PROVIDER)" % path)
    try:
        protos.load()
    except protos.ProtoUnavailable as e:
        pytest.skip(str(e))
    return path
