"""Search layer: passages from the corpus, dense + keyword retrieval, expansion from the graph."""
