"""Identity resolution: the linkage models, the candidate pairs they score, and the analysts' decisions.

A pair is either two official records that may be one person (`duplicate`)
or a border crossing that the exact identity rule matched to nobody and an
official it resembles (`possible_match`). Pairs are never deleted: a pair
that a later run scores below the review threshold is marked so, and every
decision stays in its append-only history.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from longarm.accounts.scoping import Scope, ScopedQuerySet, scope_q
from longarm.registry.models import ID_LENGTH, Official


class LinkageModel(models.Model):
    """One version of the Fellegi-Sunter parameters (m, u, prior) that scores pairs.

    Exactly one version is active; every pair records the version that
    scored it, so a score can always be explained by the parameters behind it.
    The default shipped with longarm is registered on first use.
    """

    version = models.CharField(max_length=64, unique=True)
    parameters = models.JSONField(help_text="the engine's ModelParameters as JSON")
    trained_on = models.JSONField(default=dict, blank=True, help_text="what it was trained on: description, counts")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_by_name = models.CharField(max_length=150)
    active = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=Q(active=True), name="linkage_model_one_active",
                                    violation_error_message="only one linkage model can be active"),
        ]

    def __str__(self) -> str:
        return f"linkage model {self.version}{' (active)' if self.active else ''}"


class PairKind(models.TextChoices):
    DUPLICATE = "duplicate", "duplicate official records"
    POSSIBLE_MATCH = "possible_match", "possible match of a crossing"


class PairStatus(models.TextChoices):
    REVIEW = "review", "to review"
    MATCHED = "matched", "matched (alert raised)"
    DECIDED = "decided", "decided"
    BELOW = "below", "below the review threshold"


class Decision(models.TextChoices):
    SAME = "same", "same person"
    DIFFERENT = "different", "different people"
    UNSURE = "unsure", "unsure"


def _prefixed(q: Q, prefix: str) -> Q:
    """`q` (a filter on officials) as a filter on the officials reached through `prefix`."""
    clone = Q()
    clone.connector, clone.negated = q.connector, q.negated
    clone.children = [_prefixed(child, prefix) if isinstance(child, Q) else (f"{prefix}__{child[0]}", child[1])
                      for child in q.children]
    return clone


class CandidatePairQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """A pair is seen by whoever may see either of its officials (the officials' own scoping rule)."""
        officials = scope_q(Official.scope, user)
        if not officials:
            return self.all()
        return self.filter(_prefixed(officials, "official_a") | _prefixed(officials, "official_b"))


class CandidatePair(models.Model):
    """Two records that the linkage model found alike enough to be worth a look.

    `ref` identifies the pair: for duplicates the two official_ids sorted and
    `;` separated (the DUPLICATE_IDENTITY alert's ref), for possible matches
    `event_id;official_id`. `contributions` holds, per comparison, the level
    found and its log2 Bayes factor: the waterfall of the score.
    """

    scope = Scope(jurisdictions=("official_a__jurisdiction", "official_b__jurisdiction"))

    kind = models.CharField(max_length=16, choices=PairKind.choices)
    ref = models.CharField(max_length=2 * ID_LENGTH + 1)
    official_a = models.ForeignKey(Official, on_delete=models.PROTECT, related_name="+",
                                   help_text="duplicates: the official with the lower id; "
                                             "possible matches: the official")
    official_b = models.ForeignKey(Official, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   help_text="duplicates: the official with the higher id")
    crossing = models.ForeignKey("border.Crossing", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", db_constraint=False, help_text="possible matches: the crossing")
    match_probability = models.FloatField()
    match_weight = models.FloatField(help_text="log2 of the odds of a match")
    contributions = models.JSONField(default=list, blank=True,
                                     help_text="[{comparison, gamma, level, bf}] in the model's order")
    status = models.CharField(max_length=16, choices=PairStatus.choices)
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True,
                                help_text="the latest decision (its history: PairDecision)")
    model = models.ForeignKey(LinkageModel, on_delete=models.PROTECT, related_name="pairs",
                              help_text="the model version of the latest score")
    run = models.ForeignKey("runs.Run", on_delete=models.PROTECT, related_name="+", help_text="the run that found it")
    scored_run = models.ForeignKey("runs.Run", on_delete=models.PROTECT, related_name="+",
                                   help_text="the last run that scored it (or found it below the review threshold)")
    scored_below = models.BooleanField(default=False, help_text="a decided pair that the last run scoring it found "
                                                                "below the review threshold")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = CandidatePairQuerySet.as_manager()

    class Meta:
        ordering = ["-match_probability", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "ref"], name="candidate_pair_unique",
                                    violation_error_message="this pair is on record"),
            models.CheckConstraint(condition=Q(status__in=PairStatus.values), name="candidate_pair_status_valid",
                                   violation_error_message="unknown pair status"),
            models.CheckConstraint(
                condition=(Q(kind=PairKind.DUPLICATE, official_b__isnull=False, crossing__isnull=True)
                           | Q(kind=PairKind.POSSIBLE_MATCH, official_b__isnull=True, crossing__isnull=False)),
                name="candidate_pair_kind_shape",
                violation_error_message="a duplicate pairs two officials, a possible match a crossing and an official"),
        ]
        indexes = [
            models.Index(fields=["status", "kind"]),
            models.Index(fields=["official_a"]),
            models.Index(fields=["official_b"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ref} p={self.match_probability:.3f} ({self.status})"


class PairDecision(models.Model):
    """An analyst's judgement on a pair: same person, different people, or unsure, with a note.

    Append-only: a new judgement adds a row; the latest one is copied onto the
    pair and every later run respects it.
    """

    pair = models.ForeignKey(CandidatePair, on_delete=models.PROTECT, related_name="decisions")
    decision = models.CharField(max_length=16, choices=Decision.choices)
    note = models.CharField(max_length=1000, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=150)
    at = models.DateTimeField()

    class Meta:
        ordering = ["pair_id", "-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(decision__in=Decision.values), name="pair_decision_valid",
                                   violation_error_message="unknown decision"),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("decisions are append-only: record a new one")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("decisions are append-only")

    def __str__(self) -> str:
        return f"{self.pair_id} {self.decision} by {self.actor_name}"


class OfficialFingerprint(models.Model):
    """A digest of an official's identity columns as the last resolve run saw them.

    An incremental run compares only the officials whose digest changed (or
    who are new) with everyone; it is bookkeeping of the run, not a record.
    """

    official_id = models.CharField(max_length=ID_LENGTH, primary_key=True)
    digest = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.official_id} {self.digest}"
