"""The outbox's event ids: random uuids of version 4, written as `str(uuid.uuid4())` writes them."""

import uuid

from gateway.adapters.sqlite.outbox import new_event_id


def test_event_ids_are_version_4_uuids_in_the_standard_form():
    ids = [new_event_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for event_id in ids:
        parsed = uuid.UUID(event_id)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == event_id


def test_every_random_bit_varies():
    """122 bits are random: each of them is 0 in some id and 1 in another."""
    ints = [uuid.UUID(new_event_id()).int for _ in range(400)]
    fixed = (0xF << 76) | (0x3 << 62)  # the version nibble and the variant's two bits
    ones = zeros = 0
    for value in ints:
        ones |= value
        zeros |= ~value
    assert (ones & zeros) | fixed == 2**128 - 1
