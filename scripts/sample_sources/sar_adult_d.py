"""Event 1: Safeguarding Adult Review, Adult D (self-neglect, died after a fire at home).

ENTIRELY FICTIONAL. Northmoor is an invented place; every name, address, school,
surgery, ward, phone number, e-mail, NHS and NI number below is invented or taken
from a range reserved for fiction/testing (NHS 999..., Ofcom drama numbers,
example.org/example.com, QQ-prefixed NI numbers, the invented "NM" postcode area).

NHS numbers used (modulus 11, weights 10..2 over the first nine digits):
  999 000 0018  valid   (check digit 8)
  999 000 0081  INVALID (mistyped transposition of the above; the check digit would be 5)
"""

from model import n, pn

EVENT = {
    "event_id": "sar-adult-d",
    "review_type": "SAR",
    "review_ref": "NSAB-SAR-2024-03",
    "held_on": "2024-09-17",
    "board": "Northmoor Safeguarding Adults Board",
    "title": "Safeguarding Adult Review: Adult D",
    "summary": (
        "Adult D, a man in his early seventies with COPD and home oxygen, lived alone in a housing "
        "association flat in Northmoor and had been self-neglecting and hoarding since his wife's death. "
        "He declined most offers of help, was discharged from hospital without a care package in "
        "September 2023, and died in January 2024 after a fire at his flat. Ten agencies had contact "
        "with him in the eighteen months before his death."
    ),
}

PARTICIPANTS = {
    "P01": ("GP", "salaried GP"),
    "P02": ("GP", "practice nurse"),
    "P03": ("Adult Social Care", "social worker"),
    "P04": ("Adult Social Care", "team manager"),
    "P05": ("Adult Social Care", "hospital social worker"),
    "P06": ("Adult Social Care", "occupational therapist"),
    "P07": ("Police", "neighbourhood PC"),
    "P08": ("Police", "vulnerability hub officer"),
    "P09": ("Housing", "housing officer"),
    "P10": ("Housing", "tenancy sustainment officer"),
    "P11": ("Housing", "income officer"),
    "P12": ("Ambulance Service", "paramedic"),
    "P13": ("Mental Health Trust", "community mental health nurse"),
    "P14": ("Mental Health Trust", "older adults CMHT manager"),
    "P15": ("Acute Hospital", "ward sister"),
    "P16": ("Acute Hospital", "discharge coordinator"),
    "P17": ("Acute Hospital", "safeguarding adults nurse"),
    "P18": ("Fire and Rescue", "safe and well advisor"),
    "P19": ("Fire and Rescue", "watch manager"),
    "P20": ("Voluntary Sector", "befriending coordinator"),
    "P21": ("Community Nursing", "district nurse"),
    "P22": ("Community Nursing", "community matron"),
}

FHA = "First-hand accounts"
CHRON = "Checking the chronology"
KPE1 = "Key practice episode 1: hospital discharge"
KPE2 = "Key practice episode 2: the fire safety visit"
CTX = "Context"
DEC = "What helped or hindered decisions"
GOOD = "Good practice"
REC = "Recommendations"

SEGMENTS = [FHA, CHRON, KPE1, KPE2, CTX, DEC, GOOD, REC]

