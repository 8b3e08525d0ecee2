"""dist_helpers.py - helpers of the distribution tests (tests/dist): the
release tool as the CMake target runs it, a throw-away GPG key, the arm64
build tree. The fixtures built on them are in conftest.py; test modules
import from here (not from conftest, whose module name other test
directories share).
"""
import os
import shutil
import subprocess
import sys
import tempfile

TESTS = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)

from harness import tfcli  # noqa: E402

REPO = tfcli.REPO
RELEASE_PY = os.path.join(REPO, "tools", "release.py")
PYTHON = "/usr/bin/python3"


def build_dir():
    return os.path.abspath(os.environ.get("SSMPATCH_BUILD_DIR") or os.path.join(REPO, "build"))


class GpgKey:
    def __init__(self, home):
        self.home = home
        self.env = {"GNUPGHOME": home}
        subprocess.run(["gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
                        "--quick-gen-key", "ssmpatch release test <release-test@example.invalid>",
                        "rsa3072", "sign", "1d"],
                       env=self._env(), check=True, capture_output=True)
        out = subprocess.run(["gpg", "--batch", "--with-colons", "--list-secret-keys"], env=self._env(),
                             check=True, capture_output=True, text=True).stdout
        self.fingerprint = next(ln.split(":")[9] for ln in out.splitlines() if ln.startswith("fpr:"))
        self.public_key = subprocess.run(["gpg", "--batch", "--armor", "--export", self.fingerprint],
                                         env=self._env(), check=True, capture_output=True).stdout

    def _env(self, home=None):
        return dict(os.environ, GNUPGHOME=home or self.home)

    def verify(self, sig, data):
        """`gpg --verify sig data` in a keyring holding only the exported public
        key (as a user of the release has it): the CompletedProcess."""
        with tempfile.TemporaryDirectory(prefix="gpgv-") as home:
            os.chmod(home, 0o700)
            env = self._env(home)
            subprocess.run(["gpg", "--batch", "--import"], input=self.public_key, env=env,
                           check=True, capture_output=True)
            r = subprocess.run(["gpg", "--batch", "--status-fd", "1", "--verify", str(sig), str(data)],
                               env=env, capture_output=True, text=True)
            subprocess.run(["gpgconf", "--kill", "all"], env=env, capture_output=True)
            return r

    def close(self):
        subprocess.run(["gpgconf", "--kill", "all"], env=self._env(), capture_output=True)
        shutil.rmtree(self.home, ignore_errors=True)


class Arm64Build:
    def __init__(self, d):
        self.dir = d
        self.binary = os.path.join(d, "terraform-provider-ssmpatch")
        self.strip = shutil.which("aarch64-linux-gnu-strip")
        self.qemu = shutil.which("qemu-aarch64-static") or shutil.which("qemu-aarch64")


def arm64_build_or_reason():
    d = os.path.abspath(os.environ.get("SSMPATCH_ARM64_BUILD_DIR") or os.path.join(REPO, "build-arm64"))
    b = Arm64Build(d)
    how = ("scripts/install-deps.sh arm64; cmake -S . -B build-arm64 --toolchain "
           "cmake/toolchain-linux-arm64.cmake && cmake --build build-arm64")
    if not os.access(b.binary, os.X_OK):
        return None, "no linux_arm64 build at %s ($SSMPATCH_ARM64_BUILD_DIR): %s" % (d, how)
    if not b.qemu or not b.strip:
        return None, "qemu-aarch64-static or aarch64-linux-gnu-strip missing: scripts/install-deps.sh arm64"
    return b, None


def run_release(dist, binary, platform, strip="strip", emulator=(), env=None):
    """tools/release.py as the release target runs it; the CompletedProcess."""
    argv = [PYTHON, RELEASE_PY, "--binary", binary, "--version", tfcli.provider_version(),
            "--platform", platform, "--dist", str(dist), "--strip", strip]
    if emulator:
        argv += ["--emulator", *emulator]
    return subprocess.run(argv, env=dict(os.environ, **(env or {})), capture_output=True, text=True,
                          timeout=900)


class Release:
    """A release directory: `.dir`, `.version`, `.platforms`, file helpers."""

    def __init__(self, d, platforms):
        self.dir = d
        self.version = tfcli.provider_version()
        self.platforms = platforms

    def path(self, name):
        return os.path.join(self.dir, name)

    def zip_name(self, platform):
        return "terraform-provider-ssmpatch_%s_%s.zip" % (self.version, platform)

    @property
    def sums(self):
        return self.path("terraform-provider-ssmpatch_%s_SHA256SUMS" % self.version)

    @property
    def manifest(self):
        return self.path("terraform-provider-ssmpatch_%s_manifest.json" % self.version)

    def mirror_dir(self, host):
        return os.path.join(self.dir, "network-mirror", host, tfcli.NAMESPACE_TYPE)
