"""Where samples come from: psutil for the system, subprocess and sockets for checks.

This is the only package that imports psutil. Nothing is re-exported here, so importing
one module does not pay for psutil; take `Collector` from `alertctl.metrics.collector`.
What each metric means lives beside the model, in `alertctl.catalog`.
"""
