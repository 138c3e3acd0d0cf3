"""Location and occasion of an event, read from the clause that tells it.

Location: the place written before において / にて / で開催 / で行われ, or the
country or city visited (…を訪問し); facility words are dropped (ダーウィン空軍基地
-> ダーウィン), わが国 -> 日本. A name that is a meeting (…会議, …会合) is an
occasion, not a location. Occasion: the multilateral event before に際し / の際 /
の機会に / に併せて, without ordinal, organizer prefix or English acronym.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import yaml

_KATA = "ァ-ヶー"
_KANJI = "一-龥々"
_CONF = r"(?:会議|会合|サミット|シンポジウム|フォーラム|対話|ダイアログ|ADMMプラス|理事会|総会|首脳会議|フェア)"
_PLACE = rf"(?:[{_KATA}][{_KATA}・]*|わが国|我が国|日本|(?<![{_KANJI}])[{_KANJI}]{{2,3}}(?=において|にて|における|を(?:公式)?訪問|に公式訪問|に寄港|で(?:初)?開催))"

_LOC_MARK = re.compile(
    rf"({_PLACE}(?:の[{_KATA}][{_KATA}・]*)?)(?:[{_KANJI}]{{0,4}}(?:空軍基地|海軍基地|基地|国防省|港))?"
    rf"(?:の[A-Za-z{_KATA}{_KANJI}]{{0,8}}?(?:本部|基地))?"
    r"(?:において|における|にて|で(?:初)?開催|で行われ|で実施|に寄港|を(?:公式)?訪問|に公式訪問|での|で[^、。]{0,12}?が開催)"
)
_OCC = re.compile(
    rf"((?:[^、。「」]{{0,40}}?){_CONF}\d{{0,4}}(?:\([^()]{{0,80}}\))?(?:\d{{2,4}})?)"
    r"(?:への参加に際し|に際し|の際|の機会に|に併せて|において|に参加|に出席|出席のため|への出席)"
)
_FACILITY = re.compile(r"(?:空軍基地|海軍基地|陸軍基地|基地|国防省|港)$")


@lru_cache(maxsize=1)
def _place_rules() -> tuple[frozenset[str], tuple[str, ...], frozenset[str]]:
    """Deny list, kanji place suffixes and known kanji places (data/places.yaml)."""
    raw = yaml.safe_load(resources.files("defcoop.data").joinpath("places.yaml").read_text("utf-8"))
    return (
        frozenset(raw["not_places"]),
        tuple(raw["kanji_suffixes"]),
        frozenset(raw["kanji_places"]),
    )


def _clean_place(p: str, is_country: object) -> str | None:
    p = _FACILITY.sub("", p)
    if p in ("わが国", "我が国"):
        return "日本"
    if "の" in p:  # オーストラリアのダーウィン -> ダーウィン
        p = p.split("の")[-1]
    not_places, suffixes, kanji_places = _place_rules()
    if p in not_places or any(p.endswith(w) for w in not_places if len(w) > 2):
        return None  # "ミリタリーレベル", "地域": ordinary nouns before において
    if re.fullmatch(rf"[{_KANJI}]+", p) and not (
        p in kanji_places or p.endswith(suffixes) or (callable(is_country) and is_country(p))
    ):
        return None
    if "・" in p:  # イタリア・ナポリ -> ナポリ (country・city)
        head, _, tail = p.partition("・")
        if callable(is_country) and is_country(head) and tail:
            p = tail
    if not p or (len(p) < 2 and p != "日本"):
        return None
    return p


def find_location(clause: str, is_country: object = None) -> str | None:
    """The last place written for the act in ``clause`` (normalized text)."""
    loc = None
    for m in _LOC_MARK.finditer(clause):
        cand = m.group(1)
        if re.search(_CONF + r"$", cand):
            continue
        c = _clean_place(cand, is_country)
        if c:
            loc = c
    return loc


def clean_occasion(name: str) -> str:
    """The conference name as users know it (no ordinal, organizer, acronym)."""
    name = name.strip("、 ")
    paren = re.search(r"\(([^()]*(?:\([^()]*\))?[^()]*)\)", name)
    if paren:
        inner = paren.group(1)
        main = (name[: paren.start()] + name[paren.end() :]).strip()
        # a Japanese alias in parentheses is the common name (シャングリラ会合, ADMMプラス)
        name = inner if re.search(rf"[{_KATA}{_KANJI}]", inner) and ":" not in inner else main
    name = re.sub(r"^(?:第\d+回)", "", name)
    name = re.sub(r"^[^、。]*?主催(?:の)?", "", name)
    name = re.sub(r"^第\d+回", "", name)
    name = re.sub(r"(?:\d{2,4})$", "", name)
    return name.strip()


def find_occasion(clause: str) -> str | None:
    m = None
    for m2 in _OCC.finditer(clause):
        m = m2
    if not m:
        return None
    raw = m.group(1)
    # keep only the last noun phrase (after the last 、 or は)
    raw = re.split(r"[、,]|は|、|が|を|で開催された|で行われた|において開催された", raw)[-1]
    occ = clean_occasion(raw)
    return occ or None


_HOST = re.compile(
    rf"({_PLACE})(?=で開催|で行われ|において|における|にて|の[^、。]{{0,8}}(?:本部|基地|港|市))"
)
_ORGANIZER = re.compile(
    r"((?:[^、。()]|\([^()]*\)){1,50}?)(?:主催|が主催する|が開催した|が開催する)"
)


def context_spans(text: str) -> list[tuple[int, int]]:
    """Spans that name where or on what occasion something happened, or who hosted it.

    Partners mentioned only there (シンガポールで開催されたシャングリラ会合,
    NATO国防相会合に際し, 豪陸軍主催…) are context, not participants.
    """
    spans = [(m.start(1), m.end(1)) for m in _HOST.finditer(text)]
    spans += [(m.start(1), m.end(1)) for m in _OCC.finditer(text)]
    spans += [(m.start(1), m.end(1)) for m in _ORGANIZER.finditer(text)]
    return spans
