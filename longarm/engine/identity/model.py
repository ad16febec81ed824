"""The Fellegi–Sunter model: how much each field's agreement says about "same person".

For every comparison (name, date of birth, national id, ...) and each of its
levels ("exact", "day and month swapped", "different", ...) the model holds

- m: the probability of that level when the two records are one person;
- u: the probability of that level when they are two random people;

and the prior λ, the probability that two records drawn at random are one
person. A pair's match weight is log2(λ / (1 - λ)) plus, per comparison,
the log2 Bayes factor log2(m / u) of the level it reached (level 0, "no
information", adds nothing). The probability is 1 / (1 + 2^-weight).

Training is unsupervised, as in Splink:

- u from a large random sample of record pairs (nearly all non-matches);
- m by expectation–maximisation on blocked candidate pairs with u held
  fixed, in sessions: each session blocks on one rule and estimates only the
  comparisons that do not read that rule's columns (they agree by
  construction there, matches or not); the sessions' m are averaged. One
  pseudo-match spread like u keeps a level that no training match reached
  from weighing as impossible;
- λ as the fixed point λ · possible pairs = expected matches among the
  candidate pairs at λ (pairs outside the candidates count as non-matches).

Term-frequency adjustment (Splink's formula): at the exact level of a
comparison with a `tf_column`, u is replaced by the frequency of the agreed
value (the larger of the two records' frequencies), so agreeing on a common
name counts for less than agreeing on a rare one.
"""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

FORMAT = 1
PROBABILITY_FLOOR = 1e-7  # no m or u is ever 0: a level never seen in training must not weigh infinitely
EXACT_LEVEL = 1
M_PSEUDO_COUNT = 1.0


@dataclass
class ModelParameters:
    """Trained, versioned parameters; what every scored pair records as its model."""

    version: str
    comparisons: dict[str, dict]      # name -> {"levels": [...], "m": [...], "u": [...], "tf_column": str | None}
    prior: float                      # λ: probability that two random records are one person
    trained_on: dict = field(default_factory=dict)
    created_at: str = ""
    format: int = FORMAT

    def __post_init__(self):
        if not 0 < self.prior < 1:
            raise ValueError(f"model {self.version}: prior {self.prior} is not a probability in (0, 1)")
        for name, spec in self.comparisons.items():
            levels, m, u = spec.get("levels"), spec.get("m"), spec.get("u")
            if not (levels and m and u) or not len(levels) == len(m) == len(u):
                raise ValueError(f"model {self.version}: comparison {name!r} needs levels, m and u of one length")
            spec.setdefault("tf_column", None)

    # --- JSON ------------------------------------------------------------------------------------

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str, *, source: str = "model parameters") -> ModelParameters:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"{source}: not JSON (line {error.lineno}: {error.msg})") from None
        missing = [key for key in ("version", "comparisons", "prior") if key not in data]
        if missing:
            raise ValueError(f"{source}: missing field(s) {', '.join(missing)}")
        if data.get("format", FORMAT) != FORMAT:
            raise ValueError(f"{source}: format {data['format']} is not the supported format {FORMAT}")
        return cls(**{key: data[key] for key in ("version", "comparisons", "prior", "trained_on", "created_at",
                                                  "format") if key in data})

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json() + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> ModelParameters:
        return cls.from_json(Path(path).read_text(encoding="utf-8"), source=str(path))

    # --- weights ---------------------------------------------------------------------------------

    def bayes_factors(self, name: str) -> np.ndarray:
        """log2(m / u) per level of one comparison; level 0 (no information) is 0."""
        spec = self.comparisons[name]
        m = np.maximum(np.asarray(spec["m"], float), PROBABILITY_FLOOR)
        u = np.maximum(np.asarray(spec["u"], float), PROBABILITY_FLOOR)
        weights = np.log2(m / u)
        weights[0] = 0.0
        return weights

    @property
    def prior_weight(self) -> float:
        return math.log2(self.prior / (1 - self.prior))

    def for_registry(self, records: int) -> ModelParameters:
        """The parameters with λ moved to a registry of `records` records.

        λ is trained on one registry; what carries over to another is the
        expected number of other records of the same person per record,
        λ·(n_train - 1), not λ itself (pairs grow with the square of the
        records, duplicates with the records). Unchanged when the training
        size is unknown.
        """
        trained = self.trained_on.get("records")
        if not isinstance(trained, int) or trained < 2 or records < 2 or records == trained:
            return self
        prior = min(self.prior * (trained - 1) / (records - 1), 0.5)
        return ModelParameters(version=self.version, comparisons=self.comparisons, prior=prior,
                               trained_on=self.trained_on, created_at=self.created_at, format=self.format)

    def check_comparisons(self, comparisons: Sequence) -> None:
        """The comparisons must be the ones the parameters were trained for, level for level."""
        for comparison in comparisons:
            spec = self.comparisons.get(comparison.name)
            if spec is None:
                raise ValueError(f"model {self.version} has no parameters for comparison {comparison.name!r}")
            if len(spec["levels"]) != len(comparison.levels):
                raise ValueError(f"model {self.version}: comparison {comparison.name!r} has {len(spec['levels'])} "
                                 f"levels, the code defines {len(comparison.levels)}")


