"""``manage.py bench`` suites of the performance app: ``appraisal`` (:mod:`.cycles`, the month-end
cycle with every employee) and ``bonus`` (:mod:`.bonus`, the bonus sheet and its exports). The
command imports every module of this package; runtime code never does."""

__all__: list[str] = []