# notes.csv, in the order they were written on the day.
NOTES = {
    FHA: [
        n("P01", "Knew Mr D for about 6 yrs, mostly COPD reviews and chest infections. After his wife died he "
                 "stopped coming in, DNA'd annual review twice."),
        n("P02", "PN said he was 'a proper gentleman' when he did come in, always apologised for the state of "
                 "his clothes."),
        n("P03", "SW allocated Nov 2023 after the fire service referral. Saw him once, at the door. Polite but "
                 "firm, didn't want 'the social' in his flat."),
        n("P04", "TM oversaw the front door decision in May. Team was working through a backlog of around 300 "
                 "contacts at the time."),
        n("P05", "Hospital SW met Mr D on the ward twice. He was adamant he was going home and didnt want "
                 "carers - said he had \"managed fine for fifty years\"."),
        n("P06", "OT did a ward based kitchen assessment only. No access visit to the flat."),
        n("P07", "Neighbourhood PC attended for welfare checks twice. First time (April) described the flat as "
                 "'the worst I've seen in 20 years', papers stacked to the ceiling, one narrow path through "
                 "to the chair."),
        n("P08", "Hub officer processed the April PPN and sent it to ASC same day. About 40 adult PPNs a day "
                 "come through the hub."),
        n("P09", "Housing officer had the patch for 3 yrs. Mr D always paid his rent until his wife died, then "
                 "arrears built up. Would only talk on the doorstep, said he was embarrassed about the flat."),
        n("P10", "TSO offered hoarding support and a deep clean twice. He agreed to the idea then cancelled on "
                 "the day both times."),
        n("P11", "Income officer: all contact was letters and phone calls about the arrears, never met him."),
        n("P12", "Paramedic attended the July fall. On floor approx 2 hrs, no injury, obs fine, declined "
                 "conveyance. No safeguarding concerns noted at the time. Crew did a falls referral.",
          date="2023-07-19", flags="neg"),
        n("P13", "CMHN got the GP referral in December. Offered appt, DNA'd. Sent second letter. There was no "
                 "phone number on the referral."),
        n("P14", "Older adults manager said the referral was screened as routine: low mood and alcohol, no "
                 "risk to self indicated."),
        n("P15", "Ward sister remembered him well. 'Lovely man, very stubborn.' Eating well on the ward and "
                 "mobilising with a frame by the end of the first week."),
        n("P16", "Discharge coordinator: he was medically optimised on the Weds and there was real pressure "
                 "to get him out before the weekend, bed meetings 3x a day."),
        n("P17", "Hospital safeguarding nurse was not made aware of him during the admission; first heard his "
                 "name after the fire.", flags="neg"),
        n("P18", "Safe and well advisor did the October visit. Burns on the armchair and carpet, oxygen "
                 "concentrator next to the chair, ashtray overflowing, tubing across the floor."),
        n("P19", "Watch manager attended the fire in January. Very hard for the crew. Access was difficult "
                 "because of the volume of belongings in the hallway."),
        n("P20", "Befriending coordinator: volunteer visited weekly from Feb 2023 and he looked forward to it. "
                 "He talked about his late wife Maureen Fenby a lot and still had her coat on the back of the "
                 "door.", pd=[("PERSON", "Maureen Fenby")]),
        n("P21", "DN: leg ulcer dressings from June. Lots of no access visits, he'd not hear the door or not "
                 "want us in. When we did get in the dressings were sometimes 3 weeks old."),
        n("P22", "Community matron did the home oxygen risk assessment in August. He told her he'd stopped "
                 "smoking after his last admission and signed the declaration."),
        n("P01", "GP said she had only ever spoken to him by phone since 2021."),
        n("P03", "SW felt he was lonely more than anything. \"He wanted company, not services.\""),
        n("P09", "Neighbour complaints about smell and mice started Jan 23."),
        n("P21", "DN rang the neighbour Mrs Dorothy Keane on 07700 900461 a few times to get access, she "
                 "had a spare key.", pd=[("PERSON", "Mrs Dorothy Keane"), ("PHONE", "07700 900461")]),
        n("P12", "Crew on the Sept call found him on the floor, long lie ~12 hrs, cold and a bit confused.",
          date="2023-09-02"),
        n("P07", "PC said Mr D was 'embarrassed but not hostile'. Offered to contact family for him, he "
                 "declined."),
        n("P20", "Volunteer noticed he was drinking more in the autumn, cans by the chair at 11am."),
        n("P10", "TSO gave a long account of the October visit, the only time Housing got past the hallway. "
                 "The smell hit you at the door, there were bags of post and newspapers stacked to shoulder "
                 "height and you could hear the oxygen machine running in the lounge. He was in his chair in a "
                 "coat with the heating off. He talked about his wife, the allotment, and how the flat 'got "
                 "away from him' after the funeral. He said he knew it was a fire risk and he was 'not daft'. "
                 "She came away feeling she'd started to build something with him and planned to go back with "
                 "the befriender in the new year.", date="2023-10-26"),
        n("P10", "TSO felt she got furthest with him talking about his allotment, which he gave up when his "
                 "wife got ill. He lit up talking about leeks."),
    ],
    CHRON: [
        n("P01", "GP record shows Douglas Fenby DOB 14/03/1952, NHS no 999 000 0018, registered with the "
                 "practice since 1987.",
          pd=[("PERSON", "Douglas Fenby"), ("DATE_OF_BIRTH", "14/03/1952"), ("NHS_NUMBER", "999 000 0018")]),
        n("P01", "Wife died June 2022 - bereavement call from the GP recorded.", date="2022-06"),
        n("P02", "COPD review 14 Nov 2022 DNA'd, second invite Feb 23 also DNA.", date="2022-11-14"),
        n("P09", "Neighbour complaint re smell received 23/01/2023. Logged as ASB at first, which wasn't right.",
          date="2023-01-23"),
        n("P09", "Housing clarified the notice of seeking possession was served in March, not May as in the "
                 "combined chronology. Served 8 March 2023.", date="2023-03-08"),
        n("P09", "Tenancy was Flat 2, 14 Ashgrove Terrace, NM4 7QT, since 1998.",
          pd=[("ADDRESS", "Flat 2, 14 Ashgrove Terrace"), ("POSTCODE", "NM4 7QT")]),
        n("P07", "Police welfare check 12 April 2023 after a neighbour call. PPN submitted the next day.",
          date="2023-04-12"),
        n("P04", "ASC front door contact 3 May 2023, closed 10 May as 'declined services'.", date="2023-05-03"),
        n("P21", "DN referral recieved 5 June 2023 for bilateral leg ulcers.", date="2023-06-05"),
        n("P21", "Between June and end of August there were 6 no-access visits recorded, not 4 as the "
                 "chronology says.", date="2023-06"),
        n("P12", "Amb fall call 19/07/23, not conveyed, falls referral made.", date="2023-07-19"),
        n("P22", "Home oxygen installed 16 Aug 2023 after the respiratory clinic.", date="2023-08-16"),
        n("P12", "2 Sept 2023 - long lie, conveyed to ED, admitted with chest infection and raised CK.",
          date="2023-09-02"),
        n("P16", "Discharged Fri 15 Sept, left the ward at 18:40 by hospital transport.", date="2023-09-15"),
        n("P01", "GP clarified the discharge summary arrived on the 18th, not the 25th - but it wasn't actioned "
                 "until the 25th because of the document backlog.", date="2023-09-18"),
        n("P05", "Reablement follow-up call 21 Sept, no answer. Case closed 29 Sept.", date="2023-09-21"),
        n("P20", "Befriending service referred to Fire and Rescue on 4 Oct after the volunteer saw scorch "
                 "marks on the chair.", date="2023-10-04"),
        n("P18", "Correction: the safe and well visit was 11 October. Chronology has 11 November.",
          date="2023-10-11"),
        n("P18", "Referral to ASC sent the next day, 12 Oct, by email and followed up by phone.",
          date="2023-10-12"),
        n("P03", "ASC: s.42 enquiry opened 20 Oct. The 1 Nov date in the chronology is allocation, not the "
                 "decision.", date="2023-10-20"),
        n("P10", "Housing visit 26 Oct, clutter image rating 7 in the lounge, 8 in the bedroom.",
          date="2023-10-26"),
        n("P04", "Self-neglect MARM held 8 Nov. ASC, Housing and Fire attended. GP recorded as 'apologies' but "
                 "was never actually invited, the invite went to an old practice email.", date="2023-11-08"),
        n("P03", "Joint visit 22 Nov, ASC and Housing. Seen at the door, declined entry.", date="2023-11-22"),
        n("P13", "MH referral received 5 Dec 2023. Appt 19 Dec DNA, second appt 3 Jan DNA, discharged back to "
                 "GP.", date="2023-12-05"),
        n("P07", "Police: the December welfare check was on the 14th not the 12th.", date="2023-12-14"),
        n("P19", "Fire 09/01/2024 approx 03:20, thought to have started from smoking materials near the "
                 "oxygen. Mr D rescued by crew, died the next day in ICU.", date="2024-01-09"),
        n("P17", "Hospital confirmed date of death as 10 January 2024.", date="2024-01-10"),
        n("P11", "Arrears at time of death approx £2,400. Possession hearing had been adjourned in Nov.",
          date="2023-11"),
    ],
    KPE1: [
        n("P15", "Admitted to Ward 7B under respiratory. The discharge letter had his NHS number typed wrong "
                 "(999 000 0081) so it didn't match on the GP system straight away.",
          pd=[("FACILITY", "Ward 7B"), ("NHS_NUMBER", "999 000 0081")]),
        n("P16", "Ward MDT agreed medically fit 13 Sept. D2A pathway 1 offered, he declined.", date="2023-09-13"),
        n("P05", "Hospital SW: he said 'I don't want strangers in my house'. Recorded as a capacitous decision "
                 "but there was no formal MCA assessment.", flags="neg"),
        n("P05", "No concerns about capacity were raised at the time, by the ward or by us.", flags="neg"),
        n("P15", "Ward sister felt that on the ward he presented really well - washed, fed, chatty. \"We saw "
                 "the best version of him.\""),
        n("P06", "OT: an access visit was requested but the community OT couldn't do a joint visit for 2 weeks, "
                 "so it was a kitchen assessment on the ward instead."),
        n("P16", "Friday evening discharge, transport delayed from 2pm. Nobody checked whether there was food or "
                 "heating in the flat.", flags="neg"),
        n("P17", "Safeguarding nurse: the self-neglect wasn't visible from the ward notes. ED notes mentioned "
                 "'poor home conditions' but this didn't follow him up to the ward."),
        n("P03", "Ward staff failed to do a capacity assessment before sending him home, that was an error by "
                 "the nurse in charge.", flags="blame single"),
        n("P01", "GP would have wanted to know he was going home without a package. 'If we'd known we'd have "
                 "done a home visit that week.'", flags="hyp"),
        n("P05", "An advocate would have helped - he had nobody with him in any of the conversations about "
                 "going home.", flags="hyp"),
        n("P12", "Crew had written 'hoarding, trip hazards, smell of urine' on the ePCR but the handover at ED "
                 "was verbal and brief."),
        n("P16", "Pressure that week was extreme. OPEL 4, 40+ patients medically fit and waiting."),
        n("P15", "Nobody asked about the oxygen at home. The ward didn't know it was there.", flags="neg"),
        n("P05", "Respecting his wishes made sense at the time. He'd been clear and consistent, and nobody "
                 "doubted he understood what he was saying."),
        n("P22", "Matron not told about the admission or the discharge; found out when she tried to visit in Oct."),
        n("P04", "TM: hospital team closed the case when he declined, in line with the process at the time. "
                 "That process has since changed."),
        n("P17", "'Unwise decision' was the phrase in the notes. Group discussed whether executive capacity "
                 "(could he actually do what he said he would) was considered - it wasn't."),
        n("P16", "There was nothing to indicate on the discharge checklist that he lived alone with no support, "
                 "the box just said 'independent'.", flags="neg"),
        n("P06", "OT: \"if the discharge had been on a Monday we'd have got the community OT out with him\"",
          flags="hyp"),
        n("P09", "If Housing had been part of the discharge planning we could have told them about the hoarding "
                 "and the arrears.", flags="hyp"),
    ],
    KPE2: [
        n("P18", "Visit booked within a week of the befriender's referral. Advisor spent 90 mins with him.",
          date="2023-10-11"),
        n("P18", "Fitted 2 linked smoke alarms, left a fire retardant throw and bedding, explained the risk of "
                 "smoking with oxygen. He said 'I never smoke when it's on'."),
        n("P18", "Advisor rated him very high risk, the top category on the form."),
        n("P19", "WM explained F&R has no power to make anyone stop smoking or to remove a concentrator. We "
                 "advise and refer, that's it."),
        n("P18", "Advisor also contacted his son Gary Fenby (gary.fenby82@example.com) with Mr D's permission. "
                 "No reply.", pd=[("PERSON", "Gary Fenby"), ("EMAIL", "gary.fenby82@example.com")]),
        n("P20", "Befriender went along to the visit, which helped. He only let the advisor in because the "
                 "volunteer was there."),
        n("P22", "Matron didn't know about the fire visit until the MARM and nobody told the oxygen supplier "
                 "either.", flags="neg"),
        n("P19", "The duty social worker on that day failed to follow up our referral, it sat in a tray for a "
                 "week.", flags="blame single"),
        n("P04", "ASC TM: the referral came in to a generic inbox being triaged by agency staff, turnaround was "
                 "6-8 working days at that point."),
        n("P18", "No one asked F&R about his fire risk before he was discharged from hospital in Sept.",
          flags="neg"),
        n("P01", "If the GP had known about the fire visit she'd have reviewed the oxygen prescription. The "
                 "guidance is not to prescribe to people who are still smoking.", flags="hyp"),
        n("P22", "The supplier's own risk review is triggered by a fire service referral but there's no "
                 "automatic link between the two, someone has to phone."),
        n("P09", "Housing got the F&R referral and arranged the clutter visit within 2 weeks."),
        n("P18", "Advisor felt he had capacity about the smoking - 'he understood the risk and could tell it "
                 "back to me' - but she wasn't sure he could act on it."),
        n("P19", "F&R now do a revisit within 28 days for very high risk. We didn't then."),
        n("P10", "TSO: the visit was the first time anyone looked at the whole picture, fire, clutter, oxygen, "
                 "drink, all of it."),
        n("P03", "ASC: s.42 was opened on the fire referral, which was the right call, but allocation took 12 "
                 "days."),
        n("P18", "Nothing on the F&R system showed the earlier police welfare checks. Different systems "
                 "entirely.", flags="neg"),
        n("P20", "Volunteer was upset afterwards, felt she'd 'grassed him up'. Coordinator supported her and "
                 "she kept visiting."),
        n("P19", "Smoke alarms did activate on the night. The fire throw was found still in its packet."),
    ],
    CTX: [
        n("P04", "ASC front door had 4 vacancies out of 11 posts through 2023, covered by agency SWs on 3 month "
                 "contracts."),
        n("P03", "SW caseload was 28 at the time, team average 24."),
        n("P04", "Agency staff, high turnover, little handover."),
        n("P13", "MH Trust waiting time for a routine older adults assessment was 14 weeks."),
        n("P09", "Housing officer patch is 1,100 properties. It was 600 before the restructure."),
        n("P01", "Practice lost 2 partners in 2023, lots of locums, continuity just went."),
        n("P17", "Hospital was at OPEL 4 for most of September 2023."),
        n("P21", "DN team running at 30% vacancy. No-access visits get pushed to the back of the list."),
        n("P08", "Police record system doesn't talk to the ASC system, PPNs go by secure email and get re-keyed "
                 "at the other end."),
        n("P12", "Ambulance crews can't see GP or ASC records, only previous calls to the same address."),
        n("P04", "Self-neglect procedure was being rewritten in 2023; the old version (2019) said nothing "
                 "about hoarding or clutter rating tools."),
        n("P18", "F&R safe and well programme had only just restarted fully after COVID and partner referrals "
                 "were low."),
        n("P14", "MH Trust DNA policy is two DNAs and discharge back to the referrer, trust wide."),
        n("P11", "Income team centralised in 2022, no link to the patch officer's notes."),
        n("P05", "Hospital SWs cover three sites incl. one out of area, so the team wasn't always on site."),
        n("P02", "Practice went to total triage in COVID and hasn't really gone back. Phone appts suit some "
                 "people, not men like Mr D."),
        n("P20", "Befriending is funded year to year, the service nearly closed in March 2023."),
        n("P16", "Discharge to assess was new, launched April 2023, staff still learning the pathways."),
        n("P22", "Community matron caseload 60+ complex patients across two PCNs."),
        n("P06", "Community OT waiting list around 10 weeks for non-urgent."),
        n("P07", "Neighbourhood team down from 5 PCs to 2. Welfare checks done by whoever is free, often "
                 "response officers who don't know the person."),
        n("P04", "No one raised workload as the reason for the May closure - it was a threshold decision on "
                 "what we had.", flags="neg"),
    ],
    DEC: [
        n("P03", "Lots of 'he has capacity, it's his choice' and then closing. Capacity was used as a reason to "
                 "step back rather than to start a conversation."),
        n("P04", "The May front door decision was taken on the phone call alone, no visit. His 'I'm fine' "
                 "was taken at face value."),
        n("P09", "Housing didn't see hoarding as a safeguarding matter then, more a tenancy breach.",
          flags="neg"),
        n("P13", "MH referral was looked at on its own, not as part of the self-neglect picture. If it had been "
                 "it might have been prioritised.", flags="hyp"),
        n("P01", "Nobody in primary care had the whole story. Info was in 6 different places.", flags="neg"),
        n("P21", "DN felt 'no access' got recorded as his choice rather than as a warning sign."),
        n("P08", "No PPN was done after the December check, the officer judged there was nothing new to "
                 "report.", flags="neg"),
        n("P09", "Police should have done a PPN after the December visit. They didn't, and that was the last "
                 "chance anyone had.", flags="blame"),
        n("P21", "Poor practice by the GP not to reply to my email about the oxygen and the smoking.",
          flags="blame single"),
        n("P17", "Executive capacity not considered. He could say all the right things in a conversation."),
        n("P04", "The review is not about apportioning blame, but I think as a system we normalised the way he "
                 "was living.", flags="not_blame"),
        n("P20", "Befriender's concerns were listened to by F&R but she felt brushed off by the surgery when "
                 "she rang in Sept."),
        n("P10", "TSO: his cancelling was read as refusal. Looking back it was more like shame."),
        n("P22", "Matron accepted the smoking declaration. No one questioned it, 'we have to take people's "
                 "word'.", flags="neg"),
        n("P05", "Hospital SW felt the making safeguarding personal message was sometimes heard as 'do what the "
                 "person says'."),
        n("P03", "Supervision: the case wasn't discussed in my supervision before the fire. We were "
                 "firefighting other cases (sorry, poor choice of words).", flags="neg"),
        n("P14", "There was no indication of risk to self in the referral so routine was the right category on "
                 "what we had.", flags="neg"),
        n("P12", "Crews think about conveyance and whether the patient is safe to leave. A self-neglect "
                 "referral route exists but crews aren't confident using it."),
        n("P07", "PC: 'It felt like everyone was doing a bit and nobody was holding it.'", flags="neg"),
        n("P01", "GP: with hindsight it's easy to say someone should have spotted it, but at the time nobody "
                 "had the whole picture.", flags="not_blame"),
        n("P20", "Housing missed the signs - the housing officer should have escalated the clutter rating "
                 "straight away.", flags="blame single"),
        n("P18", "Escalation: F&R didn't know how to escalate when ASC didn't respond, there's no named "
                 "contact.", flags="neg"),
        n("P19", "If there had been a shared risk flag on the address the crew on the night would have known "
                 "about the oxygen before going in.", flags="hyp"),
        n("P11", "Income officer: the letters just kept going out. Nobody stopped to ask why a man who'd paid "
                 "for 24 years suddenly stopped. Housing benefit letter with his NI number QQ 12 34 56 C on it "
                 "was shared with ASC in April.", date="2023-04", flags="neg", pd=[("NI_NUMBER", "QQ 12 34 56 C")]),
        n("P03", "A joint visit with someone he trusted, like the befriender, might have got us through the "
                 "door in November.", flags="hyp"),
    ],
    GOOD: [
        n("P20", "Volunteer's persistence. Kept visiting every week even when he didn't answer, left notes "
                 "through the door."),
        n("P18", "F&R visit within 7 days of referral, thorough, and referrals to ASC and Housing the next day."),
        n("P09", "Housing held off possession once the hoarding was understood and asked the court to adjourn."),
        n("P07", "PC in April took time, sat with him for 40 mins and did a PPN rather than just logging it."),
        n("P02", "PN at Moorside Medical Practice used to ring him on his birthday to remind him about the flu "
                 "jab, he liked that.", pd=[("FACILITY", "Moorside Medical Practice")]),
        n("P04", "MARM convened within 4 weeks of the referral, actions were clear."),
        n("P10", "TSO tried different approaches, offered the allotment society contact and a volunteer "
                 "gardener."),
        n("P21", "DN kept going back despite no access, 6 attempts in 10 wks, and set up the neighbour key "
                 "arrangement."),
        n("P12", "Crew made a falls referral in July - good use of the pathway."),
        n("P03", "Joint visit ASC and Housing, first time the two agencies went out together."),
        n("P19", "Crew on the night got him out in very difficult conditions."),
        n("P17", "After the fire the hospital safeguarding team did a rapid review within 72 hrs and shared "
                 "the learning."),
        n("P13", "CMHN wrote to the GP after the DNAs with her concerns, not just a standard discharge letter."),
    ],
    REC: [
        n("P04", "It would help if there was one self-neglect pathway across all agencies with a named lead "
                 "professional."),
        n("P01", "Board should seek assurance that discharge summaries reach GPs within 24 hrs and flag 'lives "
                 "alone, declined care'."),
        n("P19", "Agencies should ensure home oxygen orders automatically trigger a F&R safe and well "
                 "referral.", flags="not_blame"),
        n("P17", "Multi-agency training on executive capacity and the MCA where people make unwise decisions, "
                 "not just for ASC."),
        n("P09", "Hoarding to go into the self-neglect procedure with the clutter image rating as a shared tool."),
        n("P12", "Ambulance: a prompt on the ePCR for a self-neglect referral."),
        n("P13", "MH Trust to review the DNA policy for older adults - think about why someone doesn't come "
                 "before discharging them."),
        n("P20", "Include the voluntary sector in MARMs as standard. We often know the person best."),
        n("P21", "A simple no-access escalation route for community nursing after 3 failed visits."),
        n("P18", "Named contact in ASC for F&R escalations."),
        n("P05", "Offer an advocate where someone declines care on discharge and has no one else."),
        n("P11", "Income team to check tenancy notes before escalating arrears for older tenants."),
        n("P03", "Supervision to ask 'who is holding this case across agencies?'"),
        n("P16", "Avoid Friday evening discharges for people who live alone and have declined a care package."),
        n("P02", "GP practices need to see F&R and Housing referrals about their patients. Shared care record?"),
        n("P07", "Police to add adults who self-neglect to the PPN guidance examples."),
        n("P14", "Board to publish a 7 minute briefing on self-neglect and fire risk."),
        n("P10", "It would help if Housing had a dedicated hoarding support worker rather than relying on TSOs."),
    ],
}

