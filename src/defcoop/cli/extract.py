"""`defcoop extract` and `defcoop eval`: events straight from files, no database."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from defcoop.cli.app import app
from defcoop.errors import DefcoopError


def _extract_files(files: list[Path]) -> tuple[list[dict[str, object]], list[str]]:
    from defcoop.extract import extract_document
    from defcoop.readers import iter_paths, read_path

    records: list[dict[str, object]] = []
    errors: list[str] = []
    for path in iter_paths(files):
        try:
            doc = read_path(path)
            records.extend(e.to_gold() for e in extract_document(doc))
        except DefcoopError as err:
            errors.append(str(err))
    return records, errors


@app.command()
def extract(
    files: list[Path] = typer.Argument(
        ..., help="Files or folders to read (.txt, .md, .html, .pdf)."
    ),
    jsonl: bool = typer.Option(
        True, "--jsonl/--table", help="JSON Lines in the gold format (default) or a table."
    ),
) -> None:
    """Extract events from FILES and print them (gold record format); no database involved."""
    records, errors = _extract_files(files)
    if jsonl:
        out = sys.stdout
        for r in records:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
    else:
        from rich.console import Console
        from rich.table import Table

        t = Table("doc", "line", "kind", "date", "partners", "jp_role", "location")
        for r in records:
            t.add_row(
                str(r["doc"])[:12],
                str(r["line"]),
                str(r["kind"]),
                str(r["date"]),
                ",".join(str(p) for p in r["partners"]),  # type: ignore[attr-defined]
                str(r["jp_role"] or ""),
                str(r["location"] or ""),
            )
        Console().print(t)
    for e in errors:
        typer.echo(f"error: {e}", err=True)
    if errors:
        raise typer.Exit(1)


@app.command("eval")
def eval_cmd(
    gold: Path = typer.Argument(
        ..., help="Gold .jsonl file or folder (a COVERAGE.tsv beside it is honoured)."
    ),
    pred: list[Path] = typer.Argument(
        ..., help="Predicted .jsonl file(s), or documents/folders to extract first."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    show_errors: int = typer.Option(
        0, "--show-errors", help="List up to N misses and N spurious records."
    ),
) -> None:
    """Precision, recall and F1 per kind and field accuracies against a gold set."""
    from defcoop.evaluate import load_coverage, load_jsonl, score

    gold_recs = load_jsonl(gold)
    cov = load_coverage(gold / "COVERAGE.tsv" if gold.is_dir() else None)
    if all(p.suffix == ".jsonl" for p in pred):
        pred_recs: list[dict[str, object]] = []
        for p in pred:
            pred_recs.extend(load_jsonl(p))
    else:
        pred_recs, _ = _extract_files(pred)
    rep = score(gold_recs, pred_recs, cov)
    if as_json:
        typer.echo(json.dumps(rep.to_dict(), ensure_ascii=False))
        return
    o = rep.overall
    typer.echo(f"gold {o.gold}  pred {o.pred}  matched {o.tp}")
    typer.echo(f"precision {o.precision:.3f}  recall {o.recall:.3f}  F1 {o.f1:.3f}")
    typer.echo(f"{'kind':22} {'P':>6} {'R':>6} {'F1':>6} {'gold':>5} {'pred':>5}")
    for k, v in rep.per_kind.items():
        typer.echo(f"{k:22} {v.precision:6.3f} {v.recall:6.3f} {v.f1:6.3f} {v.gold:5d} {v.pred:5d}")
    typer.echo(
        "field accuracy on matched pairs: "
        + ", ".join(f"{f} {'-' if a is None else f'{a:.3f}'}" for f, a in rep.fields.items())
    )
    if show_errors:
        typer.echo("\n# missed")
        for g in rep.missed[:show_errors]:
            typer.echo(
                json.dumps(
                    {k: g.get(k) for k in ("doc", "line", "kind", "date", "partners", "quote")},
                    ensure_ascii=False,
                )
            )
        typer.echo("\n# spurious")
        for s in rep.spurious[:show_errors]:
            typer.echo(
                json.dumps(
                    {k: s.get(k) for k in ("doc", "line", "kind", "date", "partners", "quote")},
                    ensure_ascii=False,
                )
            )
