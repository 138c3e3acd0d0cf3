"""Display labels (English and Japanese) for codes used in reports and charts."""

from __future__ import annotations

KIND_LABELS: dict[str, tuple[str, str]] = {
    "meeting": ("Meeting", "会談"),
    "two_plus_two": ("2+2", "外務・防衛閣僚協議(2+2)"),
    "consultation": ("Consultation", "協議"),
    "courtesy_call": ("Courtesy call", "表敬"),
    "conference": ("Conference", "会議・多国間会合"),
    "exercise": ("Exercise", "共同訓練"),
    "capacity_building": ("Capacity building", "能力構築支援"),
    "port_call": ("Port call", "寄港"),
    "agreement": ("Agreement", "協定等"),
    "visit": ("Visit", "訪問"),
    "equipment_transfer": ("Equipment / OSA", "防衛装備移転・OSA"),
    "seminar": ("Seminar", "セミナー・研修"),
    "other": ("Other", "その他"),
}

ROLE_LABELS: dict[str, tuple[str, str]] = {
    "PM": ("Prime Minister", "内閣総理大臣"),
    "MOFA_MIN": ("Foreign Minister", "外務大臣"),
    "MOD_MIN": ("Defense Minister", "防衛大臣"),
    "MOD_SVM": ("State Minister of Defense", "防衛副大臣"),
    "MOD_PVM": ("Parliamentary Vice-Minister", "防衛大臣政務官"),
    "MOD_AVM": ("Administrative Vice-Minister", "防衛事務次官"),
    "MOD_VMIA": ("Vice-Minister for International Affairs", "防衛審議官"),
    "ATLA": ("ATLA Commissioner", "防衛装備庁長官"),
    "CHOD": ("Chief of Staff, Joint Staff", "統合幕僚長"),
    "GSDF_COS": ("GSDF Chief of Staff", "陸上幕僚長"),
    "MSDF_COS": ("MSDF Chief of Staff", "海上幕僚長"),
    "ASDF_COS": ("ASDF Chief of Staff", "航空幕僚長"),
    "GSDF": ("GSDF units", "陸上自衛隊"),
    "MSDF": ("MSDF units", "海上自衛隊"),
    "ASDF": ("ASDF units", "航空自衛隊"),
    "MOD": ("Ministry of Defense", "防衛省"),
    "GOV": ("Government", "政府"),
}

LEVEL_LABELS: dict[str, tuple[str, str]] = {
    "leaders": ("Leaders", "首脳"),
    "ministers": ("Ministers", "閣僚"),
    "vice_ministers": ("Vice-ministers", "副大臣・次官級"),
    "chiefs_of_staff": ("Chiefs of staff", "幕僚長級"),
    "officials": ("Officials", "当局"),
    "units": ("Units", "部隊"),
    "unspecified": ("Unspecified", "不明"),
}

REGION_LABELS: dict[str, tuple[str, str]] = {
    "southeast_asia": ("Southeast Asia", "東南アジア"),
    "south_asia": ("South Asia", "南アジア"),
    "northeast_asia": ("Northeast Asia", "北東アジア"),
    "central_asia": ("Central Asia", "中央アジア"),
    "oceania_pacific": ("Oceania & Pacific", "大洋州・太平洋"),
    "europe": ("Europe", "欧州"),
    "middle_east": ("Middle East", "中東"),
    "africa": ("Africa", "アフリカ"),
    "americas": ("Americas", "米州"),
    "international": ("International", "国際機関"),
}

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "substantially_agreed": ("substantially agreed", "実質合意"),
    "signed": ("signed", "署名"),
    "in_force": ("in force", "発効・締結"),
    "revised": ("revised", "改訂"),
}

#: Chronology categories in the manner of the white paper's appendix tables
#: (最近の日豪防衛協力・交流の主要な実績): (key, English, Japanese).
CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("high_level", "High-level exchanges", "ハイレベル交流"),
    ("consultations", "Consultations between defense authorities", "防衛当局間協議"),
    ("services", "Service-to-service exchanges", "軍種間交流"),
    ("exercises", "Exercises and port calls", "共同訓練・寄港"),
    ("agreements", "Agreements and documents", "協定・文書"),
    ("cooperation", "Capacity building and equipment", "能力構築支援・防衛装備協力"),
    ("other", "Other exchanges", "その他の交流"),
)


def category_of(kind: str, level: str) -> str:
    """Appendix category of an event (see ``CATEGORIES``)."""
    if kind == "agreement":
        return "agreements"
    if kind in ("exercise", "port_call"):
        return "exercises"
    if kind in ("capacity_building", "equipment_transfer", "seminar"):
        return "cooperation"
    if kind == "consultation":
        return "consultations"
    if level in ("leaders", "ministers", "vice_ministers") or kind == "two_plus_two":
        return "high_level"
    if level in ("chiefs_of_staff", "units"):
        return "services"
    if kind in ("meeting", "courtesy_call", "conference", "visit"):
        return "high_level" if level == "officials" else "other"
    return "other"


def kind_label(kind: str, lang: str = "en") -> str:
    en, ja = KIND_LABELS.get(kind, (kind, kind))
    return en if lang == "en" else ja


def role_label(role: str | None, lang: str = "en") -> str:
    if not role:
        return ""
    en, ja = ROLE_LABELS.get(role, (role, role))
    return en if lang == "en" else ja


def level_label(level: str, lang: str = "en") -> str:
    en, ja = LEVEL_LABELS.get(level, (level, level))
    return en if lang == "en" else ja


def region_label(region: str | None, lang: str = "en") -> str:
    if not region:
        return ""
    en, ja = REGION_LABELS.get(region, (region, region))
    return en if lang == "en" else ja


def status_label(status: str | None, lang: str = "en") -> str:
    if not status:
        return ""
    en, ja = STATUS_LABELS.get(status, (status, status))
    return en if lang == "en" else ja
