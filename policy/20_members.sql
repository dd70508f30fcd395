-- policy/20_members.sql: who may see members, people and sessions.
-- Re-applied by "councilctl migrate".
-- Policies name their roles: council_app (councild) and council_writer (the
-- write functions of 42_sharing_writes.sql, which must see what the caller
-- sees).

-- Sessions: a caller sees only the session whose token it presented, and
-- only while it is live (not revoked, not expired, person active, member).
CREATE POLICY sessions_own ON council.sessions TO council_app, council_writer
    USING (token_hash = (SELECT council.current_session_hash())
           AND person_id = (SELECT me.person_id FROM council.me));

-- People: one's own organisation's people; the coordinator sees all (R-ORG-6).
CREATE POLICY people_visible ON council.people FOR SELECT TO council_app, council_writer
    USING (org_id = (SELECT me.org_id FROM council.me)
           OR coalesce((SELECT me.is_coordinator FROM council.me), false));

-- Organisations: signed-in members see the member list (R-ORG-7 governs
-- only the public roster, which has its own query).
CREATE POLICY organisations_members ON council.organisations FOR SELECT TO council_app, council_writer
    USING ((SELECT me.person_id FROM council.me) IS NOT NULL);

CREATE POLICY sectors_all ON council.sectors FOR SELECT TO council_app, council_writer
    USING (true);

CREATE POLICY org_supervises_members ON council.org_supervises FOR SELECT TO council_app, council_writer
    USING ((SELECT me.person_id FROM council.me) IS NOT NULL);

CREATE POLICY org_status_history_own ON council.org_status_history FOR SELECT TO council_app, council_writer
    USING (org_id = (SELECT me.org_id FROM council.me)
           OR coalesce((SELECT me.is_coordinator FROM council.me), false));

-- R-ORG-4: handler registrations are seen by the organisation itself and
-- the coordinator.
CREATE POLICY handler_registrations_own ON council.handler_registrations FOR SELECT TO council_app, council_writer
    USING (person_id IN (SELECT p.id FROM council.people p
                         WHERE p.org_id = (SELECT me.org_id FROM council.me))
           OR coalesce((SELECT me.is_coordinator FROM council.me), false));

CREATE POLICY committee_members_all ON council.committee_members FOR SELECT TO council_app, council_writer
    USING ((SELECT me.person_id FROM council.me) IS NOT NULL);
