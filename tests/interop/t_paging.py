"""Paging with limit and next: every object once, also with posts written between pages.

What TAXII 2.1 promises (section 3.4 and 5.3): a client pages through a
result with the same query and the server's opaque `next`; `more` says
whether there is more.  It does not say whether objects added after the
first request must appear in later pages.  What a client relies on, and
what we assert: among the objects that existed before the first request,
none is skipped and none is returned twice; an object added meanwhile is
returned at most once (either way is right); after the walk, a new walk
returns the old and the new objects.
"""
from interop import POST_TYPES, council_extension, post_id_of

LIMIT = 7


def walk(ctx, col, limit, between=None, **filters):
    """Pages of get_objects with limit and next (and the same filters on
    every page, as TAXII asks); between(i) runs after page i.  Returns
    (pages, problems)."""
    pages, probs = [], []
    env = col.get_objects(limit=limit, **filters)
    i = 0
    while True:
        objs = env.get('objects', [])
        pages.append(objs)
        if len(objs) > limit:
            probs.append('page %d has %d objects for limit=%d' % (i, len(objs), limit))
        more = env.get('more', False)
        if not isinstance(more, bool):
            probs.append('page %d: more is %r, not a boolean' % (i, more))
        if not more:
            if env.get('next'):
                probs.append('page %d: more is false but next is %r' % (i, env.get('next')))
            break
        if not env.get('next'):
            probs.append('page %d: more is true without next' % i)
            break
        if not objs:
            probs.append('page %d: more is true on an empty page' % i)
        if between:
            between(i)
        i += 1
        if i > 5000:
            probs.append('more than 5000 pages: next does not advance')
            break
        env = col.get_objects(limit=limit, next=env['next'], **filters)
    return pages, probs


def key(o):
    return (o['id'], o.get('modified') or o.get('created'))


