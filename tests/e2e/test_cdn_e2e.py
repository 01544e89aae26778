"""ogplatform behind the configurations in cache/: real Varnish and nginx, real requests.

Every request through a proxy carries its own X-Request-ID; the origin logs it on its access
line, so "never reached the origin" is read from the origin's own log.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import cdn_servers
import httpx
import pytest
from cdn_servers import OriginLog, Proxy, poll, request_id

from ogplatform.settings import CacheSettings

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent
ADMIN_TOKEN = "cdn-e2e-admin-token"
# The origin sends PURGE to the CDN only once [cache] cdn_purge_urls exists.
PURGE_READY = "cdn_purge_urls" in CacheSettings.__struct_fields__
purge_needs_origin = pytest.mark.xfail(
    not PURGE_READY, reason="origin purge not implemented yet", strict=False
)


@dataclass
class Stack:
    """ogplatform with Varnish and nginx in front of it."""

    origin: Any  # tests/e2e/conftest.py RunningServer
    log: OriginLog
    varnish: Proxy
    nginx: Proxy
    site: Path
    env: dict[str, str]

    @property
    def proxies(self) -> tuple[Proxy, Proxy]:
        return (self.varnish, self.nginx)

    def ogplatform(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The ``ogplatform`` CLI with the server's settings (same folder, same variables)."""
        env = {**os.environ, **self.env}
        env.pop("OGP_CONFIG", None)
        return subprocess.run([str(BIN / "ogplatform"), *args], cwd=self.site, env=env,
                              capture_output=True, text=True, timeout=60)  # fmt: skip

    def stop_origin(self) -> None:
        os.killpg(self.origin.process.pid, signal.SIGTERM)
        self.origin.process.wait(timeout=20)


StartStack = Callable[..., AbstractContextManager[Stack]]


@pytest.fixture
def start_stack(site: Path, port: int, start_server: Any) -> StartStack:
    """``with start_stack(max_age="1") as stack:`` — [cache] settings as keyword arguments."""

    @contextmanager
    def start(**cache: str) -> Iterator[Stack]:
        # Missing binaries skip (or fail, in CI) before anything starts.
        cdn_servers.binary("varnishd", "varnish")
        cdn_servers.binary("nginx", "nginx")
        varnish_port = cdn_servers.free_port()
        env = {"OGP_RATELIMIT__ENABLED": "false", "OGP_AUTH__ADMIN_TOKEN": ADMIN_TOKEN}
        env.update({f"OGP_CACHE__{key.upper()}": value for key, value in cache.items()})
        if PURGE_READY:
            purge_urls = [f"http://127.0.0.1:{varnish_port}/"]
            env["OGP_CACHE__CDN_PURGE_URLS"] = json.dumps(purge_urls)
        argv = [str(BIN / "ogplatform"), "serve", "--port", str(port)]
        with (
            start_server(argv, port, site, env=env) as origin,
            cdn_servers.run_varnish(port, site / "varnish", varnish_port) as varnish,
            cdn_servers.run_nginx(port, site / "nginx") as nginx,
        ):
            yield Stack(origin, OriginLog(origin), varnish, nginx, site, env)

    return start


@pytest.fixture
def stack(start_stack: StartStack) -> Iterator[Stack]:
    with start_stack() as running:
        yield running


def card(template: str = "gradient", **params: str) -> str:
    """A card URL no other test (or earlier run) has asked for."""
    params.setdefault("title", f"CDN {uuid.uuid4().hex[:10]}")
    return "/api/og?" + urlencode({"template": template, **params})


def test_a_second_request_is_a_cdn_hit_that_never_reaches_the_origin(stack: Stack) -> None:
    for proxy in stack.proxies:
        url = card()
        first = proxy.get(url)
        assert first.status_code == 200, (proxy, first.text)
        assert first.headers["content-type"] == "image/png"
        assert first.headers["x-cdn-cache"] == "MISS", proxy
        assert stack.log.reached(first), proxy

        second = proxy.get(url)
        assert second.status_code == 200
        assert second.headers["x-cdn-cache"] == "HIT", proxy
        assert second.content == first.content
        assert second.headers["etag"] == first.headers["etag"]
        assert not stack.log.reached(second), f"{proxy}: a cache hit went to the origin"
        if proxy is stack.varnish:
            assert int(second.headers["age"]) >= 0  # how long Varnish has held it


