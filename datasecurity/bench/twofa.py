"""The two-factor suite (SEC-2, SEC-3): what the login's gate costs per request, and the second
step itself. The gate runs on every request of every signed-in session, so its cost matters more
than the sign-in's: a session that passed is one session lookup (no query); a new session is
decided once (device, policy, roles); the code check locks the account's devices and audits."""

import binascii
import time

from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from callcenter.bench import BenchContext, BenchRow, percentile_row, register_bench_suite, timed
from datasecurity.middleware import TwoFactorMiddleware
from datasecurity.selectors import TWOFA_SESSION_KEY, twofa_gate
from datasecurity.services import twofa_enrol, twofa_verify

__all__ = ["twofa_suite"]

BENCH_KEY = "62656e63682d74776f66612d6b65792d30303031"  # "bench-twofa-key-0001"


@register_bench_suite("twofa")
def twofa_suite(ctx: BenchContext) -> list[BenchRow]:
    rows: list[BenchRow] = []
    user = ctx.users.get("hr") or next(iter(ctx.users.values()))
    middleware = TwoFactorMiddleware(lambda request: HttpResponse("ok"))
    factory = RequestFactory()

    def request_with(session):
        request = factory.get("/")
        request.user = user
        request.session = session
        return request

    passed = SessionStore()
    passed[TWOFA_SESSION_KEY] = f"verified:{user.pk}"
    timings, queries, _ = timed(lambda _: middleware(request_with(passed)), repeat=max(ctx.repeat, 200))
    rows.append(
        percentile_row(
            "2FA gate, a session that passed",
            "200",
            timings,
            queries,
            note="the decision is cached in the session",
            bar=(1, 0),
        )
    )

    with transaction.atomic():
        sid = transaction.savepoint()
        TOTPDevice.objects.filter(user=user).delete()
        twofa_enrol(actor=user, key=BENCH_KEY, code=f"{totp(binascii.unhexlify(BENCH_KEY), drift=-1):06d}")
        timings, queries, gate = timed(lambda _: twofa_gate(user=user), repeat=ctx.repeat)
        rows.append(percentile_row("2FA gate, a new session (decided once)", gate.state, timings, queries))

        started = time.perf_counter()
        ok = 0
        for _ in range(ctx.repeat):
            TOTPDevice.objects.filter(user=user).update(last_t=0, throttling_failure_count=0)
            code = f"{totp(binascii.unhexlify(BENCH_KEY)):06d}"
            twofa_verify(actor=user, code=code)
            ok += 1
        per_ms = (time.perf_counter() - started) * 1000 / max(ok, 1)
        rows.append(
            BenchRow(
                "2FA code check (twofa_verify: lock, TOTP, audit)",
                f"{ok} accepted",
                per_ms,
                None,
                "mean per sign-in, audit event included",
            )
        )
        transaction.savepoint_rollback(sid)
    return rows
