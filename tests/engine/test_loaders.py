import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from longarm.engine.formats import KINDS, kind_from_filename
from longarm.engine.loaders import LINE, LoadError, column_errors, read_batches, read_header, validate_batch

WORLD = Path(__file__).resolve().parents[1] / "fixtures" / "world"

OFFICIAL_HEADER = ("official_id,family_name,given_name,native_name,sex,date_of_birth,national_id,organization,"
                   "position,rank,jurisdiction,status,sensitive_post")
OFFICIAL_ROW = "O-1,ZHANG,XIAOMING,张晓明,M,1968-05-17,,Finance Department,Director,county,CN-GD,active,"
CROSSING_HEADER = ("event_id,direction,occurred_at,port,port_jurisdiction,doc_type,doc_number,issuing_state,"
                   "family_name,given_name,date_of_birth,sex,nationality,counterpart_country")
CROSSING_ROW = "X-1,exit,2024-03-10T00:30:00+08:00,PVG,CN-SH,passport,e-1234 567,CHN,LI,NA,1990-01-01,F,CHN,USA"


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def load(path, kind, batch_rows=1000, **options):
    """All batches of a file through validation: (typed rows, errors)."""
    typed, errors = [], []
    for batch in read_batches(path, batch_rows=batch_rows):
        good, bad = validate_batch(batch.rows, KINDS[kind], **options)
        typed.append(good)
        errors.extend([batch.errors, bad])
    return pl.concat(typed), pl.concat(errors)


def only_error(path, kind, **options):
    typed, errors = load(path, kind, **options)
    assert typed.height == 0
    assert errors.height == 1, errors
    return errors.row(0)


def test_every_kind_refers_only_to_kinds_listed_before_it():
    names = list(KINDS)
    for position, kind in enumerate(KINDS.values()):
        for column in kind.references:
            assert names.index(column.references) < position


@pytest.mark.parametrize(("filename", "kind"), [
    ("officials.csv", "officials"), ("crossings-2012-10-01.csv", "crossings"), ("/data/trips.jsonl", "trips"),
    ("watchlist.rejects.csv", "watchlist"),
])
def test_kind_comes_from_the_file_name_before_the_first_dash_or_dot(filename, kind):
    assert kind_from_filename(filename) == kind


def test_the_world_fixture_is_valid_in_every_file():
    for path in sorted(WORLD.glob("*.csv")):
        kind = KINDS[kind_from_filename(path.name)]
        assert column_errors(read_header(path), kind, allow_extra_columns=False).height == 0
        typed, errors = load(path, kind.name)
        assert errors.height == 0, (path, errors)
        assert typed.height > 0


def test_lines_are_true_file_lines_across_quoted_newlines_and_blank_lines(tmp_path):
    path = write(tmp_path, "officials.csv", "\r\n".join([
        OFFICIAL_HEADER,
        OFFICIAL_ROW,
        "",
        OFFICIAL_ROW.replace("O-1", "O-2").replace("Finance Department", '"Finance\r\nDepartment, ""East"""'),
        OFFICIAL_ROW.replace("O-1", "O-3"),
    ]) + "\r\n")
    typed, errors = load(path, "officials")
    assert errors.height == 0
    assert typed[LINE].to_list() == [2, 4, 6]
    assert typed["organization"][1] == 'Finance\r\nDepartment, "East"'


def test_a_leading_byte_order_mark_is_accepted(tmp_path):
    path = write(tmp_path, "officials.csv", "\ufeff" + OFFICIAL_HEADER + "\n" + OFFICIAL_ROW + "\n")
    assert read_header(path)[0] == "official_id"
    typed, errors = load(path, "officials")
    assert errors.height == 0 and typed["official_id"].to_list() == ["O-1"]


def test_files_stream_in_batches_of_the_configured_size(tmp_path):
    rows = [OFFICIAL_ROW.replace("O-1", f"O-{n}") for n in range(7)]
    path = write(tmp_path, "officials.csv", "\n".join([OFFICIAL_HEADER, *rows]) + "\n")
    sizes = [batch.rows.height for batch in read_batches(path, batch_rows=3)]
    assert sizes == [3, 3, 1]


