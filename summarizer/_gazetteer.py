"""Small generic word lists for the extractive engine: kind cues, titles, well-known parties."""

from __future__ import annotations

# Well-known organisations and their kind; keys are lower-case as written in news copy.
KNOWN_ORGS: dict[str, str] = {
    # non-state armed groups
    "isis": "non_state_armed_group", "isil": "non_state_armed_group",
    "islamic state": "non_state_armed_group", "daesh": "non_state_armed_group",
    "al qaeda": "non_state_armed_group", "al-qaeda": "non_state_armed_group",
    "al qaida": "non_state_armed_group", "al-qaida": "non_state_armed_group",
    "aqim": "non_state_armed_group", "aqap": "non_state_armed_group",
    "shabab": "non_state_armed_group", "al shabab": "non_state_armed_group",
    "al-shabab": "non_state_armed_group", "boko haram": "non_state_armed_group",
    "taliban": "non_state_armed_group", "pakistani taliban": "non_state_armed_group",
    "hezbollah": "non_state_armed_group", "hamas": "non_state_armed_group",
    "houthis": "non_state_armed_group", "houthi": "non_state_armed_group",
    "pkk": "non_state_armed_group", "ypg": "non_state_armed_group", "sdf": "non_state_armed_group",
    "nusra front": "non_state_armed_group", "hayat tahrir al-sham": "non_state_armed_group",
    "hts": "non_state_armed_group", "free syrian army": "non_state_armed_group",
    "fsa": "non_state_armed_group", "iswap": "non_state_armed_group",
    "jnim": "non_state_armed_group", "m23": "non_state_armed_group",
    "adf": "non_state_armed_group", "rsf": "non_state_armed_group",
    "wagner": "non_state_armed_group", "janjaweed": "non_state_armed_group",
    "farc": "non_state_armed_group", "eln": "non_state_armed_group",
    "ltte": "non_state_armed_group", "popular mobilisation": "non_state_armed_group",
    "popular mobilization": "non_state_armed_group", "hashid shaabi": "non_state_armed_group",
    "islamic jihad": "non_state_armed_group", "lashkar-e-taiba": "non_state_armed_group",
    "tehrik-i-taliban": "non_state_armed_group", "ttp": "non_state_armed_group",
    "spla-io": "non_state_armed_group", "ira": "non_state_armed_group",
    "kurdistan workers party": "non_state_armed_group",
    "syrian democratic forces": "non_state_armed_group",
    # state forces
    "peshmerga": "state_force", "idf": "state_force", "nato": "state_force",
    "pentagon": "government", "kremlin": "government", "white house": "government",
    "state department": "government", "defense department": "government",
    "palestinian authority": "government",
    # international organisations
    "u.n.": "international_org", "un": "international_org", "united nations": "international_org",
    "unmiss": "international_org", "unama": "international_org", "unhcr": "international_org",
    "unicef": "international_org", "monusco": "international_org", "minusma": "international_org",
    "unifil": "international_org", "who": "international_org", "icrc": "international_org",
    "red cross": "international_org", "red crescent": "international_org",
    "african union": "international_org", "european union": "international_org",
    "eu": "international_org", "amisom": "international_org", "ecowas": "international_org",
    "arab league": "international_org", "osce": "international_org", "iaea": "international_org",
    "world food programme": "international_org", "world health organization": "international_org",
    "igad": "international_org",
    # monitors and analysts
    "human rights watch": "analyst_or_monitor", "amnesty international": "analyst_or_monitor",
    "syrian observatory for human rights": "analyst_or_monitor", "acled": "analyst_or_monitor",
    "airwars": "analyst_or_monitor", "crisis group": "analyst_or_monitor",
    "international crisis group": "analyst_or_monitor",
    # media
    "reuters": "media", "afp": "media", "associated press": "media", "ap": "media",
    "cnn": "media", "bbc": "media", "al jazeera": "media", "ntv": "media", "anha": "media",
    "xinhua": "media", "tass": "media", "ria": "media", "interfax": "media", "sana": "media",
    "anadolu": "media", "irna": "media", "dpa": "media", "efe": "media",
    # aid groups
    "doctors without borders": "other", "msf": "other", "médecins sans frontières": "other",
    "medecins sans frontieres": "other", "save the children": "other", "oxfam": "other",
    "white helmets": "other",
}

