"""Linking with Wikidata: candidates for review, accepted links, checks, reconciliation."""