# --- scoring -------------------------------------------------------------------------------------

def comparison_weights(gamma: np.ndarray, params: ModelParameters, name: str,
                       frequency: np.ndarray | None = None) -> np.ndarray:
    """log2 Bayes factor of each pair's level of one comparison (term-frequency adjusted when given)."""
    weights = params.bayes_factors(name)
    if gamma.size and (gamma.min() < 0 or gamma.max() >= weights.size):
        raise ValueError(f"gamma_{name}: level outside 0..{weights.size - 1}")
    bf = weights[gamma]
    if frequency is not None:
        frequency = np.asarray(frequency, dtype=np.float64)
        exact = (gamma == EXACT_LEVEL) & np.isfinite(frequency) & (frequency > 0)
        if exact.any():
            m_exact = max(params.comparisons[name]["m"][EXACT_LEVEL], PROBABILITY_FLOOR)
            bf = bf.copy()
            bf[exact] = np.log2(m_exact / np.maximum(frequency[exact], PROBABILITY_FLOOR))
    return bf


def score(gammas: pl.DataFrame, params: ModelParameters, *, tf: dict[str, np.ndarray] | None = None) -> pl.DataFrame:
    """Add `bf_<name>` (log2 Bayes factor per comparison), `match_weight` and `match_probability`.

    `gammas` holds `gamma_<name>` (level index) for every comparison of the
    model; `tf` maps a comparison name to the value frequency of each pair
    (the larger of the two records'), used at the exact level.
    Vectorised: one table look-up per comparison, one sum.
    """
    total = np.full(gammas.height, params.prior_weight, dtype=np.float64)
    columns = []
    for name in params.comparisons:
        column = f"gamma_{name}"
        if column not in gammas.columns:
            raise ValueError(f"scoring needs column {column!r} (model {params.version})")
        bf = comparison_weights(gammas[column].to_numpy(), params, name, None if tf is None else tf.get(name))
        total += bf
        columns.append(pl.Series(f"bf_{name}", bf, dtype=pl.Float32))
    probability = 1.0 / (1.0 + np.exp2(-total))
    return gammas.with_columns(*columns, pl.Series("match_weight", total), pl.Series("match_probability", probability))


# --- training ------------------------------------------------------------------------------------

def level_counts(gammas: pl.DataFrame, names: Sequence[str]) -> pl.DataFrame:
    """Distinct agreement patterns with their counts: EM works on these, not on pairs."""
    return gammas.group_by([f"gamma_{n}" for n in names]).agg(pl.len().alias("count"))


