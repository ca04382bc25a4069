#!/usr/bin/env python3
"""Write the fuzz seed corpora (fuzz/corpus/<target>/) from captured real
server answers: the Synapse and OAuth exchanges in the shared fixtures
directory (default ../shared/fixtures, i.e. /work/shared/fixtures).

Each seed is one answer as the targets read it: "<status>[ <retry-after>]\\n"
then the body exactly as the server sent it; signup_session seeds are a
line with the supported-stage flags, then a sequence of answers joined by
"\\n===\\n" (see fuzz/src/lib.rs). The seeds are committed; run this again
only to refresh them from new captures. signup_resume seeds are saved
sessions made from the signup_session seeds (see fuzz/README.md).
"""

import json
import sys
from pathlib import Path

SEPARATOR = "\n===\n"
ALL_STAGES = 127


def answer_text(exchange):
    """The answer of one captured exchange, in the targets' input form."""
    response = exchange["response"]
    head = str(response["status"])
    headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    if "retry-after" in headers:
        head += " " + str(headers["retry-after"])
    if "json" in response and response["json"] is not None:
        body = json.dumps(response["json"], separators=(",", ":"))
    else:
        body = response.get("text") or ""
    return head + "\n" + body


def target_of(exchange):
    """Which target reads this answer, from the request it answered."""
    url = exchange["request"]["url"]
    path = url.split("://", 1)[-1].split("/", 1)[-1].split("?")[0]
    if path.endswith("client/v3/register"):
        return "register_answer"
    matrix = (
        "register/available",
        "registration_token/validity",
        "v3/refresh",
        "requestToken",
        "client/versions",
        "v3/login",
        "well-known/matrix/client",
        "auth_metadata",
    )
    if any(part in path for part in matrix):
        return "matrix_answers"
    if "oauth" in path or "openid-configuration" in path or "token" in path:
        return "oauth_answers"
    return None


def main():
    fixtures = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/fixtures")
    corpus = Path(__file__).resolve().parent / "corpus"
    written = {}

    def write(target, name, text):
        folder = corpus / target
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
        written[target] = written.get(target, 0) + 1

    sequences = {}
    for path in sorted(fixtures.rglob("*.json")):
        if path.name.startswith("_"):
            continue
        try:
            exchange = json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        if not isinstance(exchange, dict) or "response" not in exchange:
            continue
        name = f"{path.parent.name}-{path.stem}"
        target = target_of(exchange)
        if target is None:
            continue
        text = answer_text(exchange)
        write(target, name, text)
        if target == "register_answer":
            sequences.setdefault(path.parent.name, []).append(text)

    # The registration state machine: each variant's /register answers in
    # the order Synapse gave them, whole and in windows of two and three.
    for variant, texts in sorted(sequences.items()):
        write("signup_session", f"{variant}-all", f"{ALL_STAGES}\n" + SEPARATOR.join(texts))
        for size in (2, 3):
            for start in range(len(texts) - size + 1):
                window = SEPARATOR.join(texts[start : start + size])
                write("signup_session", f"{variant}-{size}-{start:02}", f"{ALL_STAGES}\n{window}")
        write("signup_session", f"{variant}-dummy-only", "1\n" + SEPARATOR.join(texts[:2]))

    combination_seeds(write)

    for target, count in sorted(written.items()):
        print(f"{target}: {count} seeds")


def combination_seeds(write):
    """probe_answers and oauth_completion read several answers at once: the
    captured OAuth metadata and token answer (tests/data/oauth) combined
    with the answers a Synapse delegating to it gives (versions, login
    types, registration refused) and with what a fault server does (429,
    a transport error as status 0)."""
    data = Path(__file__).resolve().parent.parent / "tests" / "data" / "oauth"

    def captured(name, drop=()):
        response = json.loads((data / name).read_text())["response"]
        body = {k: v for k, v in response["body"].items() if k not in drop}
        return f"{response['status']}\n" + json.dumps(body, separators=(",", ":"))

    metadata = captured("03_hs_auth_metadata.json")
    granted = captured("12_token_authorization_code.json")
    unscoped_text = captured("12_token_authorization_code.json", drop=("scope",))
    versions = '200\n{"versions":["v1.11","v1.15"]}'
    sso = '200\n{"flows":[{"type":"m.login.sso"},{"type":"m.login.token"}]}'
    password = '200\n{"flows":[{"type":"m.login.password"}]}'
    forbidden = '403\n{"errcode":"M_FORBIDDEN","error":"Registration has been disabled"}'
    uia = '401\n{"flows":[{"stages":["m.login.dummy"]}],"params":{},"session":"s"}'
    guest = '200\n{"user_id":"@1:example.org","access_token":"syt_g","device_id":"G"}'
    limited = '429\n{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":0}'
    for name, parts in {
        "oauth-only": [versions, sso, metadata, forbidden, forbidden],
        "oauth-rate-limited": [versions, sso, limited, forbidden],
        "open-with-guests": [versions, password, "404\n", uia, guest],
        "login-timed-out": [versions, "0\n", "404\n", uia],
    }.items():
        write("probe_answers", name, SEPARATOR.join(parts))
    whoami = '200\n{"user_id":"@alice:127.0.0.1"}'
    for name, parts in {
        "sign-up": [metadata, "200\ncode=abc", unscoped_text, whoami],
        "scope-of-another-device": [metadata, "200\ncode=abc", granted, whoami],
        "empty-user-id": [metadata, "200\ncode=abc", unscoped_text, '200\n{"user_id":""}'],
    }.items():
        write("oauth_completion", name, SEPARATOR.join(parts))


if __name__ == "__main__":
    main()
