from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Customer complaints")

    def ready(self):
        # Imported here: Django imports apps.py before the models are ready.
        from django.db.models.signals import post_delete

        from callcenter.navigation import NavEntry, has_any_role, is_employee, is_employee_or_role, navigation_register
        from callcenter.providers import (
            DashboardCard,
            GrantTarget,
            LeaverHandOverProvider,
            SearchProvider,
            dashboard_card_register,
            grant_target_register,
            leaver_hand_over_register,
            search_provider_register,
        )
        from callcenter.roles import Role
        from callcenter.services import access_grants_object_deleted
        from complaints.models import Complaint
        from complaints.selectors import (
            complaint_by_reference,
            complaint_dashboard_counts,
            complaint_hand_over_colleagues,
            complaint_hand_over_items,
            complaint_search,
        )
        from complaints.services import complaint_hand_over

        # CMP-1..CMP-4: everyone records complaints and sees those concerning them; the selector
        # decides which.
        navigation_register(
            NavEntry(
                "complaints",
                _("Complaints"),
                "complaints:queue",
                "megaphone",
                200,
                is_employee_or_role(Role.COMPLAINT_HANDLER),
                group="complaints",
            ),
            NavEntry(
                "complaint_new",
                _("New complaint"),
                "complaints:new",
                "plus-circle",
                210,
                is_employee,
                group="complaints",
            ),
            NavEntry(
                "complaint_statistics",
                _("Complaint statistics"),
                "complaints:statistics",
                "bar-chart",
                220,
                has_any_role(Role.COMPLAINT_HANDLER, Role.COMPANY_LEADER, Role.DEPARTMENT_MANAGER, Role.HR),
                group="complaints",
            ),
        )

        # An auditor's (or any named person's) read access to one case, granted by HR for a
        # period (callcenter access grants); the complaints selector honours it.
        grant_target_register(
            GrantTarget(
                kind="complaint",
                model=Complaint,
                permission="complaints.view_complaint",
                find=complaint_by_reference,
                label=lambda complaint: complaint.reference,
                url_name="complaints:detail",
            )
        )

        def grant_target_deleted(sender, instance, **kwargs):
            access_grants_object_deleted(model=sender, object_pk=instance.pk)

        post_delete.connect(grant_target_deleted, sender=Complaint, weak=False, dispatch_uid="access-grants-complaint")

        # The complaint team's dashboard (issue 13): open, urgent, overdue, unassigned and own cases.
        dashboard_card_register(
            DashboardCard(
                "complaints_open",
                "complaints",
                "complaints/complaints/dashboard.html",
                complaint_dashboard_counts,
                roles=(Role.COMPLAINT_HANDLER,),
                needs_employee=False,
            )
        )
        # COC-8: a leaver's open complaints and call-backs are handed over from their exit checklist.
        leaver_hand_over_register(
            LeaverHandOverProvider(
                key="complaints",
                label=_("Open complaints and call-backs"),
                open_items=complaint_hand_over_items,
                colleague_choices=complaint_hand_over_colleagues,
                reassign=complaint_hand_over,
            )
        )
        # Issue 14: the global search finds complaints by number (CMP-1), never their contact details.
        search_provider_register(SearchProvider("complaints", _("Complaints"), complaint_search, order=20))
        _destruction_register()


def _destruction_register():
    """SEC-4: what the complaints app lets go once it is no longer needed (the retention schedule
    of ``datasecurity``; defaults and their reasons in docs/operations.md)."""
    from complaints.selectors import complaint_contacts_due, complaint_evidence_due
    from complaints.services import complaint_contacts_anonymise, complaint_evidence_destroy
    from datasecurity.services import DestructionCategory, DestructionMethod, destruction_category_register

    destruction_category_register(
        DestructionCategory(
            code="complaint_contacts",
            label=_("Customer contacts of closed complaints"),
            article="SEC-4",
            default_days=3 * 365,
            methods=(DestructionMethod.ANONYMISE,),
            due=complaint_contacts_due,
            execute=complaint_contacts_anonymise,
            reason=_(
                "Three years after closing: the civil-law limitation period (3 years) for a customer's claim "
                "about the matter; the complaint and its statistics stay, the contact is masked."
            ),
            order=10,
            unit=_("complaints"),
        ),
        DestructionCategory(
            code="complaint_evidence",
            label=_("Evidence files of closed complaints"),
            article="SEC-4",
            default_days=3 * 365,
            methods=(DestructionMethod.FILE_DELETE,),
            due=complaint_evidence_due,
            execute=complaint_evidence_destroy,
            reason=_("Three years after closing, with the contacts: the same limitation period for a claim."),
            order=20,
            unit=_("files"),
        ),
    )
