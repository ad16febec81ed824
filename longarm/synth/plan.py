"""Who in a synthetic world does what: the roles, drawn once for every official.

Each official has exactly one role, so that every planted anomaly raises
exactly the alerts written to `truth.csv` and nothing else: a planted
official is never also a clean traveller or part of another anomaly. Roles
go to active and retired officials only; the dismissed and the deceased stay
at home. `README.md` describes what each role does.
"""

from dataclasses import dataclass

import numpy as np

# Roles (the values of `Plan.role`).
CALM = 0  # no trip in the period
TRAVEL = 1  # an approved trip, taken by the rules
UNAUTHORIZED_EXIT = 2
DESTINATION_MISMATCH = 3
OVERDUE_RETURN = 4
MISSING = 5
WATCHLIST_EXIT = 6
CUSTODY_BREACH = 7
UNREGISTERED_DOCUMENT = 8
IDENTITY_MISMATCH = 9
DOCUMENT_NOT_RETURNED = 10
DUPLICATE_DOCUMENT = 11  # variant 0: holds a copy of its partner's passport number; 1: two live passports
DUPLICATE_DOCUMENT_OWNER = 12  # the official whose passport number was copied
INVALID_MRZ = 13
NAKED_OFFICIAL = 14
DUPLICATE_IDENTITY = 15  # an official registered a second time (the copy follows the N officials)
DUPLICATE_IDENTITY_COPY = 16

# Share of officials planted with each anomaly, and of clean travellers.
PLANTED_SHARES: dict[int, float] = {
    UNAUTHORIZED_EXIT: 0.0015, DESTINATION_MISMATCH: 0.0015, OVERDUE_RETURN: 0.0015, MISSING: 0.0005,
    WATCHLIST_EXIT: 0.001, CUSTODY_BREACH: 0.001, UNREGISTERED_DOCUMENT: 0.001, IDENTITY_MISMATCH: 0.001,
    DOCUMENT_NOT_RETURNED: 0.0015, DUPLICATE_DOCUMENT: 0.0005, INVALID_MRZ: 0.0015, NAKED_OFFICIAL: 0.003,
    DUPLICATE_IDENTITY: 0.0005,
}
ROLE_NAMES = {
    CALM: "calm", TRAVEL: "travel", UNAUTHORIZED_EXIT: "UNAUTHORIZED_EXIT",
    DESTINATION_MISMATCH: "DESTINATION_MISMATCH", OVERDUE_RETURN: "OVERDUE_RETURN", MISSING: "MISSING",
    WATCHLIST_EXIT: "WATCHLIST_EXIT", CUSTODY_BREACH: "CUSTODY_BREACH", UNREGISTERED_DOCUMENT: "UNREGISTERED_DOCUMENT",
    IDENTITY_MISMATCH: "IDENTITY_MISMATCH", DOCUMENT_NOT_RETURNED: "DOCUMENT_NOT_RETURNED",
    DUPLICATE_DOCUMENT: "DUPLICATE_DOCUMENT", DUPLICATE_DOCUMENT_OWNER: "DUPLICATE_DOCUMENT (owner)",
    INVALID_MRZ: "INVALID_MRZ", NAKED_OFFICIAL: "NAKED_OFFICIAL", DUPLICATE_IDENTITY: "DUPLICATE_IDENTITY",
    DUPLICATE_IDENTITY_COPY: "DUPLICATE_IDENTITY (copy)",
}
TRAVEL_SHARE = 0.05
MINIMUM_PER_ANOMALY = 2
# Every world holds each way of registering an official twice (`duplicates.VARIANTS`) at least once.
MINIMUM = {DUPLICATE_IDENTITY: 10}
# Officials whose look-alike (another person) is registered too: twins, and a namesake with the same
# birth date whose name has other characters of the same pinyin. Share of officials, at least 3 each.
LOOK_ALIKE_SHARES = {"twin": 0.0002, "same_pinyin": 0.0002}
MINIMUM_LOOK_ALIKES = 3
# Roles that take a trip (approved) or at least cross the border.
TRAVELLING = (TRAVEL, UNAUTHORIZED_EXIT, DESTINATION_MISMATCH, OVERDUE_RETURN, MISSING, WATCHLIST_EXIT,
              CUSTODY_BREACH, UNREGISTERED_DOCUMENT, IDENTITY_MISMATCH, DOCUMENT_NOT_RETURNED)
