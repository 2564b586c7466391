from ect_reporting.exports.e2b_ids import batch_number, message_number, parse_message_number


def test_message_number_round_trips():
    number = message_number("GB-RXH-000042", 2)
    assert number == "GB-RXH-000042-v2"
    assert parse_message_number(number) == ("GB-RXH-000042", 2)
    assert batch_number("GB-RXH-000042", 2) == "GB-RXH-000042-v2-batch"


def test_foreign_message_numbers_are_not_ours():
    assert parse_message_number("US-FDA-12345") is None
    assert parse_message_number("GB-RXH-000042-vX") is None
