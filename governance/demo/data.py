"""The demo data set: the Metropolis Annual Meeting, Guangzhou, 14-17 November 2012.

The Metropolis Board of Directors met in Guangzhou beside the FMDV Board and an
internal meeting of the Metropolis Women's International Network (see the invitation
letter in shared/seed). Cities are real Metropolis and FMDV members of the time; the
people other than the two who signed the invitation are placeholders marked "(demo)",
and so is every statute article that we made up.
"""

from __future__ import annotations

# (slug, name, country, region, category, fee paid for 2012)
METROPOLIS_MEMBERS: list[tuple[str, str, str, str, str, bool]] = [
    ("paris-idf", "Paris Île-de-France", "France", "europe", "founding", True),
    ("guangzhou", "Guangzhou", "China", "asia_pacific", "active", True),
    ("barcelona", "Barcelona", "Spain", "europe", "founding", True),
    ("berlin", "Berlin", "Germany", "europe", "active", True),
    ("brussels", "Brussels-Capital Region", "Belgium", "europe", "active", True),
    ("moscow", "Moscow", "Russia", "europe", "active", True),
    ("milan", "Milan", "Italy", "europe", "active", True),
    ("lyon", "Greater Lyon", "France", "europe", "active", True),
    ("istanbul", "Istanbul", "Türkiye", "europe", "active", True),
    ("abidjan", "Abidjan", "Côte d'Ivoire", "africa", "active", True),
    ("dakar", "Dakar", "Senegal", "africa", "active", False),
    ("johannesburg", "Johannesburg", "South Africa", "africa", "active", True),
    ("antananarivo", "Antananarivo", "Madagascar", "africa", "active", False),
    ("rabat", "Rabat", "Morocco", "africa", "active", True),
    ("gauteng", "Gauteng Province", "South Africa", "africa", "associate", True),
    ("seoul", "Seoul", "Republic of Korea", "asia_pacific", "active", True),
    ("bangkok", "Bangkok", "Thailand", "asia_pacific", "active", True),
    ("jakarta", "Jakarta", "Indonesia", "asia_pacific", "active", True),
    ("kolkata", "Kolkata", "India", "asia_pacific", "active", True),
    ("wuhan", "Wuhan", "China", "asia_pacific", "active", True),
    ("melbourne", "Melbourne", "Australia", "asia_pacific", "active", True),
    ("mashhad", "Mashhad", "Iran", "middle_east", "active", True),
    ("tehran", "Tehran", "Iran", "middle_east", "active", True),
    ("mexico-city", "Mexico City", "Mexico", "latin_america", "active", True),
    ("buenos-aires", "Buenos Aires", "Argentina", "latin_america", "active", True),
    ("sao-paulo", "São Paulo", "Brazil", "latin_america", "active", True),
    ("montevideo", "Montevideo", "Uruguay", "latin_america", "active", True),
    ("bogota", "Bogotá", "Colombia", "latin_america", "active", True),
    ("guadalajara", "Guadalajara", "Mexico", "latin_america", "associate", True),
    ("montreal", "Montréal", "Canada", "north_america", "founding", True),
    ("toronto", "Toronto", "Canada", "north_america", "active", True),
]

# Principals named in the invitation letter; everyone else is a placeholder.
NAMED_PEOPLE = {
    "paris-idf": "Jean-Paul Huchon",
    "guangzhou": "Chen Jianhua",
}

# Offices on the Metropolis Board (member slug -> office).
METROPOLIS_BOARD_OFFICES = {
    "paris-idf": "president",
    "guangzhou": "vice_president",
    "abidjan": "vice_president",
    "seoul": "vice_president",
    "mashhad": "vice_president",
    "mexico-city": "vice_president",
    "montreal": "vice_president",
    "barcelona": "treasurer",
}

# The Women's International Network meets with a subset of members.
WOMEN_NETWORK_MEMBERS = [
    "brussels",
    "paris-idf",
    "barcelona",
    "berlin",
    "abidjan",
    "seoul",
    "mexico-city",
    "montreal",
    "sao-paulo",
    "guangzhou",
]
WOMEN_NETWORK_PRESIDENT = "brussels"

