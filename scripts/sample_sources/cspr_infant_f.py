"""Event 2: Child Safeguarding Practice Review, Child F (4-month-old infant, non-accidental injury).

ENTIRELY FICTIONAL. Northmoor is an invented place; every name, address, school,
surgery, phone number, e-mail, NHS and NI number below is invented or taken from a
range reserved for fiction/testing (NHS 999..., Ofcom drama numbers, example.org,
QQ-prefixed NI numbers, the invented "NM" postcode area).

NHS numbers used (modulus 11, weights 10..2 over the first nine digits):
  999 214 3657  valid   (check digit 7)
"""

from model import n, pn

EVENT = {
    "event_id": "cspr-infant-f",
    "review_type": "CSPR",
    "review_ref": "NSCP-CSPR-2024-02",
    "held_on": "2024-11-12",
    "board": "Northmoor Safeguarding Children Partnership",
    "title": "Child Safeguarding Practice Review: Child F",
    "summary": (
        "Child F was four months old when she was brought to the emergency department in May 2024 with a "
        "skull fracture and older rib fractures that were judged to be non-accidental. Both parents had a "
        "history of substance misuse, the father was on licence for a violent offence against a former "
        "partner, and police had attended two domestic abuse incidents at the family home. Eleven agencies "
        "had contact with the family between the pregnancy and the injury."
    ),
}

PARTICIPANTS = {
    "P01": ("Health Visiting", "health visitor"),
    "P02": ("Midwifery", "community midwife"),
    "P03": ("Health Visiting", "health visiting team leader"),
    "P04": ("Health Visiting", "community nursery nurse"),
    "P05": ("Midwifery", "safeguarding midwife"),
    "P06": ("GP", "GP"),
    "P07": ("Children's Social Care", "social worker (assessment team)"),
    "P08": ("Children's Social Care", "team manager"),
    "P09": ("Children's Social Care", "MASH social worker"),
    "P10": ("Children's Social Care", "practice supervisor"),
    "P11": ("Police", "detective constable (child protection)"),
    "P12": ("Police", "response PC"),
    "P13": ("Emergency Department", "ED consultant"),
    "P14": ("Emergency Department", "paediatric liaison nurse"),
    "P15": ("Early Help", "early help practitioner"),
    "P16": ("Early Help", "early help team manager"),
    "P17": ("Substance Misuse Service", "recovery worker"),
    "P18": ("Domestic Abuse Service", "IDVA"),
    "P19": ("Probation", "probation officer"),
    "P20": ("Housing", "homelessness officer"),
    # The DA service sent its service manager, who had no case role: recorded as "NA" (not applicable).
    "P21": ("Domestic Abuse Service", "NA"),
}

FHA = "First-hand accounts"
CHRON = "Checking the chronology"
KPE1 = "Key practice episode 1: the new birth visit"
KPE2 = "Key practice episode 2: the ED attendance"
CTX = "Context"
DEC = "What helped or hindered decisions"
GOOD = "Good practice"
REC = "Recommendations"

SEGMENTS = [FHA, CHRON, KPE1, KPE2, CTX, DEC, GOOD, REC]

