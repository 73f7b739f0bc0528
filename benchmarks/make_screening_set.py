# ruff: noqa: E501  (templates and fixture pools are data, one per line)
"""Build ``benchmarks/data/screening_set.jsonl``: the labelled set for the screening benchmark.

Each note is a hand-written event-note template whose slots are filled with
safe fixtures (999-range NHS numbers, Ofcom drama phone ranges, example.org
emails, QQ-prefix NI numbers, invented names, streets, towns, postcodes and
facilities); the labels are the offsets of the slots filled with personal
data, so they do not depend on pigan's detectors. Hard negatives (pseudonyms,
roles, agency and board names, reference numbers, dates that are not dates
of birth, generic places) are written into the templates or filled from
their own pools and carry no label.

The set is split in two halves that share neither templates nor fill pools:
``tune`` (patterns were tuned on it) and ``heldout`` (figures are reported on
it). Run ``python benchmarks/make_screening_set.py`` to rebuild (deterministic).
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

OUT = Path(__file__).parent / "data" / "screening_set.jsonl"
RENDERS = {"tune": 4, "heldout": 4}

# -- fill pools: index 0 for the tuning half, 1 for the held-out half ----------------

FIRST = (
    ["Jason", "Callum", "Sharon", "Kayleigh", "Darren", "Megan", "Tyler", "Stacey", "Lewis", "Chloe",
     "Reece", "Jade", "Kacper", "Shauna", "Dominika", "Tremaine", "Brogan", "Aleksy", "Roisin", "Kofi"],
    ["Liam", "Demi", "Wayne", "Leah", "Connor", "Tanya", "Keiran", "Paige", "Dale", "Gemma",
     "Jordan", "Precious", "Oluwaseun", "Marek", "Tiegan", "Bartosz", "Shanice", "Corey", "Aoife", "Kwame"],
)  # fmt: skip
SURNAME = (
    ["Pike", "Hollis", "Fenwick", "Marsh", "Doyle", "Ashby", "Garside", "Nowak", "Thorne", "Kettle",
     "Brindley", "Oakes", "Pendle", "Quigley", "Varley"],
    ["Mallory", "Crane", "Whitlock", "Birtles", "Okafor", "Harrop", "Lusby", "Kowalczyk", "Tansley",
     "Dunmore", "Fairclough", "Mbeki", "Rudd", "Sallis", "Yeadon"],
)  # fmt: skip
TITLES = (["Mr", "Mrs", "Ms", "Miss"], ["Mr", "Mrs", "Ms", "Dr"])
STREET_NAME = (
    ["Mill", "Orchard", "Kingfisher", "Beacon", "Ashgrove", "Larkspur", "Tannery", "Hawthorn", "Cobden", "Rushmere"],
    ["Willowbank", "Foundry", "Heron", "Saxby", "Pelham", "Quarry", "Bramley", "Tenter", "Lavender", "Fosse"],
)  # fmt: skip
STREET_TYPE = (
    ["Road", "Close", "Way", "Street", "Avenue", "Drive", "Lane", "Crescent"],
    ["Road", "Street", "Gardens", "Terrace", "Court", "Grove", "Lane", "Walk"],
)
TOWN = (
    ["Fenbridge", "Little Marston", "Ashworth", "Kelby St Mary", "Northwold"],
    ["Brackendale", "Upper Stowe", "Harnley", "Coldmere", "Wetherby Cross"],
)
POSTCODE_AREA = (["PE", "CB", "NR", "LN", "IP"], ["MK", "SG", "NN", "LE", "CO"])
FACILITY_NAME = (
    ["Oakfield", "Greenfield", "Riverside", "Meadowbank", "Fenland View", "St Bede's", "Westfield",
     "Brookside", "Castle Hill", "Elmtree"],
    ["Ravenswood", "Holmewood", "Springvale", "St Aidan's", "Longmeadow", "Parkside", "Hilltop",
     "Thornbury", "Abbeyfield", "Marshfield"],
)  # fmt: skip
SCHOOL_KIND = (
    ["Primary School", "Academy", "Infant School", "Nursery", "High School"],
    ["Primary School", "Academy", "Junior School", "College", "Primary Academy"],
)
HEALTH_KIND = (
    ["Surgery", "Medical Centre", "Health Centre"],
    ["Surgery", "Medical Practice", "Health Centre"],
)
HOSPITAL = (
    ["Fenbridge General Hospital", "Ashworth Community Hospital", "Rosie Hospital", "St Cuthbert's Hospital"],
    ["Harnley Royal Infirmary", "Coldmere District Hospital", "Holmewood Hospital", "St Oswald's Hospital"],
)
WARD = (
    ["Ward 7B", "Ward 12", "Kingfisher Ward", "Ward C4"],
    ["Ward 3A", "Ward 21", "Bluebell Ward", "Ward D2"],
)
PSEUDONYM = (
    ["Adult A", "Child B", "Mr D", "Practitioner 3", "Young Person C", "Sibling 1", "Mother M", "Child C"],
    ["Adult F", "Child K", "Mrs E", "Practitioner 7", "Baby L", "Father F", "Child B1", "Ms G"],
)
AGENCY = (
    ["Cambridgeshire and Peterborough Safeguarding Adults Board", "Norfolk Constabulary",
     "North West Anglia NHS Foundation Trust", "Adult Social Care", "Fenland District Council",
     "Cambridgeshire County Council", "East of England Ambulance Service", "Children's Social Care"],
    ["Northamptonshire Safeguarding Children Partnership", "Leicestershire Police",
     "Milton Keynes University Hospital NHS Foundation Trust", "Early Help", "Mid Wessex County Council",
     "Bedford Borough Council", "Hertfordshire Partnership University NHS Foundation Trust",
     "Multi-Agency Safeguarding Hub"],
)  # fmt: skip
ROLE = (
    ["the duty social worker", "the Health Visitor", "the DSL", "the Named Nurse for Safeguarding",
     "the GP", "the housing officer", "the IDVA", "the Team Manager"],
    ["the practice nurse", "the School Nurse", "the Designated Safeguarding Lead", "the CPN",
     "the allocated Social Worker", "the ward sister", "the Family Support Worker", "the AMHP"],
)  # fmt: skip
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]  # fmt: skip
MON3 = [m[:3] for m in MONTHS]


def nhs_number(rng: random.Random, *, valid: bool = True) -> str:
    """A 999-range NHS number (never issued), checksum valid or not, in a random layout."""
    while True:
        body = "999" + "".join(str(rng.randrange(10)) for _ in range(6))
        total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        if check == 10:
            continue
        digit = check if valid else (check + rng.randrange(1, 10)) % 10
        digits = body + str(digit)
        layout = rng.choice(["spaced", "spaced", "plain", "dashed"])
        if layout == "spaced":
            return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
        if layout == "dashed":
            return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
        return digits


def phone(rng: random.Random, half: int) -> str:
    """An Ofcom drama-range number in one of the usual GB layouts."""
    n3 = f"{rng.randrange(1000):03d}"
    n4 = f"{rng.randrange(10000):04d}"
    layouts = (
        [f"07700 900{n3}", f"07700900{n3}", f"+44 7700 900{n3}", f"020 7946 0{n3}", f"0113 496 0{n3}",
         f"(0113) 496 0{n3}", f"07700 900 {n3}"],
        [f"07700 900{n3}", f"+44 (0)20 7946 0{n3}", f"0207 946 0{n3}", f"0113 4960{n3}", f"07700-900-{n3}",
         f"+447700900{n3}", f"(020) 7946 0{n3}"],
    )  # fmt: skip
    del n4
    return rng.choice(layouts[half])


def ni_number(rng: random.Random) -> str:
    d = [f"{rng.randrange(100):02d}" for _ in range(3)]
    suffix = rng.choice("ABCD")
    return rng.choice([f"QQ {d[0]} {d[1]} {d[2]} {suffix}", f"QQ{d[0]}{d[1]}{d[2]}{suffix}",
                       f"QQ {''.join(d)} {suffix}"])  # fmt: skip


def postcode(rng: random.Random, half: int) -> str:
    area = rng.choice(POSTCODE_AREA[half])
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"{area}{rng.randrange(1, 40)} {rng.randrange(10)}{rng.choice(letters)}{rng.choice(letters)}"


def a_date(rng: random.Random, half: int, *, year_from: int, year_to: int) -> str:
    day, month, year = rng.randrange(1, 29), rng.randrange(1, 13), rng.randrange(year_from, year_to)
    suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(day, "th")
    layouts = (
        [f"{day:02d}/{month:02d}/{year}", f"{day} {MONTHS[month - 1]} {year}", f"{day}{suffix} {MONTHS[month - 1]} {year}",
         f"{day:02d}.{month:02d}.{year % 100:02d}", f"{year}-{month:02d}-{day:02d}"],
        [f"{day}/{month}/{year}", f"{day} {MON3[month - 1]} {year}", f"{MONTHS[month - 1]} {day}, {year}",
         f"{day:02d}-{month:02d}-{year}", f"{day}{suffix} of {MONTHS[month - 1]} {year}"],
    )  # fmt: skip
    return rng.choice(layouts[half])


def reference(rng: random.Random, half: int) -> str:
    n = rng.randrange(10**6, 10**7)
    refs = (
        [f"MASH ref {n}", f"crime ref 42/{rng.randrange(10000, 99999)}/21", f"Mosaic ID {n}",
         f"case ref {rng.randrange(100, 999)} {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}",
         f"incident log {rng.randrange(1000, 9999)}-{rng.randrange(10, 99)}"],
        [f"CR-{rng.randrange(10**9, 10**10)}", f"Liquidlogic ref {n}", f"job no. {rng.randrange(100000, 999999)}",
         f"referral ID {rng.randrange(100, 999)}-{rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}",
         f"SAR ref 2021/{rng.randrange(10, 99)}"],
    )  # fmt: skip
    return rng.choice(refs[half])


def fill(slot: str, rng: random.Random, half: int) -> tuple[str, str | None]:
    """The text for one slot and the type it carries (None for a hard negative)."""
    first, surname = rng.choice(FIRST[half]), rng.choice(SURNAME[half])
    street = f"{rng.choice(STREET_NAME[half])} {rng.choice(STREET_TYPE[half])}"
    fac = rng.choice(FACILITY_NAME[half])
    simple = {
        "NAME": (f"{first} {surname}", "PERSON"),
        "FIRST": (first, "PERSON"),
        "SURNAME": (surname, "PERSON"),
        "TSURNAME": (f"{rng.choice(TITLES[half])} {surname}", "PERSON"),
        "EMAIL": (f"{first.lower()}.{surname.lower()}{rng.choice(['', '82', '_1'])}@example.org", "EMAIL"),
        "PHONE": (phone(rng, half), "PHONE"),
        "NHS": (nhs_number(rng), "NHS_NUMBER"),
        "NHSBAD": (nhs_number(rng, valid=False), "NHS_NUMBER"),
        "NI": (ni_number(rng), "NI_NUMBER"),
        "POSTCODE": (postcode(rng, half), "POSTCODE"),
        "DOB": (a_date(rng, half, year_from=1940, year_to=2022), "DATE_OF_BIRTH"),
        "ADDRESS": (f"{rng.randrange(1, 180)} {street}", "ADDRESS"),
        "ADDRESST": (f"{rng.randrange(1, 180)} {street}, {rng.choice(TOWN[half])}", "ADDRESS"),
        "FLAT": (f"Flat {rng.randrange(1, 30)}, {rng.randrange(1, 90)} {street}", "ADDRESS"),
        "STREET": (street, "ADDRESS"),
        "SCHOOL": (f"{fac} {rng.choice(SCHOOL_KIND[half])}", "FACILITY"),
        "SURGERY": (f"{fac} {rng.choice(HEALTH_KIND[half])}", "FACILITY"),
        "HOSPITAL": (rng.choice(HOSPITAL[half]), "FACILITY"),
        "WARD": (rng.choice(WARD[half]), "FACILITY"),
        "PSEUDO": (rng.choice(PSEUDONYM[half]), None),
        "AGENCY": (rng.choice(AGENCY[half]), None),
        "ROLE": (rng.choice(ROLE[half]), None),
        "REF": (reference(rng, half), None),
        "DATE": (a_date(rng, half, year_from=2019, year_to=2024), None),
        "TOWN": (rng.choice(TOWN[half]), None),
    }
    if slot not in simple:
        raise KeyError(slot)
    return simple[slot]


# -- templates: {SLOT} or {SLOT:key} (same key, same value within a note) -----------------

TUNE_TEMPLATES = [
    "{PSEUDO} was known to {ROLE} from 2019. Her son {FIRST} was often at home during visits.",
    "HV visited on {DATE}. Mum's partner {FIRST} answered the door and said {PSEUDO} was asleep.",
    "{TSURNAME} (neighbour) rang the police on {PHONE} about shouting from the flat.",
    "Referral to {AGENCY} listed NHS number {NHS} and DOB {DOB}.",
    "The family moved to {ADDRESST} {POSTCODE} in the spring; no forwarding details were given to the school.",
    "{PSEUDO} attended {SCHOOL} until Year 4, then was electively home educated.",
    "GP at {SURGERY} saw {PSEUDO} twice in the month before the admission.",
    "Admitted to {HOSPITAL} on {DATE} and moved to {WARD} after two nights.",
    "Practitioners agreed that no single agency held the whole picture. {ROLE} said caseloads were over 40.",
    "Email from {EMAIL} to the MASH was not picked up for eight days ({REF}).",
    "NI number {NI} was on the benefits letter found at the property.",
    "Born {DOB}, {PSEUDO} was the youngest of four children.",
    "The grandmother, {NAME}, had been the main carer until her stroke.",
    "{AGENCY} commissioned the review in line with section 44 of the Care Act 2014.",
    "Police attended {ADDRESS} three times in 2021 ({REF}); no DASH was completed on the second visit.",
    "{ROLE} described {PSEUDO} as 'polite but guarded' and said she rarely made eye contact.",
    "Contact number for dad was {PHONE}, but it was often switched off.",
    "{NAME}'s brother was living on the sofa at the time and had his own support worker.",
    "There was nothing to indicate that {PSEUDO} lacked capacity to make the decision about his tenancy.",
    "School nurse was not told about the change of address. Child's DOB {DOB} was wrong on the health record.",
    "Learning point: information about {PSEUDO}'s father was held by {AGENCY} but not shared.",
    "Dr {SURNAME} from {SURGERY} wrote to the council about the damp in the flat.",
    "The {SURNAME} family were well known to the estate's housing officer.",
    "{PSEUDO}'s mum told the midwife her boyfriend {FIRST} had moved out, which was later found not to be true.",
    "On {DATE} the strategy discussion was held; {ROLE} and {AGENCY} both attended.",
    "Strategy meeting minutes record the NHS no. as {NHSBAD} for {PSEUDO}.",
    "Key practice episode 2: discharge from {WARD} at {HOSPITAL} without a care package.",
    "Parents {NAME} and {NAME} did not attend the initial child protection conference.",
    "{PSEUDO} lived at {FLAT} with her partner from 2020.",
    "Neighbours in {STREET} had complained about the smell to environmental health.",
    "No concerns were raised about workload at the time; the team had a full complement of staff.",
    "It would help if there was a shared chronology across {AGENCY} and health.",
    "{ROLE} phoned {TSURNAME} on {PHONE} to arrange a joint visit, which did not happen.",
    "Contact details on file: {EMAIL}, {PHONE}, {ADDRESST} {POSTCODE}.",
    "{PSEUDO} (date of birth {DOB}) was not registered with a GP after the move.",
    "Practitioner 2 said the front door was stretched; 300 contacts were waiting on {DATE}.",
    "The case was stepped down to {AGENCY} on {DATE} despite the concerns raised by {ROLE}.",
    "Mum's friend {NAME} was a regular visitor and sometimes looked after the baby overnight.",
    "Records at {SURGERY} show three DNAs for the baby's immunisations.",
    "{PSEUDO} said she felt 'judged' by staff on {WARD}.",
    "Referral ({REF}) noted that the child's NHS number {NHS} did not match the name given.",
    "The review heard from 14 practitioners across 9 agencies. The chair thanked everyone for their openness.",
    "Paramedics took {PSEUDO} to {HOSPITAL}; the crew recorded the address as {ADDRESS}.",
    "{FIRST} (aged 15) was excluded from {SCHOOL} in the autumn term.",
    "The tenancy at {ADDRESS}, {TOWN} ended in arrears; {AGENCY} did not know about the eviction.",
    "Mr {SURNAME} told the social worker he was the baby's father but was not named on the birth certificate.",
    "NI no. {NI}; UC claim closed {DATE}.",
    "Good practice: {ROLE} persisted with home visits even when {PSEUDO} would not open the door.",
    "MARAC on {DATE} heard that {PSEUDO}'s ex-partner {NAME} had been released from prison.",
    "There were 3 referrals from the school, 2 from police and 1 from the GP.",
    "His mother's number ({PHONE}) was passed to the out-of-hours team.",
    "The baby (DOB {DOB}) was seen at the {SURGERY} baby clinic twice.",
    "D.O.B. {DOB}. NHS {NHS}. Address {ADDRESS}, {POSTCODE}.",
    "{PSEUDO} and {PSEUDO} were both open to {AGENCY} at the time of the incident.",
    "The learning event was held at Fenbridge Town Hall; attendees are listed in appendix 2.",
    "Uncle {NAME} offered to take the children but the assessment was never completed.",
]  # fmt: skip

HELDOUT_TEMPLATES = [
    "When the HV called on {DATE}, {PSEUDO}'s stepdad {FIRST} said the baby was with her nan.",
    "{ROLE} recalled that {TSURNAME} from next door had raised concerns about the children being left alone.",
    "Ambulance crew noted NHS number {NHS} on the handover sheet at {HOSPITAL}.",
    "She had moved from {ADDRESST} to a hostel; postcode on the referral was {POSTCODE}.",
    "{PSEUDO} started at {SCHOOL} in reception and attendance fell below 80% by spring.",
    "The practice manager at {SURGERY} confirmed the family were deregistered for non-attendance.",
    "Transferred to {WARD} on {DATE}; the discharge summary went to the wrong practice.",
    "{ROLE} reflected that the threshold document was applied rigidly and the referral was closed at the front door.",
    "{PSEUDO}'s sister {FIRST} was the only family member who visited regularly.",
    "Messages were sent to {EMAIL} but there is no record of a reply.",
    "Benefits paperwork showed National Insurance number {NI}.",
    "{PSEUDO} (born {DOB}) was described as a bright, chatty child by nursery staff.",
    "Practitioners said {NAME}, the maternal grandfather, was protective but struggled with his own health.",
    "The {AGENCY} learning review panel met on {DATE}.",
    "Officers visited {ADDRESS} on {DATE} ({REF}) and found no one at home.",
    "{ROLE} said that, looking back, the warning signs only seem obvious now.",
    "Dad could be reached on {PHONE} during working hours only.",
    "{NAME}'s partner was known to probation and had a history of violence in previous relationships.",
    "No one at the meeting thought that {PSEUDO} was at immediate risk.",
    "The health record had {PSEUDO}'s date of birth as {DOB}, which meant the developmental review was missed.",
    "Information held by {AGENCY} about the father was not shared with {ROLE}.",
    "Dr {SURNAME} at {SURGERY} referred to the memory clinic but the letter was never sent.",
    "There was little understanding of the {SURNAME} family's history across the partnership.",
    "{PSEUDO} told the teacher that her mum's boyfriend {FIRST} shouted at night.",
    "{ROLE} chaired the strategy discussion on {DATE}; {AGENCY} were not invited.",
    "The referral form gave the NHS number as {NHSBAD}.",
    "Key practice episode 4: {PSEUDO} was discharged from {HOSPITAL} on a Friday evening.",
    "{NAME} and {NAME} were both named on the tenancy agreement.",
    "{PSEUDO} had been living at {FLAT} since 2019.",
    "Residents of {STREET} petitioned the council about the noise.",
    "Staff turnover in the team was high; three social workers in nine months.",
    "Practitioners proposed a single point of contact for families who move across boundaries.",
    "{ROLE} texted {TSURNAME} on {PHONE} but the number was no longer in use.",
    "The file held {EMAIL} and {PHONE} as contact details, and an address of {ADDRESST} {POSTCODE}.",
    "{PSEUDO}, DOB {DOB}, was not known to children's services before the incident.",
    "The hub received 412 contacts that week ({REF}).",
    "After the conference on {DATE}, the case was transferred to {AGENCY}.",
    "Her best friend {NAME} said she had been frightened of him for months.",
    "Clinic letters from {SURGERY} were returned 'not known at this address'.",
    "{PSEUDO} said nurses on {WARD} were kind but rushed.",
    "The GP letter ({REF}) quoted NHS number {NHS} for the mother, not the baby.",
    "Thirteen practitioners attended the event; everyone contributed to the discussion on escalation.",
    "The ambulance was called to {ADDRESS} and took {PSEUDO} to {HOSPITAL}.",
    "{FIRST} was in Year 9 at {SCHOOL} and known to the pastoral team.",
    "The flat at {ADDRESS}, {TOWN} was repossessed; {AGENCY} only learnt of it afterwards.",
    "Mrs {SURNAME} said she had asked for help from the surgery several times.",
    "NI: {NI}. Council tax support ended on {DATE}.",
    "Good practice was noted in the persistence of {ROLE} with {PSEUDO}.",
    "At MARAC on {DATE} the IDVA reported that {NAME} had breached his bail conditions.",
    "Figures: 5 contacts from health, 4 from education, 2 from police.",
    "Grandma's mobile ({PHONE}) was the number the school used.",
    "Baby's date of birth: {DOB}; the 6-8 week check was done at {SURGERY}.",
    "DOB {DOB} / NHS No {NHS} / {ADDRESS} / {POSTCODE}",
    "{PSEUDO} and {PSEUDO} were siblings placed together with foster carers.",
    "The event took place at Harnley Civic Centre and was facilitated by the independent reviewer.",
    "Aunt {NAME} phoned the duty team twice in one week asking for help.",
]  # fmt: skip

_SLOT = re.compile(r"\{([A-Z]+)(?::(\w+))?\}")


def render(
    template: str, rng: random.Random, half: int
) -> tuple[str, list[dict[str, object]], list[dict[str, object]]]:
    """Fill a template; return the text, the labelled spans and the hard-negative spans."""
    text, pos = "", 0
    spans: list[dict[str, object]] = []
    negatives: list[dict[str, object]] = []
    keyed: dict[str, tuple[str, str | None]] = {}
    for m in _SLOT.finditer(template):
        text += template[pos : m.start()]
        slot, key = m.group(1), m.group(2)
        value, type_ = keyed[key] if key and key in keyed else fill(slot, rng, half)
        if key:
            keyed[key] = (value, type_)
        if value[:1].islower() and (not text.strip() or text.rstrip().endswith((".", ":"))):
            value = value[0].upper() + value[1:]  # a role slot at the start of a sentence
        where = {"start": len(text), "end": len(text) + len(value)}
        if type_ is not None:
            spans.append({**where, "type": type_})
        else:
            negatives.append({**where, "kind": slot})
        text += value
        pos = m.end()
    text += template[pos:]
    return text, spans, negatives


def build() -> list[dict[str, object]]:
    """Every labelled note, tuning half then held-out half."""
    rng = random.Random(20261101)
    rows: list[dict[str, object]] = []
    for split, half, templates in (("tune", 0, TUNE_TEMPLATES), ("heldout", 1, HELDOUT_TEMPLATES)):
        n = 0
        for _ in range(RENDERS[split]):
            for template in templates:
                n += 1
                text, spans, negatives = render(template, rng, half)
                rows.append(
                    {"id": f"{split}-{n:03d}", "split": split, "text": text, "spans": spans,
                     "hard_negatives": negatives}
                )  # fmt: skip
    return rows


def main() -> None:
    rows = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} notes to {OUT}")


if __name__ == "__main__":
    main()
