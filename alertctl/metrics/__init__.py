"""Where samples come from: psutil for the system, subprocess and sockets for checks.

This is the only package that imports psutil. Nothing is re-exported here so that
`alertctl.metrics.catalog` (read by config validation and `history`) can be
imported without paying for psutil; take `Collector` from `alertctl.metrics.collector`.
"""
