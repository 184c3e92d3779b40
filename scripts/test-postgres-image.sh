#!/usr/bin/env bash
# Makes sure the Postgres image the integration suite runs exists locally, and prints its name.
# Order: an image already present; the official image from a registry; else one built here
# from Debian packages (mmdebstrap, ~40 s), for machines without a container registry.
set -euo pipefail
# The image's tag is the Postgres major version: by default 17, the one in Debian's stable
# release; `SESSIONS_TEST_PG_IMAGE=sessions-postgres:15` runs the suite on 15.
image="${SESSIONS_TEST_PG_IMAGE:-sessions-postgres:17}"
major="${image##*:}"
here="$(cd "$(dirname "$0")" && pwd)"
base="${image%%:*}-base:$major"
recipe="$(sed -n 's/^LABEL org.sessions.postgres-image="\(.*\)"/\1/p' "$here/postgres-image/Dockerfile")"

build_on_base() {
  docker build --quiet --build-arg BASE="$base" -t "$image" "$here/postgres-image" >&2
}

if docker image inspect "$image" >/dev/null 2>&1; then
  built_with="$(docker image inspect --format '{{index .Config.Labels "org.sessions.postgres-image"}}' "$image")"
  # An image built here by an older recipe is rebuilt on its base (seconds); a pulled
  # official image has no such label and is used as it is.
  if [ -n "$built_with" ] && [ "$built_with" != "$recipe" ] || \
     { [ -z "$built_with" ] && docker image inspect "$base" >/dev/null 2>&1; }; then
    build_on_base
  fi
  echo "$image"
  exit 0
fi

if docker pull "postgres:$major" >/dev/null 2>&1; then
  docker tag "postgres:$major" "$image"
  echo "$image"
  exit 0
fi

echo "no registry reachable; building $image from Debian packages" >&2
case "$major" in
  15) suite=bookworm ;;
  17) suite=trixie ;;
  *) echo "no Debian release to build Postgres $major from (15: bookworm, 17: trixie)" >&2; exit 1 ;;
esac
if ! command -v mmdebstrap >/dev/null 2>&1; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >&2
fi
mmdebstrap --quiet --variant=minbase --include="postgresql-$major" "$suite" - | docker import - "$base" >&2
build_on_base
echo "$image"
