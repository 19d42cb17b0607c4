"""Rollup alerts: one alert for a brand, region or city, judged on the sum of its stores.

Every applied rating and negative of a store is a ``model.Contribution``; ``state.Rollups``
counts them in steps of event time per entity and judges the rules of ``rules/rollup_*`` at
each step boundary once every source partition has passed it (``model.Mark``), so the worker,
fed through Kafka in any interleaving of partitions, and the replay judge the same counts at
the same instants. Nothing here knows Kafka, Faust or the wall clock.
"""
