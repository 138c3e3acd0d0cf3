"""Levels and services of the Japanese principal, from ``events.jp_role`` codes.

The role codes are those of ``gold/GUIDELINES.md``. The mapping is the single
source of truth for the ``level`` and ``service`` filters, the level facet, the
engagement-intensity weights and the exports.

========================  ==================================================  =======
level                     jp_role codes                                       weight
========================  ==================================================  =======
``leaders``               PM                                                  5
``ministers``             MOD_MIN, MOFA_MIN                                   4
``vice_ministers``        MOD_SVM, MOD_PVM, MOD_AVM, MOD_VMIA, ATLA           3
``chiefs_of_staff``       CHOD, GSDF_COS, MSDF_COS, ASDF_COS                  3
``officials``             MOD, GOV                                            2
``units``                 GSDF, MSDF, ASDF                                    1
``unspecified``           (no Japanese principal named: ``jp_role`` is null)  1
========================  ==================================================  =======

ATLA (Commissioner of the Acquisition, Technology and Logistics Agency) ranks with
the vice-ministers. ``MOD`` (the ministry as an organization, working-level
officials) and ``GOV`` (other government actors) are ``officials``.

========  ====================
service   jp_role codes
========  ====================
joint     CHOD
gsdf      GSDF_COS, GSDF
msdf      MSDF_COS, MSDF
asdf      ASDF_COS, ASDF
========  ====================

Events led by ministers, vice-ministers or officials have no service.
"""

from __future__ import annotations

from collections.abc import Iterable

#: level -> jp_role codes (order: highest level first).
LEVELS: dict[str, tuple[str, ...]] = {
    "leaders": ("PM",),
    "ministers": ("MOD_MIN", "MOFA_MIN"),
    "vice_ministers": ("MOD_SVM", "MOD_PVM", "MOD_AVM", "MOD_VMIA", "ATLA"),
    "chiefs_of_staff": ("CHOD", "GSDF_COS", "MSDF_COS", "ASDF_COS"),
    "officials": ("MOD", "GOV"),
    "units": ("GSDF", "MSDF", "ASDF"),
}
#: The level of events whose Japanese principal is not named (``jp_role`` null).
UNSPECIFIED = "unspecified"
ALL_LEVELS: tuple[str, ...] = (*LEVELS, UNSPECIFIED)

#: Weight of one event of each level in the engagement intensity (docs/analytics.md).
LEVEL_WEIGHTS: dict[str, float] = {
    "leaders": 5.0,
    "ministers": 4.0,
    "vice_ministers": 3.0,
    "chiefs_of_staff": 3.0,
    "officials": 2.0,
    "units": 1.0,
    UNSPECIFIED: 1.0,
}

#: service -> jp_role codes.
SERVICES: dict[str, tuple[str, ...]] = {
    "joint": ("CHOD",),
    "gsdf": ("GSDF_COS", "GSDF"),
    "msdf": ("MSDF_COS", "MSDF"),
    "asdf": ("ASDF_COS", "ASDF"),
}

#: Every jp_role code the mapping knows.
ROLE_CODES: tuple[str, ...] = tuple(c for codes in LEVELS.values() for c in codes)

_LEVEL_OF = {code: level for level, codes in LEVELS.items() for code in codes}
_SERVICE_OF = {code: service for service, codes in SERVICES.items() for code in codes}

#: Spellings accepted for levels (singular, hyphens, short forms).
_LEVEL_ALIASES = {
    "leader": "leaders",
    "pm": "leaders",
    "minister": "ministers",
    "vice_minister": "vice_ministers",
    "vice": "vice_ministers",
    "chief_of_staff": "chiefs_of_staff",
    "chiefs": "chiefs_of_staff",
    "chods": "chiefs_of_staff",
    "official": "officials",
    "unit": "units",
    "none": UNSPECIFIED,
}
_SERVICE_ALIASES = {
    "jsdf": "joint",
    "js": "joint",
    "ground": "gsdf",
    "army": "gsdf",
    "maritime": "msdf",
    "navy": "msdf",
    "air": "asdf",
    "air_force": "asdf",
}


def _key(value: str) -> str:
    return value.strip().lower().replace("-", "_").replace(" ", "_")


def normalize_level(value: str) -> str:
    """The level name for ``value`` (``minister`` -> ``ministers``); ValueError if unknown."""
    k = _key(value)
    k = _LEVEL_ALIASES.get(k, k)
    if k not in ALL_LEVELS:
        raise ValueError(f"unknown level {value!r} (levels: {', '.join(ALL_LEVELS)})")
    return k


def normalize_service(value: str) -> str:
    """The service name for ``value`` (``MSDF`` -> ``msdf``); ValueError if unknown."""
    k = _key(value)
    k = _SERVICE_ALIASES.get(k, k)
    if k not in SERVICES:
        raise ValueError(f"unknown service {value!r} (services: {', '.join(SERVICES)})")
    return k


def level_of(jp_role: str | None) -> str:
    """Level of a jp_role code; ``unspecified`` for None or an unknown code."""
    return _LEVEL_OF.get(jp_role or "", UNSPECIFIED)


def service_of(jp_role: str | None) -> str | None:
    """Service of a jp_role code, or None (ministers, officials, unknown)."""
    return _SERVICE_OF.get(jp_role or "")


def roles_of_levels(levels: Iterable[str]) -> tuple[list[str], bool]:
    """``(role codes, include_null)`` for a set of level names."""
    codes: list[str] = []
    include_null = False
    for lv in levels:
        if lv == UNSPECIFIED:
            include_null = True
        else:
            codes.extend(LEVELS[lv])
    return codes, include_null


def roles_of_services(services: Iterable[str]) -> list[str]:
    return [c for s in services for c in SERVICES[s]]
