"""Knowledge-graph layer: extractions in, RDF out (embedded Oxigraph or a remote store), SPARQL."""
