-- policy/90_owner.sql: what the owner role may do through councilctl.
--
-- Tables are FORCE ROW LEVEL SECURITY, so even their owner passes through
-- policies.  council_owner runs migrations, seeds and administration
-- (councilctl); it gets an explicit policy on each table.  Tables named in
-- owner_excluded get none here: their own policy file grants the owner only
-- what it may do (an append-only log gets INSERT and SELECT, never UPDATE or
-- DELETE).  Re-applied by "councilctl migrate".

DO $$
DECLARE
    t record;
    owner_excluded text[] := ARRAY['audit_log', 'audit_head'];
BEGIN
    FOR t IN SELECT c.relname FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'council' AND c.relkind IN ('r', 'p')
    LOOP
        IF NOT t.relname = ANY (owner_excluded) THEN
            EXECUTE format('CREATE POLICY owner_admin ON council.%I TO council_owner '
                           'USING (true) WITH CHECK (true)', t.relname);
        END IF;
    END LOOP;
END $$;
