# shellcheck shell=bash
# Shared shell helpers for scripts/*; sourced, not run.

# retry N CMD...: run CMD up to N times, doubling the pause between tries,
# so that a slow mirror or a dropped connection does not fail the run.
retry() {
  local tries=$1; shift
  local pause=2 n=1
  until "$@"; do
    if [ "$n" -ge "$tries" ]; then
      echo "retry: '$*' failed $n times, giving up" >&2
      return 1
    fi
    echo "retry: '$*' failed (try $n of $tries), again in ${pause}s" >&2
    sleep "$pause"; n=$((n + 1)); pause=$((pause * 2))
  done
}

step() { printf '\n==> %s\n' "$*"; }

# Make the checkout importable as dockyard.docker: Ansible finds collections only under an
# ansible_collections/<namespace>/<name> path. Prints the collections path to use.
collections_path() {
  local top; top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  mkdir -p "$top/.build/collections/ansible_collections/dockyard"
  ln -sfn "$top" "$top/.build/collections/ansible_collections/dockyard/docker"
  echo "$top/.build/collections"
}

# debian_rootfs SUITE MIRROR PACKAGES DIR: a minimal Debian root filesystem at DIR/rootfs with PACKAGES (comma
# separated), retried with backoff; the downloaded packages are kept per suite for the next build.
debian_rootfs() {
  local cache=${XDG_CACHE_HOME:-$HOME/.cache}/dockyard-testbed/debs/$1
  mkdir -p "$cache"
  step "debootstrap $1 from $2"
  retry 4 _debootstrap_once "$@" "$cache"
}

_debootstrap_once() {
  local suite=$1 mirror=$2 packages=$3 dir=$4 cache=$5
  rm -rf "$dir/rootfs"
  debootstrap --variant=minbase --include="$packages" --cache-dir="$cache" \
    "$suite" "$dir/rootfs" "$mirror" > "$dir/debootstrap.log" 2>&1 \
    || { tail -n 20 "$dir/debootstrap.log" >&2; return 1; }
}
