#!/bin/sh
# An example exec client in POSIX sh (plus curl and GNU date): refreshes the shared token when it
# is about to expire, under one of two locks, then calls the API; until the deadline.
#
#   sh shell-client.sh mkdir-beside   mkdir "<config dir>.lock": beside the config dir, so in the
#                                     legacy layout every container locks its own $HOME (loses)
#   sh shell-client.sh flock-inside   flock(1) on "<config dir>/.oauth_refresh.lock": the lock
#                                     lives on the shared mount in legacy and shared (safe)
#
# It follows the exec contract (README, "Any command"): TOKENRACE_* variables say where things
# are; events go to fd 3 when it is open. On invalid_grant it exits 1: the session is lost.
set -u
style=${1:?usage: shell-client.sh mkdir-beside|flock-inside}
cfg=$TOKENRACE_CONFIG_DIR
cred=$TOKENRACE_CREDENTIALS
margin=$TOKENRACE_REFRESH_MARGIN_MS
deadline=$TOKENRACE_DEADLINE_EPOCH_MS
worker=$TOKENRACE_WORKER

now_ms() { date +%s%3N; }
field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" "$2" | head -n 1; }
fp() { printf %s "$1" | sha256sum | cut -c1-10; }
event() { [ -e /proc/self/fd/3 ] && printf '%s\n' "$1" >&3 2>/dev/null; return 0; }

is_expired() {
  expires=$(field expiresAt "$cred")
  [ -z "$expires" ] && return 0
  [ "$(now_ms)" -ge "$((expires - margin))" ]
}

refresh() {
  rt=$(field refreshToken "$cred")
  event "{\"type\":\"refresh_start\",\"presented\":\"$(fp "$rt")\"}"
  body=$(mktemp)
  status=$(curl -s -o "$body" -w '%{http_code}' -H 'content-type: application/json' \
    -H "x-tokenrace-worker: $worker" -d "{\"grant_type\":\"refresh_token\",\"refresh_token\":\"$rt\"}" \
    "$TOKENRACE_TOKEN_URL")
  if [ "$status" != 200 ]; then
    event "{\"type\":\"invalid_grant\",\"presented\":\"$(fp "$rt")\",\"latencyMs\":0}"
    rm -f "$body"
    return 1
  fi
  at=$(field access_token "$body"); new_rt=$(field refresh_token "$body")
  ttl=$(field expires_in "$body"); rm -f "$body"
  expires=$(awk "BEGIN { printf \"%d\", $(now_ms) + $ttl * 1000 }")
  tmp="$cred.tmp.$$"
  printf '{"claudeAiOauth":{"accessToken":"%s","refreshToken":"%s","expiresAt":%s,"scopes":["user:inference"]}}\n' \
    "$at" "$new_rt" "$expires" > "$tmp" && mv "$tmp" "$cred"
  event "{\"type\":\"refresh_ok\",\"presented\":\"$(fp "$rt")\",\"issued\":\"$(fp "$new_rt")\",\"latencyMs\":0}"
}

# Both styles re-read the store once the lock is held: someone else may have refreshed already.
refresh_locked() {
  case $style in
    mkdir-beside)
      until mkdir "$cfg.lock" 2>/dev/null; do sleep 0.02; done
      result=0; is_expired && { refresh || result=1; }
      rmdir "$cfg.lock"
      return $result ;;
    flock-inside)
      ( flock 9 && if is_expired; then refresh; fi ) 9>"$cfg/.oauth_refresh.lock" ;;
    *) echo "unknown lock style: $style" >&2; exit 2 ;;
  esac
}

while [ "$(now_ms)" -lt "$deadline" ]; do
  if is_expired; then refresh_locked || exit 1; fi
  at=$(field accessToken "$cred")
  curl -s -o /dev/null -H "authorization: Bearer $at" -H "x-tokenrace-worker: $worker" \
    -H 'content-type: application/json' -d '{"stream":false}' "$TOKENRACE_API_URL"
  sleep 0.05
done
