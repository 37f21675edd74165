"""Deterministic Persian demo data for the cache: `make run`, screenshots and benchmarks."""

from core.demo.generator import GenerationStats, generate

__all__ = ["GenerationStats", "generate"]
