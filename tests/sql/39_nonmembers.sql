-- tests/sql/39_nonmembers.sql: non-members (issue 13 item 9; R-NONMEM-1,
-- R-SHARE-2, R-SCOPE-2, R-SCOPE-4, R-SECRET-2; policy/86_nonmembers.sql;
-- docs/incidents.md "Non-members").  A member posts on behalf of a
-- non-member (create_post's rules unchanged, the provenance kept, the name
-- read by those allowed); the secretariat adds a non-member to a post's
-- scope through a relaying member (members cannot), givers consent first,
-- a secret only in an emergency, then the handler list is reported and
-- the post handed to nobody else; who sees a relay, person by person.
-- Same fixtures as 10_sharing_rules.sql; everything is rolled back.
BEGIN;
SELECT plan(44);
\ir fixtures/sharing.psql

SET LOCAL ROLE council_app;
-- The API's row as person `who`: "status error" or "status state".
CREATE FUNCTION pg_temp.api(who text, what text, id bigint, body jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE s integer; b text;
BEGIN
    PERFORM pg_temp.as_(who);
    SELECT x.status, x.body INTO s, b FROM council.api_nonmember(what, id, body::text) x;
    RETURN s || ' ' || coalesce(b::json->>'error', b::json->>'state', b::json->>'id');
END $$;

-- Registering. --------------------------------------------------------------------
SELECT is(pg_temp.err('bank-n', $$SELECT council.nonmember_register('nm client', 'business')$$),
    'CP403 not_a_handler', 'R-NONMEM-1: a person with no registration keeps no register of non-members');
SELECT pg_temp.as_('bank-h');
SELECT council.nonmember_register('  Bank client KK ', 'business') AS nm_bank \gset
SELECT is(pg_temp.err('bank-h', $$SELECT council.nonmember_register('Bank client KK', 'other')$$),
    'CP409 nonmember_exists', 'R-NONMEM-1: a register holds a name once');
SELECT is(pg_temp.err('bank-h', E'SELECT council.nonmember_register(E''a\\x01b'', ''other'')'),
    'CP422 invalid_name', 'R-NONMEM-1: a name with control characters is refused');
SELECT is(pg_temp.api('bank-h', 'register', NULL, '{"name": "x", "kind": "pirate"}'),
    '422 invalid_request', 'R-NONMEM-1: an unknown kind is refused (API: 422)');

-- Posting on behalf (Art. 22(1)). -----------------------------------------------------
SELECT is(pg_temp.err('power-h', format($$SELECT council.nonmember_post(%s, true, 'report', 't', 'b', false,
          p_scope => '[{"class": "all_members"}]')$$, :nm_bank)),
    pg_temp.err('power-h', $$SELECT council.nonmember_post(999999999, true, 'report', 't', 'b', false,
          p_scope => '[{"class": "all_members"}]')$$),
    'R-NONMEM-1: another member''s non-member is named exactly like an absent one');
SELECT is(pg_temp.err('bank-h', format($$SELECT council.nonmember_post(%s, false, 'report', 't', 'b', NULL,
          p_scope => '[{"class": "all_members"}]')$$, :nm_bank)),
    'CP422 secret_declaration_required',
    'R-NONMEM-1, R-SECRET-1: the same rules protect a non-member''s information (create_post''s own)');
SELECT pg_temp.as_('bank-h');
SELECT council.nonmember_post(:nm_bank, false, 'report', 'nm hidden name', 'b', false,
    p_scope => '[{"class": "all_members"}]') AS p_hidden \gset
SELECT council.nonmember_post(:nm_bank, true, 'report', 'nm shown name', 'b', false,
    p_scope => '[{"class": "all_members"}]') AS p_shown \gset
SELECT council.nonmember_post(:nm_bank, true, 'report', 'nm private', 'b', false,
    p_scope => pg_temp.orgs('tr-bank')) AS p_private \gset
SELECT is(pg_temp.val('bank-h', format('SELECT council.post_provenance(%s)->''nonmember''->>''name''', :p_hidden)),
    'Bank client KK', 'R-NONMEM-1: the posting member reads the non-member''s name (trimmed)');
SELECT is(pg_temp.val('coord-h', format('SELECT council.post_provenance(%s)->''nonmember''->>''name''', :p_hidden)),
    'Bank client KK', 'R-NONMEM-1, R-ORG-6: the coordinator reads it');
SELECT is(pg_temp.val('power-h', format('SELECT council.post_provenance(%s)::jsonb - ''post''', :p_hidden)),
    '{"nonmember": null, "on_behalf": true, "name_shown": false}',
    'R-NONMEM-1: another reader learns the post is on behalf of a non-member, not which one');
SELECT is(pg_temp.val('power-h', format('SELECT council.post_provenance(%s)->''nonmember''->>''name''', :p_shown)),
    'Bank client KK', 'R-NONMEM-1: when the poster shows the name, every reader reads it');
SELECT is(pg_temp.err('power-h', format('SELECT council.post_provenance(%s)', :p_private)),
    pg_temp.err('power-h', 'SELECT council.post_provenance(999999999)'),
    'R-NONMEM-1: the provenance of a post one cannot read answers like an absent post');
SELECT is(pg_temp.val('power-h', format('SELECT count(*) FROM council.post_nonmember WHERE post_id IN (%s, %s)', :p_private, :p_shown)),
    '1', 'R-NONMEM-1: a provenance row follows its post''s visibility');
SELECT is(pg_temp.val('power-h', 'SELECT count(*) FROM council.nonmembers'), '0',
    'R-NONMEM-1: another member''s register is not visible');
SELECT is(pg_temp.val('power-h', format('SELECT council.post_provenance(%s)->>''on_behalf''',
          pg_temp.post('nm_plain', 'power-h', 'report', false, '[{"class": "all_members"}]'))),
    'false', 'R-NONMEM-1: an ordinary post is not on behalf of anyone');

-- Relays: who may make one (Art. 22(2), R-SHARE-2). -----------------------------------
SELECT pg_temp.as_('coord-h');
SELECT council.nonmember_register('ISAC client', 'business') AS nm_c \gset
SELECT council.nonmember_register('Prefectural police', 'investigative') AS nm_pol \gset
SELECT pg_temp.post('nm_alert', 'coord-h', 'alert', false, pg_temp.orgs('tr-bank', 'tr-power')) AS p_alert \gset
SELECT pg_temp.post('nm_secret', 'coord-h', 'alert', true, pg_temp.orgs('tr-bank', 'tr-power')) AS p_secret \gset
SELECT pg_temp.post('nm_excl', 'coord-h', 'alert', false, '[{"class": "all_members"}]',
    '[{"investigative": true}]') AS p_excl \gset
SELECT pg_temp.post('nm_bankpost', 'bank-h', 'report', false, pg_temp.orgs('tr-bank')) AS p_bankonly \gset
SELECT pg_temp.post('nm_powerpost', 'power-h', 'report', false, '[{"class": "all_members"}]') AS p_power \gset
SELECT is(pg_temp.err('bank-h', format('SELECT council.nonmember_relay_create(%s, %s, %s, false, ''r'')',
          :p_alert, pg_temp.o('tr-bank'), :nm_bank)),
    'CP403 only_the_secretariat', 'R-NONMEM-1, R-SHARE-2: a member adds no non-member to a scope (relays to none of its own accord)');
SELECT is(pg_temp.err('coord-h', format('SELECT council.nonmember_relay_create(%s, %s, %s, false, ''r'')',
          :p_bankonly, pg_temp.o('tr-bank'), :nm_c)),
    'CP422 post_not_shared_with_the_secretariat', 'R-NONMEM-1: only over what was shared with the secretariat');
SELECT is(pg_temp.err('coord-h', format('SELECT council.nonmember_relay_create(%s, %s, %s, false, ''r'')',
          :p_alert, pg_temp.o('tr-vendor1'), :nm_c)),
    'CP422 invalid_via', 'R-NONMEM-1: the relaying member must receive the post itself');
SELECT is(pg_temp.err('coord-h', format('SELECT council.nonmember_relay_create(%s, %s, %s, false, ''r'')',
          :p_secret, pg_temp.o('tr-bank'), :nm_c)),
    'CP422 secret_needs_emergency', 'R-NONMEM-1, R-SECRET-2: a secret goes to a non-member only in an emergency');
SELECT is(pg_temp.err('coord-h', format('SELECT council.nonmember_relay_create(%s, %s, %s, false, ''r'')',
          :p_excl, pg_temp.o('tr-bank'), :nm_pol)),
    'CP422 excluded_by_scope', 'R-SCOPE-2: a post excluding investigative bodies never reaches an investigative non-member');
SELECT is(pg_temp.err('coord-h', format('SELECT council.nonmember_relay_create(%s, %s, %s, false, '' '')',
          :p_alert, pg_temp.o('tr-bank'), :nm_c)),
    'CP422 invalid_reason', 'R-NONMEM-1: the secretariat states why (Art. 22(2))');
SELECT is(pg_temp.err('sec-a', format('SELECT council.nonmember_relay_create(%s, %s, %s, false, ''r'')',
          :p_alert, pg_temp.o('tr-bank'), :nm_c)),
    pg_temp.err('sec-a', format('SELECT council.nonmember_relay_create(999999999, %s, %s, false, ''r'')',
          pg_temp.o('tr-bank'), :nm_c)),
    'R-ORG-6: the general-affairs secretariat names a post it cannot read like an absent one');

-- A relay in force at once: the secretariat's own information.
SELECT pg_temp.as_('coord-h');
SELECT council.nonmember_relay_create(:p_alert, pg_temp.o('tr-bank'), :nm_c, false, 'ISAC member serves it') AS r_alert \gset
SELECT is(pg_temp.val('bank-h', format('SELECT council.nonmember_relay(%s)->>''state''', :r_alert)), 'in_force',
    'R-NONMEM-1: the secretariat''s own information is relayed at once');
SELECT is(pg_temp.err('coord-h', format('SELECT council.nonmember_relay_create(%s, %s, %s, false, ''again'')',
          :p_alert, pg_temp.o('tr-bank'), :nm_c)),
    'CP409 relay_exists', 'R-NONMEM-1: one relay per post, member and non-member');
SELECT is(pg_temp.err('bank-h', format('SELECT council.nonmember_relay_report(%s, ''A'', '''')', :r_alert)),
    'CP422 not_a_secret_relay', 'R-NONMEM-1: the handler list is for a secret relayed in an emergency');
SELECT is(pg_temp.err('bank-h', format('SELECT council.nonmember_relay_hand_over(%s, ''Client CSIRT'')', :r_alert)),
    'no error', 'R-NONMEM-1: the relaying member records handing the post over');
SELECT is(pg_temp.err('power-h', format('SELECT council.nonmember_relay_hand_over(%s, ''X'')', :r_alert)),
    pg_temp.err('power-h', 'SELECT council.nonmember_relay_hand_over(999999999, ''X'')'),
    'R-NONMEM-1: a relay one is no party to answers like an absent one');

-- R-SCOPE-4 (Art. 22(4)): a member's information waits for its consent.
SELECT pg_temp.as_('coord-h');
SELECT council.nonmember_relay_create(:p_power, pg_temp.o('tr-bank'), :nm_c, false, 'relay power''s report') AS r_power \gset
SELECT is(pg_temp.val('bank-h', format('SELECT council.nonmember_relay(%s)->>''state''', :r_power)), 'awaiting_consent',
    'R-SCOPE-4: a member''s post is relayed only after its giver consents');
SELECT is(pg_temp.err('bank-h', format('SELECT council.nonmember_relay_hand_over(%s, ''Client CSIRT'')', :r_power)),
    'CP409 relay_not_in_force', 'R-SCOPE-4: ... nothing is handed over before');
SELECT is(pg_temp.err('bank-h', format('SELECT council.nonmember_relay_consent(%s, true)', :r_power)),
    'CP403 not_a_giver', 'R-SCOPE-4: only the giver consents');
SELECT is(pg_temp.val('power-h', format('SELECT council.nonmember_relay(%s)->''nonmember''->>''name''', :r_power)),
    'ISAC client', 'R-SCOPE-4: the giver knows to whom its information would go');
SELECT pg_temp.as_('power-h');
SELECT council.nonmember_relay_consent(:r_power, true);
SELECT is(pg_temp.val('bank-h', format('SELECT council.nonmember_relay(%s)->>''state''', :r_power)), 'in_force',
    'R-SCOPE-4: granted, the relay is in force');
SELECT pg_temp.as_('bank-h');
SELECT council.nonmember_relay_hand_over(:r_power, 'Client CSIRT');
SELECT is(pg_temp.err('power-h', format('SELECT council.nonmember_relay_consent(%s, false)', :r_power)),
    'CP409 consent_already_decided', 'R-SCOPE-4: a consent is decided once');

-- A secret in an emergency: the handler list (Art. 22(3)). --------------------------------
SELECT pg_temp.as_('coord-h');
SELECT council.nonmember_relay_create(:p_secret, pg_temp.o('tr-bank'), :nm_c, true, 'emergency: active intrusion') AS r_sec \gset
SELECT is(pg_temp.val('bank-h', format('SELECT council.nonmember_relay_report(%s, ''Sato Hanako'', ''CSIRT'')', :r_sec)),
    '1', 'R-NONMEM-1: the relaying member reports a person who handled the secret');
SELECT is(pg_temp.err('bank-h', format('SELECT council.nonmember_relay_hand_over(%s, ''Suzuki Ichiro'')', :r_sec)),
    'CP422 not_a_reported_handler', 'R-NONMEM-1: handing the secret to a person not on the list is blocked');
SELECT is(pg_temp.err('bank-h', format('SELECT council.nonmember_relay_hand_over(%s, '' Sato Hanako'')', :r_sec)),
    'no error', 'R-NONMEM-1: ... to a person on the list it is recorded');
SELECT is(pg_temp.err('bank-n', format('SELECT council.nonmember_relay_report(%s, ''Suzuki Ichiro'', '''')', :r_sec)),
    pg_temp.err('bank-n', 'SELECT council.nonmember_relay_report(999999999, ''Suzuki Ichiro'', '''')'),
    'R-SECRET-2: to a person of the relaying member who is no handler the secret relay is absent');
SELECT pg_temp.as_('bank-h');
SELECT council.nonmember_relay_close(:r_sec);
SELECT is(pg_temp.err('bank-h', format('SELECT council.nonmember_relay_report(%s, ''Suzuki Ichiro'', '''')', :r_sec)),
    'CP409 handler_list_closed', 'R-NONMEM-1: a closed list takes nobody more');
SELECT is(pg_temp.err('bank-h', format('SELECT council.nonmember_relay_hand_over(%s, ''Suzuki Ichiro'')', :r_sec)),
    'CP422 not_a_reported_handler', 'R-NONMEM-1: ... and nobody else handles it');
SELECT is(pg_temp.err('bank-h', format('SELECT council.nonmember_relay_create(%s, %s, %s, true, ''onward'')',
          :p_secret, pg_temp.o('tr-bank'), :nm_bank)),
    'CP403 only_the_secretariat', 'R-NONMEM-1: the relaying member cannot pass the secret to another non-member');

-- Who sees what. ------------------------------------------------------------------------
RESET ROLE;
CREATE FUNCTION pg_temp.who_sees(q text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE t record; r text[] := '{}'; n bigint;
BEGIN
    FOR t IN SELECT k FROM pg_temp.t_people ORDER BY k LOOP
        SET LOCAL ROLE council_app;
        PERFORM pg_temp.as_(t.k);
        EXECUTE q INTO n;
        IF n > 0 THEN r := r || t.k; END IF;
        RESET ROLE;
    END LOOP;
    RETURN r;
END $$;
SELECT is(pg_temp.who_sees(format('SELECT count(*) FROM council.nonmember_relays WHERE id = %s', :r_sec)),
    ARRAY['bank-h', 'coord-h'],
    'R-NONMEM-1, R-SECRET-2: a secret relay: the coordinator''s and the relaying member''s handlers; nobody else');
SELECT is(pg_temp.who_sees(format('SELECT count(*) FROM council.nonmember_relay_handlers WHERE relay_id = %s', :r_sec)),
    ARRAY['bank-h', 'coord-h'], 'R-NONMEM-1: the handler list: the same people');
SELECT is(pg_temp.who_sees(format('SELECT count(*) FROM council.nonmember_relays WHERE id = %s', :r_power)),
    ARRAY['bank-h', 'coord-h', 'power-h'],
    'R-SCOPE-4: a relay of a member''s post: also the giver''s handlers');
SELECT is(pg_temp.who_sees(format('SELECT count(*) FROM council.nonmember_relay_handovers WHERE relay_id = %s', :r_power)),
    ARRAY['bank-h', 'coord-h'], 'R-NONMEM-1: the giver does not read to whom the post was handed');
SET LOCAL ROLE council_app;
SELECT is(pg_temp.val('coord-h', format($$SELECT string_agg(action, ' ' ORDER BY id) FROM council.audit_log
          WHERE object_type = 'nonmember_relay' AND object_id = %s$$, :r_sec)),
    'nonmember.relay nonmember.handler nonmember.handover nonmember.handlers.close',
    'R-NONMEM-1: every step is in the audit log');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
