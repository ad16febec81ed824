"""`write_world`: a synthetic world in the exchange formats, with its ground truth.

The same parameters give byte-identical files: every random draw comes from
numpy generators seeded by (seed, stage, chunk), and chunks have a fixed
size whatever the number of officials. Officials are written chunk by chunk
(`CHUNK_OFFICIALS` at a time) with their relatives, documents, custody
events, trips and watch-list entries; only small integer identity columns
and the officials' crossings stay in memory for the whole run. Crossings are
written last, in time order: the public's, with the officials' slipped in.

Files: officials, relatives, documents, custody, trips, crossings, watchlist
(`.csv` or `.jsonl`), `truth.csv` (code, official_id, ref: exactly the
alerts the spec's rules raise at the as-of date with default parameters),
`truth_identities.csv` (official_id_a, official_id_b, variant: records of
one person, and how the second differs, see `duplicates.py`),
`truth_non_identities.csv` (official_id_a, official_id_b, trap: look-alikes
that are other people) and `manifest.json` (parameters and counts).
"""

import datetime
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from longarm.synth import duplicates, family, people, places, plan, public, travel

CHUNK_OFFICIALS = 100_000
CHUNK_PUBLIC = 500_000
KINDS = ("officials", "relatives", "documents", "custody", "trips", "crossings", "watchlist")
LIST_COLUMNS = {"trips": ("destinations",), "relatives": ("nationalities",)}
DEFAULT_AS_OF = datetime.date(2026, 10, 31)
RULE_DEFAULTS = {"exit_tolerance_days": 1, "return_grace_days": 1, "missing_after_days": 14,
                 "document_return_days": 10}