def estimate_u(gammas: pl.DataFrame, levels: dict[str, int]) -> dict[str, np.ndarray]:
    """u per level from the gammas of randomly drawn pairs (level 0 excluded from the shares)."""
    u = {}
    for name, size in levels.items():
        counts = np.bincount(gammas[f"gamma_{name}"].to_numpy(), minlength=size)[:size].astype(float)
        counts[0] = 0.0
        known = counts.sum()
        floor = 0.5 / max(known, 1.0)
        shares = np.maximum(counts / known if known else np.full(size, 1.0 / (size - 1)), floor)
        shares[0] = 0.0
        u[name] = shares / shares.sum()
    return u


def initial_m(size: int) -> np.ndarray:
    """Starting m: most matches agree exactly, fewer at each weaker level."""
    m = np.zeros(size)
    m[1:] = 4.0 ** -np.arange(size - 1)
    return m / m.sum()


def expectation_maximisation(patterns: pl.DataFrame, m: dict[str, np.ndarray], u: dict[str, np.ndarray],
                             prior: float, *, estimate: Sequence[str], use: Sequence[str] | None = None,
                             max_iterations: int = 50, tolerance: float = 1e-5
                             ) -> tuple[dict[str, np.ndarray], float, int]:
    """EM over pattern counts with u fixed: returns updated m (for `estimate`), the prior, iterations.

    `use`: the comparisons that enter the likelihood (default: all in m);
    `estimate`: those whose m is re-estimated (an empty list estimates λ only).
    """
    use = list(m) if use is None else list(use)
    counts = patterns["count"].to_numpy().astype(float)
    gamma = {n: patterns[f"gamma_{n}"].to_numpy() for n in use}
    log_u = sum(np.log(np.maximum(u[n], PROBABILITY_FLOOR))[gamma[n]] * (gamma[n] > 0) for n in use)
    m = {n: v.copy() for n, v in m.items()}
    iterations = 0
    for iterations in range(1, max_iterations + 1):
        log_m = sum(np.log(np.maximum(m[n], PROBABILITY_FLOOR))[gamma[n]] * (gamma[n] > 0) for n in use)
        logit = math.log(prior) - math.log1p(-prior) + log_m - log_u
        posterior = 1.0 / (1.0 + np.exp(-np.clip(logit, -700, 700)))
        weight = counts * posterior
        new_prior = min(max(weight.sum() / counts.sum(), 1e-12), 1 - 1e-12)
        change = abs(new_prior - prior)
        for n in estimate:
            size = m[n].size
            mass = np.bincount(gamma[n], weights=weight, minlength=size)[:size]
            mass[0] = 0.0
            if mass.sum() > 0:
                # One pseudo-match spread like the non-matches: a level no training match reached
                # (a sex recorded wrongly) weighs against, by the number of matches seen, never as impossible.
                updated = mass + M_PSEUDO_COUNT * u[n]
                updated[0] = 0.0
                updated /= updated.sum()
                change = max(change, float(np.abs(updated - m[n]).max()))
                m[n] = updated
        prior = new_prior
        if change < tolerance:
            break
    return m, prior, iterations


def estimate_prior(patterns: pl.DataFrame, m: dict[str, np.ndarray], u: dict[str, np.ndarray],
                   possible_pairs: int, *, max_iterations: int = 200, tolerance: float = 1e-9) -> tuple[float, float]:
    """λ such that λ · possible pairs = the expected matches among the candidate pairs at that λ.

    The fixed point of EM for λ over all possible pairs, pairs outside the
    candidate set counting as non-matches (blocking is built to reach nearly
    all matches). EM over the candidates alone would not do: they agree on
    their blocking keys, so with random-pair u they all look like matches.
    Returns (λ, expected matches).
    """
    counts = patterns["count"].to_numpy().astype(float)
    names = list(m)
    log_ratio = np.zeros(patterns.height)
    for n in names:
        g = patterns[f"gamma_{n}"].to_numpy()
        ratio = np.log(np.maximum(m[n], PROBABILITY_FLOOR)) - np.log(np.maximum(u[n], PROBABILITY_FLOOR))
        log_ratio += np.where(g > 0, ratio[g], 0.0)
    possible = max(float(possible_pairs), 1.0)
    prior = min(max(counts.sum() / possible, 1e-15), 0.5) * 0.5
    expected = 0.0
    for _ in range(max_iterations):
        logit = math.log(prior) - math.log1p(-prior) + log_ratio
        expected = float((counts / (1.0 + np.exp(-np.clip(logit, -700, 700)))).sum())
        new_prior = min(max(expected / possible, 1e-15), 0.5)
        if abs(new_prior - prior) <= tolerance * prior:
            prior = new_prior
            break
        prior = new_prior
    return prior, expected


