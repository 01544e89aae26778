vcl 4.1;
# Varnish 7 in front of ogplatform. See cache/README.md and docs/cdn.md.
#
# What it does:
# - caches what the origin marks public, for as long as its Cache-Control says
#   (max-age -> TTL, stale-while-revalidate -> served stale while one background fetch runs,
#   stale-if-error -> served stale while the origin is down or failing);
# - never caches private / no-store / no-cache / Set-Cookie responses, and passes requests that
#   carry Authorization;
# - sorts the query string, so ?title=a&template=b and ?template=b&title=a are one object;
# - tags objects with the origin's Surrogate-Key (vmod xkey), so
#   `ogplatform cache purge --tag T` can evict them: it sends "PURGE /" with "xkey-purge: T"
#   (accepted from localhost only);
# - adds X-CDN-Cache: HIT | MISS | PASS (and Varnish's Age) for debugging.
#
# The origin: set .host/.port in "backend origin" below to where `ogplatform serve` listens
# (its default, 127.0.0.1:8000, is what this file says). A backend address must be a constant
# (VCL cannot take it from the environment); to template it, e.g. for port 9000:
#   sed 's/^\( *\.port = \)"8000";/\1"9000";/' default.vcl > /etc/varnish/default.vcl

import std;
import xkey;

backend origin {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;    # above ogplatform's [render] timeout_seconds (20 s)
    .between_bytes_timeout = 10s;
    # The health probe decides when stale-if-error applies (see vcl_hit).
    .probe = {
        .url = "/healthz";
        .interval = 2s;
        .timeout = 1s;
        .window = 3;
        .threshold = 2;
        .initial = 2;             # start healthy: no 503s while the first probes run
    }
}

# Who may purge. Keep it to the machines that run `ogplatform` (its purge sends the PURGE).
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.restarts == 0) {
        unset req.http.x-ogp-revalidate;    # ours, set only by vcl_hit below
    }
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (req.http.xkey-purge) {
            set req.http.x-purged = xkey.purge(req.http.xkey-purge);
            return (synth(200, "Purged"));
        }
        if (req.http.xkey-softpurge) {
            # Soft: the objects expire now but stay usable for grace and revalidation.
            set req.http.x-purged = xkey.softpurge(req.http.xkey-softpurge);
            return (synth(200, "Purged"));
        }
        return (synth(400, "PURGE needs an xkey-purge or xkey-softpurge header"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        # Writes, admin calls with bodies, CONNECT...: never from the cache.
        call vcl_req_method;
        return (pass);
    }
    call vcl_req_host;

    # One object per image however the parameters are ordered; drop a dangling "?".
    set req.url = std.querysort(req.url);
    set req.url = regsub(req.url, "\?$", "");

    if (req.http.Authorization) {
        # Per-user (API keys, admin token): never cached, never answered from the cache.
        return (pass);
    }
    if (req.url ~ "^/api/(og|templates|backgrounds)([/?]|$)") {
        # Public images and catalogs do not depend on cookies; a stray analytics cookie must
        # not turn every request into a pass.
        unset req.http.Cookie;
    }
    if (req.http.Cookie) {
        return (pass);
    }
    if (req.http.x-ogp-revalidate) {
        # Restarted from vcl_hit: the object is past its stale-while-revalidate window and the
        # origin is healthy, so fetch now instead of serving it stale.
        set req.grace = 0s;
    }
    return (hash);
}

sub vcl_hit {
    if (obj.ttl >= 0s) {
        return (deliver);
    }
    # Stale. Within stale-while-revalidate: serve it, Varnish refreshes it in the background.
    if (obj.ttl + std.duration(obj.http.x-ogp-swr, 0s) > 0s) {
        return (deliver);
    }
    # Beyond that, the remaining grace is stale-if-error: only while the origin is sick.
    if (!std.healthy(req.backend_hint)) {
        return (deliver);
    }
    if (!req.http.x-ogp-revalidate) {
        set req.http.x-ogp-revalidate = "1";
        return (restart);
    }
    return (deliver);
}

