"""Forms of the complaint pages, one module per area; every public name is re-exported here, so
views write ``from complaints.forms import ComplaintRecordForm``. Forms check the shape of the
input; the services decide and explain every refusal."""

from complaints.forms import complaints
from complaints.forms.complaints import *  # noqa: F403

__all__ = [*complaints.__all__]
