"""Pure functions of TRN-1..TRN-3 (deadlines, pass/fail, attempts, time limits, indicator values):
no database, no request; policy values come in as arguments. One module per area."""

__all__: list[str] = []
