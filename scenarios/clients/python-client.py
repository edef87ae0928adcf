"""An example exec client in Python that locks correctly and still loses sessions.

It takes fcntl.flock on "<config dir>/.oauth_refresh.lock", a lock every container shares in the
legacy and shared layouts, but it reads the refresh token *before* taking the lock and never
re-reads after: when it gets the lock, another container may already have spent that token. So
it loses sessions (invalid_grant) in every layout. A lock without a re-read serialises the POSTs
but not the decision to make them.
"""
import fcntl
import hashlib
import json
import os
import sys
import time
import urllib.request
import urllib.error

env = os.environ
cred_path = env["TOKENRACE_CREDENTIALS"]
lock_path = os.path.join(env["TOKENRACE_CONFIG_DIR"], ".oauth_refresh.lock")
margin_ms = int(env["TOKENRACE_REFRESH_MARGIN_MS"])
deadline_ms = int(env["TOKENRACE_DEADLINE_EPOCH_MS"])
headers = {"content-type": "application/json", "x-tokenrace-worker": env["TOKENRACE_WORKER"]}
events = os.fdopen(3, "w", buffering=1) if os.path.exists("/proc/self/fd/3") else None


def now_ms():
    return int(time.time() * 1000)


def event(**fields):
    if events:
        events.write(json.dumps(fields) + "\n")


def fp(token):
    return hashlib.sha256(token.encode()).hexdigest()[:10]


def read_store():
    with open(cred_path) as handle:
        return json.load(handle)["claudeAiOauth"]


def post(url, body, extra=None):
    request = urllib.request.Request(url, json.dumps(body).encode(), {**headers, **(extra or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, None


def refresh(stale):
    event(type="refresh_start", presented=fp(stale["refreshToken"]))
    status, body = post(env["TOKENRACE_TOKEN_URL"], {"grant_type": "refresh_token", "refresh_token": stale["refreshToken"]})
    if status != 200:
        event(type="invalid_grant", presented=fp(stale["refreshToken"]), latencyMs=0)
        sys.exit(1)
    fresh = {"accessToken": body["access_token"], "refreshToken": body["refresh_token"],
             "expiresAt": now_ms() + int(body["expires_in"] * 1000), "scopes": ["user:inference"]}
    tmp = f"{cred_path}.tmp.{os.getpid()}"
    with open(tmp, "w") as handle:
        json.dump({"claudeAiOauth": fresh}, handle)
    os.replace(tmp, cred_path)
    event(type="refresh_ok", presented=fp(stale["refreshToken"]), issued=fp(fresh["refreshToken"]), latencyMs=0)


while now_ms() < deadline_ms:
    stored = read_store()
    if now_ms() >= stored["expiresAt"] - margin_ms:
        with open(lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            refresh(stored)  # the bug: `stored` was read before the lock was held
    post(env["TOKENRACE_API_URL"], {"stream": False}, {"authorization": "Bearer " + read_store()["accessToken"]})
    time.sleep(0.05)