def test_reordered_query_strings_hit_the_same_object(stack: Stack) -> None:
    for proxy in stack.proxies:
        title = f"Order {uuid.uuid4().hex[:10]}"
        first = proxy.get("/api/og?" + urlencode(
            {"template": "gradient", "title": title, "description": "one object"}))  # fmt: skip
        reordered = proxy.get("/api/og?" + urlencode(
            {"description": "one object", "title": title, "template": "gradient"}))  # fmt: skip
        assert (first.status_code, reordered.status_code) == (200, 200)
        assert first.headers["x-cdn-cache"] == "MISS", proxy
        assert reordered.headers["x-cdn-cache"] == "HIT", proxy
        assert reordered.content == first.content
        assert not stack.log.reached(reordered), proxy


def test_private_and_no_store_responses_are_never_cached(stack: Stack) -> None:
    paths = [
        "/readyz",  # no-store
        # User data (private, no-store); its error answers are no-store too.
        "/api/favorites?userKey=cdn-e2e-user-key-0001",
        "/admin/plugins",  # private, no-store (a 403 without the token: no-store)
    ]
    for proxy in stack.proxies:
        for path in paths:
            answers = [proxy.get(path) for _ in range(2)]
            for answer in answers:
                cache_control = answer.headers.get("cache-control", "")
                assert "no-store" in cache_control, (proxy, path, cache_control)
                if path.startswith("/api/favorites") and answer.status_code == 200:
                    assert "private" in cache_control
                assert answer.headers.get("x-cdn-cache") != "HIT", (proxy, path)
                assert stack.log.reached(answer), f"{proxy} answered {path} from its cache"
    # The admin endpoint's own private answer (with the token) is not kept either.
    token = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    for proxy in stack.proxies:
        answers = [proxy.get("/admin/plugins", token) for _ in range(2)]
        assert [a.status_code for a in answers] == [200, 200]
        assert answers[0].headers["cache-control"] == "private, no-store"
        assert all(stack.log.reached(a) for a in answers), proxy


def test_requests_with_authorization_are_passed(stack: Stack) -> None:
    auth = {"Authorization": "Bearer some-api-key"}
    for proxy in stack.proxies:
        url = card()
        with_key = [proxy.get(url, auth) for _ in range(2)]
        assert [r.status_code for r in with_key] == [200, 200]
        assert all(stack.log.reached(r) for r in with_key), proxy
        assert {r.headers["x-cdn-cache"] for r in with_key} <= {"PASS", "BYPASS"}, proxy

        # Nothing was stored for them: the first anonymous request is a miss...
        anonymous = proxy.get(url)
        assert anonymous.headers["x-cdn-cache"] == "MISS", proxy
        assert proxy.get(url).headers["x-cdn-cache"] == "HIT"
        # ...and a cached copy is never handed to a request that carries credentials.
        assert stack.log.reached(proxy.get(url, auth)), proxy


def test_if_none_match_gets_304_through_the_proxy(stack: Stack) -> None:
    for proxy in stack.proxies:
        url = card()
        full = proxy.get(url, {"If-None-Match": '"not-this-one"'})
        assert full.status_code == 200
        etag = full.headers["etag"]
        assert etag.startswith('"'), "a strong ETag"

        cached = proxy.get(url, {"If-None-Match": etag})
        assert cached.status_code == 304, proxy
        assert cached.content == b""
        assert cached.headers["etag"] == etag
        assert not stack.log.reached(cached), proxy

        # Not cached yet: the proxy fetches the whole image, keeps it, and answers 304 itself.
        fresh = card()
        known = stack.origin.get(fresh).headers["etag"]
        conditional = proxy.get(fresh, {"If-None-Match": known})
        assert (conditional.status_code, conditional.content) == (304, b""), proxy
        after = proxy.get(fresh)
        assert (after.status_code, after.headers["x-cdn-cache"]) == (200, "HIT"), proxy
        assert len(after.content) > 1000