sub vcl_backend_fetch {
    unset bereq.http.x-ogp-revalidate;
    return (fetch);
}

sub vcl_backend_response {
    if (beresp.status >= 500 && bereq.is_bgfetch) {
        # A failed background refresh keeps the stale object instead of caching the error.
        return (abandon);
    }
    if (bereq.uncacheable) {
        return (deliver);
    }
    # The origin decides: no caching headers, or private/no-store/no-cache, or a cookie, or
    # Vary: * -> hit-for-miss (not cached; the next request goes to the origin again).
    if (!beresp.http.Cache-Control && !beresp.http.Expires) {
        call ogp_uncacheable;
    }
    if (beresp.http.Cache-Control ~ "(?i)(^|[ ,])(private|no-store|no-cache)([ ,=]|$)"
        || beresp.http.Surrogate-Control ~ "(?i)no-store"
        || beresp.http.Set-Cookie
        || beresp.http.Vary == "*"
        || beresp.ttl <= 0s) {
        call ogp_uncacheable;
    }

    # beresp.ttl comes from s-maxage/max-age and beresp.grace from stale-while-revalidate
    # (Varnish parses both). Varnish 7 cannot serve objects that are only in "keep", so
    # stale-if-error extends grace instead, and vcl_hit uses that extra part only while the
    # origin's health probe fails.
    if (beresp.http.Cache-Control !~ "(?i)stale-while-revalidate=[0-9]") {
        set beresp.grace = 0s;    # not the default_grace parameter: the origin said nothing
    }
    set beresp.http.x-ogp-swr = "" + beresp.grace + "s";
    if (beresp.http.Cache-Control ~ "(?i)stale-if-error=[0-9]+") {
        set beresp.http.x-ogp-sie = regsub(beresp.http.Cache-Control,
            "(?i)^.*stale-if-error=([0-9]+).*$", "\1s");
        if (std.duration(beresp.http.x-ogp-sie, 0s) > beresp.grace) {
            set beresp.grace = std.duration(beresp.http.x-ogp-sie, 0s);
        }
        unset beresp.http.x-ogp-sie;
    }
    # After grace, keep the object a day longer to revalidate it with If-None-Match (304).
    set beresp.keep = 1d;

    # Surrogate keys for xkey purges: "card template-gradient bg-aurora" (space-separated).
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    return (deliver);
}

sub ogp_uncacheable {
    set beresp.ttl = 120s;
    set beresp.grace = 0s;
    set beresp.uncacheable = true;
    return (deliver);
}

sub vcl_backend_error {
    if (bereq.is_bgfetch) {
        return (abandon);
    }
}

sub vcl_deliver {
    if (obj.uncacheable) {
        set resp.http.X-CDN-Cache = "PASS";
    } else if (obj.hits > 0) {
        set resp.http.X-CDN-Cache = "HIT";
    } else {
        set resp.http.X-CDN-Cache = "MISS";
    }
    # Internal bookkeeping. Surrogate-Key and Cache-Tag stay visible (a CDN in front of Varnish
    # may purge by them); to hide them add: unset resp.http.Surrogate-Key; unset resp.http.Cache-Tag;
    unset resp.http.xkey;
    unset resp.http.x-ogp-swr;
    unset resp.http.Via;
    return (deliver);
}

sub vcl_synth {
    if (req.method == "PURGE") {
        set resp.http.Content-Type = "application/json";
        set resp.http.Cache-Control = "no-store";
        if (req.http.x-purged) {
            set resp.http.X-Purged = req.http.x-purged;
            set resp.body = {"{"purged": "} + req.http.x-purged + "}";
        } else {
            set resp.body = {"{"error": ""} + resp.reason + {"""} + "}";
        }
        return (deliver);
    }
}