# breakout_notes.xlsx, sheet "Notes".
NOTES = {
    FHA: [
        n("P01", "HV did the new birth visit and one further contact. Described mum as 'quiet, a bit flat, but "
                 "doing everything right' with the baby."),
        n("P02", "CMW saw mum 7 times antenatally. Partner came to most appts and always answered for her."),
        n("P03", "HV team leader: 3 HVs covering what used to be 5 caseloads."),
        n("P04", "Nursery nurse never met the family - booked for 6 week weigh clinic but they DNA'd."),
        n("P05", "Safeguarding MW made the pre-birth referral because the older child is under an SGO and mum "
                 "disclosed cannabis. \"I thought it would go to a pre-birth assessment at least.\""),
        n("P06", "GP saw mum and Child F at the 8 week check. Baby well, feeding, smiling. Mum on her own. GP "
                 "didn't know about the police call-outs."),
        n("P07", "SW did the C&F assessment in Oct 2023. Visited mum 3 times, father not seen, mum said he "
                 "didn't live there."),
        n("P07", "SW described her three visits in some detail. Each time the flat was tidy, there was food in "
                 "the fridge and by the last visit the cot was set up. Mum was chatty and honest about the "
                 "cannabis, said she'd cut down to 'a bit at night'. Asked about the baby's father she said he "
                 "was 'around' but lived with his own mum and was 'getting himself sorted'. SW asked to meet him "
                 "and was told he was working. She didn't push it and on reflection that was the gap. She had 19 "
                 "cases and this one felt like one of the safer ones."),
        n("P08", "TM signed off the step-down to Early Help. Said CIN threshold wasn't met on what was known."),
        n("P09", "MASH SW dealt with the March 2024 police notification. RAG rated amber, info passed to HV, NFA."),
        n("P11", "DC from the CP unit is leading the criminal investigation. Can only talk about what police "
                 "knew before the injury."),
        n("P12", "Response PC attended the October incident. Mum crying, door frame damaged, father had left. "
                 "She said \"it's just words, he's never touched me\".", date="2023-10-03"),
        n("P13", "ED consultant saw Child F in May. Floppy, bulging fontanelle. Thought NAI straight away, the "
                 "'choking' story didn't fit."),
        n("P14", "Paed liaison nurse reviews every under-1 attendance the next working day and sends "
                 "notifications to HV and GP."),
        n("P15", "EH practitioner said mum's partner Jason was never there when she visited at 27 Heatherbank "
                 "Close. She was told he was at work, found out later he wasn't working.",
          pd=[("PERSON", "Jason"), ("ADDRESS", "27 Heatherbank Close")]),
        n("P16", "EH manager: workers had 18-20 families each."),
        n("P17", "Recovery worker saw father fortnightly for script reviews. He said he had 'no kids' and lived "
                 "with his mum. Tested positive for cocaine twice."),
        n("P18", "IDVA had mum's mobile as 07700 900118 but it was often off or went to voicemail. Offered "
                 "support after the Oct incident, mum declined.", pd=[("PHONE", "07700 900118")]),
        n("P19", "PO supervised father on licence. Address was his mother's. Presented well, attended every "
                 "appointment, 'a model supervisee'."),
        n("P20", "Homelessness officer: family presented as homeless on eviction in April. Placed in temp "
                 "accomodation in the neighbouring LA as there was nothing in Northmoor."),
        n("P21", "DA service manager attended for the service, no direct involvement. At the time the service "
                 "had a 6 week waiting list for medium risk."),
        n("P01", "HV remembered dad holding the baby the whole visit and mum 'watching him'."),
        n("P07", "SW: 'Mum was open about the cannabis, which I took as a good sign.'"),
    ],
    CHRON: [
        n("P05", "Booking 10/08/2023 at 16+3 weeks - late booking.", date="2023-08-10"),
        n("P05", "Referral to MASH was 24 August, not September as in the chronology.", date="2023-08-24"),
        n("P05", "Mother (Chloe Brannigan, DOB 02/11/2001) previously known to CSC because of the older child.",
          pd=[("PERSON", "Chloe Brannigan"), ("DATE_OF_BIRTH", "02/11/2001")]),
        n("P09", "MASH decision 4 Sept 2023: single assessment.", date="2023-09-04"),
        n("P12", "DA incident 3 Oct 2023 22:40, criminal damage. Father arrested, released NFA.",
          date="2023-10-03"),
        n("P11", "Police clarified the notification to MASH went on 12 Oct, 9 days after the incident, not the "
                 "same day as the chronology says.", date="2023-10-12"),
        n("P07", "Assessment closed 20 Oct, stepped down to EH.", date="2023-10-20"),
        n("P15", "EH allocated 6 Nov 2023. 6 home visits Nov to Jan.", date="2023-11-06"),
        n("P02", "Child F born 22 Jan 2024 at 37+2, 2 night stay.", date="2024-01-22"),
        n("P02", "Midwifery discharge day 10, 1 Feb.", date="2024-02-01"),
        n("P01", "New birth visit was 5 Feb 2024 (day 14). Chronology says 9 Feb, that's when it was written "
                 "up.", date="2024-02-05"),
        n("P16", "EH closed 19 Feb 2024, 'goals achieved'.", date="2024-02-19"),
        n("P06", "GP 8 wk check 4 March. Child F NHS no 999 214 3657, registered at Hollins Lane Surgery.",
          date="2024-03-04", pd=[("NHS_NUMBER", "999 214 3657"), ("FACILITY", "Hollins Lane Surgery")]),
        n("P17", "Father's positive cocaine tests were 11 Jan and 7 March 2024.", date="2024-03"),
        n("P12", "Second DA call 27 March 2024. Verbal argument, baby present, no arrest. DASH medium.",
          date="2024-03-27"),
        n("P09", "MASH received the notification 28 March. NFA, info shared with HV on 2 April.",
          date="2024-03-28"),
        n("P20", "Eviction and move to temp accommodation 8 April 2024.", date="2024-04-08"),
        n("P03", "HV transfer-out letter sent 12 April. Receiving team hadn't done a transfer-in visit by May.",
          date="2024-04-12"),
        n("P14", "ED attendance 27 April 2024, 23:10, 'crying and not feeding'. Discharged 01:30 with viral "
                 "illness advice.", date="2024-04-27"),
        n("P13", "ED attendance 20 May 2024 by ambulance. CT: skull fracture and subdural haemorrhage. Skeletal "
                 "survey: healing rib fractures.", date="2024-05-20"),
        n("P08", "Strategy discussion held 20 May at 19:00, within 3 hours of the ED referral.",
          date="2024-05-20"),
        n("P19", "Probation clarified father's licence ended in Feb 2024, not Dec 2023.", date="2024-02"),
    ],
    KPE1: [
        n("P01", "HV had the HV record and the midwifery handover. Handover said 'SW involvement closed, EH "
                 "open' and nothing about father's history."),
        n("P01", "Routine enquiry about DA not asked because dad was in the room - policy is only to ask when "
                 "mum is alone. No follow-up contact was planned to ask it.", flags="neg"),
        n("P01", "Noticed a small red mark on the left cheek. Mum said she'd scratched herself with her nails. "
                 "It looked like a scratch not a bruise, so in the HV's view the bruising protocol didn't apply.",
          date="2024-02-05"),
        n("P03", "TL: the protocol says 'any bruise or mark' in a non-mobile baby, but training had been a while "
                 "ago and the wording was ambiguous for scratches."),
        n("P18", "Poor practice by the HV not to follow the bruising protocol for a mark on a two week old.",
          flags="blame single"),
        n("P01", "HV: \"dad was lovely with her, really attentive, I had no reason to doubt them\""),
        n("P04", "CNN said new birth visits are now 60 mins, they were 45 at the time."),
        n("P15", "EH was still open at the time of the NBV but the HV didn't know. EH didn't get the visit "
                 "outcome either."),
        n("P02", "No safeguarding concerns were recorded on the midwifery discharge.", flags="neg"),
        n("P01", "If I'd known about the October incident I'd have asked to see mum alone, and I'd have looked "
                 "at that mark differently.", flags="hyp"),
        n("P03", "HV record system and CSC system don't link, HV can't see EH notes."),
        n("P10", "Practice supervisor: the NBV is 'the one universal contact everyone gets', it's where "
                 "curiosity about who else lives in the house should sit."),
        n("P01", "There was nothing to indicate dad was living there, none of his things were about and mum "
                 "said he visited.", flags="neg"),
        n("P05", "MW view: the handover form has no field for father or male carer history so it gets left off."),
    ],
    KPE2: [
        n("P14", "April attendance: both parents brought her. Triage - crying, reduced feeds, apyrexial. Seen "
                 "by a junior doctor, discharged with viral advice.", date="2024-04-27"),
        n("P13", "ED consultant reviewed the notes afterwards. No documented full skin check, no head "
                 "circumference. 'With what we know now the rib fractures were probably there then.'"),
        n("P13", "There were no bruises documented in April. Doctor examined the chest and listened but didn't "
                 "fully undress her.", flags="neg"),
        n("P14", "Liaison notification went to s.pickering@example.org, the old HV in Northmoor, who was on "
                 "leave. It never reached the new team.", pd=[("EMAIL", "s.pickering@example.org")]),
        n("P14", "ED safeguarding checklist asks 'known to social care?' - parents said no, and CP-IS showed "
                 "nothing because she had never been on a plan.", flags="neg"),
        n("P11", "ED should have checked who dad was. He was on our system as a DA perpetrator, one call to "
                 "MASH would have found it.", flags="blame"),
        n("P13", "Night time attendance, 14 in the waiting room and one middle grade on. A 3 month old at 11pm "
                 "is itself a flag in our guidance."),
        n("P01", "HV never received the April ED notification. First knew about it after the May injury.",
          flags="neg"),
        n("P13", "The ED 'think family' prompt wasn't in the electronic record in April, it was added in June."),
        n("P14", "If the notification had gone to the right team the HV could have visited within days.",
          flags="hyp"),
        n("P09", "MASH would have been able to see the earlier DA notifications if ED had rung us. That's the "
                 "whole point of MASH.", flags="hyp"),
        n("P13", "May attendance: safeguarding paediatrician in within the hour, strategy discussion within 3 "
                 "hrs.", date="2024-05-20"),
        n("P20", "Temp accommodation address wasn't on the ED record, they gave the old one."),
        n("P14", "Liaison team was 1.4 WTE for the whole trust at the time."),
    ],
    CTX: [
        n("P03", "HV service 40% vacancy in 2023-24, caseloads 600+ children per HV."),
        n("P08", "Assessment team had 50% agency SWs. The allocated SW was newly qualified (ASYE) with 19 cases."),
        n("P09", "MASH gets about 120 police notifications a week, no capacity to research each one properly."),
        n("P11", "Notification backlog in autumn 2023 because of the records system migration. That explains "
                 "the 9 days."),
        n("P16", "EH had just been restructured into family hubs, workers changed teams mid case."),
        n("P16", "Three EH managers in 2023."),
        n("P17", "SMS caseloads 70+ per recovery worker. Home visits only where children are known to live "
                 "with the client."),
        n("P19", "Probation staffing at about 60% in the local delivery unit."),
        n("P20", "No temporary accommodation in Northmoor in April 2024, every family was placed out of area."),
        n("P21", "DA service lost the perinatal IDVA post in the 2023 funding round."),
        n("P13", "ED in corridor care most nights that spring."),
        n("P15", "EH has no access to police systems, we rely on what parents tell us."),
        n("P07", "Still a lot of phone contact with families after COVID, some visits done on the doorstep."),
        n("P08", "No one escalated the step-down decision. There was no disagreement at the time.", flags="neg"),
    ],
    DEC: [
        n("P07", "The assessment relied on mum saying father didn't live there. It wasn't checked with police, "
                 "probation or SMS.", flags="neg"),
        n("P08", "Father was 'unseen' throughout, in every agency's record he's either a name or nothing at all."),
        n("P19", "Probation didn't know about the pregnancy. Father's record (NI QQ 98 76 54 A) had his mum's "
                 "address and 'no children'.", flags="neg", pd=[("NI_NUMBER", "QQ 98 76 54 A")]),
        n("P17", "SMS took his word that he had no children. Nobody asked for partner details.", flags="neg"),
        n("P15", "EH: apparent compliance - mum engaged with every visit and the goals were met on paper, but "
                 "father was never seen."),
        n("P10", "Practice supervisor: optimism. The family looked like they were doing better so each agency "
                 "stepped back a bit."),
        n("P12", "DASH was done once father had left, but mum minimised. Standard risk was based on her answers."),
        n("P18", "IDVA: risk was never looked at across both incidents together, each DASH stood alone.",
          flags="neg"),
        n("P05", "Missed opportunity by Early Help - the worker just took mum's word for it about dad.",
          flags="blame single"),
        n("P09", "Police failed to send the October notification for 9 days, by then the assessment was "
                 "nearly done.", flags="blame"),
        n("P07", "Voice of the child - she was a baby, so it's her daily lived experience. Nobody asked what a "
                 "day looked like for her at home.", flags="neg"),
        n("P06", "GP: no information from CSC or police about the DA ever came to the practice.", flags="neg"),
        n("P08", "The review is not about apportioning blame. We all worked with the information we had.",
          flags="not_blame"),
        n("P01", "HV felt she couldn't challenge the April MASH NFA - didn't know the escalation policy existed.",
          flags="neg"),
        n("P10", "If anyone had drawn the whole picture together - DA, drugs, dad on licence, a new baby - it "
                 "would have been a strategy discussion months earlier.", flags="hyp"),
    ],
    GOOD: [
        n("P13", "ED recognition of NAI in May was rapid, strategy discussion within 3 hours."),
        n("P05", "Safeguarding MW's pre-birth referral was timely and well evidenced."),
        n("P12", "Response PC completed a DASH and a notification even though mum didn't want police involved."),
        n("P15", "EH practitioner built a good relationship with mum, who said she trusted her."),
        n("P20", "Housing shared the new address with HV and CSC the same week."),
        n("P11", "Joint working between Police and CSC after the injury was excellent, joint visit the same "
                 "night."),
        n("P14", "Liaison nurse found the April attendance on review after the injury and shared it straight "
                 "away."),
        n("P04", "Nursery nurse followed up the weigh clinic DNA with a call and a letter."),
    ],
    REC: [
        n("P03", "It would help if the HV handover had a 'male carers and other adults in the household' "
                 "section."),
        n("P10", "Board should seek assurance that MASH checks father and partner histories on every pre-birth "
                 "referral."),
        n("P13", "Training on bruising and marks in non-mobile babies for all staff, including scratches and "
                 "'small' marks."),
        n("P17", "Agencies should ensure that adults in treatment are asked about children they have contact "
                 "with, not just children they live with.", flags="not_blame"),
        n("P18", "Pathway for repeat standard or medium DA incidents to be reviewed together."),
        n("P19", "Probation to do home visits and CSC checks when a supervisee starts a new relationship."),
        n("P14", "ED notifications to go to a single HV hub inbox, not to named HVs."),
        n("P20", "A prompt to tell HV and GP when a family with a baby moves into temp accommodation out of area."),
    ],
}

