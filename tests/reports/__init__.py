"""Tests of the report files: names, layouts, writers and streaming parsers."""
