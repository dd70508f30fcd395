"""Three members of different classes: "shared with us" holds exactly their feed."""
from interop import POST_TYPES, council_extension, post_id_of


def post_ids(objects, ext_id):
    """{post id: [object ids]} of the report, note and course-of-action
    objects (the council extension carries the post id)."""
    out = {}
    for o in objects:
        if o.get('type') in POST_TYPES:
            pid = post_id_of(o, ext_id)
            out.setdefault(pid, []).append(o['id'])
    return out


def advice_of_others(ctx, m, ids):
    """The replies among ids in a thread whose first post is a consultation
    that m's organisation neither asked nor answered."""
    if not ids:
        return set()
    rows = ctx.sql("""
        WITH RECURSIVE up AS (
            SELECT x.id AS reply, x.parent_id AS at FROM council.posts x
            WHERE x.id = ANY (%s) AND x.parent_id IS NOT NULL
            UNION ALL
            SELECT up.reply, y.parent_id FROM up JOIN council.posts y ON y.id = up.at
            WHERE y.parent_id IS NOT NULL)
        SELECT up.reply FROM up
        JOIN council.posts r ON r.id = up.at AND r.parent_id IS NULL AND r.kind = 'consultation'
        WHERE %s NOT IN ((SELECT a.org_id FROM council.post_authors a WHERE a.post_id = r.id),
                         (SELECT a.org_id FROM council.post_authors a WHERE a.post_id = up.reply))
        """, (sorted(ids), m.org_id))
    return {r[0] for r in rows}


def run(ctx):
    tap = ctx.tap
    members = ctx.members()
    tap.diag('members: %s' % ', '.join(repr(m) for m in members))
    classes = {m.tf_class for m in members}
    tap.is_(len(classes), 3, 'three members of three different classes (%s)' % ', '.join(sorted(classes)))
    for m in members:
        sh = ctx.shared(m)
        objs = ctx.all_objects(sh, per_request=50)
        ext = council_extension(objs)
        if not tap.ok(ext is not None, '%s: "shared with us" carries the council\'s extension-definition'
                      % m.email):
            continue
        got = post_ids(objs, ext['id'])
        tap.none(['%s without a post id in its council extension' % i
                  for i in got.get(None, [])],
                 '%s: every report, note and course-of-action names its post' % m.email)
        got.pop(None, None)
        tap.none(['post %d: %d objects %r' % (p, len(v), v) for p, v in got.items() if len(v) > 1],
                 '%s: one object per post' % m.email)
        feed = set(ctx.feed_ids(m.token))
        # Issue 15: consultation advice is never exported outside its two
        # parties, even where the feed shows it (read as the superuser).
        advice = advice_of_others(ctx, m, feed)
        if advice:
            tap.diag('%s: advice of others in the feed, not for TAXII: %s' % (m.email, sorted(advice)))
        feed -= advice
        taxii = set(got)
        tap.ok(feed == taxii,
               '%s (%s): the posts of "shared with us" are exactly the %d of /api/v1/feed'
               % (m.email, m.tf_class, len(feed)),
               'in the feed, not in TAXII: %s\nin TAXII, not in the feed: %s'
               % (sorted(feed - taxii), sorted(taxii - feed)))
        # The same through Bearer.
        objs_b = ctx.all_objects(ctx.shared(m, 'bearer'), per_request=50)
        tap.is_(sorted(o['id'] for o in objs_b), sorted(o['id'] for o in objs),
                '%s: Bearer reads the same objects as Basic' % m.email)
    # A colleague of the Type 1 member who is no registered handler: no
    # secret post (R-SECRET-2), in TAXII as in the feed.
    rows = ctx.sql("""SELECT p.email FROM council.people p
                      WHERE p.org_id = %s AND p.active AND NOT EXISTS (
                          SELECT 1 FROM council.handler_registrations h
                          WHERE h.person_id = p.id AND h.deregistered_at IS NULL)
                      ORDER BY p.id LIMIT 1""", (members[0].org_id,))
    if rows:
        nh = ctx.person(rows[0][0])
        objs = ctx.all_objects(ctx.shared(nh), per_request=200)
        ext = council_extension(objs)
        got = set(post_ids(objs, ext['id'])) - {None}
        feed = set(ctx.feed_ids(nh.token)) - advice_of_others(ctx, nh, set(ctx.feed_ids(nh.token)))
        secrets = {r[0] for r in ctx.sql('SELECT id FROM council.posts WHERE is_secret')}
        tap.ok(got == feed and not (got & secrets),
               '%s (no handler): "shared with us" = the %d posts of its feed, no secret post'
               % (nh.email, len(feed)),
               'feed only: %s; TAXII only: %s; secret: %s'
               % (sorted(feed - got), sorted(got - feed), sorted(got & secrets)))
    else:
        tap.skip('a non-handler colleague reads no secret', 'none in %s' % members[0].slug)
    # The three feeds differ (else the test proves little).
    sets = [frozenset(ctx.feed_ids(m.token)) for m in members]
    tap.ok(len(set(sets)) == 3, 'the three members\' feeds differ (%s posts)'
           % ', '.join(str(len(s)) for s in sets))