def forced_comparisons(patterns: pl.DataFrame, names: Sequence[str], share: float = 0.98) -> list[str]:
    """Comparisons that a blocking rule makes (nearly) all pairs agree on: nothing to learn there."""
    forced = []
    total_counts = patterns["count"].to_numpy()
    for n in names:
        g = patterns[f"gamma_{n}"].to_numpy()
        per_level = np.bincount(g, weights=total_counts)
        per_level[0] = 0
        if per_level.sum() == 0 or per_level.max() / per_level.sum() >= share:
            forced.append(n)
    return forced


def parameters_from_training(*, version: str, comparisons: Sequence, u: dict[str, np.ndarray],
                             sessions: list[tuple[str, pl.DataFrame]], union_patterns: pl.DataFrame,
                             union_pairs: int, possible_pairs: int, trained_on: dict,
                             max_iterations: int = 50) -> ModelParameters:
    """m by EM per session (u fixed), averaged; λ from the union of candidate pairs.

    `sessions`: (rule name, pattern counts of that rule's pairs, names of the
    comparisons to estimate or None for "all that the rule leaves free").
    """
    names = [c.name for c in comparisons]
    sizes = {c.name: len(c.levels) for c in comparisons}
    estimates: dict[str, list[np.ndarray]] = {n: [] for n in names}
    log = []
    for rule_name, patterns, estimate in sessions:
        if patterns.height == 0:
            log.append({"rule": rule_name, "pairs": 0})
            continue
        if estimate is None:
            fixed = forced_comparisons(patterns, names)
            free = [n for n in names if n not in fixed]
        else:
            free = [n for n in names if n in estimate]
            fixed = [n for n in names if n not in estimate]
        if not free:
            continue
        m0 = {n: initial_m(sizes[n]) for n in names}
        m, prior, iterations = expectation_maximisation(
            patterns, m0, u, 0.2, estimate=free, use=free, max_iterations=max_iterations)
        for n in free:
            estimates[n].append(m[n])
        log.append({"rule": rule_name, "pairs": int(patterns["count"].sum()), "fixed": fixed,
                    "iterations": iterations, "match_share": round(prior, 6)})
    m_final = {}
    for n in names:
        m_final[n] = np.mean(estimates[n], axis=0) if estimates[n] else initial_m(sizes[n])
    prior, expected_matches = estimate_prior(union_patterns, m_final, u, possible_pairs)
    untrained = [n for n in names if not estimates[n]]
    return ModelParameters(
        version=version,
        comparisons={
            c.name: {"levels": list(c.levels), "m": [round(float(x), 10) for x in m_final[c.name]],
                     "u": [round(float(x), 10) for x in u[c.name]], "tf_column": getattr(c, "tf_column", None)}
            for c in comparisons
        },
        prior=float(prior),
        trained_on=trained_on | {
            "em_sessions": log, "untrained_m": untrained, "candidate_pairs": int(union_pairs),
            "possible_pairs": int(possible_pairs), "expected_matches": round(float(expected_matches), 1),
        },
        created_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    )


def gammas_of(pairs: pl.DataFrame, comparisons: Sequence) -> pl.DataFrame:
    """`gamma_<name>` (Int8 level) per comparison for a pair frame (see `blocking.pair_frame`)."""
    from longarm.engine.identity.comparisons import compare

    return compare(pairs, comparisons).select(f"gamma_{c.name}" for c in comparisons)


