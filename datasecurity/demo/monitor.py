"""The security page's demo (SEC-3): a few failed sign-ins, a contact reveal, HR's staff directory
export of more rows than an hour allows (a bulk-read alert), then the monitoring job's run."""

import random

from callcenter.demo import register_demo_seeder
from callcenter.models import User
from callcenter.roles import Role
from datasecurity.services import audit_record, audit_sign_in_failure_record, security_monitor_scan


@register_demo_seeder(order=90)
def seed_security(rng: random.Random, employees, months: int, stdout) -> dict:
    if months <= 0:  # the org only
        return {}
    hr = User.objects.filter(is_active=True, groups__name=Role.HR).order_by("pk").first()
    handler = User.objects.filter(is_active=True, groups__name=Role.COMPLAINT_HANDLER).order_by("pk").first()
    for username in ("agent", "agent", "nobody"):
        audit_sign_in_failure_record(username=username)
    if handler is not None:
        audit_record(actor=handler, action="complaint.contact_reveal", changes={"fields": ["phone"]})
    if hr is not None:
        audit_record(actor=hr, action="directory.export", changes={"format": "xlsx", "rows": 250 + rng.randrange(50)})
    result = security_monitor_scan()
    stdout.write(f"Security monitoring: {result.watched} watched events, {result.alerts_raised} alert(s).\n")
    return {"security_alerts": result.alerts_raised}
