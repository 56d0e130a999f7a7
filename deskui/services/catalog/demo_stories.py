"""What the demo desk's tickets say: per team, the customer's subject and words and the agents'
replies, notes and resolutions, fitting each desk's business (`support-processes`).

The demo (``deskui.services.catalog.demo``) plays the same seven kinds of story on every team,
in the order of ``KINDS``: a brand-new call, a top-priority one, one just acknowledged, one in
progress, one waiting on the customer, one breached and one resolved. Only the words differ
from desk to desk; the ages, priorities and states stay the demo's, so the UI tests and
snapshots keep their shape. A team this module does not know (custom sample data) gets
``GENERIC``.

Texts may hold ``{name}`` (the contact's full name) and ``{organisation}`` (their
organisation's name), filled when the ticket is opened.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS: tuple[str, ...] = (
    "new",
    "urgent",
    "acknowledged",
    "in-progress",
    "waiting",
    "breached",
    "resolved",
)


@dataclass(frozen=True, slots=True)
class Story:
    """One ticket's words. ``reply``: the agent's call back (in-progress, waiting, resolved);
    ``note``: the internal note written instead of calling back (breached); ``waiting``: why
    it waits on the customer; ``summary`` and ``late`` (the breach reason, used only when the
    resolution came after its due time): how it was resolved. ``product``: the product's slug,
    used when the team supports it."""

    subject: str
    body: str
    reply: str = ""
    note: str = ""
    waiting: str = ""
    summary: str = ""
    late: str = ""
    product: str | None = None


# Kenco: WES in distribution centres; one number day and night, call-backs within the hour.
KENCO: dict[str, Story] = {
    "new": Story(
        "Pick lists for the morning wave print blank",
        "Since the 06:00 wave was released every pick list comes out of the dock printers as "
        "a blank page. Pallet labels print fine and we have restarted both printers. The "
        "pickers are working from the scanners for now but it is slow.\n\n{name}, {organisation}",
    ),
    "urgent": Story(
        "Whole site locked out of WES: scanners and office PCs",
        "Nobody at our distribution centre can sign in to WES, on the RF scanners or in the "
        "office: 'authentication service unavailable'. Forty pickers are standing idle and "
        "the first trucks leave at 11:00. Please call me straight back.",
    ),
    "acknowledged": Story(
        "How do we move a SKU to a new pick face?",
        "We moved our fast movers to the front aisles over the weekend. What is the right way "
        "to change a SKU's pick face in WES so that replenishment follows it? The guide we "
        "have is for the old version.\n\nThanks, {name}",
    ),
    "in-progress": Story(
        "Replenishment tasks not created for aisle 12",
        "Since Thursday WES has stopped creating replenishment tasks for aisle 12. The pick "
        "faces run empty and pickers short-pick; the other aisles are fine.",
        reply="Called {name} back: reproduced with a copy of the site's slotting; the aisle "
        "12 locations lost their replenishment zone in Thursday's import. Fixing it now.",
    ),
    "waiting": Story(
        "Cycle count variance report: what do the columns mean?",
        "Our new inventory controller is asking what 'adj. var.' and 'net var.' mean on the "
        "cycle count variance report, and why they do not add up. Is there a guide?\n\n{name}",
        reply="Called back and went through the report's columns; emailed the cycle count "
        "guide. The totals depend on which count was reopened.",
        waiting="Asked {name} for the count number that does not add up.",
    ),
    "breached": Story(
        "Shipping manifests leave off the last pallet of each load",
        "The manifests WES prints at despatch are missing the last pallet of every load. The "
        "drivers have noticed and the carrier is asking questions.",
        note="Reproduced with the site's data: a load with more than 26 pallets drops the "
        "last one. Passed to development; no fix time yet, customer not called back.",
    ),
    "resolved": Story(
        "Could the pallet label show the best-before date bigger?",
        "Our pickers struggle to read the best-before date on the pallet labels from the "
        "forklift. Could WES print it bigger? Happy for this to go in as a change.",
        reply="Called {name} back: no change needed, the label designer has a large-date template.",
        summary="Showed {name} how to switch the pallet label to the large best-before "
        "template; printed a test label on the dock printer together.",
        late="The label designer was on leave; answered when he was back.",
    ),
}

# IT Works: university administration software, 09:00-17:00 Eastern, to liaisons only.
ITWORKS: dict[str, Story] = {
    "new": Story(
        "Offer letters carry the previous applicant's name",
        "Dear support, in this morning's batch of offer letters roughly one in ten greets the "
        "applicant by the previous applicant's name. We have stopped the mailing. Can you "
        "tell us whether last week's letters were affected too?\n\nRegards, {name}",
        product="itworks-admissions",
    ),
    "urgent": Story(
        "Finance will not open for anyone: 'database is locked'",
        "Since 09:30 nobody in the Bursar's office can open Finance; every screen says the "
        "database is locked. Today is the last day for fee payments and students are queueing "
        "at the counter.",
        product="itworks-finance",
    ),
    "acknowledged": Story(
        "Transcripts list last term's grades twice",
        "Transcripts printed from Student Records since Monday show every grade from last "
        "term twice, and the GPA is worked out on the doubled list. The screen itself looks "
        "right.\n\n{name}",
        product="itworks-student-records",
    ),
    "in-progress": Story(
        "Applicant import stops at row 214 with 'invalid date'",
        "The import of this year's applicants from the common application file stops at row "
        "214 with 'invalid date', and none of the 1,200 rows after it are loaded.",
        reply="Called {name} back: row 214 has a birth date of 31 June. Checking whether "
        "the import can skip and report such rows instead of stopping.",
        product="itworks-admissions",
    ),
    "waiting": Story(
        "Financial aid totals differ from the bursar's report",
        "The financial aid total on the Finance dashboard is $4,310 higher than the figure "
        "in the bursar's monthly report. Which one is right?\n\n{name}, {organisation}",
        reply="Called back: the dashboard counts pending awards, the report does not. Need "
        "to see the report's parameters to be sure.",
        waiting="Asked for a copy of the bursar's report with the parameters it was run with.",
        product="itworks-finance",
    ),
    "breached": Story(
        "Registration screen closes when a course code is typed",
        "After last week's update the registration screen closes without a message as soon as "
        "staff type a course code. Registration for the spring term opens on Monday.",
        note="Could not reproduce on the current release. Asked development to try it "
        "with the client's Access back end; nobody has called the client back yet.",
        product="itworks-student-records",
    ),
    "resolved": Story(
        "Change request: applicants' preferred names on offer letters",
        "Many applicants give a preferred name. Could the offer letters use it instead of the "
        "legal first name? Please treat this as a change request if need be.\n\n{name}",
        reply="Called {name} back: the field exists already; walked through it on a web demo "
        "session.",
        summary="No change needed: the offer letter template can use the preferred-name "
        "field (Admissions > Letters > Fields). Reclassified as a training issue.",
        late="The project manager who set up the letters was on leave.",
        product="itworks-admissions",
    ),
}

# Keystone: Khaos Control mail-order software, normal English working days.
KEYSTONE: dict[str, Story] = {
    "new": Story(
        "Web shop stock levels stopped updating from Khaos",
        "Since lunchtime the stock levels on our web shop have not changed, so we are "
        "selling items we sold out of this morning. The stock sync shows as running.\n\n"
        "{name}, {organisation}",
    ),
    "urgent": Story(
        "Order entry freezes on save: cannot take orders",
        "Every order freezes when we press save in order entry, on every PC, since about "
        "quarter to three. We have a queue of phone orders waiting and the courier collects "
        "at five.",
    ),
    "acknowledged": Story(
        "Despatch notes show our old returns address",
        "The despatch notes going out in parcels still show the returns address of the unit "
        "we moved out of in the summer. Where is that set?\n\nMany thanks, {name}",
    ),
    "in-progress": Story(
        "Card payments not matched to their orders",
        "Since Monday about half of the card payments taken over the phone are not matched to "
        "their orders, so the orders sit in 'awaiting payment' and do not release.",
        reply="Called {name} back; connected by remote session: the payment gateway's "
        "replies are arriving without the order number. Looking at the gateway log now.",
    ),
    "waiting": Story(
        "Picking list sort order changed after the upgrade",
        "Since the upgrade the picking lists are sorted by order number instead of by "
        "location, so the pickers walk the warehouse twice. Can we have the old order back?",
        reply="Called back: the sort order is set per warehouse profile and the upgrade "
        "reset one of them.",
        waiting="Asked {name} which warehouse profile their pickers use.",
    ),
    "breached": Story(
        "Invoices print with last year's VAT number",
        "The invoices printed since the upgrade show our old VAT number. Our accountant says "
        "we cannot send them like that.\n\n{name}",
        note="Remote session: the number comes from an old company profile the upgrade made "
        "the default. Asked development whether it is safe to switch back; not called back.",
    ),
    "resolved": Story(
        "How do we add a new sales channel?",
        "We are starting to sell on a second marketplace next month. How do we set it up as a "
        "sales channel so its orders come in separately?\n\n{name}",
        reply="Called {name} back and went through the sales channel setup on a remote session.",
        summary="Walked {name} through adding the marketplace as a sales channel with its own "
        "price list; a test order came in under it.",
        late="The integrations specialist was on leave that week.",
    ),
}

# Velsoft: hosted e-learning, 08:00-16:30 Atlantic; cases auto-assigned, clients emailed.
VELSOFT: dict[str, Story] = {
    "new": Story(
        "Certificates show the wrong completion date",
        "Learners who finished the Infection Control course yesterday received certificates "
        "dated the day they enrolled. Our auditors check these dates.\n\n{name}, {organisation}",
    ),
    "urgent": Story(
        "No learner can launch the First Aid course: blank screen",
        "Every learner who opens the First Aid course gets a blank white screen, on every "
        "browser we tried. Forty staff must finish it before their shifts on Friday.",
    ),
    "acknowledged": Story(
        "Bulk enrolment file rejects names with accents",
        "Our bulk enrolment file is rejected for every learner whose name has an accent "
        "(Hélène, José...). The file is saved as UTF-8.\n\nThank you, {name}",
    ),
    "in-progress": Story(
        "Quiz scores not reaching the gradebook",
        "Learners finish the module 3 quiz and see their score, but the gradebook still shows "
        "them as not attempted, so they cannot move on to module 4.",
        reply="Called {name} back: the quiz's passing score was changed after learners had "
        "started; looking at re-sending the scores to the gradebook.",
    ),
    "waiting": Story(
        "Completion report misses last week's learners",
        "The course completion report for November leaves out everyone who finished last "
        "week, although their certificates were issued.\n\n{name}",
        reply="Called back: the report filters on the enrolment date, not the completion "
        "date, for some courses.",
        waiting="Asked for the course name and one missing learner's login.",
    ),
    "breached": Story(
        "Learners' password reset emails never arrive",
        "Learners who use 'forgot password' never receive the email, not even in their spam "
        "folder. Our coordinators are resetting passwords by hand.",
        note="The mail log shows the reset emails refused by the client's mail filter. "
        "Asked hosting to check our sending domain; the client has not been called back.",
    ),
    "resolved": Story(
        "How do I give a manager read-only access to reports?",
        "A new manager needs to see her team's progress reports but must not change courses "
        "or enrolments. Which role should I give her?\n\n{name}",
        reply="Called {name} back: the 'Report viewer' role does exactly that.",
        summary="Showed {name} how to give the manager the Report viewer role for her team; "
        "she signed in and saw the reports. Resolution emailed; the case stays on file.",
        late="Waited for the account manager to confirm the client's licence covers it.",
    ),
}

# Paritor: Ensemble school music software; users log and rate their queries online.
PARITOR: dict[str, Story] = {
    "new": Story(
        "Timetable export leaves out Saturday lessons",
        "When we export the lesson timetable for our teachers, Saturday morning lessons are "
        "missing from the file. They show on screen.\n\nLogged as Medium. {name}",
    ),
    "urgent": Story(
        "Ensemble will not open for any user: 'licence expired'",
        "Since this morning Ensemble tells every user at {organisation} that the licence has "
        "expired and closes. Our licence was renewed in September. Nobody can take the "
        "register. Logged as High.",
    ),
    "acknowledged": Story(
        "Help page for instrument loans is out of date",
        "The help page for the instrument loans screen still shows the old layout and does "
        "not mention the deposit field. Logged as Low.\n\n{name}",
    ),
    "in-progress": Story(
        "Invoice run for spring term lessons stops part way",
        "The invoice run for spring term lessons stops after about 300 families with no "
        "message, and parents' invoices after that are not created. Logged as Medium.",
        reply="Called {name} back: the run stops on a family with two payers and no billing "
        "address. Working on a fix; the run can be restarted after that family.",
    ),
    "waiting": Story(
        "Spelling mistake on the parents' portal sign-in page",
        "The parents' portal sign-in page says 'Pasword'. Not urgent, but parents notice. "
        "Logged as Low.\n\n{name}",
        reply="Called back: found the text; checking whether it is ours or the school's own "
        "portal wording.",
        waiting="Asked {name} for a screenshot showing the portal's address bar.",
    ),
    "breached": Story(
        "Grade exam results not saving for some pupils",
        "When we enter this term's grade exam results, some pupils' results disappear when "
        "we save. It seems to be pupils who play two instruments. Logged as Medium.",
        note="Reproduced: the second instrument's result overwrites the first. Logged for "
        "development; the school has not had a reply yet.",
    ),
    "resolved": Story(
        "How do I add a new teacher to the timetable?",
        "We have a new violin teacher starting in January. How do I add her so that she "
        "appears on the timetable and can take registers? Logged as Low.\n\n{name}",
        reply="Called {name} back and talked through adding the teacher.",
        summary="Talked {name} through adding the teacher, her instruments and her "
        "timetable slots; she appears on the timetable.",
        late="The query waited behind the start-of-term rush.",
    ),
}

# Any other team (custom sample data): the story told in general terms.
GENERIC: dict[str, Story] = {
    "new": Story(
        "Reports come out blank since this morning",
        "Since this morning every report we print comes out blank.\n\n{name}, {organisation}",
    ),
    "urgent": Story(
        "Nobody can sign in to the system",
        "None of our users can sign in since about an hour ago. Work has stopped.",
    ),
    "acknowledged": Story(
        "Report totals differ from last month",
        "This month's summary report shows different totals for last month than it did a "
        "month ago. Which figures are right?\n\n{name}",
    ),
    "in-progress": Story(
        "Data import stops part way through",
        "Our monthly data import stops part way through with an error and loads nothing "
        "after that point.",
        reply="Called {name} back; looking at the import file now.",
    ),
    "waiting": Story(
        "Notification emails not arriving",
        "Our users no longer receive the system's notification emails.\n\n{name}",
        reply="Called back; the mail log shows the messages leaving us.",
        waiting="Asked {name} to check their mail filter.",
    ),
    "breached": Story(
        "Layout wrong after the upgrade",
        "Since the upgrade several screens show their fields overlapping.",
        note="Reproduced; waiting for development to look at it.",
    ),
    "resolved": Story(
        "How do I add a new user?",
        "We have a new member of staff. How do I give them an account?\n\n{name}",
        reply="Called {name} back and went through it.",
        summary="Walked {name} through adding a user; confirmed working.",
        late="Needed a specialist who was on leave.",
    ),
}

TEAM_STORIES: dict[str, dict[str, Story]] = {
    "kenco": KENCO,
    "itworks": ITWORKS,
    "keystone": KEYSTONE,
    "velsoft": VELSOFT,
    "paritor": PARITOR,
}


def stories_for(team: str) -> tuple[Story, ...]:
    """The team's seven stories in the order of ``KINDS`` (``GENERIC`` for an unknown team)."""
    stories = TEAM_STORIES.get(team, GENERIC)
    return tuple(stories[kind] for kind in KINDS)
