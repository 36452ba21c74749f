"""Organisations, staff, bodies, rule sets, majority rules, members, fees, seats, mandates."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from governance.db import run_sql_script

ID = "2026-11-28T08:01:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "organisations, bodies, rule sets, members, seats and mandates"

ARTICLE = "VARCHAR(120) NOT NULL"

SQL = f"""
CREATE TABLE organisation (
    id {{serial}},
    slug VARCHAR(60) NOT NULL,
    short_name VARCHAR(40) NOT NULL,
    name_en VARCHAR(200) NOT NULL,
    name_fr VARCHAR(200) NOT NULL DEFAULT '',
    name_es VARCHAR(200) NOT NULL DEFAULT '',
    authoritative_language VARCHAR(2) NOT NULL DEFAULT 'en',
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT organisation_slug_shape CHECK (slug = lower(slug) AND length(slug) > 0 AND slug NOT LIKE '% %'),
    CONSTRAINT organisation_names_present CHECK (length(trim(name_en)) > 0 AND length(trim(short_name)) > 0),
    CONSTRAINT organisation_language_known CHECK (authoritative_language IN ('en', 'fr', 'es'))
);
CREATE UNIQUE INDEX organisation_slug_unique ON organisation (slug);

CREATE TABLE staff (
    id {{serial}},
    organisation INTEGER NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    person INTEGER NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    role VARCHAR(20) NOT NULL DEFAULT 'secretariat',
    CONSTRAINT staff_role_known CHECK (role IN ('secretariat'))
);
CREATE UNIQUE INDEX staff_unique ON staff (organisation, person);

