-- tests/sql/00_roles.sql: the roles and grants that make row-level security
-- the one place where "who may see what" is decided.
--
-- councild connects as council_app: it must own nothing (an owner could
-- disable RLS or ALTER a policy), hold no BYPASSRLS, belong to no other role
-- and be able to write only what is explicitly granted.  Every table in
-- schema council must have RLS enabled AND forced; the checks below are
-- generic queries over the catalogue, so a table added later without RLS
-- fails them.  Run as the cluster superuser by pg_prove.
BEGIN;
SELECT plan(36);

-- council_app --------------------------------------------------------------

SELECT is((SELECT rolbypassrls FROM pg_roles WHERE rolname = 'council_app'), false,
    'council_app has no BYPASSRLS (RLS is the enforcement point for every R-* rule)');
SELECT is((SELECT rolsuper FROM pg_roles WHERE rolname = 'council_app'), false,
    'council_app is not a superuser');
SELECT is((SELECT rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = 'council_app'), false,
    'council_app may not create roles or databases');
SELECT is((SELECT count(*)::int FROM pg_auth_members m
           JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = 'council_app'), 0,
    'council_app is a member of no role (cannot inherit owner or definer rights)');

SELECT is((SELECT count(*)::int FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
           WHERE r.rolname = 'council_app'), 0,
    'council_app owns no table, view, sequence or index');
SELECT is((SELECT count(*)::int FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner
           WHERE r.rolname = 'council_app'), 0,
    'council_app owns no function');
SELECT is((SELECT count(*)::int FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner
           WHERE r.rolname = 'council_app'), 0,
    'council_app owns no schema');
SELECT is((SELECT count(*)::int FROM pg_type t JOIN pg_roles r ON r.oid = t.typowner
           WHERE r.rolname = 'council_app'), 0,
    'council_app owns no type');
SELECT isnt((SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()),
    'council_app', 'council_app does not own the database');

SELECT is(has_schema_privilege('council_app', 'council', 'CREATE'), false,
    'council_app has no CREATE on schema council');
SELECT is(has_schema_privilege('council_app', 'public', 'CREATE'), false,
    'council_app has no CREATE on schema public');

-- Table-level grants to council_app: SELECT only, on every table.
SELECT is((SELECT count(*)::int
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
                aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
           WHERE n.nspname = 'council' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
             AND a.grantee = 'council_app'::regrole
             AND a.privilege_type <> 'SELECT'),
    0, 'council_app has only SELECT on council tables; writes go through column grants or none');

-- Column-level grants to council_app: exactly sessions.last_seen_at (UPDATE)
-- among the writes; people is readable column by column, never its
-- credentials (migration 0006).
SELECT set_eq(
    $$SELECT c.relname::text || '.' || att.attname::text || ':' || a.privilege_type
      FROM pg_attribute att
      JOIN pg_class c ON c.oid = att.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace,
           aclexplode(att.attacl) a
      WHERE n.nspname = 'council' AND att.attacl IS NOT NULL
        AND a.grantee = 'council_app'::regrole AND a.privilege_type <> 'SELECT'$$,
    ARRAY['sessions.last_seen_at:UPDATE'],
    'council_app''s only column write grant is UPDATE (last_seen_at) on sessions');
SELECT is(has_column_privilege('council_app', 'council.people', 'password_hash', 'SELECT')
          OR has_column_privilege('council_app', 'council.people', 'totp_secret', 'SELECT')
          OR has_table_privilege('council_app', 'council.recovery_codes', 'SELECT'),
    false, 'ASVS V6: council_app cannot read password hashes, TOTP secrets or recovery codes');
SELECT ok(has_column_privilege('council_app', 'council.people', 'name_ja', 'SELECT'),
    'council_app still reads people''s names (the check above is not vacuous)');

-- council_definer and council_owner -----------------------------------------

SELECT is((SELECT rolcanlogin FROM pg_roles WHERE rolname = 'council_definer'), false,
    'council_definer is NOLOGIN');