# facilitator_notes.docx: the facilitator's plenary notes. (heading level, segment, notes, table?)
DOCX_TITLE = "Child F: practitioner learning event, plenary notes"
DOCX = [
    (1, FHA, [
        pn("Health Visiting", None, "bracket", "HV described the family as 'ordinary, tired new parents' at the "
                                               "new birth visit."),
        pn("Midwifery", "P02", "paren", "Partner attended almost every antenatal appointment; mum rarely spoke "
                                        "for herself."),
        pn("Police", "P12", "bracket", "Response officer said the flat in October was 'bare, no baby things "
                                       "yet, lots of cans'."),
        pn("Early Help", None, "colon", "Six visits, all arranged in advance with mum by text. Never an "
                                        "unannounced visit."),
        pn("Substance Misuse Service", "P17", "bracket", "Father came to every script review and was always "
                                                         "polite, 'never gave us a reason to worry'."),
        pn("Probation", "P19", "paren", "Licence conditions included disclosing new relationships; he never "
                                        "disclosed one."),
    ]),
    (1, CHRON, [
        pn("Children's Social Care", None, "bracket", "Older sibling Kayden lives with maternal grandmother "
                                                      "under an SGO made in 2020 and attends Brookfield Primary "
                                                      "School.",
           pd=[("PERSON", "Kayden"), ("FACILITY", "Brookfield Primary School")]),
        pn("Police", "P11", "paren", "Father, Jason Tully, was on the custody record for the October arrest "
                                     "with the flat as his address.", pd=[("PERSON", "Jason Tully")]),
        pn("Housing", None, "bracket", "Chronology to add: the April eviction followed a notice served in "
                                       "January for arrears."),
        pn("Children's Social Care", "P08", "paren", "Date of step-down confirmed as 20 October 2023."),
        pn("Emergency Department", "P14", "bracket", "The April attendance is missing from the health "
                                                     "chronology and needs adding."),
    ]),
    (2, KPE1, [
        pn("Health Visiting", "P01", "bracket", "HV reflected that the visit was 'dad's show' - he answered, "
                                                "he held the baby, he showed her the cot."),
        pn("Health Visiting", "P03", "paren", "Nobody is saying the HV got it wrong; the protocol wording on "
                                              "marks and scratches was ambiguous.", flags="not_blame"),
        pn("Early Help", None, "bracket", "EH could have been rung on the day of the visit and would have "
                                          "shared the history, had anyone known the case was open.",
           flags="hyp"),
        pn("Midwifery", None, "colon", "No mention of father's offending on any midwifery record.", flags="neg"),
        pn("Children's Social Care", "P10", "bracket", "The group agreed the NBV is where 'who lives here?' "
                                                       "should be asked every time."),
        pn("GP", "P06", "paren", "GP record showed the SGO for the older child but that isn't visible on the "
                                 "HV system."),
    ]),
    (2, KPE2, [
        pn("Emergency Department", "P13", "bracket", "The April attendance was at 23:10 with the department "
                                                     "at 180% capacity."),
        pn("Emergency Department", "P14", "paren", "Notification went to a named HV mailbox, not the team, and "
                                                   "she was on leave for 3 weeks."),
        pn("Police", None, "bracket", "Police were not contacted from ED in April; nothing in what the parents "
                                      "said would have prompted it.", flags="neg"),
        pn("Health Visiting", None, "colon", "If the HV had seen the April notification a home visit would "
                                             "have been booked within 48 hours.", flags="hyp"),
        pn("Housing", "P20", "bracket", "The temp accommodation at Flat 4, Croft House, NM7 2LD was never given "
                                        "to ED; the parents gave the old address.",
           pd=[("ADDRESS", "Flat 4, Croft House"), ("POSTCODE", "NM7 2LD")]),
        pn("Children's Social Care", None, "colon", "MASH confirmed there was no contact from ED about Child F "
                                                    "before 20 May.", flags="neg"),
    ]),
    (1, CTX, [
        pn("Health Visiting", "P03", "bracket", "Service was delivering a core offer only in 2023-24 because of "
                                                "vacancies; antenatal contacts had stopped."),
        pn("Children's Social Care", "P07", "paren", "First year in practice (ASYE), 19 cases, supervision "
                                                     "monthly but often cancelled."),
        pn("Domestic Abuse Service", "P21", "bracket", "Perinatal IDVA post lost in the 2023 funding round, so "
                                                       "no specialist link to midwifery."),
        pn("Probation", None, "colon", "New case management approach in 2023; home visits are risk-led and he "
                                       "was assessed as medium risk."),
        pn("Early Help", "P16", "bracket", "Family hubs launch meant EH workers were also running groups, so "
                                           "fewer home visits."),
        pn("Substance Misuse Service", None, "colon", "No waiting list for treatment in Northmoor, capacity "
                                                      "was not the issue.", flags="neg"),
    ]),
    (1, DEC, [
        pn("Children's Social Care", "P08", "bracket", "Each agency held one piece; the step-down was made on "
                                                       "mum's account alone."),
        pn("Midwifery", "P05", "paren", "CSC should have held a pre-birth strategy meeting; the social worker "
                                        "failed to look at father's history at all.", flags="blame single"),
        pn("Police", "P11", "bracket", "Each DASH was assessed on its own; two incidents in six months were not "
                                       "connected."),
        pn("Early Help", None, "colon", "'We took \"he pops round\" at face value.'"),
        pn("GP", None, "bracket", "A joint conversation between GP, HV and midwife would have put the picture "
                                  "together.", flags="hyp"),
        pn("Health Visiting", "P01", "paren", "HV felt reassured by the step-down: 'if CSC had closed it, it "
                                              "couldn't be that bad.'"),
        pn("Domestic Abuse Service", "P18", "bracket", "There was nothing to suggest mum felt able to talk about "
                                                       "dad while he was anywhere near.", flags="neg"),
    ]),
    (1, GOOD, [
        pn("Emergency Department", None, "bracket", "Rapid recognition of abusive head trauma in May and a "
                                                    "same-day strategy discussion."),
        pn("Police", "P11", "paren", "Joint visit with CSC the same evening; both parents arrested within 24 "
                                     "hours."),
        pn("Housing", None, "bracket", "Flagged the move to the HV and CSC promptly."),
        pn("Early Help", "P15", "paren", "Warm, consistent relationship with mum, who later said EH was 'the "
                                         "only one I could talk to'."),
    ]),
    (1, REC, [
        pn("Children's Social Care", None, "bracket", "Practice guidance on working with fathers and male "
                                                      "carers to be refreshed and launched at a practitioner "
                                                      "forum."),
        pn("Health Visiting", "P03", "paren", "It would help if the new birth visit template had a mandatory "
                                              "'adults in the household' field."),
    ]),
]

