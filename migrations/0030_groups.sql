-- 0030_groups: groups are made in the portal (issue 13 item 10; R-NEW-2):
-- policy/83_groups.sql's functions create a group and change its members
-- (the audience of every post naming the group follows at once: the
-- trigger audience_group of policy/40_sharing_audience.sql).
GRANT INSERT ON council.groups TO council_definer;
GRANT INSERT, DELETE ON council.group_members TO council_definer;
