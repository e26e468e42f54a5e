#!/usr/bin/env bash
# Proves that the zkscale image starts and works, without a container engine: unpacks the image that
# src/main/docker/build-image.sh wrote (an OCI layout), and runs its entrypoint the way Kubernetes runs the
# manifests' container: under chroot, as the image's user, with the image's environment and working directory, on a
# read-only root filesystem with an empty, writable /tmp, a mounted ZooKeeper-credentials file, and the host's
# /etc/hosts and /etc/resolv.conf, as the kubelet provides them.
#
#   src/main/docker/verify-image.sh [OCI_LAYOUT [TAG]]      (default: target/image/oci zkscale:<project version>)
#
# Around it runs a stand-in cluster (dev.zkscale.app.StandInCluster from the test classes: a real ZooKeeper server
# and a mock Kubernetes API holding one Deployment at 90% of its CPU request), so the check is not only that the
# process starts but that the controller in the image connects, leads, and scales that Deployment from 2 to 4.
#
# Checks: the image's configuration (non-root numeric user, entrypoint, working directory, ports) and its Quarkus
# layout (lib/, app/ and quarkus/ in layers of their own); readiness at /q/health/ready and liveness at
# /q/health/live when the image contains the health extension, else /q/metrics answering; the pinned JRE;
# zkscale_leader 1 and the decision record on the management port, not on the health port; the scale; then a SIGTERM stops it within the manifests' grace period (30 s). Prints the time each step took.
#
# Needs root (chroot, mounts), jq, curl, and the test classes: run ./mvnw -B verify (or test-compile) first.
set -euo pipefail
cd "$(dirname "$0")/../../.."
root_dir=$PWD

version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)
layout=${1:-target/image/oci}
tag=${2:-zkscale:$version}
grace=30
started=$SECONDS

say() { echo "verify-image: $*"; }
fail() { echo "verify-image: FAILED: $*" >&2; exit 1; }
step() { say "$1 ($((SECONDS - started)) s)"; }

[ "$(id -u)" = 0 ] || fail "needs root (chroot and mounts)"
for tool in jq curl java unshare; do command -v $tool > /dev/null || fail "$tool is missing"; done
[ -f "$layout/index.json" ] || fail "no OCI layout at $layout: run src/main/docker/build-image.sh first"
[ -d target/test-classes/dev/zkscale/app ] || fail "no test classes: run ./mvnw -B test-compile first"

work=$(mktemp -d /tmp/zkscale-verify.XXXXXX)
rootfs=$work/rootfs
mnt=$work/mnt
app_pid=
cluster_pid=
cleanup() {
  set +e
  [ -n "$app_pid" ] && kill -KILL "$app_pid" 2> /dev/null
  exec 3>&- 2> /dev/null
  [ -n "$cluster_pid" ] && { kill "$cluster_pid" 2> /dev/null; wait "$cluster_pid" 2> /dev/null; }
  if mountpoint -q "$mnt" 2> /dev/null; then umount -R "$mnt" || umount -R -l "$mnt"; fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- the image: configuration and layers -------------------------------------------------------------------------
blob() { echo "$layout/blobs/${1/://}"; }
manifest=$(jq -r --arg t "$tag" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' \
  "$layout/index.json")
[ -n "$manifest" ] || fail "no image tagged $tag in $layout"
config=$(blob "$(jq -r .config.digest "$(blob "$manifest")")")
user=$(jq -r '.config.User // ""' "$config")
workdir=$(jq -r '.config.WorkingDir // "/"' "$config")
mapfile -t entrypoint < <(jq -r '(.config.Entrypoint // []) + (.config.Cmd // []) | .[]' "$config")
mapfile -t image_env < <(jq -r '.config.Env // [] | .[]' "$config")
say "image $tag: user '$user', workdir $workdir, command: ${entrypoint[*]}"
[[ "$user" =~ ^[1-9][0-9]*(:[0-9]+)?$ ]] || fail "the image's user must be a numeric non-root uid (runAsNonRoot), got '$user'"
uid=${user%%:*}
gid=$uid
[[ "$user" == *:* ]] && gid=${user#*:}
[ "$workdir" = /deployments ] || fail "working directory $workdir, expected /deployments"
[ "${entrypoint[-1]}" = run ] && [[ " ${entrypoint[*]} " == *" -jar /deployments/quarkus-run.jar "* ]] \
  || fail "the entrypoint must run /deployments/quarkus-run.jar with the command run"
jq -e '.config.ExposedPorts["8080/tcp"]' "$config" > /dev/null || fail "port 8080 (health) is not exposed"
jq -e '.config.ExposedPorts["9000/tcp"]' "$config" > /dev/null || fail "port 9000 (management) is not exposed"

mkdir -p "$rootfs"
declare -A layer_of=()
n=0
while read -r digest media; do
  n=$((n + 1))
  file=$(blob "$digest")
  case "$media" in
    *tar+gzip) unpack=(tar -xzvpf) ;;
    *tar) unpack=(tar -xvpf) ;;
    *) fail "layer $n: unsupported media type $media" ;;
  esac
  listing=$("${unpack[@]}" "$file" --numeric-owner -C "$rootfs")
  if grep -qE '(^|/)\.wh\.' <<< "$listing"; then fail "layer $n has whiteouts, which this check does not apply"; fi
  for part in lib app quarkus quarkus-run.jar; do
    if grep -qE "^(\./)?deployments/$part(/|$)" <<< "$listing"; then layer_of[$part]="${layer_of[$part]:+${layer_of[$part]} }$n"; fi
  done
