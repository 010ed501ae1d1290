"""Use cases: accept, issue, render, replay, audit — wired with a database engine and a blob store."""