SELECT is((SELECT rolbypassrls FROM pg_roles WHERE rolname = 'council_definer'), false,
    'council_definer has no BYPASSRLS');
SELECT is((SELECT rolsuper FROM pg_roles WHERE rolname = 'council_definer'), false,
    'council_definer is not a superuser');
-- council_definer reads; it writes only the audience it computes, the
-- audit log it appends to (and seals), and the sessions and recovery codes
-- of sign-in and the enrolment tokens (policy/50_auth.sql; column grants
-- cover the rest), and what
-- the steering committee's count writes whoever triggers it (the seats
-- frozen at open, a request for cooperation, a status change:
-- policy/70_committee.sql), the notifications the server sends (notices,
-- reminders: policy/77_notifications.sql), and an application's
-- organisation, contact person and record (policy/73_membership.sql), the
-- task force's decisions, votes and reviews (policy/74_tf_status.sql), and
-- the membership periods a status change opens or closes (R-ORG-3,
-- migration 0020; UPDATE is a column grant), and the searchable text
-- written with each post (migration 0022; UPDATE of the text is a column
-- grant), and the feed index kept with the audience and the posts
-- (migration 0023; UPDATE is a column grant, never of org_id or post_id),
-- and incident reports with their submissions and deliveries, filed
-- through policy/80_incidents.sql (migration 0026; the acknowledgement is
-- a column grant), and violation reports with the posts they name, filed
-- through policy/82_violations.sql (migration 0029; the case and the
-- closing are column grants), groups with their members, made through
-- policy/83_groups.sql (migration 0030), and CYMAT's cases, dispatches and
-- damage reports, through policy/84_cymat.sql (migration 0031; the
-- decision and the end are column grants), and joint hearings with their
-- invited authorities and record, through policy/85_hearings.sql
-- (migration 0033; answers, joining and closing are column grants).
SELECT set_eq(
    $$SELECT c.relname::text || ':' || a.privilege_type
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
           aclexplode(c.relacl) a
      WHERE n.nspname = 'council' AND c.relkind = 'r'
        AND a.grantee = 'council_definer'::regrole
        AND a.privilege_type <> 'SELECT'$$,
    ARRAY['post_audience:INSERT', 'post_audience:DELETE', 'audit_log:INSERT',
          'audit_head:UPDATE', 'sessions:INSERT', 'recovery_codes:INSERT',
          'sc_seats:INSERT', 'coop_requests:INSERT', 'org_status_history:INSERT',
          'notifications:INSERT', 'organisations:INSERT', 'people:INSERT', 'applications:INSERT',
          'tf_decisions:INSERT', 'tf_ballots:INSERT', 'tf_reviews:INSERT',
          'enrolment_tokens:INSERT', 'org_memberships:INSERT', 'post_search:INSERT',
          'feed_items:INSERT', 'feed_items:DELETE', 'incident_reports:INSERT',
          'incident_submissions:INSERT', 'incident_deliveries:INSERT',
          'violation_reports:INSERT', 'violation_report_posts:INSERT',
          'groups:INSERT', 'group_members:INSERT', 'group_members:DELETE',
          'cymat_cases:INSERT', 'cymat_dispatch:INSERT', 'cymat_damage_reports:INSERT',
          'incident_hearings:INSERT', 'incident_hearing_parties:INSERT',
          'incident_hearing_notes:INSERT',
          -- non-members, provenance, relays with their consents, handlers
          -- and handovers (policy/86_nonmembers.sql, migration 0034; the
          -- closing and the decisions are column grants)
          'nonmembers:INSERT', 'post_nonmember:INSERT', 'nonmember_relays:INSERT',
          'nonmember_relay_consents:INSERT', 'nonmember_relay_handlers:INSERT',
          'nonmember_relay_handovers:INSERT',
          -- per-incident groups and their proposals (policy/88_incident_groups.sql,
          -- migration 0035; the decisions are column grants)
          'incident_groups:INSERT', 'incident_group_proposals:INSERT',
          -- the asset registry and its history (policy/89_assets.sql,
          -- migration 0036; changes and deletion are column grants)
          'assets:INSERT', 'asset_history:INSERT',
          -- advisories, their criteria, matches and warnings
          -- (policy/89_vulns.sql, migration 0037; criteria and matches are
          -- replaced on a change; the rest are column grants)
          'vuln_advisories:INSERT', 'vuln_criteria:INSERT', 'vuln_criteria:DELETE',
          'vuln_matches:INSERT', 'vuln_matches:DELETE', 'vuln_warnings:INSERT',
          -- the e-mail outbox (policy/95_mail.sql, migration 0042; the
          -- claim, the mark and the retry are column grants)
          'mail_outbox:INSERT',
          -- analyses and their renditions (policy/91_renditions.sql,
          -- migration 0038; publishing is a column grant), and the
          -- notices of a poorer rendition to whom is told of a richer one
          'analyses:INSERT', 'post_renditions:INSERT', 'notifications:DELETE',
          -- need-to-know statements and the uses of a post
          -- (policy/93_uses.sql, migration 0040; append-only)
          'post_need_to_know:INSERT', 'post_uses:INSERT',
          -- handlers' trainings and the yearly confirmations of the list
          -- (policy/94_training.sql, migration 0041; the training date
          -- and the periods are column grants)
          'handler_trainings:INSERT', 'handler_list_confirmations:INSERT',
          -- issue 15: scope presets (deletion is a column grant), what a
          -- pushed STIX object became, TAXII status resources
          -- (policy/96_stix.sql, migration 0044)
          'scope_presets:INSERT', 'stix_imports:INSERT', 'taxii_status:INSERT',
          -- issue 16: the sign-in throttle's per-account state, shared by
          -- every councild of a cluster (policy/52_cluster.sql, migration 0046)
          'signin_throttle:INSERT', 'signin_throttle:UPDATE', 'signin_throttle:DELETE'],
    'council_definer writes only post_audience, the audit log, sessions, recovery codes, enrolment tokens, the committee''s count, notifications, applications, the TF''s decisions, membership periods, the search text, the feed index, incident reports, violation reports, groups and CYMAT''s cases (table grants)');
