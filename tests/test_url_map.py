"""The site's URL map, pinned: every rule, the endpoint that serves it and its methods.

Generated from the app as it was before the packages were reorganised by domain
(issue 10), so moving a view between modules cannot change an address, an
endpoint name or the methods a page accepts without this test saying so.
"""

from __future__ import annotations

URL_MAP = [
    ("/", "main.home", {"GET", "HEAD", "OPTIONS"}),
    ("/admin/", "backoffice.inbox", {"GET", "HEAD", "OPTIONS"}),
    ("/admin/analyse/", "insights.index", {"GET", "HEAD", "OPTIONS"}),
    ("/admin/analyse/innspill", "insights.inputs", {"GET", "HEAD", "OPTIONS"}),
    (
        "/admin/analyse/innspill/<int(max=2147483647):input_id>/stadfest",
        "insights.confirm_suggestion",
        {"OPTIONS", "POST"},
    ),
    ("/admin/analyse/kart", "insights.map_page", {"GET", "HEAD", "OPTIONS"}),
    ("/admin/analyse/kjor", "insights.start", {"OPTIONS", "POST"}),
    ("/admin/analyse/kjoringar", "insights.runs", {"GET", "HEAD", "OPTIONS"}),
    (
        "/admin/analyse/kjoringar/<int(max=2147483647):run_id>",
        "insights.run_detail",
        {"GET", "HEAD", "OPTIONS"},
    ),
    (
        "/admin/analyse/kjoringar/<int(max=2147483647):run_id>/status",
        "insights.run_status",
        {"GET", "HEAD", "OPTIONS"},
    ),
    ("/admin/analyse/ko", "insights.queue", {"GET", "HEAD", "OPTIONS"}),
    (
        "/admin/analyse/ko/<int(max=2147483647):input_id>",
        "insights.queue_confirm",
        {"OPTIONS", "POST"},
    ),
    ("/admin/analyse/kvalitet", "insights.quality", {"GET", "HEAD", "OPTIONS"}),
    ("/admin/analyse/status", "insights.latest_status", {"GET", "HEAD", "OPTIONS"}),
    (
        "/admin/analyse/tema/<int(max=2147483647):number>",
        "insights.theme",
        {"GET", "HEAD", "OPTIONS"},
    ),
    ("/admin/analyse/tren", "insights.retrain", {"OPTIONS", "POST"}),
    ("/admin/brukere", "backoffice.users", {"GET", "HEAD", "OPTIONS"}),
    ("/admin/brukere/<int:user_id>", "backoffice.user_edit", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("/admin/brukere/ny", "backoffice.user_new", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("/admin/eksport", "backoffice.exports", {"GET", "HEAD", "OPTIONS"}),
    (
        "/admin/eksport/horingssvar/<int:draft_id>.<fmt>",
        "backoffice.export_responses",
        {"GET", "HEAD", "OPTIONS"},
    ),
    ("/admin/eksport/innspill.<fmt>", "backoffice.export_inputs", {"GET", "HEAD", "OPTIONS"}),
    (
        "/admin/eksport/pameldingar.<fmt>",
        "backoffice.export_registrations",
        {"GET", "HEAD", "OPTIONS"},
    ),
    ("/admin/jobbar", "backoffice.jobs", {"GET", "HEAD", "OPTIONS"}),
    ("/admin/jobbar/<int(max=2147483647):job_id>", "backoffice.job", {"GET", "HEAD", "OPTIONS"}),
    (
        "/admin/jobbar/<int(max=2147483647):job_id>/status",
        "backoffice.job_status",
        {"GET", "HEAD", "OPTIONS"},
    ),
    (
        "/admin/jobbar/<int(max=2147483647):job_id>/avbryt",
        "backoffice.job_cancel",
        {"OPTIONS", "POST"},
    ),
    (
        "/admin/jobbar/<int(max=2147483647):job_id>/fil",
        "backoffice.job_download",
        {"GET", "HEAD", "OPTIONS"},
    ),
    ("/admin/horing", "backoffice.drafts", {"GET", "HEAD", "OPTIONS"}),
    ("/admin/horing/<int:draft_id>", "backoffice.draft", {"GET", "HEAD", "OPTIONS"}),
    ("/admin/horing/<int:draft_id>/arkiv", "backoffice.draft_archive", {"GET", "HEAD", "OPTIONS"}),
    (
        "/admin/horing/<int:draft_id>/del/<int:section_id>",
        "backoffice.section_edit",
        {"GET", "HEAD", "OPTIONS", "POST"},
    ),
    (
        "/admin/horing/<int:draft_id>/del/<int:section_id>/slett",
        "backoffice.section_delete",
        {"OPTIONS", "POST"},
    ),
    (
        "/admin/horing/<int:draft_id>/del/ny",
        "backoffice.section_new",
        {"GET", "HEAD", "OPTIONS", "POST"},
    ),
    (
        "/admin/horing/<int:draft_id>/endre",
        "backoffice.draft_edit",
        {"GET", "HEAD", "OPTIONS", "POST"},
    ),
    (
        "/admin/horing/<int:draft_id>/samandrag",
        "backoffice.draft_summary",
        {"GET", "HEAD", "OPTIONS"},
    ),
    ("/admin/horing/<int:draft_id>/svar", "backoffice.draft_responses", {"GET", "HEAD", "OPTIONS"}),
    ("/admin/horing/import", "backoffice.draft_import", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("/admin/horing/ny", "backoffice.draft_new", {"GET", "HEAD", "OPTIONS", "POST"}),
    (
        "/admin/horing/svar/<int:response_id>",
        "backoffice.response",
        {"GET", "HEAD", "OPTIONS", "POST"},
    ),
    (
        "/admin/horing/svar/<int:response_id>/trekk",
        "backoffice.response_withdraw",
        {"OPTIONS", "POST"},
    ),
    (
        "/admin/horing/vedlegg/<int:attachment_id>",
        "backoffice.attachment",
        {"GET", "HEAD", "OPTIONS"},
    ),
    ("/admin/innspill/<int:input_id>", "backoffice.input_detail", {"GET", "HEAD", "OPTIONS"}),
    (
        "/admin/innspill/<int:input_id>/ikkje-duplikat",
        "backoffice.input_not_duplicate",
        {"OPTIONS", "POST"},
    ),
    ("/admin/innspill/<int:input_id>/notat", "backoffice.input_note", {"OPTIONS", "POST"}),
    (
        "/admin/innspill/<int:input_id>/original",
        "backoffice.input_original",
        {"GET", "HEAD", "OPTIONS"},
    ),
    (
        "/admin/innspill/<int:input_id>/satsingsomrader",
        "backoffice.input_focus_areas",
        {"OPTIONS", "POST"},
    ),
    ("/admin/innspill/<int:input_id>/sladding", "backoffice.input_redaction", {"OPTIONS", "POST"}),
    ("/admin/innspill/<int:input_id>/status", "backoffice.input_status", {"OPTIONS", "POST"}),
    ("/admin/innspill/import", "backoffice.workshop_import", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("/admin/innspill/motenotat", "backoffice.workshop_note", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("/admin/innspill/utval", "backoffice.inbox_bulk", {"OPTIONS", "POST"}),
    ("/admin/logg", "backoffice.audit_log", {"GET", "HEAD", "OPTIONS"}),
    ("/admin/logg-inn", "backoffice.login", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("/admin/logg-ut", "backoffice.logout", {"OPTIONS", "POST"}),
    ("/admin/moter", "backoffice.meetings", {"GET", "HEAD", "OPTIONS"}),
    ("/admin/moter/<int:meeting_id>", "backoffice.meeting", {"GET", "HEAD", "OPTIONS"}),
    (
        "/admin/moter/<int:meeting_id>/avlys",
        "backoffice.meeting_cancel",
        {"GET", "HEAD", "OPTIONS", "POST"},
    ),
    (
        "/admin/moter/<int:meeting_id>/deltakarliste",
        "backoffice.attendance_list",
        {"GET", "HEAD", "OPTIONS"},
    ),
    (
        "/admin/moter/<int:meeting_id>/endre",
        "backoffice.meeting_edit",
        {"GET", "HEAD", "OPTIONS", "POST"},
    ),
    (
        "/admin/moter/<int:meeting_id>/melding",
        "backoffice.meeting_message",
        {"GET", "HEAD", "OPTIONS", "POST"},
    ),
    (
        "/admin/moter/<int:meeting_id>/oppmote",
        "backoffice.meeting_attendance",
        {"GET", "HEAD", "OPTIONS", "POST"},
    ),
    (
        "/admin/moter/<int:meeting_id>/pameldinger/<int:registration_id>/avmeld",
        "backoffice.registration_cancel",
        {"OPTIONS", "POST"},
    ),
    (
        "/admin/moter/<int:meeting_id>/pameldinger/<int:registration_id>/gjennomgatt",
        "backoffice.registration_reviewed",
        {"OPTIONS", "POST"},
    ),
    (
        "/admin/moter/<int:meeting_id>/pameldinger/<int:registration_id>/flytt",
        "backoffice.registration_move",
        {"OPTIONS", "POST"},
    ),
    ("/admin/moter/ny", "backoffice.meeting_new", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("/admin/oversikt", "backoffice.dashboard", {"GET", "HEAD", "OPTIONS"}),
    ("/admin/personvern", "backoffice.privacy", {"GET", "HEAD", "OPTIONS"}),
    ("/admin/personvern", "backoffice.privacy_lookup", {"OPTIONS", "POST"}),
    ("/admin/personvern/eksport", "backoffice.privacy_export", {"OPTIONS", "POST"}),
    ("/admin/personvern/kvittering", "backoffice.privacy_receipt", {"OPTIONS", "POST"}),
    (
        "/admin/personvern/kvittering/slett",
        "backoffice.privacy_receipt_delete",
        {"OPTIONS", "POST"},
    ),
    ("/admin/personvern/rydd", "backoffice.privacy_purge", {"OPTIONS", "POST"}),
    ("/admin/personvern/slett", "backoffice.privacy_delete", {"OPTIONS", "POST"}),
    ("/admin/prosess", "backoffice.process_switch", {"OPTIONS", "POST"}),
    ("/admin/prosesser", "backoffice.processes", {"GET", "HEAD", "OPTIONS"}),
    (
        "/admin/prosesser/<int(max=2147483647):process_id>",
        "backoffice.process_edit",
        {"GET", "HEAD", "OPTIONS", "POST"},
    ),
    (
        "/admin/prosesser/<int(max=2147483647):process_id>/aktiver",
        "backoffice.process_activate",
        {"GET", "HEAD", "OPTIONS", "POST"},
    ),
    (
        "/admin/prosesser/<int(max=2147483647):process_id>/arkiver",
        "backoffice.process_archive",
        {"GET", "HEAD", "OPTIONS", "POST"},
    ),
    ("/admin/prosesser/ny", "backoffice.process_new", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("/admin/regioner", "backoffice.regions", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("/admin/satsingsomrader", "backoffice.focus_areas", {"GET", "HEAD", "OPTIONS"}),
    (
        "/admin/satsingsomrader/<int:focus_area_id>",
        "backoffice.focus_area_edit",
        {"GET", "HEAD", "OPTIONS", "POST"},
    ),
    ("/admin/satsingsomrader/ny", "backoffice.focus_area_new", {"GET", "HEAD", "OPTIONS", "POST"}),
    # Closing the loop (issue 12): assessment of the input.
    ("/admin/rapportar", "backoffice.reports", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("/admin/prioriteringar/", "backoffice.priorities", {"GET", "HEAD", "OPTIONS"}),
    ("/admin/prioriteringar/publiser", "backoffice.priorities_publish", {"OPTIONS", "POST"}),
    (
        "/admin/prioriteringar/mote/<int(max=2147483647):meeting_id>/skjerm",
        "backoffice.priorities_screen",
        {"GET", "HEAD", "OPTIONS"},
    ),
    (
        "/admin/prioriteringar/mote/<int(max=2147483647):meeting_id>/resultat",
        "backoffice.priorities_live",
        {"GET", "HEAD", "OPTIONS"},
    ),
    ("/admin/vurdering/", "backoffice.assessments", {"GET", "HEAD", "OPTIONS"}),
    (
        "/admin/vurdering/godkjenn",
        "backoffice.assessment_approve",
        {"GET", "HEAD", "OPTIONS", "POST"},
    ),
    ("/admin/vurdering/publiser", "backoffice.answers_publish", {"OPTIONS", "POST"}),
    ("/admin/vurdering/svar", "backoffice.assessment_group", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("/healthz", "main.health", {"GET", "HEAD", "OPTIONS"}),
    ("/horing/", "consultation.index", {"GET", "HEAD", "OPTIONS"}),
    ("/horing/<slug>", "consultation.draft", {"GET", "HEAD", "OPTIONS"}),
    ("/horing/<slug>/horingssvar", "consultation.responses", {"GET", "HEAD", "OPTIONS"}),
    ("/horing/<slug>/kvittering", "consultation.receipt", {"GET", "HEAD", "OPTIONS"}),
    ("/horing/<slug>/svar", "consultation.respond", {"GET", "HEAD", "OPTIONS", "POST"}),
    (
        "/horing/<slug>/vedlegg/<int(max=2147483647):attachment_id>",
        "consultation.attachment",
        {"GET", "HEAD", "OPTIONS"},
    ),
    ("/innspill/", "suggestions.new", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("/innspill/kvittering", "suggestions.receipt", {"GET", "HEAD", "OPTIONS"}),
    ("/moter/", "meetings.regions", {"GET", "HEAD", "OPTIONS"}),
    ("/moter/<int(max=2147483647):meeting_id>", "meetings.meeting", {"GET", "HEAD", "OPTIONS"}),
    (
        "/moter/<int(max=2147483647):meeting_id>/pamelding",
        "meetings.signup",
        {"GET", "HEAD", "OPTIONS", "POST"},
    ),
    ("/moter/avmelding/<token>", "meetings.cancel", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("/moter/pamelding/kvittering", "meetings.receipt", {"GET", "HEAD", "OPTIONS"}),
    ("/moter/region/<slug>", "meetings.region", {"GET", "HEAD", "OPTIONS"}),
    ("/personvern", "main.privacy", {"GET", "HEAD", "OPTIONS"}),
    ("/prosess/<slug>", "processes.process", {"GET", "HEAD", "OPTIONS"}),
    (
        "/prosess/<slug>/innspill",
        "suggestions.process_new",
        {"GET", "HEAD", "OPTIONS", "POST"},
    ),
    (
        "/prosess/<slug>/prioriteringar",
        "priorities.process_new",
        {"GET", "HEAD", "OPTIONS", "POST"},
    ),
    (
        "/prosess/<slug>/prioriteringar/resultat",
        "priorities.process_results",
        {"GET", "HEAD", "OPTIONS"},
    ),
    ("/prosess/<slug>/svar/", "answers.process_index", {"GET", "HEAD", "OPTIONS"}),
    (
        "/prosess/<slug>/svar/kvittering",
        "answers.process_lookup",
        {"GET", "HEAD", "OPTIONS", "POST"},
    ),
    ("/prioriteringar/", "priorities.new", {"GET", "HEAD", "OPTIONS", "POST"}),
    (
        "/prioriteringar/mote/<int(max=2147483647):meeting_id>",
        "priorities.workshop",
        {"GET", "HEAD", "OPTIONS", "POST"},
    ),
    ("/prioriteringar/resultat", "priorities.results", {"GET", "HEAD", "OPTIONS"}),
    ("/prioriteringar/takk", "priorities.thanks", {"GET", "HEAD", "OPTIONS"}),
    ("/svar/", "answers.index", {"GET", "HEAD", "OPTIONS"}),
    ("/svar/kvittering", "answers.lookup", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("/sprak/<code>", "main.set_language", {"GET", "HEAD", "OPTIONS"}),
    ("/static/<path:filename>", "static", {"GET", "HEAD", "OPTIONS"}),
    ("/admin/horing/<int:draft_id>/arkiv", "backoffice.draft_archive_export", {"OPTIONS", "POST"}),
    ("/tilgjengelighet", "statements.accessibility", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("/tilgjengelighet/takk", "statements.accessibility_thanks", {"GET", "HEAD", "OPTIONS"}),
    ("/admin/erklaeringar", "backoffice.statement_texts", {"GET", "HEAD", "OPTIONS", "POST"}),
]


def _url_map(app) -> set[tuple[str, str, frozenset[str]]]:
    return {
        (rule.rule, rule.endpoint, frozenset(rule.methods)) for rule in app.url_map.iter_rules()
    }


def test_every_url_is_served_by_the_same_endpoint_with_the_same_methods(app):
    expected = {(rule, endpoint, frozenset(methods)) for rule, endpoint, methods in URL_MAP}
    actual = _url_map(app)
    assert sorted(actual - expected) == []  # nothing added or changed
    assert sorted(expected - actual) == []  # nothing lost or changed