# The recommendations table in the DOCX (header row: Agency | Participant | Note), after the REC paragraphs.
DOCX_TABLE = [
    pn("Midwifery", "P05", "table", "Pre-birth referrals to include partner details and any known history."),
    pn("Health Visiting", "P01", "table", "ED notifications to go to a team inbox with a duty HV checking it "
                                          "daily."),
    pn("Emergency Department", "P13", "table", "Full skin check and head circumference for every infant under "
                                               "6 months attending ED."),
    pn("Children's Social Care", "P08", "table", "Step-down to Early Help only after checks with police and "
                                                 "probation on all adults in the household."),
    pn("Police", "P11", "table", "Domestic abuse notifications to MASH within 24 hours, with previous incidents "
                                 "summarised."),
    pn("Probation", "P19", "table", "Routine safeguarding checks with CSC when a supervisee is in a new "
                                    "relationship."),
    pn("Substance Misuse Service", "P17", "table", "Ask about children the client has contact with, not only "
                                                   "those living with them."),
    pn("Housing", "P20", "table", "Out-of-area placements of families with infants to be notified to the "
                                  "receiving HV team the same day."),
    pn("Domestic Abuse Service", "P18", "table", "Repeat incidents to trigger a review of the whole history, "
                                                 "not a single DASH."),
    pn("Early Help", "P16", "table", "The board should seek assurance that Early Help sees every adult in the "
                                     "household at least once."),
]

