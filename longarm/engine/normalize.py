"""The spec's normalisations, once, as plain functions and as Polars expressions.

- normalised full name: upper-cased, diacritics removed, spaces, hyphens and
  apostrophes removed (family name then given name; callers try the swap);
- document number: upper-cased, spaces and `-` removed.

The two forms must agree; `tests/engine/test_normalize.py` checks that they do.
"""

import re
import unicodedata

import polars as pl

_NAME_DROP = re.compile(r"[\s\-'\u2019\u02bc`]")
_NAME_DROP_PATTERN = r"[\s\-'\x{2019}\x{02BC}`]"


def name_key(family_name: str, given_name: str) -> str:
    text = unicodedata.normalize("NFKD", f"{family_name}{given_name}")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NAME_DROP.sub("", text.upper())


def document_number_key(number: str) -> str:
    return number.upper().replace(" ", "").replace("-", "")


def name_key_expr(family: pl.Expr | str, given: pl.Expr | str) -> pl.Expr:
    family = pl.col(family) if isinstance(family, str) else family
    given = pl.col(given) if isinstance(given, str) else given
    text = pl.concat_str([family.fill_null(""), given.fill_null("")])
    return (
        text.str.normalize("NFKD")
        .str.replace_all(r"\p{Mn}", "")
        .str.to_uppercase()
        .str.replace_all(_NAME_DROP_PATTERN, "")
    )


def document_number_key_expr(number: pl.Expr | str) -> pl.Expr:
    number = pl.col(number) if isinstance(number, str) else number
    return number.str.to_uppercase().str.replace_all(r"[ \-]", "")
