#!/bin/sh
# package.sh - install the provider into the local plugin directory Terraform
# (0.13+) and OpenTofu search without any configuration.
#
#   package.sh install BINARY VERSION OS_ARCH
#       copies BINARY to $HOME/.terraform.d/plugins/HOST/ssmpatch/ssmpatch/
#       VERSION/OS_ARCH/terraform-provider-ssmpatch_vVERSION for HOST
#       registry.terraform.io (Terraform) and registry.opentofu.org (OpenTofu,
#       which reads the source ssmpatch/ssmpatch as registry.opentofu.org/...);
#       HOME is read at run time.
#
# Releases (zips, SHA256SUMS, signature, manifest, network mirror) are made
# by tools/release.py (`cmake --build build --target release`).
set -eu
cmd=${1:-}
case $cmd in
install)
  bin=$2 version=$3 target=$4
  name=terraform-provider-ssmpatch_v$version
  for host in registry.terraform.io registry.opentofu.org; do
    dir="$HOME/.terraform.d/plugins/$host/ssmpatch/ssmpatch/$version/$target"
    mkdir -p "$dir"
    cp "$bin" "$dir/$name.tmp"
    mv -f "$dir/$name.tmp" "$dir/$name"
    echo "installed $dir/$name"
  done
  ;;
*)
  echo "usage: package.sh install BINARY VERSION OS_ARCH" >&2
  exit 2
  ;;
esac