# late_contributions.jsonl: notes e-mailed to the partnership support team after the event.
LATE = {
    CHRON: [
        n("P06", "Practice has found a phone consultation on 15 Feb 2024 where mum asked about colic. Not in "
                 "the chronology.", date="2024-02-15"),
        n("P19", "Correction: last probation appointment was 14 Feb 2024 and the licence ended on 26 Feb.",
          date="2024-02-26"),
    ],
    FHA: [
        n("P18", "Maternal grandmother Mrs Linda Brannigan rang the IDVA helpline in Nov 2023 worried about her "
                 "daughter, callback number 0113 496 0577. Logged as advice only.", date="2023-11",
          pd=[("PERSON", "Mrs Linda Brannigan"), ("PHONE", "0113 496 0577")]),
    ],
    KPE1: [
        n("P15", "On reflection: if EH had been told the outcome of the NBV, we might have kept the case open "
                 "rather than closing two weeks later.", flags="hyp"),
        n("P02", "Postnatal discharge summary to the HV said 'Dad supportive, no concerns'. That phrase "
                 "travelled through every record after it."),
    ],
    CTX: [
        n("P20", "Temp accommodation team now places about 60% of families out of area."),
    ],
    DEC: [
        n("P17", "We never asked father who he was in a relationship with. Our assessment tool only asks about "
                 "'children living with you'.", flags="neg"),
        n("P12", "No one asked where the baby slept or looked at her cot at the March call, officers focused on "
                 "the adults.", date="2024-03-27", flags="neg"),
    ],
    GOOD: [
        n("P03", "HV team has started a weekly safeguarding huddle since this case, all new birth visits with "
                 "any agency history get discussed."),
    ],
    REC: [
        n("P13", "Add a prompt in the ED record for infants under 1: 'who is at home with the baby?'"),
    ],
}

DENY_LIST = {
    "names": ["Chloe Brannigan", "Linda Brannigan", "Jason Tully", "Jason", "Kayden", "Brannigan", "Tully"],
    "places": ["Heatherbank Close", "Croft House", "Brookfield Primary School", "Hollins Lane Surgery"],
}
