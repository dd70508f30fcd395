-- policy/20_members.sql: who may see members, people and sessions.
-- Re-applied by "councilctl migrate"; every statement is idempotent.
-- Policies name their roles: council_app (councild) and council_writer (the
-- write functions of 40_sharing.sql, which must see what the caller sees).

-- Sessions: a caller sees only the session whose token it presented, and
-- only while it is live (not revoked, not expired, person active, member).
DROP POLICY IF EXISTS sessions_own ON council.sessions;
CREATE POLICY sessions_own ON council.sessions TO council_app, council_writer
    USING (token_hash = (SELECT council.current_session_hash())
           AND person_id = (SELECT me.person_id FROM council.me));

-- People: one's own organisation's people; the coordinator sees all (R-ORG-6).
DROP POLICY IF EXISTS people_visible ON council.people;
CREATE POLICY people_visible ON council.people FOR SELECT TO council_app, council_writer
    USING (org_id = (SELECT me.org_id FROM council.me)
           OR coalesce((SELECT me.is_coordinator FROM council.me), false));

-- Organisations: signed-in members see the member list (R-ORG-7 governs
-- only the public roster, which has its own query).
DROP POLICY IF EXISTS organisations_members ON council.organisations;
CREATE POLICY organisations_members ON council.organisations FOR SELECT TO council_app, council_writer
    USING ((SELECT me.person_id FROM council.me) IS NOT NULL);

DROP POLICY IF EXISTS sectors_all ON council.sectors;
CREATE POLICY sectors_all ON council.sectors FOR SELECT TO council_app, council_writer
    USING (true);

DROP POLICY IF EXISTS org_supervises_members ON council.org_supervises;
CREATE POLICY org_supervises_members ON council.org_supervises FOR SELECT TO council_app, council_writer
    USING ((SELECT me.person_id FROM council.me) IS NOT NULL);

DROP POLICY IF EXISTS org_status_history_own ON council.org_status_history;
CREATE POLICY org_status_history_own ON council.org_status_history FOR SELECT TO council_app, council_writer
    USING (org_id = (SELECT me.org_id FROM council.me)
           OR coalesce((SELECT me.is_coordinator FROM council.me), false));

-- R-ORG-4: handler registrations are seen by the organisation itself and
-- the coordinator.
DROP POLICY IF EXISTS handler_registrations_own ON council.handler_registrations;
CREATE POLICY handler_registrations_own ON council.handler_registrations FOR SELECT TO council_app, council_writer
    USING (person_id IN (SELECT p.id FROM council.people p
                         WHERE p.org_id = (SELECT me.org_id FROM council.me))
           OR coalesce((SELECT me.is_coordinator FROM council.me), false));

DROP POLICY IF EXISTS committee_members_all ON council.committee_members;
CREATE POLICY committee_members_all ON council.committee_members FOR SELECT TO council_app, council_writer
    USING ((SELECT me.person_id FROM council.me) IS NOT NULL);
