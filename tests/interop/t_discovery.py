"""Discovery, the API root, collections; Basic and Bearer; TAXII errors."""
import re
import uuid

import requests

from interop import TAXII_MEDIA

UUID_RE = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')


def media_ok(r):
    ct = (r.headers.get('Content-Type') or '').replace(' ', '').lower()
    return ct == TAXII_MEDIA


def run(ctx):
    tap = ctx.tap
    m = ctx.members()[0]

    # Without a credential, or with one that names nobody: 401 and the
    # challenge a client answers with Basic (common clients only do Basic).
    r = ctx.http.get(ctx.taxii, headers={'Accept': TAXII_MEDIA}, timeout=30)
    tap.is_(r.status_code, 401, 'GET /taxii2/ without a credential: 401')
    tap.ok(re.match(r'^Basic\s+realm="[^"]+"', r.headers.get('WWW-Authenticate', ''), re.I),
           '... with a WWW-Authenticate challenge for Basic (%s)' % r.headers.get('WWW-Authenticate'),
           'WWW-Authenticate: %r' % r.headers.get('WWW-Authenticate'))
    for how, auth in (('Basic', requests.auth.HTTPBasicAuth('interop', '0' * 64)),
                      ('Bearer', None)):
        h = {'Accept': TAXII_MEDIA}
        if how == 'Bearer':
            h['Authorization'] = 'Bearer ' + '0' * 64
        r = ctx.http.get(ctx.taxii + 'council/collections/', headers=h, auth=auth, timeout=30)
        tap.is_(r.status_code, 401, 'a %s token that names nobody: 401 on collections/' % how)

    # taxii2client with Basic (token as password) and with Bearer.
    seen = {}
    for how in ('basic', 'bearer'):
        s = ctx.server(m, how)
        tap.ok(bool(s.title), 'taxii2client (%s): discovery has a title (%r)' % (how, s.title))
        urls = [a.url for a in s.api_roots]
        tap.ok(any(u.endswith('/taxii2/council/') for u in urls),
               'taxii2client (%s): discovery lists the API root /taxii2/council/' % how,
               'api_roots: %r' % urls)
        tap.ok(s.default is not None and s.default.url.endswith('/taxii2/council/'),
               'taxii2client (%s): the default API root is /taxii2/council/, one of api_roots' % how,
               'default: %r' % (s.default and s.default.url))
        root = s.default or s.api_roots[0]
        tap.ok(TAXII_MEDIA in [v.replace(' ', '') for v in (root.versions or [])],
               'taxii2client (%s): the API root speaks %s' % (how, TAXII_MEDIA),
               'versions: %r' % root.versions)
        tap.ok(isinstance(root.max_content_length, int) and root.max_content_length > 0,
               'taxii2client (%s): max_content_length is a positive integer (%r)'
               % (how, root.max_content_length))
        cols = root.collections
        seen[how] = sorted((c.id, c.title, c.can_read, c.can_write) for c in cols)
        tap.ok(len(cols) >= 1, 'taxii2client (%s): %d collections' % (how, len(cols)))
    tap.is_(seen['bearer'], seen['basic'], 'Bearer and Basic see the same collections')

    root = ctx.api_root(m)
    cols = root.collections
    tap.none(['%r: id %r' % (c.title, c.id) for c in cols if not UUID_RE.match(c.id)],
             'every collection id is a UUID')
    tap.none(['%r: media_types %r' % (c.title, c.media_types) for c in cols
              if c.media_types and not any('stix+json' in t and '2.1' in t for t in c.media_types)],
             'collections that name media types name application/stix+json;version=2.1')
    try:
        sh = ctx.shared(m)
        tap.ok(sh.can_read and not sh.can_write,
               '"shared with us" (%s) is readable, not writable' % sh.id)
    except RuntimeError as e:
        tap.ok(False, 'the member has a "shared with us" collection', str(e))

    # Raw HTTP: the media type, 406 and 404 as TAXII error resources.
    r = ctx.raw(m, 'GET', ctx.taxii)
    tap.ok(r.status_code == 200 and media_ok(r),
           'discovery answers Content-Type %s' % TAXII_MEDIA,
           '%s %r' % (r.status_code, r.headers.get('Content-Type')))
    r = ctx.raw(m, 'GET', ctx.taxii + 'council/', how='bearer')
    tap.ok(r.status_code == 200 and media_ok(r), 'the API root answers %s (Bearer)' % TAXII_MEDIA,
           '%s %r' % (r.status_code, r.headers.get('Content-Type')))
    r = ctx.raw(m, 'GET', ctx.taxii + 'council/collections/', headers={'Accept': 'text/html'})
    tap.is_(r.status_code, 406, 'Accept: text/html: 406 Not Acceptable')
    r = ctx.raw(m, 'GET', ctx.taxii + 'council/collections/',
                headers={'Accept': 'application/taxii+json;version=2.0'})
    tap.is_(r.status_code, 406, 'Accept: application/taxii+json;version=2.0: 406')
    for acc in ('application/taxii+json', '*/*'):
        r = ctx.raw(m, 'GET', ctx.taxii + 'council/collections/', headers={'Accept': acc})
        tap.ok(r.status_code == 200 and media_ok(r), 'Accept: %s (TAXII 2.1 1.6.8.1: the latest version): '
               '200 in %s' % (acc, TAXII_MEDIA), '%s %r' % (r.status_code, r.headers.get('Content-Type')))
    absent = str(uuid.uuid4())
    for path in ('council/collections/%s/' % absent, 'council/collections/%s/objects/' % absent,
                 'council/status/%s/' % absent):
        r = ctx.raw(m, 'GET', ctx.taxii + path)
        try:
            body = r.json()
        except ValueError:
            body = None
        tap.ok(r.status_code == 404 and isinstance(body, dict) and body.get('title')
               and str(body.get('http_status', '404')) == '404' and media_ok(r),
               'GET %s: 404, a TAXII error resource with a title' % path.replace(absent, '<absent>'),
               '%s %r %r' % (r.status_code, r.headers.get('Content-Type'), r.text[:300]))
    # A collection of another organisation (a preset's) answers like an absent one.
    others = [c for mm in ctx.members()[1:] for c in ctx.write_collections(mm)]
    mine = {c.id for c in cols}
    others = [c for c in others if c.id not in mine]
    if others:
        a = ctx.raw(m, 'GET', ctx.taxii + 'council/collections/%s/' % absent)
        b = ctx.raw(m, 'GET', ctx.taxii + 'council/collections/%s/' % others[0].id)
        tap.ok(a.status_code == b.status_code == 404
               and a.text.replace(absent, 'X') == b.text.replace(others[0].id, 'X'),
               "another organisation's write collection answers exactly like an absent one",
               'absent: %s %r\nother: %s %r' % (a.status_code, a.text[:200], b.status_code, b.text[:200]))
    else:
        tap.skip("another organisation's write collection answers like an absent one",
                 'no other member has a write collection yet (t_push makes one)')
