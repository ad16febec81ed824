"""Fugitive cases, their timeline, the requests sent to foreign states, recoveries and named operations.

Exchange formats: cases, recoveries (shared/spec/exchange-formats.md). A case
is never deleted: it ends as returned, deceased or closed with a reason, and
its timeline keeps every event.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

from longarm.accounts.scoping import Scope, ScopedQuerySet
from longarm.registry.models import ID_LENGTH, Official, Sex

LIST_SEPARATOR = ";"
# Room for any ISO 4217 minor unit (0 to 4 places) and national-scale sums.
MONEY = {"max_digits": 24, "decimal_places": 4}


class Category(models.TextChoices):
    OFFICIAL = "official", "public official or party member"
    OTHER = "other", "other"


class CaseStatus(models.TextChoices):
    AT_LARGE = "at_large", "at large"
    LOCATED = "located", "located"
    DETAINED_ABROAD = "detained_abroad", "detained abroad"
    RETURNED = "returned", "returned"
    DECEASED = "deceased", "deceased"
    CLOSED = "closed", "closed"


# A case in one of these states is still pursued.
OPEN_STATUSES = (CaseStatus.AT_LARGE, CaseStatus.LOCATED, CaseStatus.DETAINED_ABROAD)


class ReturnAvenue(models.TextChoices):
    EXTRADITION = "extradition", "extradition"
    DEPORTATION = "deportation", "deportation"
    VOLUNTARY_RETURN = "voluntary_return", "voluntary return"
    OTHER = "other", "other"


class CaseSource(models.TextChoices):
    MANUAL = "manual", "opened by hand"
    ALERT = "alert", "opened from an alert"
    IMPORT = "import", "imported"


class Case(models.Model):
    """The file on one fugitive: who, what they are accused of, where they are, and how they came back.

    `returned` needs the date, the country or region and the avenue of the
    return (a database rule, so that imports keep it too): the recoveries
    report counts on them.
    """

    scope = Scope(jurisdictions=("jurisdiction",))

    case_id = models.CharField(max_length=ID_LENGTH, primary_key=True)
    official = models.ForeignKey(Official, null=True, blank=True, on_delete=models.PROTECT, related_name="cases",
                                 help_text="Where the subject is a registered official")
    family_name = models.CharField(max_length=200)
    given_name = models.CharField(max_length=200)
    native_name = models.CharField(max_length=200, blank=True, db_default="")
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True, db_default="")
    category = models.CharField(max_length=16, choices=Category.choices)
    jurisdiction = models.CharField(max_length=8, help_text="ISO 3166-2 subdivision pursuing the case")
    offences = models.TextField()
    amount_involved = models.DecimalField(**MONEY, null=True, blank=True)
    amount_currency = models.CharField(max_length=3, blank=True, db_default="")
    fled_on = models.DateField(null=True, blank=True)
    located_in = models.CharField(max_length=200, blank=True, db_default="",
                                  help_text="Last known countries, ISO alpha-3, ; separated")
    red_notice_on = models.DateField(null=True, blank=True, help_text="When an INTERPOL red notice was published")
    red_notice_ref = models.CharField(max_length=64, blank=True, db_default="",
                                      help_text="The notice's entity_id, e.g. 2019/12345")
    priority_list = models.BooleanField(default=False, db_default=False,
                                        help_text="On the published list of the most wanted fugitives")
    priority_listed_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=CaseStatus.choices)
    status_on = models.DateField(null=True, blank=True, help_text="Date of the last change of status")
    returned_on = models.DateField(null=True, blank=True)
    returned_from = models.CharField(max_length=3, blank=True, db_default="")
    return_avenue = models.CharField(max_length=16, choices=ReturnAvenue.choices, blank=True, db_default="")
    # Required by `case_close`; a case imported as closed comes without one.
    closed_reason = models.CharField(max_length=500, blank=True, db_default="")
    source = models.CharField(max_length=8, choices=CaseSource.choices, db_default=CaseSource.IMPORT)
    source_alert = models.CharField(max_length=64, blank=True, db_default="",
                                    help_text="The alert the case was opened from")
    created_at = models.DateTimeField(db_default=Now())

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name", "case_id"]
        indexes = [
            models.Index(fields=["jurisdiction", "status"]),
            models.Index(fields=["returned_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values), name="case_status_valid",
                                   violation_error_message="unknown case status"),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="case_category_valid",
                                   violation_error_message="category must be official or other"),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.RETURNED)
                | (Q(returned_on__isnull=False) & ~Q(returned_from="") & ~Q(return_avenue="")),
                name="case_returned_has_date_country_avenue",
                violation_error_message="a returned case needs returned_on, returned_from and return_avenue"),
            models.CheckConstraint(condition=Q(return_avenue="") | Q(return_avenue__in=ReturnAvenue.values),
                                   name="case_return_avenue_valid", violation_error_message="unknown return avenue"),
            models.CheckConstraint(
                condition=(Q(amount_involved__isnull=True) & Q(amount_currency=""))
                | (Q(amount_involved__isnull=False) & ~Q(amount_currency="") & Q(amount_involved__gte=0)),
                name="case_amount_has_currency",
                violation_error_message="an amount involved needs its currency and cannot be negative"),
        ]

    def __str__(self) -> str:
        native = f" ({self.native_name})" if self.native_name else ""
        return f"{self.case_id}: {self.family_name} {self.given_name}{native}"

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.given_name}"

    @property
    def located_in_list(self) -> list[str]:
        return [code for code in self.located_in.split(LIST_SEPARATOR) if code]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EventKind(models.TextChoices):
    FLED = "fled", "fled"
    OPENED = "opened", "case opened"
    LOCATED = "located", "located"
    DETAINED = "detained", "detained abroad"
    RETURNED = "returned", "returned"
    DECEASED = "deceased", "deceased"
    CLOSED = "closed", "closed"
    RED_NOTICE = "red_notice", "red notice published"
    PRIORITY_LIST = "priority_list", "most-wanted list"
    MEASURE_OPENED = "measure_opened", "request to a foreign state opened"
    MEASURE_SENT = "measure_sent", "request sent"
    MEASURE_ANSWERED = "measure_answered", "request answered"
    MEASURE_WITHDRAWN = "measure_withdrawn", "request withdrawn"
    RECOVERY = "recovery", "assets recovered"


class CaseEvent(models.Model):
    """One line of a case's timeline. Appended by the services, never edited."""

    scope = Scope(jurisdictions=("case__jurisdiction",))

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    happened_on = models.DateField(help_text="When it happened (not when it was recorded)")
    summary = models.CharField(max_length=500)
    detail = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    recorded_at = models.DateTimeField(db_default=Now())
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["case_id", "happened_on", "id"]
        indexes = [models.Index(fields=["case", "happened_on"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.happened_on} {self.summary}"


class MeasureKind(models.TextChoices):
    EXTRADITION = "extradition", "extradition"
    MUTUAL_LEGAL_ASSISTANCE = "mutual_legal_assistance", "mutual legal assistance"
    DEPORTATION = "deportation", "deportation"
    CONFISCATION = "confiscation", "confiscation of proceeds"


class MeasureStatus(models.TextChoices):
    PREPARING = "preparing", "in preparation"
    SENT = "sent", "sent, awaiting answer"
    GRANTED = "granted", "granted"
    PARTLY_GRANTED = "partly_granted", "partly granted"
    REFUSED = "refused", "refused"
    WITHDRAWN = "withdrawn", "withdrawn"


ANSWER_STATUSES = (MeasureStatus.GRANTED, MeasureStatus.PARTLY_GRANTED, MeasureStatus.REFUSED)


class Measure(models.Model):
    """A request to a foreign state in a case: extradition, legal assistance, deportation, confiscation.

    A request that is sent has a date; an answer comes after it was sent.
    `answer_due_on` is the deadline that comes up as a reminder while no
    answer has arrived.
    """

    scope = Scope(jurisdictions=("case__jurisdiction",))

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="measures")
    kind = models.CharField(max_length=32, choices=MeasureKind.choices)
    country = models.CharField(max_length=3, help_text="The requested state, ISO alpha-3")
    reference = models.CharField(max_length=120, blank=True, db_default="")
    status = models.CharField(max_length=16, choices=MeasureStatus.choices, db_default=MeasureStatus.PREPARING)
    sent_on = models.DateField(null=True, blank=True)
    answer_due_on = models.DateField(null=True, blank=True)
    answered_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=1000, blank=True, db_default="")
    created_at = models.DateTimeField(db_default=Now())

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["case_id", "sent_on", "id"]
        indexes = [models.Index(fields=["status", "answer_due_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=MeasureKind.values), name="measure_kind_valid",
                                   violation_error_message="unknown kind of request"),
            models.CheckConstraint(condition=Q(status__in=MeasureStatus.values), name="measure_status_valid",
                                   violation_error_message="unknown request status"),
            models.CheckConstraint(
                condition=Q(status=MeasureStatus.PREPARING) | Q(status=MeasureStatus.WITHDRAWN)
                | Q(sent_on__isnull=False),
                name="measure_sent_has_date", violation_error_message="a request sent needs the date it was sent"),
            models.CheckConstraint(
                condition=~Q(status__in=ANSWER_STATUSES) | Q(answered_on__isnull=False),
                name="measure_answer_has_date", violation_error_message="an answer needs the date it came"),
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True) | Q(answered_on__gte=models.F("sent_on")),
                name="measure_answered_after_sent",
                violation_error_message="a request cannot be answered before it was sent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} request to {self.country} ({self.get_status_display()})"


class RecoveryAvenue(models.TextChoices):
    RETURNED_BY_FOREIGN_STATE = "returned_by_foreign_state", "returned by a foreign state"
    CONFISCATION = "confiscation", "confiscation"
    VOLUNTARY = "voluntary", "voluntary"
    OTHER = "other", "other"


class Recovery(models.Model):
    """Money or property brought back, in the currency it came in; converted only when reported.

    Recoveries without a fugitive case exist: only national roles see them,
    since no jurisdiction pursues them.
    """

    scope = Scope(jurisdictions=("case__jurisdiction",))

    recovery_id = models.CharField(max_length=ID_LENGTH, primary_key=True)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="recoveries")
    recovered_on = models.DateField()
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    from_country = models.CharField(max_length=3)
    avenue = models.CharField(max_length=32, choices=RecoveryAvenue.choices)
    description = models.CharField(max_length=500, blank=True, db_default="")
    created_at = models.DateTimeField(db_default=Now())

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["recovered_on", "recovery_id"]
        verbose_name_plural = "recoveries"
        indexes = [models.Index(fields=["recovered_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="recovery_amount_positive",
                                   violation_error_message="a recovered amount must be more than zero"),
            models.CheckConstraint(condition=Q(avenue__in=RecoveryAvenue.values), name="recovery_avenue_valid",
                                   violation_error_message="unknown recovery avenue"),
        ]

    def __str__(self) -> str:
        return f"{self.recovery_id}: {self.amount} {self.currency} from {self.from_country}"


class Operation(models.Model):
    """A named campaign (e.g. "Sky Net 2024") with its period: one click gives the period's statistics."""

    name = models.CharField(max_length=120, unique=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    description = models.CharField(max_length=1000, blank=True, db_default="")

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="operation_period_ordered",
                                   violation_error_message="an operation cannot end before it starts"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on} to {self.ends_on})"
