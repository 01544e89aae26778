"""Client identity behind a CDN: forwarded headers believed only from trusted proxies."""

from __future__ import annotations

import ipaddress

import pytest

from ogplatform.ratelimit import ClientAddress, parse_networks

CDN = parse_networks(["203.0.113.0/24", "2001:db8:cd::/48"])


def resolve(peer, *headers, trusted=CDN, names=("x-forwarded-for",), prefix=64):
    addresses = ClientAddress(trusted, names, prefix)
    raw = [(k.encode(), v.encode()) for k, v in headers]
    address = addresses.resolve(peer, raw)
    return None if address is None else addresses.key(address)


def test_untrusted_peer_with_a_forged_forwarded_for_gains_nothing():
    assert resolve("198.51.100.7", ("X-Forwarded-For", "1.2.3.4")) == "ip:198.51.100.7"
    assert resolve("198.51.100.7", ("CF-Connecting-IP", "1.2.3.4"),
                   names=("cf-connecting-ip",)) == "ip:198.51.100.7"  # fmt: skip


def test_trusted_proxy_chain_takes_the_rightmost_untrusted_hop():
    # client 192.0.2.10 -> (it claims 6.6.6.6 in its own header) -> CDN edge -> CDN shield -> us
    chain = ("X-Forwarded-For", "6.6.6.6, 192.0.2.10, 203.0.113.5")
    assert resolve("203.0.113.9", chain) == "ip:192.0.2.10"


def test_repeated_forwarded_for_headers_form_one_list():
    headers = (("X-Forwarded-For", "6.6.6.6"), ("X-Forwarded-For", "192.0.2.10, 203.0.113.5"))
    assert resolve("203.0.113.9", *headers) == "ip:192.0.2.10"


def test_all_hops_trusted_means_the_leftmost():
    assert resolve("203.0.113.9", ("X-Forwarded-For", "203.0.113.1, 203.0.113.2")) == (
        "ip:203.0.113.1"
    )


@pytest.mark.parametrize("value", ["not-an-ip", "1.2.3.4, bogus", "", " , "])
def test_garbled_forwarded_for_falls_back_to_the_peer(value):
    assert resolve("203.0.113.9", ("X-Forwarded-For", value)) == "ip:203.0.113.9"


def test_cdn_specific_headers_in_configured_order():
    names = ("cf-connecting-ip", "x-forwarded-for")
    headers = (("CF-Connecting-IP", "192.0.2.44"), ("X-Forwarded-For", "192.0.2.99"))
    assert resolve("203.0.113.9", *headers, names=names) == "ip:192.0.2.44"
    assert resolve("203.0.113.9", headers[1], names=names) == "ip:192.0.2.99"
    # A header that is not configured is not believed, even from a trusted proxy.
    assert resolve("203.0.113.9", ("True-Client-IP", "192.0.2.5")) == "ip:203.0.113.9"


def test_ipv6_clients_are_grouped_by_64():
    a = resolve("2001:db8:1:2::1")
    b = resolve("2001:db8:1:2:ffff:ffff:ffff:ffff")
    c = resolve("2001:db8:1:3::1")
    assert a == b == "ip:2001:db8:1:2::/64"
    assert c != a


def test_ipv6_prefix_is_configurable():
    assert resolve("2001:db8:1:2::1", prefix=56) == "ip:2001:db8:1::/56"
    assert resolve("2001:db8:1:2::1", prefix=128) == "ip:2001:db8:1:2::1/128"


def test_ipv6_forwarded_with_port_and_brackets_through_an_ipv6_proxy():
    chain = ("X-Forwarded-For", "[2001:db8:aa:bb::7]:443")
    assert resolve("2001:db8:cd::1", chain) == "ip:2001:db8:aa:bb::/64"


def test_ipv4_with_port_and_ipv4_mapped_ipv6():
    assert resolve("203.0.113.9", ("X-Forwarded-For", "192.0.2.10:5123")) == "ip:192.0.2.10"
    assert resolve("::ffff:198.51.100.7") == "ip:198.51.100.7"


def test_non_ip_peer_is_none():
    assert resolve(None) is None
    assert resolve("unix-socket") is None


@pytest.mark.parametrize("bad", ["10.0.0.0/33", "example.com", "1.2.3"])
def test_bad_networks_are_rejected_with_the_entry_named(bad):
    with pytest.raises(ValueError, match=repr(bad).replace(".", r"\.").replace("/", "/")):
        parse_networks([bad])


def test_single_addresses_are_networks():
    assert parse_networks(["192.0.2.1"]) == (ipaddress.ip_network("192.0.2.1/32"),)
