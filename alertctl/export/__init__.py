"""Publishing each `watch` cycle for Prometheus: the exposition text, a textfile, an endpoint.

`prometheus.py` renders (pure); `textfile.py` and `server.py` put the text where
node_exporter or a Prometheus server reads it. None of them prints: failures are
raised to the CLI, which says them once.
"""