done < <(jq -r '.layers[] | "\(.digest) \(.mediaType)"' "$(blob "$manifest")")
for part in lib app quarkus quarkus-run.jar; do
  [ -n "${layer_of[$part]:-}" ] || fail "the image has no /deployments/$part"
  [ "$(wc -w <<< "${layer_of[$part]}")" = 1 ] || fail "/deployments/$part is spread over layers ${layer_of[$part]}"
done
[ "$(printf '%s\n' "${layer_of[@]}" | sort -u | wc -l)" = 4 ] \
  || fail "lib/, the runner jar, app/ and quarkus/ must each have a layer of their own (layers: ${layer_of[*]})"
[ "$(stat -c %u "$rootfs/deployments/quarkus-run.jar")" = 0 ] || fail "the application files should belong to root"
step "unpacked $n layers; lib/, quarkus-run.jar, app/ and quarkus/ are in layers ${layer_of[lib]}, ${layer_of[quarkus-run.jar]}, ${layer_of[app]}, ${layer_of[quarkus]}"
# The JRE is the one the Dockerfile pins (when the base is Debian's, as build-image.sh makes it)
jre_version=$(sed -n 's/^ARG JRE_VERSION=//p' src/main/docker/Dockerfile.jvm)
if [ -f "$rootfs/var/lib/dpkg/status" ]; then
  jre=$(awk '/^Package: openjdk-17-jre-headless$/ {f = 1} f && /^Version:/ {print $2; exit}' "$rootfs/var/lib/dpkg/status")
  [ "$jre" = "$jre_version" ] || fail "the image's openjdk-17-jre-headless is '$jre', the Dockerfile pins $jre_version"
  step "the JRE is openjdk-17-jre-headless $jre, as pinned"
fi

# --- the stand-in cluster ------------------------------------------------------------------------------------------
classpath=target/test-classpath.txt
if [ ! -s "$classpath" ] || [ pom.xml -nt "$classpath" ]; then
  ./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$classpath" > /dev/null
fi
mkfifo "$work/cluster.in"
java -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "target/test-classes:target/classes:$(cat "$classpath")" dev.zkscale.app.StandInCluster "$work/cluster.env" \
  < "$work/cluster.in" > "$work/cluster.log" 2>&1 &
cluster_pid=$!
exec 3> "$work/cluster.in"   # the stand-in serves until this closes
for _ in $(seq 1 120); do [ -s "$work/cluster.env" ] && break; kill -0 $cluster_pid 2> /dev/null || break; sleep 0.5; done
[ -s "$work/cluster.env" ] || { cat "$work/cluster.log" >&2; fail "the stand-in cluster did not start"; }
api=$(sed -n 's/^QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL=//p' "$work/cluster.env")
step "stand-in cluster up: $(tail -1 "$work/cluster.log")"

# --- the container's filesystem, as the kubelet and the runtime set it up ------------------------------------------
mkdir -p "$rootfs/etc/zkscale/zookeeper" "$rootfs/proc" "$rootfs/dev" "$rootfs/tmp" "$mnt"
touch "$rootfs/etc/hosts" "$rootfs/etc/resolv.conf" "$rootfs/etc/hostname"
mount --bind "$rootfs" "$mnt"
mount -t proc proc "$mnt/proc"
mount -t tmpfs -o mode=755,size=1m tmpfs "$mnt/dev"
for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
  IFS=: read -r name major minor <<< "$node"
  mknod -m 666 "$mnt/dev/$name" c "$major" "$minor"
done
ln -s /proc/self/fd "$mnt/dev/fd"
mount -t tmpfs -o mode=1777,size=64m tmpfs "$mnt/tmp"                      # the emptyDir at /tmp
mount -t tmpfs -o mode=755,size=1m tmpfs "$mnt/etc/zkscale/zookeeper"      # the Secret's volume
printf 'zkscale:not-a-real-password' > "$mnt/etc/zkscale/zookeeper/auth"
chgrp "$gid" "$mnt/etc/zkscale/zookeeper/auth" && chmod 0440 "$mnt/etc/zkscale/zookeeper/auth"
for f in hosts resolv.conf hostname; do mount --bind -o ro "/etc/$f" "$mnt/etc/$f"; done
mount -o remount,bind,ro "$mnt"                                            # readOnlyRootFilesystem