# recall_session.md: facilitator notes from the short recall event (a SILP-style check of the draft).
RECALL = [
    (CHRON, [
        pn("Housing", "P09", "bracket", "Confirmed the notice of seeking possession date (8 March 2023) is now "
                                        "right in the draft."),
        pn("Fire and Rescue", None, "colon", "Draft still says the safe and well visit was in November, needs "
                                             "changing to 11 October."),
        pn("GP", None, "bracket", "Happy that the discharge summary date is now shown as 18 Sept.", bullet=False),
    ]),
    (KPE1, [
        pn("Acute Hospital", "P16", "paren", "Wants the draft to reflect the OPEL 4 pressure that week, at the "
                                             "moment it reads like the ward just didn't bother."),
        pn("Adult Social Care", "P05", "paren", "Agrees with the finding on executive capacity."),
        pn("Community Nursing", "P22", "bracket", "Still not clear whose job it would have been to tell the "
                                                  "matron about the admission. There isn't a process.", flags="neg"),
    ]),
    (KPE2, [
        pn("Fire and Rescue", "P19", "paren", "ASC failed to respond to our referral for 12 days and the draft "
                                              "is too soft on that.", flags="blame"),
        pn("Adult Social Care", "P04", "paren", "TM accepted the delay; the generic inbox has gone and referrals "
                                                "now go to a named duty manager.", bullet=False),
    ]),
    (DEC, [
        pn("Voluntary Sector", None, "bracket", "Glad the draft talks about shame rather than refusal."),
        pn("Police", None, "colon", "No one had raised the December check as a missed chance until the event. "
                                    "The officer hadn't been told about the oxygen.", flags="neg"),
        pn("Housing", "P09", "bracket", "Son's number 020 7946 0312 was on the housing file all along, just "
                                        "not on anyone else's.", pd=[("PHONE", "020 7946 0312")]),
        pn("Mental Health Trust", None, "bracket", "If we had known about the fire risk the referral would "
                                                   "have been urgent, not routine.", flags="hyp"),
    ]),
    (GOOD, [
        pn("Ambulance Service", "P12", "bracket", "Pleased the July falls referral is recognised."),
        pn("Voluntary Sector", "P20", "paren", "Volunteer has read the summary and is OK with it being "
                                               "shared."),
    ]),
    (REC, [
        pn("Adult Social Care", None, "colon", "Supports the single self-neglect pathway and wants it to name a "
                                               "lead professional from the first MARM."),
        pn("GP", "P01", "bracket", "GP practices to be invited to MARMs through a monitored shared inbox, not "
                                   "individual emails."),
        pn("Fire and Rescue", None, "colon", "Automatic oxygen to F&R referral is already being piloted with "
                                             "the supplier.", bullet=False),
        pn("Acute Hospital", None, "bracket", "It would help if the discharge checklist asked about home oxygen "
                                              "and smoking."),
    ]),
]

DENY_LIST = {
    "names": ["Douglas Fenby", "Maureen Fenby", "Gary Fenby", "Dorothy Keane", "Fenby", "Keane"],
    "places": ["Ashgrove Terrace", "Moorside Medical Practice", "Ward 7B"],
}
