#!/usr/bin/env bash
# Container start to ready: `podman run` of the image (default localhost/aerolite:test, built by
# test/container/) until the node's /ready answers 200 on a published port, RUNS times (default 5),
# one at a time; prints each and the median, and the image's size.
#   bash bench/container-startup.sh [IMAGE] [RUNS]
set -euo pipefail
image=${1:-localhost/aerolite:test}
runs=${2:-5}
times=()
for i in $(seq "$runs"); do
  name="aerolite-startup-$$-$i"
  start=$(date +%s%N)
  podman run -d --name "$name" --read-only -p 127.0.0.1::9145 "$image" >/dev/null 2>&1
  port=$(podman port "$name" 9145/tcp | head -1 | sed 's/.*://')
  until curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1; do sleep 0.01; done
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  node_ms=$(podman logs "$name" 2>/dev/null | sed -n 's/^aerolite ready on .*(\([0-9]*\) ms)$/\1/p' | head -1)
  podman rm -f -t 0 "$name" >/dev/null 2>&1
  echo "run $i: podman run -> /ready ${ms} ms (the node's own ready line: ${node_ms} ms after its process started)"
  times+=("$ms")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
echo "median podman run -> /ready: ${median} ms over ${runs} runs"
echo "image $image: $(podman image inspect "$image" --format '{{.Size}}' | awk '{ printf "%.0f MB", $1 / 1e6 }')"