SELECT set_eq(
    $$SELECT a.attname::text FROM pg_attribute a,
           aclexplode(a.attacl) x
      WHERE a.attrelid = 'council.audit_log'::regclass
        AND x.grantee = 'council_definer'::regrole AND x.privilege_type = 'UPDATE'$$,
    ARRAY['seq', 'prev_hash', 'hash'],
    'council_definer may update only the seal columns of audit_log');
SELECT is((SELECT rolcanlogin FROM pg_roles WHERE rolname = 'council_writer'), false,
    'council_writer is NOLOGIN');
SELECT is((SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = 'council_writer'), false,
    'council_writer has no BYPASSRLS and is not a superuser');
SELECT is((SELECT count(*)::int
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
                aclexplode(c.relacl) a
           WHERE n.nspname = 'council' AND c.relkind = 'r'
             AND a.grantee = 'council_writer'::regrole
             AND a.privilege_type IN ('DELETE', 'TRUNCATE')), 0,
    'council_writer can neither delete nor truncate anything');
SELECT is((SELECT rolsuper FROM pg_roles WHERE rolname = 'council_owner'), false,
    'council_owner is not a superuser');
SELECT is((SELECT rolbypassrls FROM pg_roles WHERE rolname = 'council_owner'), false,
    'council_owner has no BYPASSRLS (it too passes through policies)');

-- SECURITY DEFINER functions run with their owner's rights; only the two
-- NOLOGIN roles may own them: council_definer (identity, audiences, audit)
-- and council_writer (writes as the caller, under the caller's policies).
SELECT is((SELECT count(*)::int FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'council' AND p.prosecdef
             AND p.proowner NOT IN ('council_definer'::regrole, 'council_writer'::regrole)),
    0, 'every SECURITY DEFINER function in schema council is owned by council_definer or council_writer');
SELECT is((SELECT count(*)::int FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'council' AND p.prosecdef
             AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) cfg
                             WHERE cfg LIKE 'search_path=%')),
    0, 'every SECURITY DEFINER function in schema council pins its search_path');