def test_a_row_with_the_wrong_number_of_fields_is_an_error_on_its_line(tmp_path):
    path = write(tmp_path, "officials.csv", "\n".join([OFFICIAL_HEADER, OFFICIAL_ROW, "O-2,ZHANG"]) + "\n")
    batch = next(read_batches(path, batch_rows=10))
    assert batch.rows.height == 1
    assert batch.errors.row(0) == (3, "", "the row has 2 fields, the header has 13")


def test_broken_quoting_stops_the_file_with_its_line(tmp_path):
    path = write(tmp_path, "officials.csv", "\n".join([OFFICIAL_HEADER, OFFICIAL_ROW, 'O-2,"ZHANG"X,']) + "\n")
    with pytest.raises(LoadError) as raised:
        list(read_batches(path, batch_rows=10))
    assert raised.value.line == 3


def test_text_that_is_not_utf8_is_refused(tmp_path):
    path = write(tmp_path, "officials.csv", OFFICIAL_HEADER + "\n" + OFFICIAL_ROW + "\n", encoding="gb18030")
    with pytest.raises(LoadError, match="UTF-8"):
        list(read_batches(path, batch_rows=10))


def test_unknown_column_is_an_error_on_the_header_unless_extra_columns_are_allowed():
    header = ["trip_id", "official_id", "purpose", "destinations", "depart_on", "return_on", "status", "colour"]
    errors = column_errors(header, KINDS["trips"], allow_extra_columns=False)
    assert errors.rows() == [(1, "colour", "unknown column: the trips format has no such column")]
    assert column_errors(header, KINDS["trips"], allow_extra_columns=True).height == 0


def test_a_missing_required_column_is_an_error_on_the_header():
    errors = column_errors(["trip_id", "official_id"], KINDS["trips"], allow_extra_columns=False)
    assert ("purpose", "required column missing") in [(column, reason) for _, column, reason in errors.rows()]


def test_missing_required_value_names_line_and_column(tmp_path):
    path = write(tmp_path, "officials.csv", OFFICIAL_HEADER + "\n" + OFFICIAL_ROW.replace("Director", "") + "\n")
    assert only_error(path, "officials") == (2, "position", "missing required value")


def test_bad_date_is_an_error(tmp_path):
    path = write(tmp_path, "officials.csv", OFFICIAL_HEADER + "\n" + OFFICIAL_ROW.replace("1968-05-17", "1968-02-30") + "\n")
    assert only_error(path, "officials") == (2, "date_of_birth", "'1968-02-30' is not a date (YYYY-MM-DD)")


def test_a_date_must_be_written_in_full(tmp_path):
    path = write(tmp_path, "officials.csv", OFFICIAL_HEADER + "\n" + OFFICIAL_ROW.replace("1968-05-17", "1968-5-7") + "\n")
    assert only_error(path, "officials")[1] == "date_of_birth"


def test_bad_enum_value_lists_the_allowed_values(tmp_path):
    path = write(tmp_path, "officials.csv", OFFICIAL_HEADER + "\n" + OFFICIAL_ROW.replace("county", "mayor") + "\n")
    assert only_error(path, "officials") == (
        2, "rank", "'mayor' is not one of: state, provincial, prefectural, county, township, staff")


def test_unknown_subdivision_is_an_error(tmp_path):
    path = write(tmp_path, "officials.csv", OFFICIAL_HEADER + "\n" + OFFICIAL_ROW.replace("CN-GD", "CN-XX") + "\n")
    assert only_error(path, "officials") == (2, "jurisdiction", "'CN-XX' is not an ISO 3166-2 subdivision code")


def test_unknown_country_is_an_error(tmp_path):
    path = write(tmp_path, "crossings.csv", CROSSING_HEADER + "\n" + CROSSING_ROW.replace(",USA", ",XYZ") + "\n")
    assert only_error(path, "crossings") == (
        2, "counterpart_country", "'XYZ' is not an ISO 3166-1 alpha-3 country code")