@dataclass(frozen=True)
class WorldParameters:
    officials: int
    seed: int
    as_of: datetime.date = DEFAULT_AS_OF
    public_crossings: int | None = None  # default: two for every seven officials, at least 1,000
    file_format: str = "csv"
    chunk_officials: int = CHUNK_OFFICIALS  # part of what fixes the output: keep the default

    @property
    def public_count(self) -> int:
        if self.public_crossings is not None:
            return self.public_crossings
        return max(1_000, self.officials * 2 // 7)


@dataclass
class Manifest:
    generator: str
    as_of: str
    seed: int
    officials: int
    public_crossings: int
    format: str
    chunk_officials: int
    rule_parameters: dict
    planted_shares: dict
    counts: dict = field(default_factory=dict)
    truth: dict = field(default_factory=dict)


def official_id_column(index: np.ndarray) -> pl.Series:
    return "O" + pl.Series(index.astype(np.int64)).cast(pl.String).str.zfill(8)


class _Writer:
    """Appends frames to one file per kind, with the header once (CSV) or as JSON Lines."""

    def __init__(self, directory: Path, file_format: str):
        self.directory, self.file_format = directory, file_format
        self.rows: dict[str, int] = {}

    def path(self, kind: str) -> Path:
        return self.directory / f"{kind}.{self.file_format}"

    def write(self, kind: str, frame: pl.DataFrame) -> None:
        first = kind not in self.rows
        self.rows[kind] = self.rows.get(kind, 0) + frame.height
        with open(self.path(kind), "wb" if first else "ab") as handle:
            if self.file_format == "csv":
                frame.write_csv(handle, include_header=first)
            else:
                lists = [pl.col(c).str.split(";") for c in LIST_COLUMNS.get(kind, ()) if c in frame.columns]
                frame.with_columns(*lists).write_ndjson(handle)


def write_world(parameters: WorldParameters, directory: Path,
                progress: Callable[[int], None] | None = None) -> Manifest:
    """Write the world of `parameters` into `directory`; `progress(n)` is told of each step done."""
    if parameters.officials < plan.minimum_officials():
        raise ValueError(f"a world needs at least {plan.minimum_officials()} officials")
    if parameters.file_format not in ("csv", "jsonl"):
        raise ValueError("the format is csv or jsonl")
    directory.mkdir(parents=True, exist_ok=True)
    tick = progress or (lambda n: None)
    seed = parameters.seed
    as_of = np.datetime64(parameters.as_of.isoformat(), "D")
    as_of_day = int((as_of - people.EPOCH).astype(np.int64))
    count = parameters.officials

    ids = people.draw_identities(np.random.default_rng([seed, 1]), count, as_of)
    people.separate_namesakes(ids, np.random.default_rng([seed, 2]))
    roles = plan.draw_plan(np.random.default_rng([seed, 3]), ids.status <= 1, count)
    registered = duplicates.register(np.random.default_rng([seed, 4]), ids, roles)
    ids, roles = registered.ids, registered.roles
    official_keys = people.official_identity_keys(ids)
    total = len(ids)

    writer = _Writer(directory, parameters.file_format)
    official_crossings, truths = [], []
    for number, start in enumerate(range(0, total, parameters.chunk_officials)):
        index = np.arange(start, min(start + parameters.chunk_officials, total))
        rng = np.random.default_rng([seed, 10, number])
        chunk_ids = ids.take(index)
        official_ids = official_id_column(index)
        names = people.romanised_names(chunk_ids)
        role, variant, partner = roles.role[index], roles.variant[index], roles.partner[index]
        writer.write("officials", _officials_frame(rng, official_ids, names, chunk_ids,
                                                   registered.national_ids(index)))
        writer.write("relatives", family.relatives_frame(rng, official_ids=official_ids, ids=chunk_ids, role=role,
                                                         variant=variant, as_of_day=as_of_day))
        chunk = travel.make_chunk(rng, index=index, official_ids=official_ids, names=names, ids=chunk_ids,
                                  role=role, variant=variant, partner=partner, as_of_day=as_of_day, seed=seed)
        for kind in ("documents", "custody", "trips", "watchlist"):
            writer.write(kind, getattr(chunk, kind))
        official_crossings.append(chunk.crossings)
        truths.append(chunk.truth)
        tick(index.size)

    event_ids = _write_crossings(writer, pl.concat(official_crossings).sort("seconds", "okey"), parameters,
                                 as_of_day, official_keys, tick)
    truth = (pl.concat(truths).join(event_ids, on="okey", how="left")
             .select("code", "official_id", pl.coalesce("ref", "event_id").alias("ref"))
             .sort("code", "official_id", "ref"))
    truth.write_csv(directory / "truth.csv")
    pairs = registered.duplicates
    pairs = pl.DataFrame({"official_id_a": official_id_column(pairs["a"].to_numpy()),
                          "official_id_b": official_id_column(pairs["b"].to_numpy()),
                          "variant": pairs["variant"]}).sort("official_id_a")
    pairs.write_csv(directory / "truth_identities.csv")
    traps = registered.look_alikes
    traps = pl.DataFrame({"official_id_a": official_id_column(traps["a"].to_numpy()),
                          "official_id_b": official_id_column(traps["b"].to_numpy()),
                          "trap": traps["trap"]}).sort("official_id_a")
    traps.write_csv(directory / "truth_non_identities.csv")

    manifest = Manifest(
        generator="longarm synth 1", as_of=parameters.as_of.isoformat(), seed=parameters.seed,
        officials=parameters.officials, public_crossings=parameters.public_count, format=parameters.file_format,
        chunk_officials=parameters.chunk_officials,
        rule_parameters=RULE_DEFAULTS,
        planted_shares={plan.ROLE_NAMES[r]: share for r, share in plan.PLANTED_SHARES.items()}
        | {"travel": plan.TRAVEL_SHARE},
        counts={f"{kind}.{parameters.file_format}": writer.rows.get(kind, 0) for kind in KINDS}
        | {"truth.csv": truth.height, "truth_identities.csv": pairs.height,
           "truth_non_identities.csv": traps.height},
        truth=dict(sorted(truth.group_by("code").len().iter_rows())),
    )
    (directory / "manifest.json").write_text(json.dumps(asdict(manifest), indent=2, sort_keys=True) + "\n")
    return manifest


def progress_steps(parameters: WorldParameters) -> int:
    """How many units `write_world` reports through `progress`: officials, then public crossings."""
    copies = plan.planted_count(plan.DUPLICATE_IDENTITY, parameters.officials)
    return (parameters.officials + copies + duplicates.look_alike_total(parameters.officials)
            + parameters.public_count)


def _officials_frame(rng: np.random.Generator, official_ids: pl.Series, names: pl.DataFrame,
                     ids: people.Identities, national_ids: pl.Series) -> pl.DataFrame:
    n = len(ids)
    province_codes = np.array([code for code, _ in places.provinces()])
    province_names = np.array([name for _, name in places.provinces()])
    positions = np.array([[*POS, *POS][:3] for POS in (places.POSITIONS[r] for r in places.RANKS)])
    rank = ids.rank.astype(np.int64)
    senior = rank <= 2
    return pl.DataFrame({
        "official_id": official_ids,
        "family_name": names["family_name"], "given_name": names["given_name"],
        "native_name": names["native_name"],
        "sex": np.where(ids.male, "M", "F"),
        "date_of_birth": travel._dates(ids.birth),
        "national_id": national_ids,
        "organization": pl.Series(province_names[ids.jurisdiction]) + " "
        + pl.Series(np.array(places.DEPARTMENTS)[ids.department]),
        "position": positions[rank, rng.integers(0, 3, n)],
        "rank": np.array(places.RANKS)[rank],
        "jurisdiction": province_codes[ids.jurisdiction],
        "status": np.array(people.STATUSES)[ids.status],
        "sensitive_post": rng.random(n) < np.where(senior, 0.3, 0.03),
    })


def _write_crossings(writer: _Writer, officials: pl.DataFrame, parameters: WorldParameters, as_of_day: int,
                     official_keys: np.ndarray, tick: Callable[[int], None]) -> pl.DataFrame:
    """Write all crossings in time order with ids `X0000000001` …; returns (okey, event_id) of officials'."""
    start = (as_of_day - travel.PEAK_BEFORE_AS_OF - 10) * travel.DAY
    span = (travel.PEAK_BEFORE_AS_OF + 11) * travel.DAY
    total = parameters.public_count
    seconds = officials["seconds"].to_numpy()
    next_id, mapping = 1, []
    chunks = list(range(0, total, CHUNK_PUBLIC)) or [0]
    for number, first in enumerate(chunks):
        size = min(CHUNK_PUBLIC, total - first)
        crowd = public.public_crossings(np.random.default_rng([parameters.seed, 20, number]), first=first,
                                        count=size, total=total, start=start, span=span,
                                        official_keys=official_keys)
        low = -np.inf if number == 0 else start + (first * span) // total
        high = np.inf if number == len(chunks) - 1 else start + ((first + size) * span) // total
        ours = officials.filter(pl.lit(pl.Series((seconds >= low) & (seconds < high))))
        merged = pl.concat([crowd, ours]).sort("seconds", "okey", nulls_last=True, maintain_order=True)
        merged = merged.with_columns(
            event_id="X" + pl.int_range(next_id, next_id + merged.height, dtype=pl.Int64).cast(pl.String).str.zfill(10),
            occurred_at=travel.timestamps(merged["seconds"].to_numpy()),
        )
        next_id += merged.height
        mapping.append(merged.filter(pl.col("okey").is_not_null()).select("okey", "event_id"))
        writer.write("crossings", merged.select(
            "event_id", "direction", "occurred_at", "port", "port_jurisdiction", "doc_type", "doc_number",
            "issuing_state", "family_name", "given_name", "date_of_birth", "sex", "nationality",
            "counterpart_country"))
        tick(size)
    return pl.concat(mapping)