# Kind cue words found inside a name or next to it; checked in this order.
KIND_CUES: list[tuple[str, tuple[str, ...]]] = [
    ("media", ("news agency", "agency", "tv", "television", "radio", "broadcaster", "newspaper",
               "photographer", "correspondent", "journalist", "reporter", "cameraman", "media",
               "news", "times", "post", "channel", "network")),
    ("analyst_or_monitor", ("observatory", "analyst", "monitor", "monitors", "researcher",
                            "expert", "think tank", "institute", "watch", "professor",
                            "monitoring")),
    ("international_org", ("u.n.", "united nations", "envoy", "secretary-general", "nato",
                           "union", "red cross", "mission", "unicef", "unhcr", "international")),
    ("non_state_armed_group", ("militants", "militant", "rebels", "rebel", "insurgents",
                               "insurgent", "jihadists", "jihadist", "militia", "militias",
                               "gunmen", "guerrillas", "extremists", "separatists",
                               "opposition", "brigade", "brigades", "front", "fighters",
                               "attackers", "assailants", "group", "movement", "faction")),
    ("state_force", ("army", "forces", "force", "troops", "police", "soldiers", "military",
                     "air force", "navy", "guard", "guards", "commandos", "servicemen",
                     "warplanes", "jets", "coalition", "gendarmerie", "commander", "officer",
                     "col.", "gen.", "lt.", "maj.", "sgt.", "brig.", "capt.", "general",
                     "colonel", "battalion", "regiment", "division", "defense ministry",
                     "defence ministry", "special forces")),
    ("government", ("president", "prime minister", "minister", "ministry", "government",
                    "pentagon", "governor", "mayor", "presidency", "parliament", "cabinet",
                    "official", "officials", "spokesman", "spokeswoman", "authorities",
                    "authority", "department", "secretary", "king", "chancellor", "kremlin",
                    "council", "senator", "ambassador", "diplomat", "office", "state")),
    ("civilians", ("civilians", "civilian", "residents", "resident", "students", "student",
                   "hostages", "hostage", "villagers", "parents", "parent", "witness",
                   "survivor", "refugees", "teachers", "noncombatants", "victims", "doctor",
                   "girls", "schoolgirls", "children", "worker", "workers", "nurse", "lecturer",
                   "teacher")),
]

# Titles that come before a person's name, with the kind they imply (None: decided elsewhere).
TITLES: dict[str, str | None] = {
    "president": "government", "vice president": "government", "prime minister": "government",
    "minister": "government", "foreign minister": "government", "defense minister": "government",
    "defence minister": "government", "interior minister": "government",
    "information minister": "government", "secretary": "government",
    "secretary of state": "government", "defense secretary": "government",
    "defence secretary": "government", "governor": "government", "mayor": "government",
    "king": "government", "chancellor": "government", "senator": "government", "sen.": "government",
    "ambassador": "government", "spokesman": None, "spokeswoman": None, "spokesperson": None,
    "secretary-general": "international_org", "envoy": "international_org",
    "gen.": "state_force", "general": "state_force", "lt.": "state_force", "col.": "state_force",
    "lt. col.": "state_force", "maj.": "state_force", "capt.": "state_force",
    "brig.": "state_force", "sgt.": "state_force", "commander": "state_force",
    "colonel": "state_force", "major general": "state_force", "maj. gen.": "state_force",
    "predecessor": "government", "successor": "government",
    "leader": None, "chief": None, "head": None, "director": None, "analyst": "analyst_or_monitor",
    "researcher": "analyst_or_monitor", "photographer": "media", "correspondent": "media",
    "journalist": "media", "reporter": "media", "dr": None, "dr.": None, "mr.": None,
    "mrs.": None, "ms.": None, "sheikh": None, "imam": None, "cleric": None,
}

# Heads of common-noun actor phrases ("Israeli forces", "the army", "civilians") and their kind.
GROUP_HEADS: dict[str, str] = {
    "forces": "state_force", "troops": "state_force", "soldiers": "state_force",
    "army": "state_force", "military": "state_force", "police": "state_force",
    "policemen": "state_force", "warplanes": "state_force", "jets": "state_force",
    "coalition": "state_force", "servicemen": "state_force", "commandos": "state_force",
    "air force": "state_force", "security forces": "state_force", "guard": "state_force",
    "peshmerga": "state_force",
    "militants": "non_state_armed_group", "rebels": "non_state_armed_group",
    "insurgents": "non_state_armed_group", "jihadists": "non_state_armed_group",
    "militia": "non_state_armed_group", "militias": "non_state_armed_group",
    "gunmen": "non_state_armed_group", "fighters": "non_state_armed_group",
    "insurgent groups": "non_state_armed_group", "rebel groups": "non_state_armed_group",
    "rebel factions": "non_state_armed_group", "attackers": "non_state_armed_group",
    "assailants": "non_state_armed_group", "extremists": "non_state_armed_group",
    "loyalists": "non_state_armed_group", "bodyguards": "non_state_armed_group",
    "civilians": "civilians", "residents": "civilians", "students": "civilians",
    "hostages": "civilians", "noncombatants": "civilians", "villagers": "civilians",
    "schoolgirls": "civilians", "refugees": "civilians", "protesters": "civilians",
    "civilian": "civilians",
}