def test_a_two_letter_country_code_is_refused(tmp_path):
    path = write(tmp_path, "crossings.csv", CROSSING_HEADER + "\n" + CROSSING_ROW.replace(",CHN,LI", ",CN,LI") + "\n")
    assert only_error(path, "crossings")[1] == "issuing_state"


def test_a_date_time_without_offset_is_an_error(tmp_path):
    path = write(tmp_path, "crossings.csv", CROSSING_HEADER + "\n" + CROSSING_ROW.replace("+08:00", "") + "\n")
    line, column, reason = only_error(path, "crossings")
    assert (line, column) == (2, "occurred_at")
    assert "has no UTC offset" in reason


def test_a_date_time_that_is_not_one_is_an_error(tmp_path):
    path = write(tmp_path, "crossings.csv", CROSSING_HEADER + "\n" + CROSSING_ROW.replace("00:30:00", "24:30:00") + "\n")
    assert "is not a date-time" in only_error(path, "crossings")[2]


def test_crossings_get_utc_instant_offset_local_date_and_normalised_number(tmp_path):
    path = write(tmp_path, "crossings.csv", CROSSING_HEADER + "\n" + CROSSING_ROW + "\n")
    typed, errors = load(path, "crossings")
    assert errors.height == 0
    row = typed.row(0, named=True)
    assert row["occurred_at"] == dt.datetime(2024, 3, 9, 16, 30, tzinfo=dt.UTC)
    assert row["utc_offset"] == 480
    assert row["local_date"] == dt.date(2024, 3, 10)
    assert row["doc_number_norm"] == "E1234567"


@pytest.mark.parametrize(("written", "offset", "utc"), [
    ("2024-01-01T12:00:00Z", 0, dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC)),
    ("2024-01-01T12:00:00-0530", -330, dt.datetime(2024, 1, 1, 17, 30, tzinfo=dt.UTC)),
    ("2024-01-01T12:00+09", 540, dt.datetime(2024, 1, 1, 3, tzinfo=dt.UTC)),
    ("2024-01-01T12:00:00.250+08:00", 480, dt.datetime(2024, 1, 1, 4, 0, 0, 250000, tzinfo=dt.UTC)),
])
def test_offsets_in_every_iso_form_are_understood(tmp_path, written, offset, utc):
    path = write(tmp_path, "custody.csv", f"event_id,document_id,action,occurred_at\nC-1,D-1,deposit,{written}\n")
    typed, errors = load(path, "custody")
    assert errors.height == 0
    assert typed.row(0, named=True)["occurred_at"] == utc
    assert typed.row(0, named=True)["utc_offset"] == offset


def test_officials_get_the_normalised_name_key(tmp_path):
    path = write(tmp_path, "officials.csv", OFFICIAL_HEADER + "\n" + OFFICIAL_ROW.replace("XIAOMING", "Xiao-Ming") + "\n")
    typed, _ = load(path, "officials")
    assert typed["name_key"].to_list() == ["ZHANGXIAOMING"]


def test_booleans_are_true_or_false_in_any_case_and_empty_is_false(tmp_path):
    rows = [OFFICIAL_ROW.replace("O-1", f"O-{n}") + value for n, value in enumerate(["TRUE", "False", "", "yes"])]
    path = write(tmp_path, "officials.csv", "\n".join([OFFICIAL_HEADER, *rows]) + "\n")
    typed, errors = load(path, "officials")
    assert typed["sensitive_post"].to_list() == [True, False, False]
    assert errors.rows() == [(5, "sensitive_post", "'yes' is not a boolean (true or false)")]


