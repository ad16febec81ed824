"""Officials and their declared relatives (exchange format: officials, relatives)."""

from django.conf import settings
from django.db import models

from longarm.accounts.scoping import Scope, ScopedQuerySet

ID_LENGTH = 64


class Sex(models.TextChoices):
    M = "M", "male"
    F = "F", "female"
    X = "X", "unspecified"


class Rank(models.TextChoices):
    """Cadre level, highest first (the order matters for approvals)."""

    STATE = "state", "state"
    PROVINCIAL = "provincial", "provincial"
    PREFECTURAL = "prefectural", "prefectural"
    COUNTY = "county", "county"
    TOWNSHIP = "township", "township"
    STAFF = "staff", "staff"


class OfficialStatus(models.TextChoices):
    ACTIVE = "active", "active"
    RETIRED = "retired", "retired"
    DISMISSED = "dismissed", "dismissed"
    DECEASED = "deceased", "deceased"


class Official(models.Model):
    """A registered official. Retired officials stay under the rules.

    The primary key is the sending registry's `official_id`, stable across
    sends, so that re-importing a row updates it instead of copying it.
    """

    scope = Scope(jurisdictions=("jurisdiction",), organization="organization", official="official_id")

    official_id = models.CharField(max_length=ID_LENGTH, primary_key=True)
    family_name = models.CharField(max_length=200)
    given_name = models.CharField(max_length=200)
    native_name = models.CharField(max_length=200, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    date_of_birth = models.DateField()
    national_id = models.CharField(max_length=64, blank=True)
    organization = models.CharField(max_length=300)
    position = models.CharField(max_length=300)
    rank = models.CharField(max_length=16, choices=Rank.choices)
    jurisdiction = models.CharField(max_length=8)
    status = models.CharField(max_length=16, choices=OfficialStatus.choices)
    sensitive_post = models.BooleanField(default=False, db_default=False)
    # Upper-cased family+given name without diacritics, spaces, hyphens and
    # apostrophes (the spec's "normalised full name"): search and matching key.
    name_key = models.CharField(max_length=400, db_index=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name", "official_id"]
        indexes = [
            models.Index(fields=["jurisdiction", "family_name"]),
            models.Index(fields=["native_name"]),
            models.Index(fields=["national_id"]),
            models.Index(fields=["date_of_birth", "sex"]),
            models.Index(fields=["organization"]),
            # Reconciliation asks "is there an official of this name, born that day, of this sex?" for every
            # crossing of the day: one exact probe, however common the name (a registry holds hundreds of
            # officials under one name, and hundreds born on one day).
            models.Index(fields=["name_key", "date_of_birth", "sex"], name="registry_official_identity_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(sex__in=Sex.values), name="official_sex_valid",
                                   violation_error_message="sex must be M, F or X"),
            models.CheckConstraint(condition=models.Q(rank__in=Rank.values), name="official_rank_valid",
                                   violation_error_message="unknown rank"),
            models.CheckConstraint(condition=models.Q(status__in=OfficialStatus.values), name="official_status_valid",
                                   violation_error_message="unknown status"),
        ]

    def __str__(self) -> str:
        native = f" ({self.native_name})" if self.native_name else ""
        return f"{self.family_name} {self.given_name}{native}"

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.given_name}"


class Relation(models.TextChoices):
    SPOUSE = "spouse", "spouse"
    CHILD = "child", "child"
    CHILD_SPOUSE = "child_spouse", "child's spouse"
    PARENT = "parent", "parent"
    SIBLING = "sibling", "sibling"
    OTHER = "other", "other"


class ResidenceStatus(models.TextChoices):
    CITIZEN = "citizen", "citizen"
    PERMANENT_RESIDENT = "permanent_resident", "permanent resident"
    RESIDENT = "resident", "resident"
    STUDENT = "student", "student"
    VISITOR = "visitor", "visitor"


class Relative(models.Model):
    """A family member declared by an official: only what the emigration rules need."""

    scope = Scope(jurisdictions=("official__jurisdiction",), organization="official__organization",
                  official="official_id")

    relative_id = models.CharField(max_length=ID_LENGTH, primary_key=True)
    official = models.ForeignKey(Official, on_delete=models.PROTECT, related_name="relatives")
    relation = models.CharField(max_length=16, choices=Relation.choices)
    family_name = models.CharField(max_length=200)
    given_name = models.CharField(max_length=200)
    native_name = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    residence_country = models.CharField(max_length=3)
    residence_status = models.CharField(max_length=24, choices=ResidenceStatus.choices)
    nationalities = models.CharField(max_length=200, blank=True, help_text="ISO alpha-3 codes, ; separated")
    since = models.DateField(null=True, blank=True)
    employer = models.CharField(max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["official_id", "relation", "relative_id"]

    def __str__(self) -> str:
        return f"{self.family_name} {self.given_name} ({self.get_relation_display()})"

    @property
    def nationality_list(self) -> list[str]:
        return [code for code in self.nationalities.split(";") if code]

    @property
    def emigrated(self) -> bool:
        """The spec's rule: abroad, and a citizen or permanent resident there or of another country."""
        home = settings.LONGARM_HOME_COUNTRY
        if self.residence_country == home:
            return False
        if self.residence_status in (ResidenceStatus.CITIZEN, ResidenceStatus.PERMANENT_RESIDENT):
            return True
        return any(code != home for code in self.nationality_list)


class RegistryChange(models.Model):
    """One row for each registry row written, filled by database triggers (migration `registry/0003`),
    whoever writes: imports, the web forms, the admin shell, a bulk load.

    Daily runs (reconciliation, identity resolution) keep the highest `id` they have read, and next time
    read only what changed since, instead of the whole registry. `kind` and `key`:

    - `official`: an official's id: the official's row, one of their documents or relatives changed;
    - `number`: `issuing_state|number_norm` of a document written (before and after an update);
    - `birth`: a date of birth (ISO) of an official written (before and after an update);
    - `document`: the document id of a custody event written.

    Technical bookkeeping, not a record about anyone: it names ids and keys, nothing else.
    """

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=8)
    key = models.CharField(max_length=200)

    class Meta:
        db_table = "registry_change"

    def __str__(self) -> str:
        return f"#{self.id} {self.kind} {self.key}"
