"""Query parameters as TAXII defines them, and hidden objects answering like absent ones."""
import uuid

from interop import POST_TYPES, council_extension, post_id_of


def status_title(r):
    try:
        return r.status_code, (r.json() or {}).get('title'), (r.json() or {}).get('http_status')
    except ValueError:
        return r.status_code, None, None


def run(ctx):
    tap = ctx.tap
    a, b, c = ctx.members()
    col = ctx.shared(a)
    url = col.url + 'objects/'

    # Malformed values: 400 with a TAXII error resource.
    for q in ({'added_after': 'yesterday'}, {'added_after': '2026-12-01T00:00:00+09:00'},
              {'next': 'not-a-cursor'}, {'match[version]': 'sometime'}, {'limit': 'ten'}):
        r = ctx.raw(a, 'GET', url, params=q)
        st, title, hs = status_title(r)
        tap.ok(st == 400 and title and str(hs or 400) == '400',
               'GET objects/?%s: 400, a TAXII error resource' % '&'.join('%s=%s' % kv for kv in q.items()),
               '%s %r' % (st, r.text[:300]))

    # limit: a page never holds more; match[version]=all/first/last are accepted.
    env = col.get_objects(limit=1)
    tap.ok(len(env.get('objects', [])) == 1 and env.get('more') is True and env.get('next'),
           'limit=1: one object, more, next')
    for v in ('all', 'first', 'last'):
        env = col.get_objects(version=v, type='report', limit=5)
        tap.ok(env.get('objects') and all(o['type'] == 'report' for o in env['objects']),
               'match[version]=%s with match[type]=report answers reports' % v)
    env = col.get_objects(type='report,note', limit=50)
    tap.ok(env.get('objects') and {o['type'] for o in env['objects']} <= {'report', 'note'},
           'match[type]=report,note (a TAXII list) answers reports and notes only')

    # added_after is strict and a client's own timestamp form works (taxii2client
    # sends datetimes as UTC with Z).
    objs = ctx.all_objects(col, per_request=1000)
    man = []
    e = col.get_manifest(limit=1000)
    man += e.get('objects', [])
    if man:
        last = max(x['date_added'] for x in man)
        env = col.get_objects(added_after=last)
        tap.is_(env.get('objects', []), [], 'added_after=<the newest date_added>: nothing')

    # A post b reads and a does not: its object answers exactly like an
    # absent object, through objects/<id>/, versions and match[id].
    ext = council_extension(objs)
    mine = {o['id'] for o in objs}
    objs_b = ctx.all_objects(ctx.shared(b), per_request=1000)
    hidden = [o for o in objs_b if o.get('type') in POST_TYPES and o['id'] not in mine]
    if hidden:
        h = hidden[0]
        absent = '%s--%s' % (h['type'], uuid.uuid4())
        for suffix in ('%s/', '%s/versions/'):
            r1 = ctx.raw(a, 'GET', url + suffix % h['id'])
            r2 = ctx.raw(a, 'GET', url + suffix % absent)
            tap.ok(r1.status_code == r2.status_code == 404 and r1.text == r2.text,
                   'GET objects/%s as %s (post %s of %s\'s feed): 404 exactly like an absent id'
                   % (suffix % '<hidden>', a.slug, post_id_of(h, ext['id']), b.slug),
                   '%s %r / %s %r' % (r1.status_code, r1.text[:200], r2.status_code, r2.text[:200]))
        env = col.get_objects(id=h['id'])
        tap.is_(env.get('objects', []), [], 'match[id]=<hidden> returns nothing')
        r = ctx.raw(a, 'GET', url, params={'match[id]': h['id']})
        r0 = ctx.raw(a, 'GET', url, params={'match[id]': absent})
        tap.ok(r.status_code == r0.status_code and r.json() == r0.json()
               and r.headers.get('X-TAXII-Date-Added-Last') == r0.headers.get('X-TAXII-Date-Added-Last'),
               '... the same envelope and headers as for an absent id',
               '%s %r %r / %s %r %r' % (r.status_code, r.text[:200], dict(r.headers),
                                       r0.status_code, r0.text[:200], dict(r0.headers)))
    else:
        tap.skip('a hidden object answers like an absent one', 'no post of %s hidden from %s' % (b.slug, a.slug))

    # Methods TAXII does not define here.
    r = ctx.raw(a, 'DELETE', ctx.taxii + 'council/collections/')
    tap.is_(r.status_code, 405, 'DELETE collections/: 405')
    r = ctx.raw(a, 'POST', ctx.taxii, data='{}', headers={'Content-Type': 'application/taxii+json;version=2.1'})
    tap.is_(r.status_code, 405, 'POST on discovery: 405')