def test_country_lists_are_semicolon_separated_and_checked_item_by_item(tmp_path):
    header = "trip_id,official_id,purpose,destinations,depart_on,return_on,status"
    path = write(tmp_path, "trips.csv", "\n".join([
        header, "T-1,O-1,private,USA; CAN,2024-01-01,2024-01-05,approved",
        "T-2,O-1,private,USA;XXX,2024-01-01,2024-01-05,approved",
        "T-3,O-1,private,,2024-01-01,2024-01-05,approved"]) + "\n")
    typed, errors = load(path, "trips")
    assert typed["destinations"].to_list() == ["USA;CAN"]
    assert errors.rows() == [(3, "destinations", "'XXX' is not an ISO 3166-1 alpha-3 country code"),
                             (4, "destinations", "missing required value")]


def test_a_trip_may_not_return_before_it_departs_and_a_ban_must_end_after_it_starts(tmp_path):
    trips = write(tmp_path, "trips.csv", "trip_id,official_id,purpose,destinations,depart_on,return_on,status\n"
                                         "T-1,O-1,private,USA,2024-01-05,2024-01-04,approved\n")
    assert only_error(trips, "trips") == (2, "return_on", "must not be before depart_on")
    bans = write(tmp_path, "watchlist.csv", "entry_id,official_id,measure,legal_basis,authority,starts_on,expires_on\n"
                                            "W-1,O-1,exit_ban,Law art. 1,Commission,2024-01-05,2024-01-05\n")
    assert only_error(bans, "watchlist") == (2, "expires_on", "must be after starts_on")


def test_ids_longer_than_64_characters_are_refused(tmp_path):
    path = write(tmp_path, "officials.csv", OFFICIAL_HEADER + "\n" + OFFICIAL_ROW.replace("O-1", "O" * 65) + "\n")
    assert only_error(path, "officials") == (2, "official_id", "longer than 64 characters")


def test_text_longer_than_the_stored_field_is_refused(tmp_path):
    path = write(tmp_path, "officials.csv", OFFICIAL_HEADER + "\n" + OFFICIAL_ROW + "\n")
    assert only_error(path, "officials", max_lengths={"family_name": 3}) == (
        2, "family_name", "longer than 3 characters")


def test_every_problem_of_a_row_is_reported_in_column_order(tmp_path):
    row = OFFICIAL_ROW.replace("M,1968-05-17", "Q,1968-13-01").replace("CN-GD", "GD")
    path = write(tmp_path, "officials.csv", OFFICIAL_HEADER + "\n" + row + "\n")
    _, errors = load(path, "officials")
    assert errors["column"].to_list() == ["sex", "date_of_birth", "jurisdiction"]


def test_json_lines_take_lists_as_arrays_and_booleans_as_json(tmp_path):
    path = write(tmp_path, "relatives.jsonl", "\n".join([
        '{"relative_id": "R-1", "official_id": "O-1", "relation": "child", "family_name": "WANG", '
        '"given_name": "SIYUAN", "residence_country": "CAN", "residence_status": "citizen", '
        '"nationalities": ["CAN", "CHN"]}',
        "",
        '{"relative_id": "R-2", "official_id": "O-1", "relation": "cousin"}',
        "not json",
        '{"relative_id": "R-3", "colour": "red"}',
    ]) + "\n")
    typed, errors = load(path, "relatives")
    assert typed["nationalities"].to_list() == ["CAN;CHN"]
    assert typed[LINE].to_list() == [1]
    by_line = {}
    for line, column, reason in errors.rows():
        by_line.setdefault(line, []).append((column, reason))
    assert ("relation", "'cousin' is not one of: spouse, child, child_spouse, parent, sibling, other") in by_line[3]
    assert by_line[4][0][1].startswith("not valid JSON")
    assert ("colour", "unknown column: the relatives format has no such column") in by_line[5]
    assert 2 not in by_line


def test_json_lines_booleans_become_booleans(tmp_path):
    row = dict(zip(OFFICIAL_HEADER.split(","), OFFICIAL_ROW.split(",")))

    path = write(tmp_path, "officials.jsonl", json.dumps({**row, "sensitive_post": True}, ensure_ascii=False) + "\n")
    typed, errors = load(path, "officials")
    assert errors.height == 0
    assert typed["sensitive_post"].to_list() == [True]
