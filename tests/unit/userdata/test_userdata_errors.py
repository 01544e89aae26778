"""Every client mistake is a specific 4xx in the card API's error format, on both engines."""

from __future__ import annotations

from typing import Any

import msgspec

ALICE = "alice-0123456789abcdef"
TPL = "/api/my-templates"
FAV = "/api/favorites"
MISSING_ID = "tpl_" + "A" * 22
OK_PAYLOAD = {"title": "Hello"}


def _sized_payload(size: int) -> dict[str, str]:
    """A valid payload whose compact JSON is exactly ``size`` bytes."""
    base = {"title": "Hi", "note": ""}
    return {**base, "note": "x" * (size - len(msgspec.json.encode(base)))}


def body(**fields: Any) -> dict[str, Any]:
    return {"json": {"userKey": ALICE, **fields}}


def raw(content: bytes) -> dict[str, Any]:
    return {"content": content, "headers": {"content-type": "application/json"}}


# (case, method, path, request arguments, status, code)
CASES: list[tuple[str, str, str, dict[str, Any], int, str]] = [
    # userKey: 8..128 characters from A-Z a-z 0-9 _ - .
    ("key missing", "GET", TPL, {"params": {}}, 400, "INVALID_USER_KEY"),
    ("key empty", "GET", FAV, {"params": {"userKey": ""}}, 400, "INVALID_USER_KEY"),
    ("key of 7", "GET", TPL, {"params": {"userKey": "a" * 7}}, 400, "INVALID_USER_KEY"),
    ("key of 129", "GET", FAV, {"params": {"userKey": "a" * 129}}, 400, "INVALID_USER_KEY"),
    ("key with space", "GET", TPL, {"params": {"userKey": "abc defgh"}}, 400, "INVALID_USER_KEY"),
    ("key non-ascii", "GET", FAV, {"params": {"userKey": "clé-secrète"}}, 400, "INVALID_USER_KEY"),
    ("key missing in body", "POST", TPL, {"json": {"payload": OK_PAYLOAD}}, 400,
     "INVALID_USER_KEY"),
    ("key missing in fav body", "POST", FAV, {"json": {"ids": []}}, 400, "INVALID_USER_KEY"),
    ("key not a string", "POST", TPL, {"json": {"userKey": 12345678}}, 400, "INVALID_PARAMETER"),
    ("key of 8 is fine", "GET", TPL, {"params": {"userKey": "a" * 8}}, 200, ""),
    ("key of 128 is fine", "GET", FAV, {"params": {"userKey": "a-Z_9." * 21 + "xx"}}, 200, ""),
    # names
    ("name of 81", "POST", TPL, body(payload=OK_PAYLOAD, name="n" * 81), 400, "NAME_TOO_LONG"),
    ("name with control", "POST", TPL, body(payload=OK_PAYLOAD, name="a\x07b"), 400,
     "INVALID_NAME"),
    ("rename to empty", "PATCH", TPL, body(id=MISSING_ID, name="  "), 400, "INVALID_NAME"),
    ("rename to 81", "PATCH", TPL, body(id=MISSING_ID, name="n" * 81), 400, "NAME_TOO_LONG"),
    # payloads: an object of strings, <= 16 KiB, valid for /api/og
    ("payload missing", "POST", TPL, body(), 400, "INVALID_PAYLOAD"),
    ("payload a list", "POST", TPL, body(payload=["title", "x"]), 400, "INVALID_PAYLOAD"),
    ("payload a string", "POST", TPL, body(payload="title=x"), 400, "INVALID_PAYLOAD"),
    ("payload number value", "POST", TPL, body(payload={"title": 5}), 400, "INVALID_PAYLOAD"),
    ("payload nested value", "POST", TPL, body(payload={"title": {"a": "b"}}), 400,
     "INVALID_PAYLOAD"),
    ("payload holding a key", "POST", TPL, body(payload={"userKey": ALICE}), 400,
     "INVALID_PAYLOAD"),
    ("payload of 16 KiB", "POST", TPL, body(payload=_sized_payload(16384)), 201, ""),
    ("payload over 16 KiB", "POST", TPL, body(payload=_sized_payload(16385)), 413,
     "PAYLOAD_TOO_LARGE"),
    ("title of 81", "POST", TPL, body(payload={"title": "x" * 81}), 400, "TITLE_TOO_LONG"),
    ("description of 201", "POST", TPL, body(payload={"subtitle": "x" * 201}), 400,
     "DESCRIPTION_TOO_LONG"),
    ("bad colour", "POST", TPL, body(payload={"text": "red"}), 400, "INVALID_COLOR"),
    ("bad background", "POST", TPL, body(payload={"bg": "rgb(1,2,3)"}), 400,
     "INVALID_BACKGROUND"),
    ("bad format", "POST", TPL, body(payload={"format": "gif"}), 400, "INVALID_FORMAT"),
    ("control characters", "POST", TPL, body(payload={"title": "a\x00"}), 400, "INVALID_TEXT"),
    ("unknown template", "POST", TPL, body(payload={"template": "nope"}), 404,
     "TEMPLATE_NOT_FOUND"),
    ("unknown templateId", "POST", TPL, body(payload={}, templateId="nope"), 404,
     "TEMPLATE_NOT_FOUND"),
    ("unknown bgId", "POST", TPL, body(payload={"bgId": "nope"}), 404, "BACKGROUND_NOT_FOUND"),
    ("templateId disagrees", "POST", TPL, body(payload={"template": "gradient"},
     templateId="minimal"), 400, "CONFLICTING_PARAMETERS"),
    ("alias conflict", "POST", TPL, body(payload={"subtitle": "a", "description": "b"}), 400,
     "CONFLICTING_PARAMETERS"),
    # bodies
    ("malformed JSON", "POST", TPL, raw(b'{"userKey": '), 400, "INVALID_JSON"),
    ("not an object", "POST", FAV, raw(b'["mesh-ocean"]'), 400, "INVALID_BODY"),
    ("body over 64 KiB", "POST", TPL, raw(b" " * (65 * 1024)), 413, "PAYLOAD_TOO_LARGE"),
    # ids and paging
    ("rename without id", "PATCH", TPL, body(name="x"), 400, "INVALID_PARAMETER"),
    ("delete without id", "DELETE", TPL, {"params": {"userKey": ALICE}}, 400,
     "INVALID_PARAMETER"),
    ("rename unknown id", "PATCH", TPL, body(id=MISSING_ID, name="x"), 404,
     "TEMPLATE_NOT_FOUND"),
    ("delete malformed id", "DELETE", TPL, {"params": {"userKey": ALICE, "id": "x' OR 1=1"}},
     404, "TEMPLATE_NOT_FOUND"),
    ("limit 0", "GET", TPL, {"params": {"userKey": ALICE, "limit": "0"}}, 400, "INVALID_LIMIT"),
    ("limit 101", "GET", TPL, {"params": {"userKey": ALICE, "limit": "101"}}, 400,
     "INVALID_LIMIT"),
    ("limit words", "GET", TPL, {"params": {"userKey": ALICE, "limit": "ten"}}, 400,
     "INVALID_LIMIT"),
    ("offset -1", "GET", TPL, {"params": {"userKey": ALICE, "offset": "-1"}}, 400,
     "INVALID_OFFSET"),
    # favourites
    ("ids missing", "POST", FAV, body(), 400, "INVALID_IDS"),
    ("ids a string", "POST", FAV, body(ids="mesh-ocean"), 400, "INVALID_IDS"),
    ("ids of numbers", "POST", FAV, body(ids=[1, 2]), 400, "INVALID_IDS"),
    ("unknown background", "POST", FAV, body(ids=["mesh-ocean", "bg_xxx"]), 400,
     "UNKNOWN_BACKGROUND"),
    ("remove without id", "DELETE", FAV, {"params": {"userKey": ALICE}}, 400,
     "INVALID_PARAMETER"),
]  # fmt: skip


async def test_every_mistake_has_its_code(client):
    failures = []
    for case, method, path, kwargs, status, code in CASES:
        response = await client.request(method, path, **kwargs)
        got = response.json()
        if status >= 400:
            expected = (status, {"success": False, "error": {"code": code}}, "no-store")
            error = got.get("error", {})
            actual = (
                response.status_code,
                {"success": got.get("success"), "error": {"code": error.get("code")}},
                response.headers.get("cache-control"),
            )
            if actual != expected or not error.get("message"):
                failures.append(f"{case}: {response.status_code} {got}")
        elif response.status_code != status or got.get("success") is not True:
            failures.append(f"{case}: {response.status_code} {got}")
    assert not failures, "\n".join(failures)


async def test_error_messages_never_repeat_the_key(client):
    secret = "s3cret key that is wrong!"
    response = await client.get(TPL, params={"userKey": secret})
    assert response.json()["error"]["code"] == "INVALID_USER_KEY"
    assert "s3cret" not in response.text