def test_the_origin_answers_if_none_match_with_304(stack: Stack) -> None:
    url = card()
    full = stack.origin.get(url)
    assert full.status_code == 200
    assert full.headers["cache-control"] == (
        "public, max-age=86400, stale-while-revalidate=604800, stale-if-error=604800"
    )
    assert "vary" not in full.headers
    assert full.headers["surrogate-key"].split() == ["card", "template-gradient"]
    assert full.headers["cache-tag"] == "card,template-gradient"
    assert full.headers["x-cache"] == "MISS"

    again = stack.origin.get(url, headers={"If-None-Match": full.headers["etag"]})
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == full.headers["etag"]
    assert again.headers["x-cache"].startswith("HIT-")


def test_expired_objects_are_revalidated_with_the_origin_by_etag(start_stack: StartStack) -> None:
    # max-age=1 and no stale-*: once expired, the proxy must ask the origin, with If-None-Match.
    with start_stack(max_age="1", stale_while_revalidate="0", stale_if_error="0") as stack:
        for proxy in stack.proxies:
            url = card()
            first = proxy.get(url)
            assert first.headers["cache-control"] == "public, max-age=1"
            assert stack.log.statuses(first) == [200]

            revalidating = poll(
                partial(_answered_by_origin, proxy, url, first.content),
                f"{proxy} to revalidate the expired card",
            )
            entry = stack.log.wait_for([revalidating], f"{proxy}'s revalidation at the origin")
            assert entry["status"] == 304, f"{proxy} fetched the whole image again: {entry}"


def _answered_by_origin(proxy: Proxy, url: str, body: bytes) -> httpx.Response | None:
    answer = proxy.get(url)
    assert answer.status_code == 200
    assert answer.content == body
    return answer if answer.headers["x-cdn-cache"] != "HIT" else None


def test_stale_while_revalidate_serves_from_cache_while_refreshing(
    start_stack: StartStack,
) -> None:
    with start_stack(max_age="1", stale_while_revalidate="300") as stack:
        for proxy in stack.proxies:
            url = card()
            first = proxy.get(url)
            assert stack.log.reached(first)
            answers: list[httpx.Response] = []
            poll(
                partial(_refreshed_in_background, stack, proxy, url, answers),
                f"{proxy} to refresh the stale card in the background",
            )
            assert all(a.content == first.content for a in answers)


def _refreshed_in_background(
    stack: Stack, proxy: Proxy, url: str, answers: list[httpx.Response]
) -> bool:
    answer = proxy.get(url)
    answers.append(answer)
    # Every client is answered from the cache, never made to wait for the origin.
    assert answer.headers["x-cdn-cache"] in {"HIT", "STALE", "UPDATING"}, proxy
    refresh_ids = {request_id(a) for a in answers}
    return any(e.get("request_id") in refresh_ids for e in stack.log.entries())


def test_stale_if_error_serves_the_cached_card_while_the_origin_is_down(
    start_stack: StartStack,
) -> None:
    # Fresh for 1 s, served stale while refreshing for 1 s more, then stale only on error.
    with start_stack(max_age="1", stale_while_revalidate="1", stale_if_error="600") as stack:
        urls = {proxy: card() for proxy in stack.proxies}
        bodies = {proxy: proxy.get(url).content for proxy, url in urls.items()}
        varnish, nginx = stack.varnish, stack.nginx

        # Past max-age + stale-while-revalidate with the origin up: Varnish fetches again now.
        time.sleep(3)  # let the object outlive max-age + stale-while-revalidate (2 s)
        refetched = varnish.get(urls[varnish])
        assert refetched.headers["x-cdn-cache"] == "MISS"
        assert stack.log.reached(refetched)
        fetched_at = time.monotonic()

        stack.stop_origin()
        poll(lambda: cdn_servers.varnish_backend_health(varnish) == "sick",
             "Varnish's probe to see the origin down")  # fmt: skip
        time.sleep(max(0.0, fetched_at + 3 - time.monotonic()))  # past max-age + swr again

        stale = varnish.get(urls[varnish])
        assert stale.status_code == 200
        assert stale.content == bodies[varnish]
        assert stale.headers["x-cdn-cache"] == "HIT"
        assert int(stale.headers["age"]) >= 2

        stale = nginx.get(urls[nginx])
        assert stale.status_code == 200
        assert stale.content == bodies[nginx]
        assert stale.headers["x-cdn-cache"] in {"STALE", "UPDATING"}


