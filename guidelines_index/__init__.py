"""Manifests of the guideline libraries medassist can pull: each file's upstream path and sha256."""
