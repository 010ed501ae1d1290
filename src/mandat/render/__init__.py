"""Renderers: turn an issued ``Document`` record into bytes (CII XML, PDF), deterministically."""
