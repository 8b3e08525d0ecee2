"""Fixtures for the distribution tests (tests/dist): the release
(tools/release.py, what `cmake --build BUILD --target release` runs), a
throw-away GPG key, the linux_arm64 cross build and an HTTPS server for the
network mirror.

- ``gpg_key`` (session): a fresh GNUPGHOME holding one RSA signing key made
  with Debian's gnupg (`.home`, `.fingerprint`, `.env` for the release,
  `.verify(sig, data)` with only the exported public key);
- ``arm64`` (session): the cross build (``$SSMPATCH_ARM64_BUILD_DIR``, else
  build-arm64; cmake/toolchain-linux-arm64.cmake) with `.dir`, `.binary`,
  `.strip`, `.qemu`; tests that need it skip, saying how to make it;
- ``release`` (session): a release of the amd64 binary under test
  ($SSMPATCH_PROVIDER) and, when the arm64 build exists, of the arm64 one,
  into one temporary directory, signed with ``gpg_key``.

The whole directory is skipped in the sanitizer pass (an ASan binary is not
something to release).
"""
import os
import shutil
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from dist_helpers import GpgKey, Release, arm64_build_or_reason, run_release  # noqa: E402
from harness import tfcli  # noqa: E402


def pytest_collection_modifyitems(config, items):
    if os.environ.get("SSMPATCH_SANITIZER_BUILD") == "1":
        skip = pytest.mark.skip(reason="distribution tests run on the release build, not the sanitizer build")
        for item in items:
            if "tests/dist/" in str(item.fspath).replace(os.sep, "/"):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def amd64_binary():
    path = tfcli.provider_binary()
    if not os.access(path, os.X_OK):
        pytest.skip("provider binary not built: %s (set SSMPATCH_PROVIDER)" % path)
    return path


@pytest.fixture(scope="session")
def gpg_key():
    if not shutil.which("gpg"):
        pytest.skip("gpg not installed (apt-get install gnupg)")
    # A short path: gpg-agent's socket lives in GNUPGHOME (108-byte limit).
    home = tempfile.mkdtemp(prefix="gpg-")
    os.chmod(home, 0o700)
    key = GpgKey(home)
    yield key
    key.close()


@pytest.fixture(scope="session")
def arm64():
    b, why = arm64_build_or_reason()
    if b is None:
        pytest.skip(why)
    return b


@pytest.fixture(scope="session")
def release(amd64_binary, gpg_key, tmp_path_factory):
    """amd64 (and arm64 when built) released into one directory, signed."""
    d = str(tmp_path_factory.mktemp("release"))
    env = dict(gpg_key.env, SSMPATCH_GPG_KEY=gpg_key.fingerprint)
    r = run_release(d, amd64_binary, tfcli.host_platform(), env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    platforms = [tfcli.host_platform()]
    b, _ = arm64_build_or_reason()
    if b is not None:
        r = run_release(d, b.binary, "linux_arm64", strip=b.strip, emulator=[b.qemu], env=env)
        assert r.returncode == 0, r.stdout + r.stderr
        platforms.append("linux_arm64")
    return Release(d, platforms)


@pytest.fixture(scope="session")
def two_platform_release(release):
    if "linux_arm64" not in release.platforms:
        pytest.skip(arm64_build_or_reason()[1])
    return release
