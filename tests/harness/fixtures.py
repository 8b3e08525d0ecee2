"""fixtures.py - the pytest fixtures that several test directories share; a conftest
takes the ones it wants by importing them (pytest registers fixtures found in a
conftest's namespace):

    from harness.fixtures import protocol, provider, provider_binary  # noqa: F401

- ``provider_binary`` (session): SSMPATCH_PROVIDER or build/terraform-provider-ssmpatch;
  the tests skip when it is not built or protoc/the .proto files are missing;
- ``provider``: factory ``provider(protocol=6, configure=True, **Provider kwargs)`` of
  harness Providers, configured for the conftest's ``ep`` fixture (an SsmEndpoint);
  each is closed at teardown and must exit cleanly, else the test fails;
- ``protocol``: 5 and 6, for tests that run over both.
"""
import os

import pytest

from harness import plugin as plugin_mod
from harness import protos
from harness.provider import Provider


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


@pytest.fixture
def provider(provider_binary, ep):
    started = []

    def _start(protocol=6, configure=True, **kw):
        p = Provider(binary=provider_binary, protocol=protocol, **kw)
        started.append(p)
        if configure:
            p.configure(ep.provider_config())
        return p
    yield _start
    problems = []
    for p in started:
        p.close()
        try:
            p.plugin.check_clean_exit()
        except AssertionError as e:
            problems.append(str(e))
    if problems:
        pytest.fail("\n".join(problems))


@pytest.fixture(params=[5, 6], ids=["p5", "p6"])
def protocol(request):
    return request.param
