"""Synthetic corpus: paragraphs of the bundled corpus, shuffled, dates and partners varied.

Every paragraph (non-empty line) of ``examples/corpus`` is drawn at random and
rewritten so that repeated paragraphs tell different events (a dedup stage must
not collapse them): its western years are shifted by the same random number of
years, its months rotated, its country names and the one-character country
abbreviations of compounds (日豪, 日米豪比) swapped for others. The paragraphs are
written as UTF-8 ``.txt`` files of random size (``--min-kb``..``--max-kb``, at most
1 MB) into a folder, until the folder holds ``--mb`` megabytes (10^6 bytes).

    uv run python benchmarks/synth.py benchmarks/out/synth-50 --mb 50

Deterministic for a given ``--seed``. Reused when the folder already holds a corpus
made with the same parameters (``manifest.json``).
"""

from __future__ import annotations

import argparse
import json
import random
import re
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "examples" / "corpus"
MB = 1_000_000
MAX_FILE_BYTES = 1 << 20

# Country names as the white paper writes them. Short names that are also parts of
# common words (タイ in タイミング, チリ) are left out; インド is guarded below.
COUNTRIES = (
    "オーストラリア",
    "インド",
    "英国",
    "フランス",
    "ドイツ",
    "イタリア",
    "カナダ",
    "ニュージーランド",
    "フィリピン",
    "インドネシア",
    "ベトナム",
    "マレーシア",
    "シンガポール",
    "カンボジア",
    "ラオス",
    "ミャンマー",
    "ブルネイ",
    "韓国",
    "米国",
    "モンゴル",
    "スリランカ",
    "バングラデシュ",
    "パキスタン",
    "ネパール",
    "モルディブ",
    "フィジー",
    "パプアニューギニア",
    "トンガ",
    "ウクライナ",
    "ポーランド",
    "スウェーデン",
    "フィンランド",
    "オランダ",
    "スペイン",
    "ノルウェー",
    "デンマーク",
    "ブラジル",
    "メキシコ",
    "サウジアラビア",
    "アラブ首長国連邦",
    "カタール",
    "ヨルダン",
    "トルコ",
    "エジプト",
    "ジブチ",
    "ケニア",
)
# One-character abbreviations inside compounds such as 日豪, 日米豪比, 日英伊.
ABBREVIATIONS = "豪米英仏独伊加比印尼越韓"

_COUNTRY_RE = re.compile(
    "|".join(
        re.escape(c) + ("(?!太平洋|洋|ネシア)" if c == "インド" else "")
        for c in sorted(COUNTRIES, key=len, reverse=True)
    )
)
_COMPOUND_RE = re.compile(f"日[{ABBREVIATIONS}]+")
_YEAR_RE = re.compile(r"(?<![0-9０-９])((?:19|20)[0-9]{2})(?=年)")
_MONTH_RE = re.compile(r"(?<![0-9０-９])([1-9]|1[0-2])(?=月)")


@dataclass(frozen=True)
class Manifest:
    target_bytes: int
    seed: int
    min_kb: int
    max_kb: int
    files: int = 0
    bytes: int = 0
    chars: int = 0
    paragraphs: int = 0


def corpus_paragraphs(corpus: Path = CORPUS) -> list[str]:
    """Non-empty lines of the bundled corpus, in file order."""
    out: list[str] = []
    for path in sorted(corpus.glob("*.txt")):
        out.extend(ln for ln in path.read_text("utf-8").split("\n") if ln.strip())
    return out


def vary(paragraph: str, rng: random.Random) -> str:
    """The paragraph with its years shifted, months rotated and partners swapped."""
    shift = rng.randint(-12, 3)
    rotate = rng.randint(0, 11)
    swap = dict(zip(COUNTRIES, rng.sample(COUNTRIES, len(COUNTRIES)), strict=True))
    abbr = dict(zip(ABBREVIATIONS, rng.sample(ABBREVIATIONS, len(ABBREVIATIONS)), strict=True))
    text = _YEAR_RE.sub(lambda m: str(int(m.group(1)) + shift), paragraph)
    text = _MONTH_RE.sub(lambda m: str((int(m.group(1)) - 1 + rotate) % 12 + 1), text)
    text = _COUNTRY_RE.sub(lambda m: swap[m.group(0)], text)

    def compound(m: re.Match[str]) -> str:
        seen: list[str] = []
        for ch in m.group(0)[1:]:
            new = abbr[ch]
            seen.append(new if new not in seen else ch)
        return "日" + "".join(seen)

    return _COMPOUND_RE.sub(compound, text)


def make_corpus(
    out: Path, mb: float, *, seed: int = 0, min_kb: int = 64, max_kb: int = 1024
) -> Manifest:
    """Write the synthetic corpus into ``out`` (reused if already made alike)."""
    target = int(mb * MB)
    max_bytes = min(max_kb * 1024, MAX_FILE_BYTES)
    manifest_path = out / "manifest.json"
    if manifest_path.exists():
        try:
            old = Manifest(**json.loads(manifest_path.read_text("utf-8")))
        except (TypeError, ValueError):
            old = None
        if old is not None and (old.target_bytes, old.seed, old.min_kb, old.max_kb) == (
            target,
            seed,
            min_kb,
            max_kb,
        ):
            return old
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("synth_*.txt"):
        stale.unlink()
    rng = random.Random(seed)
    paragraphs = corpus_paragraphs()
    total = chars = count = files = 0
    while total < target:
        files += 1
        budget = min(rng.randint(min_kb * 1024, max_bytes), target - total + 1024)
        lines = [f"合成文書 第{files}号(ベンチマーク用)"]
        size = len(lines[0].encode("utf-8")) + 1
        while True:
            para = vary(rng.choice(paragraphs), rng)
            n = len(para.encode("utf-8")) + 1
            if size + n > min(budget, max_bytes):
                break
            lines.append(para)
            size += n
        body = "\n".join(lines) + "\n"
        (out / f"synth_{files:05d}.txt").write_text(body, "utf-8")
        total += size
        chars += len(body)
        count += len(lines) - 1
    made = Manifest(target, seed, min_kb, max_kb, files, total, chars, count)
    manifest_path.write_text(json.dumps(asdict(made), indent=2), "utf-8")
    return made


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("out", type=Path, help="folder to write (created)")
    ap.add_argument("--mb", type=float, default=50.0, help="target size in MB (10^6 bytes)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--min-kb", type=int, default=64, help="smallest file (KiB)")
    ap.add_argument("--max-kb", type=int, default=1024, help="largest file (KiB, at most 1024)")
    args = ap.parse_args()
    made = make_corpus(args.out, args.mb, seed=args.seed, min_kb=args.min_kb, max_kb=args.max_kb)
    print(json.dumps(asdict(made)))


if __name__ == "__main__":
    main()
