"""Development tools: the fake Slack, signed Slack requests, the text renderer and the local console.

The tests, the console and the benchmarks use them; production code never imports them (enforced by
tests/test_layers.py). The one way in from production is the CLI, which imports the console lazily
when it is asked to start it (`supportbot shell`, or `supportbot run` without Slack tokens).
"""
