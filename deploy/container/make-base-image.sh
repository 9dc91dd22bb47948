#!/usr/bin/env bash
# Makes a local stand-in for the public Node 20 image (node:20-bookworm-slim) where no registry is
# reachable: a minimal Debian bookworm rootfs from debootstrap, with this machine's node and npm
# copied in, imported into podman. Usage: make-base-image.sh [IMAGE] (default localhost/node:20-bookworm-slim).
set -euo pipefail
image=${1:-localhost/node:20-bookworm-slim}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
node_bin=$(readlink -f "$(command -v node)")
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
case "$("$node_bin" --version)" in v20.*) ;; *) echo "make-base-image: node on PATH is $("$node_bin" --version), not Node 20" >&2; exit 1 ;; esac
rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
install -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
# The shared libraries node links against, where the rootfs lacks them.
for lib in $(ldd "$node_bin" | awk '$3 ~ /^\// { print $3 }'); do
  [ -e "$rootfs$lib" ] || install -D -m 0644 "$lib" "$rootfs$lib"
done
mkdir -p "$rootfs/usr/local/lib/node_modules"
cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
# Cached package lists are of no use in an image.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin
changes=(--change 'CMD ["node"]')
# A machine whose traffic passes a TLS-inspecting proxy trusts that proxy's CA through
# NODE_EXTRA_CA_CERTS; builds on this base (npm ci) need the same trust to reach the registry.
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  install -D -m 0644 "$NODE_EXTRA_CA_CERTS" "$rootfs/usr/local/share/aerolite-base/extra-ca.crt"
  changes+=(--change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/aerolite-base/extra-ca.crt')
fi
tar -C "$rootfs" -c . | podman import --quiet "${changes[@]}" - "$image" >/dev/null
echo "$image"
