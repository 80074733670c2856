"""`alertctl backtest`: the recorded samples replayed through the engine and notification policy `watch` runs.

`timeline` turns a metric's stored hours into the steps a rule sees, `replay` runs them
through `engine.evaluate` and `notify.policy.decide` with alert rows kept in memory,
`compare` says what one config raises that another does not. All three are pure; `run`
reads the database (read-only) and hands them the history.
"""
