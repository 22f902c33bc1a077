#!/usr/bin/env bash
# Builds the image and checks it the way `docker run` would use it, on a
# machine with no Docker engine: buildah (chroot isolation) builds it
# step-for-step as an engine would, then the image's own command runs as its
# own user with its own environment and a host folder as the /data volume.
# Checks: ready, all three vendors answer, the status page, the head cap, uid 1000, SIGTERM exits 0 within a
# few seconds, a restart on the same volume keeps the store, and a start uses the code cache the image carries.
#
#   usage: scripts/verify-image.sh [IMAGE_TAG]   (default resultbox:verify)
# Needs buildah and a local node:24-bookworm-slim (../shared/tools/standin-node-image.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
tag="${1:-resultbox:verify}"
port=18080

echo "== build"
buildah bud --isolation chroot --pull=never --format docker -t "$tag" . >/tmp/resultbox-build.log 2>&1 \
  || { tail -30 /tmp/resultbox-build.log; exit 1; }
echo "image: $(buildah images --format '{{.Size}}' "$tag")"

config() { buildah inspect --format "$1" "$tag"; }
user=$(config '{{.OCIv1.Config.User}}')
workdir=$(config '{{.OCIv1.Config.WorkingDir}}')
mapfile -t env < <(config '{{range .OCIv1.Config.Env}}{{println .}}{{end}}' | sed '/^$/d')
mapfile -t cmd < <(config '{{range .OCIv1.Config.Cmd}}{{println .}}{{end}}' | sed '/^$/d')
echo "user=$user workdir=$workdir cmd=${cmd[*]} healthcheck=$(config '{{.Docker.Config.Healthcheck.Test}}')"
[ "$user" = node ] || { echo "image does not run as node"; exit 1; }