def run(ctx):
    tap = ctx.tap
    reader, writer = ctx.members()[1], ctx.members()[0]
    col = ctx.shared(reader)

    # Where the collection ends now: the window the small pages walk
    # starts there, so that their cost does not grow with the database
    # (a client resumes the same way: added_after, then next).
    r = ctx.raw(reader, 'GET', col.url + 'objects/', params={'limit': 1000})
    env = r.json()
    while env.get('more'):
        r = ctx.raw(reader, 'GET', col.url + 'objects/', params={'limit': 1000, 'next': env['next']})
        env = r.json()
    since = r.headers.get('X-TAXII-Date-Added-Last')
    tap.ok(since, 'the last page of the collection carries X-TAXII-Date-Added-Last (%s)' % since)

    # Posts with three indicators each: eight objects a post, added at
    # one instant, so that pages of 7 end inside a post's objects.
    for i in range(5):
        ctx.post(writer.token, title='interop %s paging seed %d' % (ctx.tag, i),
                 body='paging seed %d of run %s; C2 203.0.113.%d, 203.0.113.%d, pg%d.interop-c2.example'
                 % (i, ctx.tag, 10 + i, 110 + i, i))

    whole = ctx.all_objects(col, per_request=1000)
    tap.is_(len(whole), len({key(o) for o in whole}),
            'the whole collection with limit=1000: no object twice (%d objects)' % len(whole))
    pages, probs = walk(ctx, col, 100)
    flat = [key(o) for p in pages for o in p]
    tap.ok(not probs and sorted(flat) == sorted(key(o) for o in whole),
           'the whole collection with limit=100 (%d pages): the same objects, each once' % len(pages),
           '\n'.join(probs) + '\nonly limit=100: %r\nonly limit=1000: %r'
           % (sorted(set(flat) - {key(o) for o in whole})[:5], sorted({key(o) for o in whole} - set(flat))[:5]))

    one = ctx.all_objects(col, per_request=1000, added_after=since)
    ids_one = [key(o) for o in one]
    tap.is_(len(ids_one), len(set(ids_one)), 'added_after=%s, limit=1000: no object twice (%d objects)'
            % (since, len(ids_one)))
    tap.ok(len(ids_one) > 3 * LIMIT, 'the window spans several pages of %d (%d objects)'
           % (LIMIT, len(ids_one)))

    # With the headers that let a client resume by date.
    r = ctx.raw(reader, 'GET', col.url + 'objects/', params={'limit': LIMIT})
    tap.ok(r.headers.get('X-TAXII-Date-Added-First') and r.headers.get('X-TAXII-Date-Added-Last'),
           'a page of objects carries X-TAXII-Date-Added-First and -Last',
           '%r' % dict(r.headers))

    # Paging while nothing changes.
    pages, probs = walk(ctx, col, LIMIT, added_after=since)
    flat = [key(o) for p in pages for o in p]
    tap.none(probs, 'limit=%d: %d pages, each at most %d objects, more and next consistent'
             % (LIMIT, len(pages), LIMIT))
    dup = sorted({k for k in flat if flat.count(k) > 1})
    tap.none(['twice: %r' % (k,) for k in dup], 'limit=%d: no object twice' % LIMIT)
    tap.is_(sorted(set(flat)), sorted(set(ids_one)), 'limit=%d: exactly the objects of one page of 1000' % LIMIT)

    # Paging while posts are written between the pages (by another member,
    # to everybody), after pages 1 and 3.
    written = []

    def between(i):
        if i in (0, 2):
            written.append(ctx.post(writer.token, title='interop %s written between pages %d' % (ctx.tag, i),
                                    body='written while %s pages; 198.51.100.%d' % (reader.email, 20 + i)))

    pages, probs = walk(ctx, col, LIMIT, between, added_after=since)
    flat = [key(o) for p in pages for o in p]
    tap.none(probs, 'limit=%d with writes between pages: more and next consistent (%d pages)'
             % (LIMIT, len(pages)))
    dup = sorted({k for k in flat if flat.count(k) > 1})
    tap.none(['twice: %r' % (k,) for k in dup], 'with writes between pages: no object twice')
    before = set(ids_one)
    missing = sorted(before - set(flat))
    tap.none(['skipped: %r' % (k,) for k in missing],
             'with writes between pages: every one of the %d objects added before the first request '
             'is returned' % len(before))
    after = ctx.all_objects(col, per_request=1000, added_after=since)
    ext_id = council_extension(whole)['id']
    new_posts = {post_id_of(o, ext_id): key(o) for o in after if o.get('type') in POST_TYPES}
    seen_new = [p for p in written if new_posts.get(p) in set(flat)]
    tap.diag('posts written between pages: %r; returned by the walk: %r' % (written, seen_new))
    tap.ok(all(p in new_posts for p in written),
           'a walk after the writes returns the posts written meanwhile (%r)' % written,
           'missing: %r' % [p for p in written if p not in new_posts])
    tap.ok(set(ids_one) <= {key(o) for o in after}, '... and still every earlier object')

    # added_after with the last page's X-TAXII-Date-Added-Last returns
    # only objects added later (what a client resumes with when next is empty).
    r = ctx.raw(reader, 'GET', col.url + 'objects/', params={'limit': 1000, 'added_after': since})
    last = r.headers.get('X-TAXII-Date-Added-Last')
    if last and not r.json().get('more'):
        p = ctx.post(writer.token, title='interop %s after the last date' % ctx.tag, body='added after')
        env = col.get_objects(added_after=last)
        got = {post_id_of(o, ext_id) for o in env.get('objects', []) if o.get('type') in POST_TYPES}
        tap.ok(p in got and not ({k for k in map(key, env.get('objects', []))} & set(map(key, r.json()['objects']))),
               'added_after=<X-TAXII-Date-Added-Last> returns the new post and nothing returned before',
               'posts: %r' % got)
    else:
        tap.ok(False, 'one page of 1000 with X-TAXII-Date-Added-Last', '%r' % dict(r.headers))

    # The manifest pages the same way.
    man = []
    env = col.get_manifest(limit=LIMIT, added_after=since)
    n = 0
    while True:
        man += [(x['id'], x.get('version')) for x in env.get('objects', [])]
        if not env.get('more') or not env.get('next') or n > 5000:
            break
        n += 1
        env = col.get_manifest(limit=LIMIT, next=env['next'], added_after=since)
    tap.is_(len(man), len(set(man)), 'the manifest pages with limit=%d and next, no entry twice' % LIMIT)
    objs = ctx.all_objects(col, per_request=1000, added_after=since)
    tap.is_(sorted({i for i, _ in man}), sorted(o['id'] for o in objs),
            'the manifest\'s entries are the collection\'s objects')
