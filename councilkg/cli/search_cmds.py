"""CLI commands of the `search` layer."""

from __future__ import annotations

import json
from pathlib import Path

import click

from councilkg.settings import Settings


@click.command("search")
@click.argument("query")
@click.option("-k", "k", type=click.IntRange(1, 1000), default=10, show_default=True, help="Results to show.")
@click.option("--offset", type=click.IntRange(0), default=0, help="Skip this many results (paging).")
@click.option("--authority", help="Only papers of this authority (case-insensitive substring).")
@click.option("--from-year", type=int, help="Only papers dated in or after this year.")
@click.option("--to-year", type=int, help="Only papers dated in or before this year.")
@click.option("--committee", help="Only papers of this committee (case-insensitive substring).")
@click.option("--type", "document_type", help="Only papers of this document type (substring).")
@click.option("--entity", help="Only passages that mention this entity key.")
@click.option(
    "--sort",
    type=click.Choice(["relevance", "date"]),
    default="relevance",
    show_default=True,
    help="Best first, or newest first among the passages that answer.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of results.")
@click.pass_obj
def search_cmd(
    settings: Settings,
    query: str,
    k: int,
    offset: int,
    authority: str | None,
    from_year: int | None,
    to_year: int | None,
    committee: str | None,
    document_type: str | None,
    entity: str | None,
    sort: str,
    as_json: bool,
) -> None:
    """Find the passages that answer QUERY, in your own words (hybrid semantic + keyword search).

    Table rows are shown read out with their column headers and tick boxes as words; the
    offsets point at the paper's own text. Near-duplicates are shown once with a count.
    """
    from search.index import open_existing_search_index
    from search.models import SearchFilters

    filters = SearchFilters(
        authority=authority,
        from_year=from_year,
        to_year=to_year,
        committee=committee,
        document_type=document_type,
        entity=entity,
    )
    index = open_existing_search_index(settings)  # read-only: never creates the index
    try:
        page = index.search_page(query, k=k, filters=filters, offset=offset, sort=sort)
    finally:
        index.close()
    results = page.results
    if as_json:
        click.echo(json.dumps([r.to_json() for r in results], ensure_ascii=False, indent=2))
        return
    if not results:
        from search.keyword import NO_SEARCH_WORDS, has_search_words

        click.echo("no passages found" if has_search_words(query) else NO_SEARCH_WORDS)
    elif not page.good_match:
        click.echo("no good match: these are only the nearest passages there are")
    else:
        click.echo(f"about {page.total}{'+' if page.total_capped else ''} passages answer")
    if page.respelled:
        click.echo(f"showing results for: {page.respelled} (nothing close to the query as typed)")
    else:
        for suggestion in page.suggestions:
            click.echo(f"did you mean: {suggestion}")
    for rank, r in enumerate(results, start=offset + 1):
        where = ", ".join(x for x in (r.authority, r.date, r.section) if x)
        more = f" (+{r.more_like_this} like this)" if r.more_like_this else ""
        click.echo(f"{rank:>3}. [{r.score:.3f}] {r.file_name} {r.start}-{r.end} ({where}){more}")
        click.echo("     " + " ".join(r.shown.split())[:400])


@click.command("eval-search")
@click.option(
    "--queries",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help='JSON list of {"q": question, "any": [answer phrases]}.',
)
@click.option(
    "--papers",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Index this folder of papers (and its catalogue.csv) first.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.pass_obj
def eval_search_cmd(settings: Settings, queries: Path, papers: Path | None, as_json: bool) -> None:
    """Report success@1/@5/@10 and MRR of search, keyword-only and dense-only on the same passages."""
    from search.evaluation import evaluate_search, format_scores
    from search.index import SearchIndex

    index = SearchIndex(settings)
    try:
        scores = evaluate_search(index, queries, papers)
    finally:
        index.close()
    if as_json:
        names = {"hybrid": "councilkg", "keyword": "keyword", "dense": "dense"}
        click.echo(json.dumps({names[s.mode]: s.to_json() for s in scores}, indent=2))
    else:
        click.echo(format_scores(scores))


COMMANDS: list[click.Command] = [search_cmd, eval_search_cmd]
