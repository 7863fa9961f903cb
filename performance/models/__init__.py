"""Monthly performance appraisal and the bonus sheet (PRF-1..PRF-4), one module per area; every
model is re-exported here (Django finds them through this package).

- PRF-1 (:mod:`.setup`): indicators in four groups; per post (岗位) a template of indicators whose
  weights sum to 100; (:mod:`.metrics`) the telephony figures automatic indicators read.
- PRF-2 (:mod:`.cycles`): one cycle per month, opened at month end, with the appraisal policy in force.
- PRF-3 (:mod:`.appraisals`): self-evaluation → superior's evaluation → combined score (``self_weight``
  / ``superior_weight`` of the policy) → feedback interview with an improvement plan.
- PRF-4 (:mod:`.bonus`): the bonus sheet: bonus base × the coefficient of the score band, minus that
  month's attendance fines and absenteeism deductions, plus rewards / minus fines.
"""

from performance.models import appraisals, bonus, cycles, metrics, setup
from performance.models.appraisals import *  # noqa: F403
from performance.models.bonus import *  # noqa: F403
from performance.models.cycles import *  # noqa: F403
from performance.models.metrics import *  # noqa: F403
from performance.models.setup import *  # noqa: F403

__all__ = [*appraisals.__all__, *bonus.__all__, *cycles.__all__, *metrics.__all__, *setup.__all__]