def needed_columns(comparisons: Sequence) -> list[str]:
    """Feature columns a pair frame must carry for these comparisons (their tf columns included)."""
    columns = [column for c in comparisons for column in c.columns]
    columns += [c.tf_column for c in comparisons if getattr(c, "tf_column", None)]
    return list(dict.fromkeys(columns))


def train(left: pl.DataFrame, comparisons: Sequence, rules: Sequence, *, right: pl.DataFrame | None = None,
          version: str, description: str, sessions: Sequence[tuple] | None = None,
          u_sample_pairs: int = 2_000_000, em_pairs_per_rule: int = 2_000_000,
          max_block_size: int | None = None, seed: int = 0, max_iterations: int = 50) -> ModelParameters:
    """Train m, u and λ without labels on feature frame(s) (dedupe `left`, or link `left` to `right`).

    `rules` are the blocking rules; their union is the candidate set λ is
    estimated on. `sessions`: EM sessions as (blocking rule, names of the
    comparisons whose m it estimates), as in Splink: a comparison that reads
    the rule's columns must not be estimated on its pairs (they agree on it
    by construction, matches or not). Without `sessions`, each blocking rule
    is a session estimating every comparison it does not force to one level.
    The description and the counts are kept in `trained_on`.
    """
    from longarm.engine.identity import blocking

    dedupe = right is None
    other = left if dedupe else right
    columns = needed_columns(comparisons)
    names = [c.name for c in comparisons]
    cap = max_block_size or blocking.DEFAULT_MAX_BLOCK_SIZE
    rng = np.random.default_rng(seed)

    a, b = blocking.random_pairs(left.height, None if dedupe else right.height, u_sample_pairs, seed)
    u = estimate_u(gammas_of(blocking.pair_frame(left, other, a, b, columns), comparisons),
                   {c.name: len(c.levels) for c in comparisons})

    session_patterns = []
    for rule, estimate in (sessions or [(rule, None) for rule in rules]):
        index_l, index_r, _ = blocking.candidate_pairs(left, [rule], right=right, max_block_size=cap)
        if index_l.size > em_pairs_per_rule:
            pick = rng.choice(index_l.size, em_pairs_per_rule, replace=False)
            index_l, index_r = index_l[pick], index_r[pick]
        patterns = level_counts(gammas_of(blocking.pair_frame(left, other, index_l, index_r, columns), comparisons),
                                names)
        session_patterns.append((rule.name, patterns, estimate))

    union_parts, union_pairs = [], 0
    report = blocking.BlockingReport()
    for index_l, index_r in blocking.iter_candidate_pairs(left, rules, right=right, max_block_size=cap,
                                                          report=report):
        union_pairs += index_l.size
        union_parts.append(level_counts(
            gammas_of(blocking.pair_frame(left, other, index_l, index_r, columns), comparisons), names))
    union_patterns = (pl.concat(union_parts).group_by([f"gamma_{n}" for n in names]).agg(pl.col("count").sum())
                      if union_parts else level_counts(pl.DataFrame(schema={f"gamma_{n}": pl.Int8 for n in names}),
                                                       names))
    possible = left.height * (left.height - 1) // 2 if dedupe else left.height * right.height
    trained_on = {
        "description": description,
        "kind": "dedupe" if dedupe else "link",
        "records": left.height if dedupe else [left.height, right.height],
        "u_sample_pairs": int(a.size),
        "blocking_rules": [{"name": r.name, "columns": list(r.columns),
                            "right_columns": list(r.right_columns) if r.right_columns else None} for r in rules],
        "blocking": report.as_dict(),
    }
    return parameters_from_training(version=version, comparisons=comparisons, u=u, sessions=session_patterns,
                                    union_patterns=union_patterns, union_pairs=union_pairs, possible_pairs=possible,
                                    trained_on=trained_on, max_iterations=max_iterations)