@purge_needs_origin
@pytest.mark.parametrize("how", ["cli --tag", "admin all"])
def test_cache_purge_evicts_from_varnish(start_stack: StartStack, how: str) -> None:
    with start_stack() as stack:
        varnish = stack.varnish
        gradient, minimal = card("gradient"), card("minimal")
        for url in (gradient, minimal):
            assert varnish.get(url).headers["x-cdn-cache"] == "MISS"
            assert varnish.get(url).headers["x-cdn-cache"] == "HIT"

        purge_url = f"{varnish.base_url}/"
        if how == "cli --tag":
            result = stack.ogplatform("cache", "purge", "--tag", "template-gradient")
            assert result.returncode == 0, result.stderr
            assert json.loads(result.stdout)["cdn"] == {purge_url: "ok 200"}
        else:
            answer = httpx.post(f"{stack.origin.base_url}/admin/cache/purge", json={"all": True},
                                headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})  # fmt: skip
            assert answer.status_code == 200, answer.text
            assert answer.json()["cdn"] == {purge_url: "ok 200"}

        after = varnish.get(gradient)
        assert after.headers["x-cdn-cache"] == "MISS"
        assert stack.log.reached(after), "the purged card was still served by Varnish"
        kept = varnish.get(minimal)
        if how == "cli --tag":
            assert kept.headers["x-cdn-cache"] == "HIT", "a purge by tag evicted another template"
            assert not stack.log.reached(kept)
        else:
            assert kept.headers["x-cdn-cache"] == "MISS"


def test_varnish_takes_xkey_purges_from_localhost_only(stack: Stack) -> None:
    varnish = stack.varnish
    url = card("photo-hero", bgId="aurora-borealis")
    assert varnish.get(url).status_code == 200
    assert varnish.get(url).headers["x-cdn-cache"] == "HIT"

    # Another loopback address is not in the VCL's ACL.
    elsewhere = httpx.HTTPTransport(local_address="127.0.0.2")
    refused = varnish.get("/", {"xkey-purge": "bg-aurora-borealis"}, method="PURGE",
                          transport=elsewhere)  # fmt: skip
    assert refused.status_code == 403
    assert varnish.get(url).headers["x-cdn-cache"] == "HIT"
    assert varnish.get("/", method="PURGE").status_code == 400  # says which header it needs

    purged = varnish.get("/", {"xkey-purge": "bg-aurora-borealis"}, method="PURGE")
    assert purged.status_code == 200
    assert purged.json()["purged"] >= 1
    after = varnish.get(url)
    assert after.headers["x-cdn-cache"] == "MISS"
    assert stack.log.reached(after)


def test_making_a_map_private_purges_its_og_image_from_varnish(stack: Stack) -> None:
    created = stack.ogplatform("projects", "create", "cdn-e2e")
    assert created.returncode == 0, created.stderr
    lines = dict(line.split(":", 1) for line in created.stdout.splitlines())
    project, key = lines["project"].strip(), lines["api key"].strip()
    auth = {"Authorization": f"Bearer {key}"}
    jobs = f"{stack.origin.base_url}/api/v1/projects/{project}/jobs/maps"
    job = httpx.post(jobs, json={"location_id": "lu", "width": 400, "height": 300}, headers=auth)
    assert job.status_code == 201, job.text
    job_url = f"{jobs}/{job.json()['job']['id']}"
    done = poll(lambda: (j := httpx.get(job_url, headers=auth).json()["job"])["status"]
                in ("completed", "failed") and j, "the map job to finish")  # fmt: skip
    assert done["status"] == "completed", done
    og_image, varnish = f"/maps/{done['map_id']}/og-image/", stack.varnish
    assert varnish.get(og_image).headers["x-cdn-cache"] == "MISS"
    cached = varnish.get(og_image)
    assert (cached.status_code, cached.headers["x-cdn-cache"]) == (200, "HIT")

    changed = httpx.patch(f"{stack.origin.base_url}/maps/{done['map_id']}/",
                          json={"visibility": "private"}, headers=auth)  # fmt: skip
    assert changed.status_code == 200, changed.text

    hidden = varnish.get(og_image)
    assert hidden.status_code == 404, "Varnish still served the map made private"
    assert stack.log.reached(hidden)
    assert hidden.headers.get("x-cdn-cache") != "HIT"
    assert varnish.get(og_image, auth).status_code == 200  # the owner still sees it