FMDV_MEMBERS: list[tuple[str, str, str, str, str, bool]] = [
    ("metropolis", "Metropolis", "Spain", "europe", "founding", True),
    ("uclg", "United Cities and Local Governments", "Spain", "europe", "founding", True),
    ("paris-idf", "Paris Île-de-France", "France", "europe", "founding", True),
    ("dakar", "Dakar", "Senegal", "africa", "active", True),
    ("barcelona", "Barcelona", "Spain", "europe", "active", True),
    ("guangzhou", "Guangzhou", "China", "asia_pacific", "active", True),
    ("mexico-city", "Mexico City", "Mexico", "latin_america", "active", True),
    ("sao-paulo", "São Paulo", "Brazil", "latin_america", "active", True),
    ("johannesburg", "Johannesburg", "South Africa", "africa", "active", True),
    ("rabat", "Rabat", "Morocco", "africa", "active", True),
    ("abidjan", "Abidjan", "Côte d'Ivoire", "africa", "active", False),
    ("bamako", "Bamako", "Mali", "africa", "active", True),
    ("lyon", "Greater Lyon", "France", "europe", "active", True),
    ("montreal", "Montréal", "Canada", "north_america", "active", True),
    ("jakarta", "Jakarta", "Indonesia", "asia_pacific", "active", True),
]

# FMDV is co-chaired: two Co-Presidents, one acting as President for this meeting.
FMDV_BOARD_OFFICES = {"paris-idf": "co_president", "dakar": "co_president", "barcelona": "treasurer"}
FMDV_ACTING_PRESIDENT = "paris-idf"

# Rule set clauses. Articles we invented are marked "(demo)".
METROPOLIS_BOARD_RULES = {
    "version": 1,
    "title": "Statutes of Metropolis, Board of Directors (demo)",
    "effective_from": "2011-06-01",
    "notice_days": 30,
    "notice_article": "Art. 11.2 (demo)",
    "voting_categories": "active,founding",
    "voting_categories_article": "Art. 6 (demo)",
    "quorum_counts": "present_or_represented",
    "quorum_of": "voting_members",
    "quorum_numerator": 1,
    "quorum_denominator": 2,
    "quorum_minimum": 0,
    "quorum_article": "Art. 11.4 (demo)",
    "second_call_numerator": 1,
    "second_call_denominator": 3,
    "second_call_minimum": 5,
    "second_call_article": "Art. 11.5 (demo)",
    "tie_rule": "chair_prevails",
    "tie_article": "Art. 11.6 (demo)",
    "proxies_allowed": True,
    "proxy_max_per_holder": 1,
    "proxy_holder_must_be_member": True,
    "proxy_article": "Art. 11.3 (demo)",
    "remote_allowed": True,
    "remote_article": "Art. 11.7 (demo)",
    "written_procedure_allowed": True,
    "written_procedure_article": "Art. 11.8 (demo)",
    "secret_ballot_for_elections": True,
    "secret_ballot_for_personal_matters": True,
    "secret_ballot_on_request_of": 3,
    "secret_ballot_article": "Art. 11.9 (demo)",
    "election_method": "absolute_then_relative",
    "election_uncontested_without_vote": True,
    "election_article": "Art. 12 (demo)",
    "arrears_remove_vote": True,
    "arrears_article": "Art. 7.3 (demo)",
    "minutes_signatories": "president,secretary_general",
    "minutes_article": "Art. 11.10 (demo)",
    "languages": "en,fr,es",
    "authoritative_language": "fr",
    "languages_article": "Art. 20 (demo)",
    "recusal_article": "Art. 11.11 (demo)",
    "voting_article": "Art. 11.12 (demo)",
}

