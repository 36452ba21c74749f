"""The Metropolis Board meeting of Guangzhou 2012 as written: who is who, what is moved, how warmly
the room receives it. ``governance.demo.simulate`` plays it."""

SLUG = "metropolis-bod-2012"
DEFAULT_SEED = 2012
DOMAIN = "metropolis.demo"
SECRETARIAT = f"secretary@{DOMAIN}"
PRESIDENT = "paris-idf"  # chairs the Board
TREASURER = "barcelona"  # moves the budget
HOST = "guangzhou"  # hosts the meeting and receives a grant under the budget: recused on item 4
ABSENT_VOTERS = 4  # voting members who stay away; the first gives its proxy
OBJECTION_CHANCE = 0.2  # that someone objects to approving the minutes by unanimous consent
TELLERS = "Tellers of the secretariat (demo)"
RECUSAL_REASON = "Guangzhou hosts the meeting and receives a grant under this budget (demo)"

# What is moved: (French, authoritative; English; Spanish).
TEXTS = {
    "agenda": (
        "Le Conseil adopte l'ordre du jour.",
        "The Board adopts the agenda.",
        "El Consejo aprueba el orden del día.",
    ),
    "minutes": (
        "Le procès-verbal de la précédente réunion du Conseil est approuvé.",
        "The minutes of the previous Board meeting are approved.",
        "Se aprueba el acta de la anterior reunión del Consejo.",
    ),
    "budget": (
        "Le Conseil approuve le budget 2013 de 3 200 000 euros (démo).",
        "The Board approves the 2013 budget of EUR 3,200,000 (demo).",
        "El Consejo aprueba el presupuesto 2013 de 3.200.000 euros (demo).",
    ),
    "budget-amendment": (
        "Le Conseil approuve le budget 2013 de 3 000 000 euros (démo).",
        "The Board approves the 2013 budget of EUR 3,000,000 (demo).",
        "El Consejo aprueba el presupuesto 2013 de 3.000.000 euros (demo).",
    ),
    "admission": (
        "Le Conseil admet la Ville de Lisbonne comme membre actif (démo).",
        "The Board admits the City of Lisbon as an active member (demo).",
        "El Consejo admite a la Ciudad de Lisboa como miembro activo (demo).",
    ),
    "next-meeting": (
        "Le Conseil tiendra sa prochaine réunion à Montréal en juin 2013 (démo).",
        "The Board will next meet in Montréal in June 2013 (demo).",
        "El Consejo celebrará su próxima reunión en Montreal en junio de 2013 (demo).",
    ),
}

# How warmly the room receives each motion: each voter says yes with a probability drawn
# from this range (the rest split between no and abstention).
SUPPORT = {
    "agenda": (0.88, 0.98),
    "minutes": (0.85, 0.97),
    "budget": (0.70, 0.92),
    "budget-amendment": (0.55, 0.80),
    "admission": (0.72, 0.95),
    "next-meeting": (0.75, 0.95),
}
