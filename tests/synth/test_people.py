"""Identities of synthetic officials: no namesakes, valid resident identity numbers."""

import numpy as np

from longarm.synth import people


def identities(count: int, seed: int = 3) -> people.Identities:
    return people.draw_identities(np.random.default_rng(seed), count, np.datetime64("2026-10-31"))


def identity_key_count(ids: people.Identities) -> int:
    straight, swapped = people.name_hashes(ids)
    keys = np.concatenate([people.identity_keys(ids.birth, ids.male, straight),
                           people.identity_keys(ids.birth, ids.male, swapped)])
    owners = np.concatenate([np.arange(len(ids)), np.arange(len(ids))])
    return len({(k, o) for k, o in zip(keys.tolist(), owners.tolist())}) - len(set(keys.tolist()))


def test_separate_namesakes_leaves_no_two_officials_with_the_same_birth_sex_and_name():
    ids = identities(3000)
    ids.birth[:] = ids.birth[0]  # everybody born the same day: many namesakes
    moved = people.separate_namesakes(ids, np.random.default_rng(1))
    assert moved > 0
    assert identity_key_count(ids) == 0


def test_separate_namesakes_also_separates_names_in_swapped_order():
    ids = identities(2)
    tables = people.name_tables()
    surnames, given = tables["surname_pinyin"].to_list(), tables["given_pinyin"].to_list()
    # LIN / WEI and WEI / LIN: the surname of one is the given name of the other.
    ids.surname[:] = [surnames.index("LIN"), surnames.index("WEI")]
    ids.given_1[:] = [given.index("WEI"), given.index("LIN")]
    ids.given_2[:] = len(given) - 1
    ids.male[:] = True
    ids.birth[:] = 5000
    names = people.romanised_names(ids)
    assert names["family_name"].to_list() == ["LIN", "WEI"] and names["given_name"].to_list() == ["WEI", "LIN"]
    people.separate_namesakes(ids, np.random.default_rng(1))
    assert ids.birth[0] == 5000 and ids.birth[1] != 5000


def test_national_ids_carry_a_valid_mod_11_2_check_character_and_are_unique():
    ids = identities(5000)
    numbers = people.national_ids(ids, people.national_id_sequences(ids)).to_list()
    assert len(set(numbers)) == len(numbers)
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    for number in numbers[:200]:
        assert "10X98765432"[sum(int(d) * w for d, w in zip(number[:17], weights)) % 11] == number[17]
    male = ids.male[:200]
    assert [int(n[16]) % 2 == 1 for n in numbers[:200]] == male.tolist()
