"""The pure parts of `localdb increment`: how many rows an increment changes and which."""

from localdb.increment import pick_keys, share_rows


def test_share_rows_rounds_up_to_at_least_one_row_and_never_past_the_table():
    assert share_rows(172_456, 0.0005) == 87  # 86.228 rounded up
    assert share_rows(202, 0.0001) == 1  # 0.0202: at least one row
    assert share_rows(0, 0.0001) == 0  # an empty table has none to change
    assert share_rows(3, 2.0) == 3


def test_pick_keys_is_seeded_sorted_and_distinct():
    keys = list(range(1, 1001))
    first = pick_keys(keys, 5, 2008, "ecomm.sales")
    assert first == pick_keys(list(reversed(keys)), 5, 2008, "ecomm.sales")  # the same draw, any order
    assert first == sorted(set(first)) and len(first) == 5 and set(first) <= set(keys)
    assert first != pick_keys(keys, 5, 2009, "ecomm.sales")  # another seed, another draw
    assert first != pick_keys(keys, 5, 2008, "ecomm.listing")  # each table draws its own
    assert first != pick_keys(keys[:-1], 5, 2008, "ecomm.sales")  # the next increment draws anew
    assert pick_keys([7, 3], 5, 2008, "saas.venue") == [3, 7]  # no more than there are
