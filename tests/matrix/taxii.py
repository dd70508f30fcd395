"""The access matrix's TAXII check (issue 15, "the access matrix extended to
TAXII reads (same oracle, zero mismatches)"), used by matrix.py.

For every person with a session, the "shared with us" collection is read
the way councild's TAXII front reads it (council.taxii_objects as
council_app with the person's session, every page through `next`, rolled
back), and for every (person, post) pair, whether the post's object (its
report, note or course-of-action, which names the post in the council's
extension) is there is compared with the oracle: matrix.py's
expected_posts (docs/sharing.md "Who sees a post"), narrowed by the one
rule the STIX export adds, from the issue's text: consultation advice is
never exported outside its two parties -- a reply in a thread whose first
post is a consultation goes only to the organisation that asked (the
consultation's author) and the one that answered (the reply's author).
Also checked per person: no object at all (indicator, observable,
relationship, sighting ...) names a post the oracle hides, and each post
has one object.  Nothing here reads post_audience or calls a visibility
function to decide anything.
"""
import time
from collections import defaultdict

import psycopg2

POST_TYPES = ('report', 'note', 'course-of-action')


def thread_root(model, pid):
    seen = set()
    while model.posts[pid].parent is not None and pid not in seen:
        seen.add(pid)
        pid = model.posts[pid].parent
    return pid


def advice_hidden(model, person, pid):
    """The issue's rule: advice in a consultation's thread only to its two
    parties (whoever the reader is, the coordinator included)."""
    p = model.posts[pid]
    if p.parent is None:
        return False
    root = model.posts[thread_root(model, pid)]
    if root.kind != 'consultation':
        return False
    return person.org not in (root.author_org, p.author_org)


def taxii_expected(model, aud, person, cache, expected_posts):
    return frozenset(x for x in expected_posts(model, aud, person, cache)
                     if not advice_hidden(model, person, x))


def read_shared(cur, shared_id, ext_id, limit=1000):
    """(post objects {post id: count}, every post id any object names,
    pages, problems) of the caller's "shared with us" collection."""
    posts, named, probs = defaultdict(int), set(), []
    nxt, pages = None, 0
    while True:
        cur.execute("SELECT t.body FROM council.taxii_objects(%s, NULL, %s, %s, NULL, NULL, NULL,"
                    " NULL, 'objects') t", (shared_id, limit, nxt))
        body = cur.fetchone()[0]
        pages += 1
        if body is None:
            probs.append('no "shared with us" collection (NULL body)')
            break
        for o in body.get('objects', []):
            e = (o.get('extensions') or {}).get(ext_id)
            pid = e.get('post') if isinstance(e, dict) else None
            if pid is not None:
                named.add(pid)
                if o.get('type') in POST_TYPES:
                    posts[pid] += 1
            elif o.get('type') in POST_TYPES:
                probs.append('%s names no post' % o.get('id'))
        if not body.get('more'):
            break
        nxt = body.get('next')
        if not nxt or pages > 10000:
            probs.append('more without next after %d pages' % pages)
            break
    return posts, named, pages, probs


def taxii_matrix(conn, tap, model, aud, people, label, expected_posts, max_diag):
    """Check people (Person objects) against the oracle; one TAP line for
    the (person, post) pairs, one for objects of hidden posts and
    duplicates.  Every read is rolled back.  Returns the mismatches."""
    t0 = time.time()
    cur = conn.cursor()
    cur.execute('SELECT council.taxii__shared_id()::text, council.stix_ext_id()')
    shared_id, ext_id = cur.fetchone()
    conn.rollback()
    cache = {}
    pairs, mism, leaks, branches = 0, [], [], defaultdict(int)
    n_people, n_pages = 0, 0
    all_posts = sorted(model.posts)
    for p in people:
        if p.token_hash is None:
            continue
        n_people += 1
        cur.execute('SAVEPOINT mx_taxii')
        cur.execute('SET ROLE council_app')
        cur.execute("SELECT set_config('council.session', %s, false)", (p.token_hash.hex(),))
        try:
            got, named, pages, probs = read_shared(cur, shared_id, ext_id)
        except psycopg2.Error as e:
            if e.pgcode != 'CP401':
                raise
            got, named, pages, probs = {}, set(), 1, []     # nobody signed in: nothing
            cur.execute('ROLLBACK TO SAVEPOINT mx_taxii')
        cur.execute('ROLLBACK TO SAVEPOINT mx_taxii')
        cur.execute('RELEASE SAVEPOINT mx_taxii')
        cur.execute('RESET ROLE')
        n_pages += pages
        want = taxii_expected(model, aud, p, cache, expected_posts)
        org = model.orgs[p.org]
        for x in all_posts:
            pairs += 1
            e, g = x in want, x in got
            if e:
                branches['shown'] += 1
            elif x in expected_posts(model, aud, p, cache):
                branches['advice of others (feed: shown)'] += 1
            else:
                branches['hidden'] += 1
            if e != g:
                mism.append('person %d (org %s %s): %s: expected %s, got %s'
                            % (p.id, org.slug, org.flags(), model.posts[x].describe(model),
                               'VISIBLE' if e else 'hidden', 'VISIBLE' if g else 'hidden'))
        for x in sorted(named - want):
            leaks.append('person %d (org %s): an object names post %s, which the oracle hides'
                         % (p.id, org.slug, x))
        for x, n in sorted(got.items()):
            if n > 1:
                leaks.append('person %d: post %d has %d objects' % (p.id, x, n))
        leaks += ['person %d: %s' % (p.id, s) for s in probs]
    conn.rollback()
    tap.diag('%s TAXII: (person, post) pairs by branch: %s' % (label, ', '.join(
        '%s %d' % kv for kv in sorted(branches.items()))))
    tap.ok(not mism, 'issue 15 %s: TAXII "shared with us" (council.taxii_objects, every page): '
           '%s (person, post) pairs (%d people x %d posts, %d pages), %s mismatches (%.1fs)'
           % (label, format(pairs, ','), n_people, len(all_posts), n_pages,
              format(len(mism), ','), time.time() - t0), mism[:max_diag])
    tap.ok(not leaks, 'issue 15 %s: TAXII: no object names a post the oracle hides, one object '
           'a post: %d problems' % (label, len(leaks)), leaks[:max_diag])
    return len(mism) + len(leaks)
