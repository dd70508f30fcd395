-- policy/00_reset.sql: policy/ is the whole truth about row-level
-- security.  Before the policy files are applied, every policy on a table
-- of schema council is dropped; each file then only creates its own
-- (CREATE POLICY, never DROP POLICY).  A policy that no file creates any
-- more is gone after the next "councilctl migrate", with no tombstone.
--
-- Why the gap is invisible: councilctl applies every policy file in ONE
-- transaction (server/core/migrate.c, migrate_run).  DROP POLICY takes each
-- table's ACCESS EXCLUSIVE lock until the COMMIT, so a request of
-- councild waits and then reads the new policies; it never reads a table
-- whose FORCE'd RLS has no policy (which would show nothing).  A file that
-- fails rolls the whole pass back: the old policies stay in force.
--
-- Until policy/90_owner.sql the owner itself has no policy either: a file
-- that must read or change rows does it through a council_definer
-- function (its policy definer_all comes back first, in 10_identity.sql).

DO $$
DECLARE
    p record;
BEGIN
    FOR p IN SELECT pol.polname, c.relname
             FROM pg_policy pol
             JOIN pg_class c ON c.oid = pol.polrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'council'
             ORDER BY c.relname, pol.polname
    LOOP
        EXECUTE format('DROP POLICY %I ON council.%I', p.polname, p.relname);
    END LOOP;
END $$;