-- The people whose account details an organisation's secretariat manages.
CREATE TABLE directory_entry (
    id {{serial}},
    organisation INTEGER NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    person INTEGER NOT NULL REFERENCES person (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX directory_entry_unique ON directory_entry (organisation, person);

CREATE TABLE body (
    id {{serial}},
    organisation INTEGER NOT NULL REFERENCES organisation (id) ON DELETE RESTRICT,
    slug VARCHAR(60) NOT NULL,
    kind VARCHAR(30) NOT NULL,
    name_en VARCHAR(200) NOT NULL,
    name_fr VARCHAR(200) NOT NULL DEFAULT '',
    name_es VARCHAR(200) NOT NULL DEFAULT '',
    decision_prefix VARCHAR(12) NOT NULL,
    CONSTRAINT body_slug_shape CHECK (slug = lower(slug) AND length(slug) > 0 AND slug NOT LIKE '% %'),
    CONSTRAINT body_kind_known CHECK (kind IN
        ('general_assembly', 'board', 'executive_committee', 'committee', 'network')),
    CONSTRAINT body_name_present CHECK (length(trim(name_en)) > 0),
    CONSTRAINT body_prefix_present CHECK (length(trim(decision_prefix)) > 0)
);
CREATE UNIQUE INDEX body_slug_unique ON body (organisation, slug);
-- Target of the composite foreign keys that keep seats inside one organisation.
CREATE UNIQUE INDEX body_id_organisation ON body (id, organisation);

CREATE TABLE rule_set (
    id {{serial}},
    body INTEGER NOT NULL REFERENCES body (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    title VARCHAR(200) NOT NULL,
    effective_from DATE NOT NULL,
    effective_to DATE,
    notice_days INTEGER NOT NULL,
    notice_article {ARTICLE},
    voting_categories VARCHAR(120) NOT NULL,
    voting_categories_article {ARTICLE},
    quorum_counts VARCHAR(30) NOT NULL,
    quorum_of VARCHAR(30) NOT NULL,
    quorum_numerator INTEGER NOT NULL,
    quorum_denominator INTEGER NOT NULL,
    quorum_minimum INTEGER NOT NULL DEFAULT 0,
    quorum_article {ARTICLE},
    second_call_numerator INTEGER NOT NULL,
    second_call_denominator INTEGER NOT NULL,
    second_call_minimum INTEGER NOT NULL DEFAULT 0,
    second_call_article {ARTICLE},
    abstention_treatment VARCHAR(20) NOT NULL,
    abstention_article {ARTICLE},
    tie_rule VARCHAR(20) NOT NULL,
    casting_vote_office VARCHAR(30),
    tie_article {ARTICLE},
    proxies_allowed BOOLEAN NOT NULL,
    proxy_max_per_holder INTEGER NOT NULL,
    proxy_holder_must_be_member BOOLEAN NOT NULL,
    proxy_article {ARTICLE},
    remote_allowed BOOLEAN NOT NULL,
    remote_article {ARTICLE},
    written_procedure_allowed BOOLEAN NOT NULL,
    written_procedure_article {ARTICLE},
    secret_ballot_for_elections BOOLEAN NOT NULL,
    secret_ballot_for_personal_matters BOOLEAN NOT NULL,
    secret_ballot_on_request_of INTEGER,
    secret_ballot_article {ARTICLE},
    election_method VARCHAR(30) NOT NULL,
    election_uncontested_without_vote BOOLEAN NOT NULL,
    election_article {ARTICLE},
    arrears_remove_vote BOOLEAN NOT NULL,
    arrears_article {ARTICLE},
    minutes_signatories VARCHAR(120) NOT NULL,
    minutes_article {ARTICLE},
    languages VARCHAR(20) NOT NULL,
    authoritative_language VARCHAR(2) NOT NULL,
    languages_article {ARTICLE},
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT rule_set_version_positive CHECK (version >= 1),
    CONSTRAINT rule_set_dates_ordered CHECK (effective_to IS NULL OR effective_to > effective_from),
    CONSTRAINT rule_set_notice_nonnegative CHECK (notice_days >= 0),
    CONSTRAINT rule_set_quorum_fraction CHECK (
        quorum_denominator > 0 AND quorum_numerator >= 0 AND quorum_numerator <= quorum_denominator
        AND quorum_minimum >= 0),
    CONSTRAINT rule_set_second_call_fraction CHECK (
        second_call_denominator > 0 AND second_call_numerator >= 0
        AND second_call_numerator <= second_call_denominator AND second_call_minimum >= 0),
    CONSTRAINT rule_set_quorum_counts_known CHECK (quorum_counts IN ('present', 'present_or_represented')),
    CONSTRAINT rule_set_quorum_of_known CHECK (quorum_of IN ('voting_members', 'all_members')),
    CONSTRAINT rule_set_abstention_known CHECK (abstention_treatment IN ('not_cast', 'cast')),
    CONSTRAINT rule_set_tie_rule_known CHECK (
        tie_rule IN ('fails', 'chair_prevails', 'casting_vote', 'new_round', 'lot')),
    CONSTRAINT rule_set_casting_vote_office CHECK (
        (tie_rule = 'casting_vote') = (casting_vote_office IS NOT NULL)),
    CONSTRAINT rule_set_proxy_cap CHECK (proxy_max_per_holder >= 0),
    CONSTRAINT rule_set_secret_request CHECK (
        secret_ballot_on_request_of IS NULL OR secret_ballot_on_request_of >= 1),
    CONSTRAINT rule_set_election_method_known CHECK (election_method IN
        ('absolute_then_relative', 'repeat_all', 'drop_last', 'runoff_top_two')),
    CONSTRAINT rule_set_signatories_present CHECK (length(trim(minutes_signatories)) > 0),
    CONSTRAINT rule_set_languages_present CHECK (length(trim(languages)) > 0),
    CONSTRAINT rule_set_authoritative_language_known CHECK (authoritative_language IN ('en', 'fr', 'es')),
    CONSTRAINT rule_set_articles_cited CHECK (
        length(trim(notice_article)) > 0 AND length(trim(quorum_article)) > 0
        AND length(trim(second_call_article)) > 0 AND length(trim(tie_article)) > 0
        AND length(trim(proxy_article)) > 0 AND length(trim(abstention_article)) > 0
        AND length(trim(voting_categories_article)) > 0 AND length(trim(remote_article)) > 0
        AND length(trim(written_procedure_article)) > 0 AND length(trim(secret_ballot_article)) > 0
        AND length(trim(election_article)) > 0 AND length(trim(arrears_article)) > 0
        AND length(trim(minutes_article)) > 0 AND length(trim(languages_article)) > 0)
);
CREATE UNIQUE INDEX rule_set_version_unique ON rule_set (body, version);

CREATE TABLE majority_rule (
    id {{serial}},
    rule_set INTEGER NOT NULL REFERENCES rule_set (id) ON DELETE CASCADE,
    decision_type VARCHAR(30) NOT NULL,
    threshold_numerator INTEGER NOT NULL,
    threshold_denominator INTEGER NOT NULL,
    strict BOOLEAN NOT NULL,
    base VARCHAR(40) NOT NULL,
    article {ARTICLE},
    CONSTRAINT majority_rule_fraction CHECK (
        threshold_denominator > 0 AND threshold_numerator > 0
        AND threshold_numerator <= threshold_denominator),
    CONSTRAINT majority_rule_decision_type_known CHECK (decision_type IN
        ('ordinary', 'budget', 'statutes', 'election', 'admission', 'exclusion', 'dissolution',
         'agenda', 'minutes', 'procedural')),
    CONSTRAINT majority_rule_base_known CHECK (base IN
        ('cast_excluding_abstentions', 'cast_including_abstentions', 'present',
         'present_or_represented', 'all_members')),
    CONSTRAINT majority_rule_article_cited CHECK (length(trim(article)) > 0)
);
CREATE UNIQUE INDEX majority_rule_unique ON majority_rule (rule_set, decision_type);

CREATE TABLE member (
    id {{serial}},
    organisation INTEGER NOT NULL REFERENCES organisation (id) ON DELETE RESTRICT,
    slug VARCHAR(60) NOT NULL,
    name VARCHAR(200) NOT NULL,
    country VARCHAR(100) NOT NULL DEFAULT '',
    region VARCHAR(30) NOT NULL,
    category VARCHAR(20) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT member_slug_shape CHECK (slug = lower(slug) AND length(slug) > 0 AND slug NOT LIKE '% %'),
    CONSTRAINT member_name_present CHECK (length(trim(name)) > 0),
    CONSTRAINT member_region_known CHECK (region IN
        ('africa', 'asia_pacific', 'europe', 'latin_america', 'north_america', 'middle_east')),
    CONSTRAINT member_category_known CHECK (category IN ('active', 'associate', 'honorary', 'founding'))
);
CREATE UNIQUE INDEX member_slug_unique ON member (organisation, slug);
CREATE UNIQUE INDEX member_id_organisation ON member (id, organisation);

CREATE TABLE member_fee (
    id {{serial}},
    member INTEGER NOT NULL REFERENCES member (id) ON DELETE CASCADE,
    year INTEGER NOT NULL,
    paid BOOLEAN NOT NULL,
    CONSTRAINT member_fee_year_plausible CHECK (year BETWEEN 1900 AND 2200)
);
CREATE UNIQUE INDEX member_fee_unique ON member_fee (member, year);

CREATE TABLE seat (
    id {{serial}},
    organisation INTEGER NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
    body INTEGER NOT NULL,
    member INTEGER NOT NULL,
    CONSTRAINT seat_body_same_organisation FOREIGN KEY (body, organisation)
        REFERENCES body (id, organisation) ON DELETE CASCADE,
    CONSTRAINT seat_member_same_organisation FOREIGN KEY (member, organisation)
        REFERENCES member (id, organisation) ON DELETE CASCADE
);
CREATE UNIQUE INDEX seat_unique ON seat (body, member);

CREATE TABLE mandate (
    id {{serial}},
    person INTEGER NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    body INTEGER NOT NULL,
    member INTEGER NOT NULL,
    role VARCHAR(20) NOT NULL,
    office VARCHAR(30) NOT NULL,
    acting_office VARCHAR(30),
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT mandate_needs_seat FOREIGN KEY (body, member)
        REFERENCES seat (body, member) ON DELETE CASCADE,
    CONSTRAINT mandate_role_known CHECK (role IN ('principal', 'delegate', 'substitute')),
    CONSTRAINT mandate_office_known CHECK (office IN
        ('president', 'co_president', 'vice_president', 'treasurer', 'secretary_general',
         'member', 'observer')),
    CONSTRAINT mandate_acting_president_only CHECK (
        acting_office IS NULL
        OR (acting_office = 'president' AND office IN ('co_president', 'vice_president')))
);
CREATE UNIQUE INDEX mandate_unique ON mandate (person, body, member);
-- One principal and one delegate per member and body; substitutes may be several.
CREATE UNIQUE INDEX mandate_one_principal ON mandate (body, member) WHERE role = 'principal';
CREATE UNIQUE INDEX mandate_one_delegate ON mandate (body, member) WHERE role = 'delegate';
-- Single-holder offices, and at most one acting President per body.
CREATE UNIQUE INDEX mandate_one_president ON mandate (body) WHERE office = 'president';
CREATE UNIQUE INDEX mandate_one_treasurer ON mandate (body) WHERE office = 'treasurer';
CREATE UNIQUE INDEX mandate_one_secretary_general ON mandate (body) WHERE office = 'secretary_general';
CREATE UNIQUE INDEX mandate_one_acting_president ON mandate (body) WHERE acting_office = 'president';
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="organisations", description=DESCRIPTION)
    manager.add_raw(run_sql_script(SQL))
    return manager
