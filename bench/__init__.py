"""Benchmarks of cxpulse against the real local Kafka broker (see bench/README.md)."""