# --- run the entrypoint ------------------------------------------------------------------------------------------
free_port() {   # the port if nothing listens on it here, else a random high one
  if (exec 9<> /dev/tcp/127.0.0.1/$1) 2> /dev/null; then echo $(( (RANDOM % 20000) + 30000 )); else echo "$1"; fi
}
port=$(free_port 8080)
management_port=$(free_port 9000)
[ "$port" = 8080 ] || say "port 8080 is taken on this machine: zkscale listens on $port (QUARKUS_HTTP_PORT) instead"
[ "$management_port" = 9000 ] \
  || say "port 9000 is taken on this machine: management on $management_port (QUARKUS_MANAGEMENT_PORT) instead"
container_env=("${image_env[@]}"
  "HOSTNAME=zkscale-verify"
  "ZKSCALE_INSTANCE_ID=zkscale-verify"
  "ZKSCALE_ZOOKEEPER_AUTH_FILE=/etc/zkscale/zookeeper/auth"
  "ZKSCALE_SYNC_PERIOD=2s"
  "QUARKUS_HTTP_PORT=$port"
  "QUARKUS_MANAGEMENT_PORT=$management_port")
while IFS= read -r line; do container_env+=("$line"); done < "$work/cluster.env"
env -i "${container_env[@]}" unshare --root="$mnt" --wd="$workdir" --setuid "$uid" --setgid "$gid" -- \
  "${entrypoint[@]}" > "$work/app.log" 2>&1 &
app_pid=$!
base_url=http://127.0.0.1:$port
management_url=http://127.0.0.1:$management_port

health=no
if compgen -G "$rootfs/deployments/lib/main/*quarkus-smallrye-health*" > /dev/null; then health=yes; fi
ready_path=/q/metrics
[ $health = yes ] && ready_path=/q/health/ready
ready_url=$management_url
[ $health = yes ] && ready_url=$base_url
ready=
for _ in $(seq 1 180); do
  kill -0 $app_pid 2> /dev/null || { cat "$work/app.log" >&2; fail "zkscale exited during start-up"; }
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$ready_url$ready_path")" = 200 ]; then ready=yes; break; fi
  sleep 0.5
done
[ -n "$ready" ] || { cat "$work/app.log" >&2; fail "$ready_path did not answer 200 within 90 s"; }
if [ $health = yes ]; then
  step "ready: $ready_path answers 200 ($(curl -s "$base_url$ready_path" | tr -d '\n '))"
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$base_url/q/health/live")" = 200 ] || fail "/q/health/live is not 200"
else
  step "serving: /q/metrics answers 200 (the image has no health extension yet, so /q/health/ready cannot be checked)"
fi
proc_uid=$(awk '/^Uid:/ {print $2}' "/proc/$app_pid/status")
[ "$proc_uid" = "$uid" ] || fail "the process runs as uid $proc_uid, not $uid"

# --- it works: leads, and scales the stand-in's Deployment -------------------------------------------------------
replicas=
for _ in $(seq 1 60); do
  replicas=$(curl -s "${api%/}/apis/apps/v1/namespaces/shop/deployments/web" | jq -r .spec.replicas)
  [ "$replicas" = 4 ] && break
  sleep 0.5
done
[ "$replicas" = 4 ] || { cat "$work/app.log" >&2; fail "shop/web was not scaled to 4 (replicas: $replicas)"; }
metrics=$(curl -s "$management_url/q/metrics")   # read whole: under pipefail, grep -q would cut curl off
grep -q '^zkscale_leader 1.0' <<< "$metrics" || fail "zkscale_leader is not 1"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base_url/q/metrics")" = 404 ] || fail "/q/metrics answers on the health port"
decisions=$(curl -s "$management_url/api/v1/targets/shop/web/decisions")
jq -e 'length >= 1 and (.[0].snapshot.target.name == "web")' <<< "$decisions" > /dev/null \
  || fail "the decision record of shop/web is not served on the management port"
rss=$(awk '/^VmRSS:/ {print int($2 / 1024)}' "/proc/$app_pid/status")
step "leads and scaled shop/web from 2 to 4; resident memory ${rss} MiB"

# --- SIGTERM: a graceful stop within the grace period -----------------------------------------------------------
stop_at=$SECONDS
kill -TERM $app_pid
for _ in $(seq 1 $((grace * 10))); do kill -0 $app_pid 2> /dev/null || break; sleep 0.1; done
if kill -0 $app_pid 2> /dev/null; then fail "zkscale did not stop within ${grace} s of SIGTERM"; fi
set +e; wait $app_pid; code=$?; set -e
app_pid=
grep -qi 'stopped in' "$work/app.log" || { cat "$work/app.log" >&2; fail "no clean Quarkus shutdown in the log"; }
step "stopped $((SECONDS - stop_at)) s after SIGTERM (exit code $code)"
say "OK: $tag starts, serves, leads, scales and stops as the manifests expect, in $((SECONDS - started)) s"
