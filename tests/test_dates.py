"""Date stage: finder (what the text writes) and DateContext (what it means in order).

Sentences marked "corpus" are copied from examples/corpus; the others are written
for these tests so that the rules are checked beyond the corpus.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from defcoop.extract.dates import DateContext, DateMention, cues, document_date, find_dates
from defcoop.normalize import normalize
from defcoop.records import DateValue


def one(text: str) -> DateMention:
    ms = find_dates(normalize(text).text)
    assert len(ms) == 1, [m.text for m in ms]
    return ms[0]


def iso(text: str, ctx: DateContext | None = None) -> tuple[str | None, str | None, str]:
    """(iso, end_iso, rule) of the only date in ``text``."""
    v = (ctx or DateContext()).resolve(one(text))
    return v.iso, v.end_iso, v.rule


def texts(text: str) -> list[str]:
    return [m.text for m in find_dates(normalize(text).text)]


# --------------------------------------------------------------------------- absolute


@pytest.mark.parametrize(
    ("text", "expected", "rule"),
    [
        # corpus
        (
            "2024年5月、木原防衛大臣(当時)は、マールズ豪副首相兼国防大臣とハワイにて会談を行い",
            "2024-05",
            "abs:ym",
        ),
        ("2016年の防衛装備品・技術移転協定の発効以降、中古装備品の無償譲渡", "2016", "abs:y"),
        ("1. 特別首脳会議(2023年12月17日、東京)", "2023-12-17", "abs:ymd"),
        # written for the tests
        ("2019年7月3日、海上自衛隊の護衛艦がスービック湾に寄港した。", "2019-07-03", "abs:ymd"),
        ("２０２１年１０月１５日、日比防衛相会談を行った。", "2021-10-15", "abs:ymd"),  # full width
        ("2018年 6 月、連絡メカニズムの運用を開始した。", "2018-06", "abs:ym"),  # PDF spacing
        ("2025/3/31に署名された。", "2025-03-31", "abs:ymd"),
    ],
)
def test_absolute_western(text: str, expected: str, rule: str) -> None:
    got, end, r = iso(text)
    assert (got, end, r) == (expected, None, rule)


@pytest.mark.parametrize(
    ("text", "expected", "rule", "era", "era_year"),
    [
        # corpus
        (
            "令和7(2025)年2月11日、防衛省・自衛隊は、福岡において",
            "2025-02-11",
            "abs:ymd",
            "reiwa",
            7,
        ),
        (
            "2023(令和5)年11月15日、第8回日ASEAN防衛担当大臣会合において",
            "2023-11-15",
            "abs:ymd",
            "reiwa",
            5,
        ),
        ("アデン湾海賊対処の水上部隊 令和7年10月の活動状況", "2025-10", "era:reiwa", "reiwa", 7),
        # written for the tests
        (
            "平成27年11月22日、防衛大臣はマレーシアを訪問した。",
            "2015-11-22",
            "era:heisei",
            "heisei",
            27,
        ),
        ("令和元年5月1日", "2019-05-01", "era:reiwa", "reiwa", 1),
        ("平成元年", "1989", "era:heisei", "heisei", 1),
        ("昭和33年に初めて留学生を受け入れた。", "1958", "era:showa", "showa", 33),
        ("大正12年9月", "1923-09", "era:taisho", "taisho", 12),
        ("令和 7 年 2 月 13 日", "2025-02-13", "era:reiwa", "reiwa", 7),
        ("令和7年(2025年)2月", "2025-02", "abs:ym", "reiwa", 7),
        ("2025年(令和7年)2月", "2025-02", "abs:ym", "reiwa", 7),
        ("平成22(2010)年に署名", "2010", "abs:y", "heisei", 22),
        ("2019(令和元)年5月", "2019-05", "abs:ym", "reiwa", 1),
        ("令和元(2019)年", "2019", "abs:y", "reiwa", 1),
    ],
)
def test_era_years(text: str, expected: str, rule: str, era: str, era_year: int) -> None:
    m = one(text)
    assert (m.era, m.era_year) == (era, era_year)
    assert iso(text)[0::2] == (expected, rule)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10(同22)年に署名", "2010"),  # 同 = the era last named: 平成22 = 2010
        ("24(平成36)年度までに整備", "2024"),  # a plan written before 令和
        ("14(平成26)年7月の閣議決定", "2014-07"),
        ("19(同元)年", "2019"),  # 令和元年
        ("98(平成10)年", "1998"),
        ("89(昭和64)年1月", "1989-01"),
    ],
)
def test_white_paper_abbreviated_years(text: str, expected: str) -> None:
    got, _, rule = iso(text)
    assert got == expected
    assert rule.startswith("wp:abbrev")


def test_white_paper_year_with_inconsistent_gloss_keeps_written_digits() -> None:
    m = one("12(平成36)年")  # typo in the gloss: the written two digits win
    assert m.year == 2012


@given(st.dates(min_value=dt.date(1850, 1, 1), max_value=dt.date(2199, 12, 31)))
def test_any_valid_western_date_round_trips(d: dt.date) -> None:
    text = f"{d.year}年{d.month}月{d.day}日、会談を行った。"
    assert iso(text)[0] == d.isoformat()


@given(st.integers(min_value=1, max_value=30), st.integers(min_value=1, max_value=12))
def test_any_reiwa_year(n: int, month: int) -> None:
    assert iso(f"令和{n}年{month}月")[0] == f"{2018 + n:04d}-{month:02d}"


# --------------------------------------------------------------------------- relative


def narrative(*dates: str) -> DateContext:
    ctx = DateContext()
    ctx.start_paragraph()
    for d in dates:
        ctx.commit(DateValue(iso=d, rule="test"), lead=True)
    return ctx


@pytest.mark.parametrize(
    ("text", "context", "expected", "rule"),
    [
        # corpus
        (
            "同年8月、増田防衛事務次官は、モリアーティ豪国防次官と",
            "2024-05",
            "2024-08",
            "rel:same-year",
        ),
        (
            "同月、岸田内閣総理大臣(当時)は、アルバニージー豪首相と",
            "2024-09",
            "2024-09",
            "rel:same-month",
        ),
        # written for the tests
        ("同日、共同声明を発出した。", "2025-02-11", "2025-02-11", "rel:same-day"),
        ("翌年2月、ハノイで第2回協議を行った。", "2023-11", "2024-02", "rel:next-year"),
        ("翌月下旬、親善訓練を行った。", "2024-12", "2025-01", "rel:next-month"),
        ("翌日、基地を視察した。", "2024-02-29", "2024-03-01", "rel:next-day"),
        ("前年10月に署名された覚書", "2019-03", "2018-10", "rel:prev-year"),
        ("前月の会談を踏まえ", "2024-01", "2023-12", "rel:prev-month"),
        ("前日に到着した", "2025-03-01", "2025-02-28", "rel:prev-day"),
        ("同月下旬、寄港した。", "2024-06", "2024-06", "rel:same-month"),
        ("同月15日、署名した。", "2024-06", "2024-06-15", "rel:same-month"),
        ("同年夏頃に派遣", "2024-06", "2024", "rel:same-year"),
    ],
)
def test_anaphoric_words(text: str, context: str, expected: str, rule: str) -> None:
    assert iso(text, narrative(context))[0::2] == (expected, rule)


def test_same_month_keeps_month_precision_and_part() -> None:
    m = one("同月下旬、護衛艦「いずも」が寄港した。")
    assert (m.rel_month, m.part) == ("same", "late")
    assert iso("同月下旬", narrative("2024-06-12"))[0] == "2024-06"


@pytest.mark.parametrize(
    ("text", "expected", "rule"),
    [
        ("同年度", "2024", "rel:same-year+fy"),  # 2025-02 is in fiscal 2024
        ("翌年度", "2025", "rel:next-year+fy"),
    ],
)
def test_relative_fiscal_year_follows_the_april_start(text: str, expected: str, rule: str) -> None:
    assert iso(text, narrative("2025-02"))[0::2] == (expected, rule)


def test_relative_needs_the_unit_it_refers_to() -> None:
    # "同月" after a year-only date has no month to refer to: unresolved, not invented
    assert iso("同月", narrative("2024")) == (None, None, "unresolved:no-month-in-context")
    assert iso("同日", narrative("2024-06")) == (None, None, "unresolved:no-day-in-context")
    assert iso("同年", DateContext()) == (None, None, "unresolved:no-year-in-context")


def test_same_month_skips_a_year_only_aside() -> None:
    # "同月" = the month last stated: a year-only aside in between does not hide it
    ctx = narrative("2024-06")
    ctx.commit(
        DateValue(iso="2021", rule="abs:y"), lead=False
    )  # "オランダの2021年のフリゲート艦の派遣"
    assert iso("同月", ctx)[0] == "2024-06"
    assert iso("同年", ctx)[0] == "2021"


@pytest.mark.parametrize(
    ("text", "expected", "rule"),
    [
        ("本年11月に第21回日ASEAN交通大臣会合を開催。", "2025-11", "rel:current-year"),  # corpus
        ("本年", "2025", "rel:current-year"),
        ("今年4月", "2025-04", "rel:current-year"),
        ("昨年", "2024", "rel:last-year"),
        ("一昨年", "2023", "rel:before-last-year"),
        ("来年3月に予定", "2026-03", "rel:coming-year"),
        ("本日、防衛大臣は", "2025-02-13", "rel:current-day"),
        ("昨日", "2025-02-12", "rel:last-day"),
        ("今月", "2025-02", "rel:current-month"),
        ("先月下旬", "2025-01", "rel:last-month"),
        ("本年度", "2024", "rel:current-year+fy"),  # 2025-02-13 lies in fiscal 2024
    ],
)
def test_deictic_words_use_the_document_date(text: str, expected: str, rule: str) -> None:
    ctx = DateContext("2025-02-13")
    ctx.start_paragraph()
    ctx.commit(DateValue(iso="2019-06", rule="t"), lead=True)  # narrative must not matter
    assert iso(text, ctx)[0::2] == (expected, rule)


def test_deictic_without_anchor_falls_back_to_the_narrative_and_says_so() -> None:
    assert iso("本年10月に初めて開催", narrative("2023"))[0::2] == (
        "2023-10",
        "rel:current-year~narrative",
    )
    assert iso("本年", DateContext()) == (None, None, "unresolved:no-year-in-context")


def test_anaphora_without_narrative_falls_back_to_the_anchor() -> None:
    ctx = DateContext("2025-02-11")
    assert iso("同日に福岡で開催した", ctx)[0::2] == ("2025-02-11", "rel:same-day~anchor")


# --------------------------------------------------------------------------- month/day only


def test_month_day_without_year_takes_the_context_year() -> None:
    m = one("5月9日、日比防衛相会談を行った。")
    assert (m.year, m.month, m.day, m.form) == (None, 5, 9, "partial")
    assert iso("5月9日", narrative("2024-04"))[0::2] == ("2024-05-09", "ctx:year")
    assert iso("5月9日", DateContext("2025-02-13"))[0::2] == ("2025-05-09", "ctx:year~anchor")
    assert iso("5月9日", DateContext()) == (None, None, "unresolved:no-year-in-context")


def test_month_only_in_a_table_row_takes_the_section_year() -> None:
    # corpus 002: the year comes from the section heading "友好協力50周年(2023年)"
    ctx = DateContext()
    ctx.start_section()
    ctx.start_paragraph()
    ctx.commit(DateValue(iso="2023", rule="abs:y"), lead=True)
    for row, expected in [
        ("2月10日\tフィリピン\t日ASEANデジタル大臣会合", "2023-02-10"),
        ("(9月6日)\tインドネシア\t(日ASEAN首脳会議)", "2023-09-06"),
        ("10月11-12日\tベトナム\t日ASEAN防災閣僚級会合", "2023-10-11"),
    ]:
        ctx.start_paragraph()
        v = ctx.resolve(find_dates(row)[0])
        assert v.iso == expected
        ctx.commit(v, lead=True)


# --------------------------------------------------------------------------- spans


@pytest.mark.parametrize(
    ("text", "context", "start", "end"),
    [
        # corpus
        (
            "陸自は、同年12月から2025年2月にかけて、カンボジア王国軍に対し",
            "2024-08",
            "2024-12",
            "2025-02",
        ),
        (
            "空自は、2024年9月から10月にかけて、航空医学分野の能力構築支援事業",
            None,
            "2024-09",
            "2024-10",
        ),
        ("「日本とモンゴルの行動計画(2022年~2031年)」", None, "2022", "2031"),
        ("海自、フィジー 海軍と共同訓練を実施(11月3~7日)", "2025-11", "2025-11-03", "2025-11-07"),
        ("10月27-29日\t日本\t日ASEAN観光大臣特別対話", "2023", "2023-10-27", "2023-10-29"),
        # written for the tests
        ("12月から2025年2月にかけて派遣した。", "2024-10", "2024-12", "2025-02"),
        ("12月から2月にかけて派遣した。", "2024-10", "2024-12", "2025-02"),  # the end wraps
        ("9月1日~3日、東京で開催。", "2024", "2024-09-01", "2024-09-03"),
        ("9月1日〜3日、東京で開催。", "2024", "2024-09-01", "2024-09-03"),  # wave dash
        ("2023年9月4日~7日", None, "2023-09-04", "2023-09-07"),
        ("2024年4月から2025年3月まで", None, "2024-04", "2025-03"),
        ("2024年12月から翌年2月にかけて", None, "2024-12", "2025-02"),
        ("令和6年10月~令和7年3月", None, "2024-10", "2025-03"),
        ("2024年9-10月", None, "2024-09", "2024-10"),
    ],
)
def test_spans(text: str, context: str | None, start: str, end: str) -> None:
    ctx = narrative(context) if context else DateContext()
    got, got_end, _ = iso(text, ctx)
    assert (got, got_end) == (start, end)
    assert one(text).span_end is not None


def test_span_end_before_start_is_dropped() -> None:
    assert iso("2025年3月から2024年1月")[:2] == ("2025-03", None)


def test_span_mention_covers_the_whole_expression() -> None:
    m = one("陸自は、同年10月から12月にかけて、能力構築支援事業として")
    assert m.text == "同年10月から12月にかけて"
    assert m.cue == "にかけて"
    assert m.span_end is not None and m.span_end.text == "12月"


# --------------------------------------------------------------------------- since / until / as of


@pytest.mark.parametrize(
    ("text", "flag", "cue", "expected"),
    [
        # corpus
        ("吉田統幕長は、2024年4月以降、キャンベル豪国防軍司令官(当時)", "since", "以降", "2024-04"),
        (
            "陸自とカナダ陸軍は、2023年以来、日米共同指揮所演習「ヤマサクラ」",
            "since",
            "以来",
            "2023",
        ),
        ("2013年から能力構築支援を開始するなど", "since", "から", "2013"),
        ("2025年3月より、新たに防衛駐在官を派遣している。", "since", "より", "2025-03"),
        ("2025年4月現在、オーストラリア、英国との間で締結", "as_of", "現在", "2025-04"),
        ("2035年までに日英伊3か国により、いわゆる第5世代戦闘機を超える", "until", "までに", "2035"),
        # written for the tests
        ("2019年度から3年間、教官を派遣した。", "since", "から", "2019"),
        ("2027年まで対日調整国を担う", "until", "まで", "2027"),
        ("2030年に向けた日ASEANスポーツ協力の拡大を目指し", "until", "に向けた", "2030"),  # corpus
        ("2027年度を目途に整備する", "until", "を目途に", "2027"),
        ("2024年度以降の実績", "since", "以降", "2024"),
        ("2025年1月時点で", "as_of", "時点", "2025-01"),
    ],
)
def test_since_until_as_of(text: str, flag: str, cue: str, expected: str) -> None:
    m = one(text)
    assert getattr(m, flag) and m.cue == cue
    assert m.span_end is None
    assert iso(text)[0] == expected  # the start, no end


def test_fiscal_years() -> None:
    m = one("資料42(最近の日豪防衛協力・交流の主要な実績(2021年度以降))")
    assert m.fiscal and m.since
    assert iso("2023年度に続く2年連続のOSA案件")[0::2] == ("2023", "abs:y+fy")
    assert iso("令和6年度自衛隊音楽まつりに参加")[0::2] == ("2024", "era:reiwa+fy")


# --------------------------------------------------------------------------- parts, weekday, time


@pytest.mark.parametrize(
    ("text", "part", "approx", "expected"),
    [
        ("9月上旬、訓練を行った。", "early", False, "2024-09"),
        ("2024年11月中旬", "mid", False, "2024-11"),
        ("2025年初め", "early", False, "2025"),
        ("2024年前半", "first-half", False, "2024"),
        ("2023年末", "end", False, "2023"),
        ("同年末", "end", False, "2024"),
        ("同年夏頃から2027年まで", "summer", True, "2024"),  # corpus, "同年" = 2024
        ("2024年前後", None, True, "2024"),
        ("5月頃", None, True, "2024-05"),
    ],
)
def test_parts_keep_the_precision_written(
    text: str, part: str | None, approx: bool, expected: str
) -> None:
    m = one(text)
    assert (m.part, m.approx) == (part, approx)
    assert iso(text, narrative("2024-06"))[0] == expected


def test_weekday_and_time_are_read_but_do_not_break_the_date() -> None:
    text = "防衛省は令和7(2025)年2月11日(火)18時25分、同日に福岡で開催した"  # corpus
    ms = find_dates(text)
    assert [m.text for m in ms] == ["令和7(2025)年2月11日(火)", "同日"]
    assert ms[0].weekday == "火"
    ctx = DateContext()
    ctx.start_paragraph()
    first = ctx.resolve(ms[0])
    assert (first.iso, first.rule) == ("2025-02-11", "abs:ymd")
    ctx.commit(first, lead=True)
    assert ctx.resolve(ms[1]).iso == "2025-02-11"


def test_weekday_that_contradicts_the_date_is_flagged() -> None:
    assert iso("2025年2月11日(水)")[2] == "abs:ymd!weekday"
    assert iso("2月11日(火・祝)", DateContext("2025-02-13"))[0::2] == (
        "2025-02-11",
        "ctx:year~anchor",
    )


# --------------------------------------------------------------------------- coordination


def test_coordinated_months_share_the_year() -> None:
    text = "木原防衛大臣(当時)は、2024年6月および9月にブレア・カナダ国防大臣(当時)と会談を行った。"
    ms = find_dates(text)  # corpus
    assert [m.text for m in ms] == ["2024年6月", "9月"]
    assert ms[1].joined is ms[0]
    ctx = DateContext()  # no narrative needed: the year comes from the neighbour
    assert [ctx.resolve(m).iso for m in ms] == ["2024-06", "2024-09"]
    assert ctx.resolve(ms[1]).rule == "coord:inherit"


def test_coordinated_days_and_relative_years() -> None:
    ms = find_dates("人事発令 11月9日・10日付け、1佐職人事")  # corpus
    assert [m.text for m in ms] == ["11月9日", "10日"]
    assert [DateContext("2025-11-14").resolve(m).iso for m in ms] == ["2025-11-09", "2025-11-10"]
    ms = find_dates("陸自は、同年8月および9月から11月にかけて、軍楽隊育成に関する")  # corpus
    ctx = narrative("2024-05")
    assert [(ctx.resolve(m).iso, ctx.resolve(m).end_iso) for m in ms] == [
        ("2024-08", None),
        ("2024-09", "2024-11"),
    ]


def test_bare_day_needs_a_dated_neighbour() -> None:
    # corpus: "1日中両国の…" is a list item number, not a day
    assert texts("日中防衛当局の間で、1日中両国の相互理解および相互信頼を増進し") == []
    assert texts("1防衛大臣間の相互訪問の活性化2幕僚長級の相互訪問再開4日韓捜索") == []


# --------------------------------------------------------------------------- negatives


@pytest.mark.parametrize(
    "text",
    [
        "今後3年間で5,000人の人材育成支援を実施。",  # corpus
        "民・官合わせて5年間で350億ドルの資金がASEAN地域に動員される",  # corpus
        "韓国国防部長官として約15年ぶりに訪日した",  # corpus
        "日ブルネイ外交関係樹立40周年",  # corpus
        "友好協力50周年を記念し",  # corpus
        "「第14回日ASEAN防衛当局次官級会合」について",  # corpus
        "(合計130項目。40周年時の実施計画は75項目。)",  # corpus
        "日豪「2+2」の開催",
        "共同訓練「マラバール2024」を視察した。",  # corpus
        "豪空軍演習「ピッチ・ブラック24」の視察",  # corpus
        "わが国と400年以上の歴史的関係を有し",  # corpus
        "過去20年以上にわたり",  # corpus
        "2年連続のOSA案件",
        "1990年代に始まった",
        "約2000年前の遺跡",
        "3日間の日程で",
        "6か月にわたり",
        "11か月にわたり日本語教育の指導を行い",  # corpus
        "日本年金機構",
        "合同年次訓練",
        "同年代の隊員",
        "本日程の調整",
        "18時25分",
        "第5回協議",
        "2.8兆円規模の交通インフラ整備支援",  # corpus
        "同月2回目を実施した",  # "同月" is a date; "2回目" is not a day
    ],
)
def test_not_dates(text: str) -> None:
    found = find_dates(normalize(text).text)
    assert [m.text for m in found if m.text != "同月"] == []


def test_year_glued_to_a_name_is_marked() -> None:
    m = one("日ASEANアクションプラン2023年版を採択")
    assert m.in_name
    m = one("「日本とモンゴルの行動計画(2022年~2031年)」18の方向性")  # corpus
    assert m.quoted and not m.in_name
    assert not one("2024年5月、会談した").quoted


def test_empty_and_dateless_text() -> None:
    assert find_dates("") == []
    assert find_dates("防衛大臣は前述の会談で一層の連携を確認した。") == []


def test_years_outside_the_accepted_range_are_not_dates() -> None:
    cfg = cues()
    assert texts(f"{cfg.year_max + 1}年") == []
    assert texts(f"{cfg.year_min - 1}年") == []


# --------------------------------------------------------------------------- narrative semantics


def run(paragraphs: list[list[tuple[str, bool | None]]], ctx: DateContext) -> list[str | None]:
    """Resolve each written date in order; True/False commit as lead/aside, None skips."""
    out: list[str | None] = []
    for para in paragraphs:
        ctx.start_paragraph()
        for text, lead in para:
            v = ctx.resolve(one(text))
            out.append(v.iso)
            if lead is not None:
                ctx.commit(v, lead=lead)
    return out


def test_paragraph_start_uses_the_previous_lead_not_an_aside() -> None:
    ctx = DateContext()
    ctx.start_section()
    got = run(
        [
            # "2024年5月、…。同年8月、…。なお2025年に…を計画。"
            [("2024年5月、", True), ("同年8月、", True), ("2025年に", False)],
            # "同年9月、…" -> the lead of the previous paragraph is 2024-05: 2024
            [("同年9月、", True), ("同月、", True)],
            # a paragraph with only an aside does not become the lead
            [("2021年の派遣", False)],
            [("同年11月、", True)],
        ],
        ctx,
    )
    assert got == ["2024-05", "2024-08", "2025", "2024-09", "2024-09", "2021", "2024-11"]
    assert ctx.paragraph_lead is not None and ctx.paragraph_lead.iso == "2024-11"
    assert ctx.previous_lead is not None and ctx.previous_lead.iso == "2024-09"


def test_inside_a_paragraph_the_last_date_wins() -> None:
    # corpus 004: "2025年1月、…ヒーリー国防大臣と会談を行い、同年に計画されている英空母打撃群…"
    ctx = DateContext()
    got = run([[("2024年7月、", True)], [("2025年1月、", True), ("同年に計画", None)]], ctx)
    assert got == ["2024-07", "2025-01", "2025"]


def test_span_commits_its_end_as_the_last_date_and_its_start_as_lead() -> None:
    # "同月" inside the paragraph = the month written last (the span's end); the next
    # paragraph's "同年" = the year of the previous paragraph's lead (the span's start)
    ctx = DateContext()
    got = run(
        [
            [("2024年8月", True)],
            [("同年12月から2025年2月にかけて", True), ("同月、", True)],
            [("同年4月", True)],
        ],
        ctx,
    )
    assert got == ["2024-08", "2024-12", "2025-02", "2024-04"]


def test_new_section_restarts_the_year() -> None:
    ctx = DateContext()
    run([[("2024年5月、", True)], [("同年8月", True)]], ctx)
    ctx.start_section()
    ctx.start_paragraph()
    assert ctx.resolve(one("同年9月")).rule == "unresolved:no-year-in-context"
    ctx.start_section(anchor="2019-04-01")
    assert ctx.resolve(one("同年9月")).iso == "2019-09"
    assert ctx.resolve(one("本年")).iso == "2019"


def test_document_anchor_survives_sections() -> None:
    ctx = DateContext(anchor="2015-11-22")
    ctx.start_section()
    assert ctx.resolve(one("本日")).iso == "2015-11-22"
    assert ctx.resolve(one("昨年")).iso == "2014"


def test_unresolved_values_are_not_committed() -> None:
    ctx = DateContext()
    ctx.start_paragraph()
    v = ctx.resolve(one("同年"))
    ctx.commit(v, lead=True)
    assert v.iso is None and ctx.last is None and ctx.paragraph_lead is None


def test_bad_anchor_is_rejected() -> None:
    with pytest.raises(ValueError):
        DateContext("13 Feb 2025")


def test_corpus_narrative_with_asides() -> None:
    """A corpus passage (004, UK section): aside years inside paragraphs do not leak."""
    paragraphs = [
        # lead 2024-07; asides 2023年5月 (background), 2025年 (plan)
        "2024年7月、木原防衛大臣(当時)は、ロンドンにおいて、ヒーリー英国防大臣と会談を行った。"
        "両国は、2023年5月のG7広島サミットの際…。",
        "同年7月、同じくロンドンにおいて、木原防衛大臣(当時)は、…会合を行い、"
        "2035年までに日英伊3か国により…。",
        "同年10月、中谷防衛大臣は、イタリア・ナポリにおいて…、2025年中に両者間で最初の統合契約を締結すべく作業することで一致した。",
    ]
    ctx = DateContext()
    ctx.start_section()
    leads = []
    for p in paragraphs:
        ctx.start_paragraph()
        ms = find_dates(p)
        for i, m in enumerate(ms):
            v = ctx.resolve(m)
            if i == 0:
                leads.append(v.iso)
                ctx.commit(v, lead=True)
            elif not m.until:
                ctx.commit(v, lead=False)
    assert leads == ["2024-07", "2024-07", "2024-10"]


# --------------------------------------------------------------------------- offsets


def test_offsets_map_back_to_the_original_text() -> None:
    original = "記録：２０２４年１２月から２０２５年２月にかけて派遣。"
    nt = normalize(original)
    m = find_dates(nt.text)[0]
    assert nt.original_slice(m.start, m.end) == "２０２４年１２月から２０２５年２月にかけて"
    assert m.span_end is not None
    assert nt.original_slice(m.span_end.start, m.span_end.end) == "２０２５年２月"


# --------------------------------------------------------------------------- document date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("日豪防衛相会談について\n平成27年11月22日\n防衛省\n本日、中谷防衛大臣は…", "2015-11-22"),
        ("報道資料\n令和７年２月１３日 防衛省\n", "2025-02-13"),
        ("発表日：２０２５年２月１３日（木）\n本文", "2025-02-13"),
        ("タイトル\n- 日本の防衛\n2025-2-13 09:05\n防衛省は…", "2025-02-13"),
    ],
)
def test_document_date_line(text: str, expected: str) -> None:
    v = document_date(text)
    assert v is not None and v.iso == expected
    assert v.rule.startswith("doc:date-line")


def test_document_date_of_the_corpus_press_release() -> None:
    text = (
        "防衛省が2月11日に開催した「第14回 日ASEAN防衛当局次官級会合」の概要を発表\n"
        "- 日本の防衛\n"
        "2025-2-13 09:05\n"
        "防衛省は令和7(2025)年2月11日(火)18時25分、同日に福岡で開催した…\n"
    )
    v = document_date(text)
    assert v is not None and v.iso == "2025-02-13"
    assert text[v.start : v.end] == "2025-2-13"
    # the title's "2月11日" resolves against it
    ctx = DateContext(v)
    assert ctx.resolve(find_dates(text.split("\n")[0])[0]).iso == "2025-02-11"


@pytest.mark.parametrize(
    "text",
    [
        "防衛省は2025年2月13日に発表した。\n",  # a date inside a sentence
        "タイトル\n2025年度予算の概要\n",
        "国家防衛戦略\n\n" + "本文。\n" * 20 + "令和7年2月13日\n",  # too far down
    ],
)
def test_no_document_date(text: str) -> None:
    assert document_date(text) is None