-- Identity is the view council.me, read with its owner's rights: the owner
-- must be the NOLOGIN council_definer, and the view a security barrier (a
-- caller's condition must not run before the view's own).
SELECT is((SELECT pg_get_userbyid(c.relowner)::text || ' ' || coalesce(
               c.reloptions @> ARRAY['security_barrier=true'], false)::text
           FROM pg_class c WHERE c.oid = 'council.me'::regclass),
    'council_definer true',
    'council.me (identity) is owned by council_definer and is a security_barrier view');

-- Row-level security on every table -----------------------------------------

SELECT ok((SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'council' AND c.relkind IN ('r', 'p')) >= 8,
    'schema council has its tables (the RLS checks below are not vacuous)');

SELECT is(count(*)::int, 0,
    'every table in schema council has RLS enabled; lacking: '
    || coalesce(string_agg(c.relname::text, ', ' ORDER BY c.relname), 'none'))
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'council' AND c.relkind IN ('r', 'p') AND NOT c.relrowsecurity;

SELECT is(count(*)::int, 0,
    'every table in schema council has RLS FORCED (owner included); lacking: '
    || coalesce(string_agg(c.relname::text, ', ' ORDER BY c.relname), 'none'))
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'council' AND c.relkind IN ('r', 'p') AND NOT c.relforcerowsecurity;

-- A view runs with its owner's rights unless security_invoker is set, which
-- would bypass the callers' policies; council.me alone does so on purpose
-- (it yields only the caller's own row).  Materialized views have no RLS.
SELECT is(count(*)::int, 0,
    'every view in schema council but council.me is security_invoker; lacking: '
    || coalesce(string_agg(c.relname::text, ', ' ORDER BY c.relname), 'none'))
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'council' AND c.relkind = 'v' AND c.oid <> 'council.me'::regclass
  AND NOT coalesce(c.reloptions @> ARRAY['security_invoker=true']
                   OR c.reloptions @> ARRAY['security_invoker=on'], false);
SELECT is(count(*)::int, 0,
    'council_app can read no materialized view in schema council (no RLS there); readable: '
    || coalesce(string_agg(c.relname::text, ', ' ORDER BY c.relname), 'none'))
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'council' AND c.relkind = 'm'
  AND has_table_privilege('council_app', c.oid, 'SELECT');

-- Policies name their role: a policy for PUBLIC (polroles = {0}) would
-- also apply to roles nobody thought of.
SELECT is(count(*)::int, 0,
    'every policy in schema council names its role (none for PUBLIC); for PUBLIC: '
    || coalesce(string_agg(c.relname::text || '.' || p.polname::text, ', '), 'none'))
FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'council' AND 0::oid = ANY (p.polroles);

-- PUBLIC ---------------------------------------------------------------------

SELECT is(count(*)::int, 0,
    'no table in schema council grants INSERT/UPDATE/DELETE/TRUNCATE to PUBLIC; granted: '
    || coalesce(string_agg(c.relname::text || ':' || a.privilege_type, ', '), 'none'))
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
     aclexplode(c.relacl) a
WHERE n.nspname = 'council' AND a.grantee = 0
  AND a.privilege_type IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE');
SELECT is(count(*)::int, 0,
    'no column in schema council grants INSERT/UPDATE to PUBLIC; granted: '
    || coalesce(string_agg(c.relname::text || '.' || att.attname::text, ', '), 'none'))
FROM pg_attribute att JOIN pg_class c ON c.oid = att.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace,
     aclexplode(att.attacl) a
WHERE n.nspname = 'council' AND att.attacl IS NOT NULL AND a.grantee = 0
  AND a.privilege_type IN ('INSERT', 'UPDATE');

SELECT * FROM finish();
ROLLBACK;
