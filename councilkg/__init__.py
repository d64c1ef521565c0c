"""councilkg: a text-mining and knowledge-graph explorer over UK council papers.

This small package holds the wiring shared by every layer: settings, the project
exception type, and the command-line interface. The layers themselves live in the
top-level packages ``corpus`` → ``nlp`` → ``kg`` → ``search`` → ``web``.
"""

__version__ = "0.1.0"