# decision type -> (numerator, denominator, strict, base, article)
METROPOLIS_BOARD_MAJORITIES = {
    "ordinary": (1, 2, True, "cast_excluding_abstentions", "Art. 11.6 (demo)"),
    "agenda": (1, 2, True, "cast_excluding_abstentions", "Art. 11.6 (demo)"),
    "minutes": (1, 2, True, "cast_excluding_abstentions", "Art. 11.10 (demo)"),
    "procedural": (1, 2, True, "cast_excluding_abstentions", "Art. 11.6 (demo)"),
    "budget": (1, 2, True, "present_or_represented", "Art. 15 (demo)"),
    "admission": (2, 3, False, "cast_excluding_abstentions", "Art. 5 (demo)"),
    "exclusion": (2, 3, False, "present_or_represented", "Art. 8 (demo)"),
    "election": (1, 2, True, "cast_excluding_abstentions", "Art. 12 (demo)"),
}

FMDV_BOARD_RULES = {
    **METROPOLIS_BOARD_RULES,
    "title": "Statutes of the FMDV, Board of Directors (demo)",
    "effective_from": "2010-10-01",
    "notice_days": 15,
    "notice_article": "Art. 10 (demo)",
    "quorum_counts": "present",
    "quorum_numerator": 1,
    "quorum_denominator": 2,
    "quorum_article": "Art. 10.2 (demo)",
    "second_call_numerator": 0,
    "second_call_denominator": 1,
    "second_call_minimum": 0,
    "second_call_article": "Art. 10.3 (demo)",
    "tie_rule": "casting_vote",
    "casting_vote_office": "president",
    "tie_article": "Art. 10.4 (demo)",
    "proxy_max_per_holder": 2,
    "remote_allowed": False,
    "written_procedure_allowed": True,
    "minutes_signatories": "president,secretary_general",
    "languages": "fr,en,es",
    "authoritative_language": "fr",
}

FMDV_BOARD_MAJORITIES = {
    "ordinary": (1, 2, True, "cast_excluding_abstentions", "Art. 10.4 (demo)"),
    "agenda": (1, 2, True, "cast_excluding_abstentions", "Art. 10.4 (demo)"),
    "minutes": (1, 2, True, "cast_excluding_abstentions", "Art. 10.4 (demo)"),
    "budget": (2, 3, False, "cast_excluding_abstentions", "Art. 14 (demo)"),
}

WOMEN_NETWORK_RULES = {
    **METROPOLIS_BOARD_RULES,
    "title": "Internal rules of the Metropolis Women's International Network (demo)",
    "effective_from": "2008-01-01",
    "notice_days": 15,
    "quorum_numerator": 1,
    "quorum_denominator": 3,
    "proxies_allowed": False,
    "proxy_max_per_holder": 0,
    "minutes_signatories": "president",
    "authoritative_language": "en",
    "languages": "en,fr,es",
}


# The Board's agenda (number, kind, decision type, special, EN, FR, ES titles, rapporteur).
METROPOLIS_BOARD_AGENDA = [
    (
        "1",
        "decision",
        None,
        "agenda",
        "Adoption of the agenda",
        "Adoption de l'ordre du jour",
        "Aprobación del orden del día",
        "",
    ),
    (
        "2",
        "decision",
        None,
        "minutes",
        "Approval of the minutes of the previous Board meeting",
        "Approbation du procès-verbal de la précédente réunion du Conseil",
        "Aprobación del acta de la anterior reunión del Consejo",
        "",
    ),
    (
        "3",
        "information",
        None,
        None,
        "Report of the Secretary General",
        "Rapport du Secrétaire général",
        "Informe del Secretario General",
        "Secretary General",
    ),
    ("4", "decision", "budget", None, "Budget 2013", "Budget 2013", "Presupuesto 2013", "Treasurer (Barcelona)"),
    (
        "5",
        "decision",
        "admission",
        None,
        "Admission of new members",
        "Admission de nouveaux membres",
        "Admisión de nuevos miembros",
        "",
    ),
    (
        "6",
        "discussion",
        None,
        None,
        "Metropolis initiatives: first results",
        "Initiatives Metropolis : premiers résultats",
        "Iniciativas Metropolis: primeros resultados",
        "",
    ),
    (
        "7",
        "decision",
        "ordinary",
        None,
        "Next meeting of the Board",
        "Prochaine réunion du Conseil",
        "Próxima reunión del Consejo",
        "",
    ),
    ("8", "information", None, None, "Any other business", "Questions diverses", "Asuntos varios", ""),
]