# Qualifiers that may stand before a group head ("pro-government security forces").
GROUP_QUALIFIERS = (
    "pro-government", "government", "security", "international", "foreign", "military",
    "special", "rebel", "armed", "allied", "government-backed", "elite", "federal", "national",
    "paramilitary", "western-backed", "insurgent", "presidential", "air", "ground", "local",
    "islamist", "kurdish", "army", "state", "opposition",
)

MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec",
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Countries and a few regions: places for `where`, and actors only when they act.
COUNTRIES = (
    "Afghanistan", "Albania", "Algeria", "Angola", "Argentina", "Armenia", "Australia", "Austria",
    "Azerbaijan", "Bahrain", "Bangladesh", "Belarus", "Belgium", "Benin", "Bosnia", "Brazil",
    "Britain", "Bulgaria", "Burkina Faso", "Burundi", "Cambodia", "Cameroon", "Canada",
    "Central African Republic", "Chad", "Chile", "China", "Colombia", "Congo", "Croatia", "Cuba",
    "Cyprus", "Czech Republic", "Denmark", "Djibouti", "Egypt", "Eritrea", "Estonia", "Ethiopia",
    "Finland", "France", "Gaza", "Georgia", "Germany", "Ghana", "Greece", "Guinea", "Haiti",
    "Hungary", "India", "Indonesia", "Iran", "Iraq", "Ireland", "Israel", "Italy",
    "Ivory Coast", "Japan", "Jordan", "Kazakhstan", "Kenya", "Kosovo", "Kuwait", "Kyrgyzstan",
    "Latvia", "Lebanon", "Libya", "Lithuania", "Mali", "Mauritania", "Mexico", "Moldova",
    "Morocco", "Mozambique", "Myanmar", "Nagorno-Karabakh", "Nepal", "Netherlands",
    "New Zealand", "Niger", "Nigeria", "North Korea", "Norway", "Oman", "Pakistan", "Palestine",
    "Philippines", "Poland", "Portugal", "Qatar", "Romania", "Russia", "Rwanda", "Saudi Arabia",
    "Senegal", "Serbia", "Sierra Leone", "Somalia", "South Africa", "South Korea",
    "South Sudan", "Spain", "Sri Lanka", "Sudan", "Sweden", "Switzerland", "Syria", "Taiwan",
    "Tajikistan", "Tanzania", "Thailand", "Togo", "Tunisia", "Turkey", "Turkmenistan", "Uganda",
    "Ukraine", "United Arab Emirates", "United Kingdom", "United States", "Uzbekistan",
    "Venezuela", "Vietnam", "West Bank", "Yemen", "Zambia", "Zimbabwe", "Crimea", "Kashmir",
    "Darfur", "Sinai", "Kurdistan", "Balochistan", "Donbas", "Sahel", "Europe", "Africa",
    "Middle East", "South Caucasus",
)
# Territories and regions among COUNTRIES: places, but no government of their own that acts.
TERRITORIES = (
    "West Bank", "Gaza", "Gaza Strip", "Nagorno-Karabakh", "Crimea", "Kashmir", "Darfur", "Sinai",
    "Kurdistan", "Balochistan", "Donbas", "Sahel", "Europe", "Africa", "Middle East",
    "South Caucasus",
)
# Words inside an organisation's name that make a "Group", "Front" or "Movement" an armed one.
ARMED_NAME_WORDS = (
    "liberation", "jihad", "jihadist", "mujahideen", "mujahedeen", "resistance", "revolutionary",
    "armed", "militant", "militants", "rebel", "rebels", "insurgent", "islamic", "islamist",
    "salafist", "martyrs", "army",
)
# Capitals and seats of power that news copy uses for a government ("Washington said").
METONYMS = ("Washington", "Moscow", "Beijing", "Tehran", "Ankara", "Baku", "Yerevan", "Kremlin",
            "Kiev", "Kyiv", "Damascus", "Baghdad", "Kabul", "Islamabad", "New Delhi", "London",
            "Paris", "Berlin", "Riyadh", "Cairo", "Tripoli", "Khartoum", "Abuja", "Jerusalem")

# Nationality adjectives that qualify a group ("Turkish soldiers"); the rest are capitalised words.
SPEECH_VERBS = (
    "said", "says", "told", "added", "reported", "stated", "announced", "confirmed", "claimed",
    "estimated", "estimates", "believes", "believe", "wrote", "tweeted", "quoted", "noted",
    "warned", "insisted", "denied", "put", "cited", "say", "estimate",
)