volume=$(mktemp -d)
chown 1000:1000 "$volume"
ctr=""
# The container's server: the node process whose environment has our port.
server_pid() {
  local pid
  for pid in $(pgrep -f 'bin/node (--[^ ]+ )*dist/resultbox.mjs$' || true); do
    if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "PORT=$port"; then echo "$pid"; return; fi
  done
}
cleanup() {
  local pid; pid=$(server_pid); [ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null || true
  [ -z "$ctr" ] || buildah rm "$ctr" >/dev/null 2>&1 || true
  rm -rf "$volume" "$volume.log"
}
trap cleanup EXIT

env_args=()
for pair in "${env[@]}"; do env_args+=(--env "$pair"); done
# Host networking (chroot isolation): move off 8080 in case it is taken here.
env_args+=(--env "PORT=$port")

# Settings a run adds to the image's own (`docker run -e`).
extra_env=()

# Each run is a new container from the image, as `docker run -v DIR:/data` is.
run_container() {
  [ -z "$ctr" ] || buildah rm "$ctr" >/dev/null
  ctr=$(buildah from --pull=never "$tag")
  # buildah run puts a container-local copy over an image VOLUME even when -v
  # names it; dropping the declaration from this working container (not the
  # image) lets the host folder be mounted at /data as an engine mounts it.
  buildah config --volume /data- "$ctr"
  buildah run --isolation chroot --user "$user" --workingdir "$workdir" "${env_args[@]}" \
    "${extra_env[@]}" -v "$volume:/data" "$ctr" -- "${cmd[@]}" >"$volume.log" 2>&1 &
  for _ in $(seq 1 100); do
    if curl -fs "http://127.0.0.1:$port/_resultbox/ready" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  cat "$volume.log"; echo "never became ready"; exit 1
}

stop_container() {
  local pid
  pid=$(server_pid)
  [ -n "$pid" ] || { echo "no server process"; exit 1; }
  echo "server uid: $(awk '/^Uid:/ {print $2}' "/proc/$pid/status")"
  [ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = 1000 ] || { echo "not uid 1000"; exit 1; }
  local started=$SECONDS
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null; do
    [ $((SECONDS - started)) -lt 10 ] || { echo "still running 10 s after SIGTERM"; exit 1; }
    sleep 0.1
  done
  wait || true
  grep -q '"msg":"closing"' "$volume.log" || { cat "$volume.log"; echo "did not close gracefully"; exit 1; }
  echo "stopped on SIGTERM in $((SECONDS - started)) s"
}

check() {
  local name=$1 expected=$2; shift 2
  local status
  status=$(curl -s -o /dev/null -w '%{http_code}' "$@")
  [ "$status" = "$expected" ] || { echo "$name: HTTP $status, expected $expected"; exit 1; }
  echo "$name: HTTP $status"
}

echo "== first run"
run_container
ready=$(curl -fs "http://127.0.0.1:$port/_resultbox/ready")
echo "ready: $ready"
check prpm 200 -H 'Authorization: Bearer resultbox' "http://127.0.0.1:$port/project/1/result/dVbQ3x7K"
check explorer 200 -H 'Cookie: explorer_token=resultbox' \
  "http://127.0.0.1:$port/api-open/v1/jobs/29987/tasks/8c171f70fb6f11ecac7e6da0662c195b/sample_result?limit=1000"
check modelarts 200 -H 'X-Auth-Token: resultbox' \
  "http://127.0.0.1:$port/v2/c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60/processor-tasks/SNEJua7qdZZN8GvkcEr/versions/7PoIhUzSk92OglQrTxr/results"
check refused 401 "http://127.0.0.1:$port/project/1/result/dVbQ3x7K"
check status-page 200 "http://127.0.0.1:$port/_resultbox/"
check state 200 "http://127.0.0.1:$port/_resultbox/state"
# Swagger UI is one of the two packages the bundle leaves in node_modules (scripts/prune-bundled.mjs).
check docs 200 "http://127.0.0.1:$port/_resultbox/docs/"
check openapi 200 "http://127.0.0.1:$port/_resultbox/openapi.json"
# A named sandbox: under its prefix, and at a port of its own from the range the image sets (RESULTBOX_SANDBOX_PORTS).
sandbox=$(curl -fs -X PUT -H 'Content-Type: application/json' -d '{"port":0}' "http://127.0.0.1:$port/_resultbox/sandboxes/verify")
sandbox_port=$(sed -nE 's/.*"port":([0-9]+).*/\1/p' <<<"$sandbox")
{ [ -n "$sandbox_port" ] && [ "$sandbox_port" -ge 8100 ] && [ "$sandbox_port" -le 8199 ]; } || { echo "sandbox: $sandbox"; echo "its port is not of 8100-8199"; exit 1; }
echo "sandbox port: $sandbox_port"
check sandbox-prefix 200 -H 'Authorization: Bearer resultbox' "http://127.0.0.1:$port/sandboxes/verify/project/1/result/dVbQ3x7K"
check sandbox-port 200 -H 'Authorization: Bearer resultbox' "http://127.0.0.1:$sandbox_port/project/1/result/dVbQ3x7K"
check sandbox-drop 204 -X DELETE "http://127.0.0.1:$port/_resultbox/sandboxes/verify"
# A request head over RESULTBOX_HEADER_MAX_BYTES (64 KiB): the gateway's 431, not a dropped connection.
check head-over-cap 431 -H "X-Auth-Token: $(head -c 70000 /dev/zero | tr '\0' t)" \
  "http://127.0.0.1:$port/v2/c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60/processor-tasks/SNEJua7qdZZN8GvkcEr/versions/7PoIhUzSk92OglQrTxr/results"
# The HEALTHCHECK, run as an engine runs it: inside the container, beside the server.
mapfile -t health < <(config '{{range .Docker.Config.Healthcheck.Test}}{{println .}}{{end}}' | sed '/^$/d' | tail -n +2)
buildah run --isolation chroot --user "$user" --workingdir "$workdir" "${env_args[@]}" "$ctr" -- "${health[@]}" \
  && echo "healthcheck: healthy" || { echo "healthcheck: unhealthy"; exit 1; }
stop_container
echo "volume: $(ls "$volume" | tr '\n' ' ')"
[ -f "$volume/resultbox.sqlite" ] || { echo "the store is not on the volume"; exit 1; }

echo "== a new container on the same volume"
run_container
again=$(curl -fs "http://127.0.0.1:$port/_resultbox/ready")
seeded() { sed -nE 's/.*"seeded_at":"([^"]+)".*/\1/p' <<<"$1"; }
[ "$(seeded "$ready")" = "$(seeded "$again")" ] || { echo "store was seeded again"; exit 1; }
echo "same store: seeded_at $(seeded "$again")"
stop_container

echo "== the start-up code cache the image carries"
extra_env=(--env LOG_LEVEL=debug)
run_container
curl -fs "http://127.0.0.1:$port/_resultbox/ready" >/dev/null
sleep 0.3
stop_container
cache_line=$(grep '"msg":"start-up code cache"' "$volume.log" || true)
grep -q '"status":"hit"' <<<"$cache_line" || { cat "$volume.log"; echo "the image's code cache was not used"; exit 1; }
echo "code cache: hit ($(sed -nE 's/.*"file":"([^"]+)".*/\1/p' <<<"$cache_line"))"
echo "image verified"
