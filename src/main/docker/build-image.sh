#!/usr/bin/env bash
# Builds the zkscale image from src/main/docker/Dockerfile.jvm without a Docker daemon, with buildah, and writes it
# as an OCI image layout to target/image/oci, tagged zkscale:<project version>.
#
#   ./mvnw -B package -DskipTests && src/main/docker/build-image.sh
#
# The base image is Debian bookworm (minbase) with openjdk-17-jre-headless at the version the Dockerfile's
# JRE_VERSION names, made here from Debian packages with mmdebstrap, since no container registry may be reachable. BASE_IMAGE=<reference> builds on another base that
# buildah can pull instead (for example docker://eclipse-temurin:17-jre, the Dockerfile's default).
#
# Needs root and the Debian packages buildah and mmdebstrap. The Debian base is cached in $ZKSCALE_IMAGE_CACHE
# (default /tmp/zkscale-image-cache): rm -rf it to rebuild the base from current packages.
set -euo pipefail
cd "$(dirname "$0")/../../.."

cache=${ZKSCALE_IMAGE_CACHE:-/tmp/zkscale-image-cache}
app=target/quarkus-app
out=target/image
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)
image=zkscale:$version
# The one JRE the image ships (Debian bookworm's openjdk-17-jre-headless); change it deliberately, with the cache.
jre_version=$(sed -n 's/^ARG JRE_VERSION=//p' src/main/docker/Dockerfile.jvm)
started=$SECONDS

[ "$(id -u)" = 0 ] || { echo "build-image: needs root (buildah with chroot isolation)" >&2; exit 2; }
[ -f "$app/quarkus-run.jar" ] || { echo "build-image: $app is missing; build it first: ./mvnw -B package -DskipTests" >&2; exit 2; }
command -v buildah > /dev/null || { echo "build-image: buildah is missing: apt-get install -y buildah" >&2; exit 2; }

mkdir -p "$cache"
# Image storage of our own under the cache, never the machine's default one. overlay shares the base's files between
# layers; ZKSCALE_STORAGE_DRIVER=vfs works where overlay mounts do not, but copies the whole tree for every layer.
driver=${ZKSCALE_STORAGE_DRIVER:-overlay}
b() { buildah --root "$cache/storage-$driver" --runroot "$cache/run-$driver" --storage-driver "$driver" "$@"; }

base=${BASE_IMAGE:-}
if [ -z "$base" ]; then
  command -v mmdebstrap > /dev/null || { echo "build-image: mmdebstrap is missing: apt-get install -y mmdebstrap" >&2; exit 2; }
  # The recipe of the base; its hash names the cached base, so that a changed recipe builds a new one. The JRE is
  # pinned to one Debian version (JRE_VERSION; src/main/docker/verify-image.sh checks the image holds it): a mirror
  # that no longer has it fails the build instead of shipping another JRE. Its other packages are those of the
  # bookworm release on the mirror; DEBIAN_MIRROR=http://snapshot.debian.org/archive/debian/<time> pins them all.
  recipe=(--variant=minbase "--include=openjdk-17-jre-headless=$jre_version" --dpkgopt=force-unsafe-io
          "--dpkgopt=path-exclude=/usr/share/doc/*" "--dpkgopt=path-exclude=/usr/share/locale/*" bookworm)
  key=$(printf '%s\n' "${recipe[@]}" | sha256sum | cut -c1-12)
  base=localhost/zkscale-base:$key
  if ! b inspect --type image "$base" > /dev/null 2>&1; then
    if [ ! -f "$cache/base-$key.tar" ]; then
      echo "build-image: making the base (Debian bookworm + openjdk-17-jre-headless) with mmdebstrap ..."
      # DEBIAN_MIRROR, else the Debian mirror this machine's apt uses, if it names one.
      mirror=${DEBIAN_MIRROR:-$(sed -n 's/^URIs: *\([^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1 || true)}
      mmdebstrap --quiet "${recipe[@]}" "$cache/base-$key.tar.part" ${mirror:+"$mirror"}
      mv "$cache/base-$key.tar.part" "$cache/base-$key.tar"
    fi
    echo "build-image: importing the base as $base ..."
    ctr=$(b from scratch)
    b add --quiet "$ctr" "$cache/base-$key.tar" / > /dev/null
    b config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd '["/bin/bash"]' "$ctr"
    b commit --quiet --rm "$ctr" "$base" > /dev/null
  fi
fi

echo "build-image: building $image from src/main/docker/Dockerfile.jvm on $base ($(b inspect --type image --format '{{.FromImageDigest}}' "$base" 2>/dev/null || echo "digest unknown")) ..."
# --layers: one layer per instruction, as docker build makes them (lib/, the runner jar, app/, quarkus/).
b bud --quiet --layers --isolation chroot --pull=false --build-arg "BASE_IMAGE=$base" \
  -f src/main/docker/Dockerfile.jvm -t "localhost/$image" . > /dev/null
rm -rf "$out"
mkdir -p "$out"
b push --quiet "localhost/$image" "oci:$out/oci:$image"
echo "build-image: $image written to $out/oci ($(du -sh "$out/oci" | cut -f1)) in $((SECONDS - started)) s"
