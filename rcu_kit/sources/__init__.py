"""Step 0: the client's extracts. Loading CSV, Excel, Parquet and SQL sources (encoding and
separator detected, unreadable lines listed) and the built-in French demo engagement.
"""

from rcu_kit.sources.loaders import (
    LoadedSource, LoadedSources, load_source, load_all, summarise_sources, bad_lines_frame,
    excluded_lines_frame, save_sources_summary, loading_sentence
)
from rcu_kit.sources.demo import DemoResult, generate_demo

__all__ = ["LoadedSource", "LoadedSources", "load_source", "load_all", "summarise_sources",
           "bad_lines_frame", "excluded_lines_frame", "save_sources_summary", "loading_sentence",
           "DemoResult", "generate_demo"]