# Number of variants of each role (`Plan.variant` = order within the role modulo this).
VARIANTS = {UNAUTHORIZED_EXIT: 2, CUSTODY_BREACH: 2, UNREGISTERED_DOCUMENT: 2, IDENTITY_MISMATCH: 2,
            DOCUMENT_NOT_RETURNED: 2, DUPLICATE_DOCUMENT: 2, INVALID_MRZ: 3, NAKED_OFFICIAL: 2}


@dataclass
class Plan:
    """Per official record: role, variant of the role, and partner (copied passport's owner, original)."""

    role: np.ndarray
    variant: np.ndarray
    partner: np.ndarray


def planted_count(role: int, officials: int) -> int:
    return max(MINIMUM.get(role, MINIMUM_PER_ANOMALY), round(PLANTED_SHARES[role] * officials))


def look_alike_count(kind: str, officials: int) -> int:
    return max(MINIMUM_LOOK_ALIKES, round(LOOK_ALIKE_SHARES[kind] * officials))


def minimum_officials() -> int:
    """The smallest world that holds every anomaly at least twice, their partners, look-alikes and some calm."""
    planted = sum(MINIMUM.get(role, MINIMUM_PER_ANOMALY) for role in PLANTED_SHARES)
    return 3 * (planted + 2 * MINIMUM_PER_ANOMALY + MINIMUM_LOOK_ALIKES * len(LOOK_ALIKE_SHARES))


def draw_plan(rng: np.random.Generator, eligible: np.ndarray, officials: int) -> Plan:
    """Roles for `officials` records; `eligible` marks who may travel or be planted (active, retired)."""
    role = np.zeros(officials, dtype=np.int8)
    variant = np.zeros(officials, dtype=np.int8)
    partner = np.full(officials, -1, dtype=np.int64)
    queue = rng.permutation(np.flatnonzero(eligible))
    position = 0

    def take(count: int) -> np.ndarray:
        nonlocal position
        if position + count > queue.size:
            raise ValueError("too few active officials for the planted anomalies; ask for more officials")
        rows = queue[position:position + count]
        position += count
        return rows

    for planted in PLANTED_SHARES:
        rows = take(planted_count(planted, officials))
        role[rows] = planted
        variant[rows] = np.arange(rows.size) % VARIANTS.get(planted, 1)
        if planted == DUPLICATE_DOCUMENT:
            copying = rows[variant[rows] == 0]
            owners = take(copying.size)
            role[owners] = DUPLICATE_DOCUMENT_OWNER
            partner[copying] = owners
    role[take(min(queue.size - position, round(TRAVEL_SHARE * officials)))] = TRAVEL
    return Plan(role=role, variant=variant, partner=partner)


def with_duplicate_identities(plan: Plan) -> Plan:
    """Append the copies of the officials registered twice; a copy's partner is its original."""
    originals = np.flatnonzero(plan.role == DUPLICATE_IDENTITY)
    count = originals.size
    return Plan(
        role=np.concatenate([plan.role, np.full(count, DUPLICATE_IDENTITY_COPY, dtype=np.int8)]),
        variant=np.concatenate([plan.variant, np.zeros(count, dtype=np.int8)]),
        partner=np.concatenate([plan.partner, originals]),
    )


def with_look_alikes(plan: Plan, count: int) -> Plan:
    """Append `count` look-alikes: other people, calm like the officials they resemble."""
    return Plan(
        role=np.concatenate([plan.role, np.full(count, CALM, dtype=np.int8)]),
        variant=np.concatenate([plan.variant, np.zeros(count, dtype=np.int8)]),
        partner=np.concatenate([plan.partner, np.full(count, -1, dtype=np.int64)]),
    )
