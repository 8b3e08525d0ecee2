#!/usr/bin/env bash
# The main job in one command: build the provider, start the local SSM emulator,
# and run `terraform init`, `apply`, a no-op `plan` and `destroy` of
# examples/quickstart with the terraform on PATH (or $TERRAFORM).
#
# Installs the build packages it needs from Debian when missing (as root;
# otherwise it names them). Leaves nothing running; the work directory is a temporary
# copy of examples/ (kept and printed on failure).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

TF=${TERRAFORM:-$(command -v terraform || true)}
if [ -z "$TF" ]; then
  cat >&2 <<'MSG'
No terraform binary found. Install Terraform (0.13 or newer) or OpenTofu and put it
on PATH, or point TERRAFORM at it:  TERRAFORM=/path/to/terraform scripts/quickstart.sh
(Downloads: https://developer.hashicorp.com/terraform/install or https://opentofu.org)
MSG
  exit 2
fi

# Build packages from Debian (installed when missing and we are root).
"$root/scripts/install-deps.sh" build

echo "== building"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/build" -j"$(nproc)" >/dev/null

work=$(mktemp -d)
emu_pid=
cleanup() {
  status=$?
  # The emulator's exit by SIGTERM (143) is not the script's status.
  if [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null; then wait "$emu_pid" 2>/dev/null || true; fi
  if [ $status -eq 0 ]; then rm -rf "$work"; else echo "work directory kept: $work" >&2; fi
  exit $status
}
trap cleanup EXIT

echo "== starting the local SSM emulator"
/usr/bin/python3 "$root/tests/emulator/server.py" --port 0 --port-file "$work/port" >"$work/emulator.log" 2>&1 &
emu_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { echo "emulator did not start; see $work/emulator.log" >&2; exit 1; }
endpoint="http://127.0.0.1:$(cat "$work/port")"
echo "   $endpoint"

# A filesystem mirror holding just this build, so init needs no network; under
# both registry hosts, as OpenTofu reads ssmpatch/ssmpatch as registry.opentofu.org/...
version=$(sed -n 's/^project(terraform-provider-ssmpatch VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
for host in registry.terraform.io registry.opentofu.org; do
  mirror="$work/mirror/$host/ssmpatch/ssmpatch/$version/linux_amd64"
  mkdir -p "$mirror"
  cp "$root/build/terraform-provider-ssmpatch" "$mirror/terraform-provider-ssmpatch_v$version"
done
sources='"registry.terraform.io/ssmpatch/ssmpatch", "registry.opentofu.org/ssmpatch/ssmpatch"'
cat >"$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = [$sources]
  }
  direct {
    exclude = [$sources]
  }
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
cp -r "$root/examples" "$work/examples"
cd "$work/examples/quickstart"

echo "== terraform init";    "$TF" init -input=false -no-color >/dev/null
echo "== terraform apply";   "$TF" apply -auto-approve -input=false -no-color -var "endpoint=$endpoint"
echo "== terraform plan (expect no changes)"
"$TF" plan -detailed-exitcode -input=false -no-color -var "endpoint=$endpoint"
echo "== terraform destroy"; "$TF" destroy -auto-approve -input=false -no-color -var "endpoint=$endpoint" >/dev/null
echo "== quickstart done: applied, planned clean, destroyed"
