"""userKey checks, the stored hash, and saved-template ids."""

from __future__ import annotations

import hashlib
import re

import pytest

from ogplatform.errors import ApiError
from ogplatform.userdata.keys import (
    is_template_id,
    new_template_id,
    owner_hash,
    validate_user_key,
)


@pytest.mark.parametrize("key", ["a" * 8, "Z" * 128, "team-marketing", "a.b_c-D.9_x"])
def test_well_formed_keys_pass(key):
    assert validate_user_key(key) == key


@pytest.mark.parametrize(
    "key", [None, "", "a" * 7, "a" * 129, "team marketing", "key/with/slash", "ключ-ключ",
            "tab\tkey123", "newline\n1234"],
)  # fmt: skip
def test_other_keys_are_refused_without_echoing_them(key):
    with pytest.raises(ApiError) as caught:
        validate_user_key(key)
    assert (caught.value.status, caught.value.code) == (400, "INVALID_USER_KEY")
    if key:
        assert key not in caught.value.message


def test_the_owner_hash_is_the_sha256_of_the_key():
    assert owner_hash("team-marketing") == hashlib.sha256(b"team-marketing").hexdigest()
    assert owner_hash("team-marketing") != owner_hash("team-marketinG")
    assert len(owner_hash("x" * 128)) == 64


def test_template_ids_are_random_and_recognised():
    ids = {new_template_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(re.fullmatch(r"tpl_[A-Za-z0-9_-]{22}", i) for i in ids)
    assert all(is_template_id(i) for i in ids)
    for other in ["tpl_short", "tpl_" + "a" * 23, "xyz_" + "a" * 22, "tpl_" + "a" * 21 + "/"]:
        assert not is_template_id(other)
