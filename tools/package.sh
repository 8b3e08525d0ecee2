#!/bin/sh
# package.sh - install the provider into Terraform's local plugin directory, or
# make a release the way providers are published.
#
#   package.sh install BINARY VERSION OS_ARCH
#       copies BINARY to $HOME/.terraform.d/plugins/registry.terraform.io/
#       ssmpatch/ssmpatch/VERSION/OS_ARCH/terraform-provider-ssmpatch_vVERSION
#       (the implied local mirror Terraform 0.13+ searches; HOME read at run time)
#   package.sh release BINARY VERSION OS_ARCH OUTDIR
#       OUTDIR/terraform-provider-ssmpatch_vVERSION (stripped),
#       OUTDIR/terraform-provider-ssmpatch_VERSION_OS_ARCH.zip and
#       OUTDIR/terraform-provider-ssmpatch_VERSION_SHA256SUMS
set -eu
cmd=$1 bin=$2 version=$3 target=$4
name=terraform-provider-ssmpatch_v$version
case $cmd in
install)
  dir="$HOME/.terraform.d/plugins/registry.terraform.io/ssmpatch/ssmpatch/$version/$target"
  mkdir -p "$dir"
  cp "$bin" "$dir/$name"
  echo "installed $dir/$name"
  ;;
release)
  out=$5
  mkdir -p "$out"
  cp "$bin" "$out/$name"
  strip "$out/$name"
  zip=terraform-provider-ssmpatch_${version}_${target}.zip
  (cd "$out" && rm -f "$zip" && cmake -E tar cf "$zip" --format=zip "$name" &&
     sha256sum "$zip" >"terraform-provider-ssmpatch_${version}_SHA256SUMS")
  echo "release in $out:"; ls -l "$out"
  ;;
*)
  echo "usage: package.sh install|release BINARY VERSION OS_ARCH [OUTDIR]" >&2
  exit 2
  ;;
esac
