"""A stix2 bundle pushed with taxii2client lands with the preset's scope, once; without the secrecy declaration it is refused whole."""
import json
import uuid

import jsonschema

import stix2

from interop import POST_TYPES, council_extension, post_id_of

TLP_GREEN = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'


def make_preset(ctx, member, name, scope):
    """A scope preset of member's organisation: through the JSON API
    (POST /api/v1/scope-presets); where that route is not there yet, the
    same SQL function as the member.  Returns its collection id (uuid)."""
    code, d = ctx.api(member.token, 'POST', '/api/v1/scope-presets', {'name': name, 'scope': scope})
    if code == 201 and isinstance(d, dict):
        u = d.get('uuid') or d.get('collection')
        if u:
            return u
        pid = d.get('id')
    elif code == 404:
        pid = ctx.as_person(member.token, 'SELECT council.scope_preset_create(%s, %s::jsonb)',
                            (name, json.dumps(scope)))[0][0]
    else:
        raise RuntimeError('POST /api/v1/scope-presets: %s %r' % (code, d))
    return str(ctx.sql('SELECT uuid FROM council.scope_presets WHERE id = %s', (pid,))[0][0])


def declaration(ext_def, secret):
    """The council extension as a pushing client writes it: the secrecy
    declaration (R-SECRET-1: no default).  Its shape is the published
    schema's (docs/stix.md)."""
    return {ext_def['id']: {'extension_type': 'property-extension', 'secret': secret}}


def bundle(ctx, ext_def, label, with_declaration=True, mixed=False):
    """A Report and the Indicator it names, built with stix2."""
    ip = '198.51.100.%d' % (100 + int(ctx.tag[:2], 16) % 100)
    ext = declaration(ext_def, False) if with_declaration else None
    kw = {'extensions': ext} if ext else {}
    ind = stix2.Indicator(name='C2 %s' % ip, pattern="[ipv4-addr:value = '%s']" % ip,
                          pattern_type='stix', valid_from='2026-12-01T00:00:00Z',
                          object_marking_refs=[TLP_GREEN], allow_custom=False,
                          **({'extensions': declaration(ext_def, False)} if (ext or mixed) else {}))
    rep = stix2.Report(name='interop %s %s' % (ctx.tag, label),
                       description='Pushed by taxii2client (run %s): C2 at %s.' % (ctx.tag, ip),
                       report_types=['threat-report'], published='2026-12-01T00:00:00Z',
                       object_refs=[ind.id], object_marking_refs=[TLP_GREEN],
                       allow_custom=False, **kw)
    b = stix2.Bundle(ind, rep, allow_custom=False)
    return json.loads(b.serialize()), rep, ind, ip


def ctx_identity(ext_def):
    """An object every report may reference: the council's identity (the
    creator of its extension-definition)."""
    return ext_def['created_by_ref']


def envelope(b):
    return {'objects': b['objects']}


def report_post(ctx, member, report_id):
    """The post id of report_id in member's "shared with us" (None: absent)."""
    objs = ctx.all_objects(ctx.shared(member), per_request=500)
    ext = council_extension(objs)
    hits = [o for o in objs if o['id'] == report_id]
    return (post_id_of(hits[0], ext['id']) if hits else None), len(hits), objs


def run(ctx):
    tap = ctx.tap
    a, b, c = ctx.members()          # a pushes; the preset names b; c is outside
    ext_def = council_extension(ctx.all_objects(ctx.shared(a), per_request=100))
    if not tap.ok(ext_def is not None, 'the council\'s extension-definition is served'):
        return
    name = 'interop %s to %s' % (ctx.tag, b.slug)
    cid = make_preset(ctx, a, name, [{'org': b.org_id}])
    cols = {x.id: x for x in ctx.collections(a)}
    col = cols.get(cid)
    if not tap.ok(col is not None and col.can_write,
                  '%s\'s scope preset %r is a write collection %s' % (a.slug, name, cid),
                  'collections: %r' % [(x.id, x.title, x.can_write) for x in cols.values()]):
        return
    tap.ok(cid not in {x.id for x in ctx.collections(b)} and cid not in {x.id for x in ctx.collections(c)},
           'other organisations do not list it')
    r = ctx.raw(a, 'GET', col.url + 'objects/')
    tap.is_(r.status_code, 403, 'GET objects/ of its own write-only collection: 403 (TAXII 5.3, can_read false)')
    absent = str(uuid.uuid4())
    for suffix in ('', 'objects/', 'manifest/'):
        r1 = ctx.raw(c, 'GET', ctx.taxii + 'council/collections/%s/%s' % (cid, suffix))
        r2 = ctx.raw(c, 'GET', ctx.taxii + 'council/collections/%s/%s' % (absent, suffix))
        tap.ok(r1.status_code == r2.status_code == 404 and r1.text == r2.text,
               'GET collections/<%s\'s preset>/%s as %s: 404 exactly like an absent collection'
               % (a.slug, suffix, c.slug), '%s %r / %s %r' % (r1.status_code, r1.text[:200],
                                                            r2.status_code, r2.text[:200]))

    # The declaration we push is what the extension's schema (its text) says.
    schema = json.loads(ext_def.get('schema', ''))
    v = jsonschema.validators.validator_for(schema)(schema)
    tap.none([e.message for e in v.iter_errors(declaration(ext_def, False)[ext_def['id']])],
             'the secrecy declaration pushed below validates against the extension\'s schema')

    # 1. Push: the status resource says every object succeeded.
    bnd, rep, ind, ip = bundle(ctx, ext_def, 'pushed report')
    st = col.add_objects(envelope(bnd))
    tap.diag('status: %s' % json.dumps(dict(st._raw), ensure_ascii=False)[:1500])
    tap.ok(st.status == 'complete' and st.total_count == 2 and st.success_count == 2
           and st.failure_count == 0 and st.pending_count == 0,
           'add_objects(Report + Indicator, built with stix2): complete, 2 successes, no failure')
    tap.is_(sorted(x.get('id') for x in st.successes or []), sorted([rep.id, ind.id]),
            'the status lists both objects as successes')
    st2 = ctx.api_root(a).get_status(st.id)
    tap.is_(st2.id, st.id, 'GET status/<id> returns the same status resource')
    r = ctx.raw(b, 'GET', ctx.taxii + 'council/status/%s/' % st.id)
    tap.is_(r.status_code, 404, 'another organisation\'s member gets 404 for that status')

    # 2. Where it landed: the author's organisation and the member the
    # preset names, through TAXII and the JSON API; not the member outside.
    pa, na, _ = report_post(ctx, a, rep.id)
    tap.ok(pa is not None and na == 1, '%s reads the pushed report, under the client\'s id %s, once'
           % (a.slug, rep.id), 'post %r, %d objects' % (pa, na))
    pb, nb, objs_b = report_post(ctx, b, rep.id)
    tap.ok(pb is not None and pb == pa and nb == 1,
           '%s (in the preset\'s scope) reads it through TAXII' % b.slug, 'post %r, %d objects' % (pb, nb))
    pc, nc, objs_c = report_post(ctx, c, rep.id)
    tap.ok(pc is None and nc == 0, '%s (outside the scope) does not read it through TAXII' % c.slug,
           'post %r, %d objects' % (pc, nc))
    if pa is not None:
        tap.ok(pa in ctx.feed_ids(a.token), '... %s\'s /api/v1/feed lists post %d' % (a.slug, pa))
        tap.ok(pa in ctx.feed_ids(b.token), '... %s\'s /api/v1/feed lists post %d' % (b.slug, pa))
        tap.ok(pa not in ctx.feed_ids(c.token), '... %s\'s /api/v1/feed does not' % c.slug)
        code, d = ctx.api(b.token, 'GET', '/api/v1/posts/%d' % pa)
        tap.ok(code == 200 and d.get('title') == rep.name and d.get('secret') is False,
               '%s reads post %d through /api/v1/posts: title, not secret' % (b.slug, pa),
               '%s %r' % (code, d))
        code, d = ctx.api(c.token, 'GET', '/api/v1/posts/%d' % pa)
        code0, d0 = ctx.api(c.token, 'GET', '/api/v1/posts/999999999')
        tap.ok(code == 404 and d == d0, '%s gets post %d exactly like an absent one' % (c.slug, pa),
               '%s %r vs %s %r' % (code, d, code0, d0))
        # The scope the post has is the preset's (the database's rows).
        got = ctx.sql("""SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object('org', org_id,
                                   'group', group_id, 'class', class)) ORDER BY id), '[]')
                         FROM council.post_scope WHERE post_id = %s""", (pa,))[0][0]
        tap.is_(got, [{'org': b.org_id}], 'post %d has the preset\'s scope' % pa)
        # The pushed indicator's value reaches the member in scope.
        pats = [o.get('pattern', '') for o in objs_b if o.get('type') == 'indicator'
                and post_id_of(o, ext_def['id']) == pa]
        tap.ok(any(ip in p for p in pats), '%s reads the pushed indicator %s with the post' % (b.slug, ip),
               'patterns of post %r: %r' % (pa, pats))
        tap.ok(not any(ip in o.get('pattern', '') for o in objs_c if o.get('type') == 'indicator'
                       and post_id_of(o, ext_def['id']) == pa),
               '%s does not' % c.slug)

    # 3. The same bundle again: nothing new.
    n_posts = ctx.sql('SELECT count(*) FROM council.posts')[0][0]
    st = col.add_objects(envelope(bnd))
    tap.ok(st.status == 'complete' and st.failure_count == 0,
           'pushing the same bundle again: complete, no failure',
           json.dumps(dict(st._raw), ensure_ascii=False)[:800])
    tap.is_(ctx.sql('SELECT count(*) FROM council.posts')[0][0], n_posts,
            '... and no post is created')
    pa2, na2, _ = report_post(ctx, a, rep.id)
    tap.ok(pa2 == pa and na2 == 1, '... the report is still one object, post %r' % pa,
           'post %r, %d objects' % (pa2, na2))
    tap.is_(ctx.sql('SELECT count(*) FROM council.stix_imports WHERE stix_id = %s', (rep.id,))[0][0], 1,
            '... one import row for the report')

    # 4. Without the secrecy declaration: refused whole, nothing stored.
    for label, kw in (('no declaration', {'with_declaration': False}),
                      ('declaration on the indicator only', {'with_declaration': False, 'mixed': True})):
        bnd, rep, ind, ip = bundle(ctx, ext_def, label, **kw)
        n_posts = ctx.sql('SELECT count(*) FROM council.posts')[0][0]
        try:
            st = col.add_objects(envelope(bnd))
            raw = dict(st._raw)
        except Exception as e:  # an HTTP error instead of a status resource
            st, raw = None, {'exception': str(e)}
        tap.diag('status: %s' % json.dumps(raw, ensure_ascii=False)[:1200])
        tap.ok(st is not None and st.status == 'complete' and st.success_count == 0
               and st.failure_count == 2 and st.total_count == 2,
               'a bundle with %s: a status resource, 2 failures, no success' % label)
        tap.ok(st is not None and sorted(f.get('id') for f in st.failures or []) == sorted([rep.id, ind.id])
               and all(f.get('message') for f in st.failures or []),
               '... every object listed as a failure, each with a message (why)')
        tap.is_(ctx.sql('SELECT count(*) FROM council.posts')[0][0], n_posts, '... no post is created')
        tap.is_(ctx.sql('SELECT count(*) FROM council.stix_imports WHERE stix_id IN (%s, %s)',
                        (rep.id, ind.id))[0][0], 0, '... nothing is recorded as imported')
        tap.is_(ctx.sql("SELECT count(*) FROM council.posts WHERE title = %s", (rep.name,))[0][0], 0,
                '... no post carries its title')

    # 5. The TLP: a post made of a pushed object is never looser than the
    # object's marking, TLP 2.0 or (on import) TLP 1.0; a marking stricter
    # than the preset's scope reaches is refused.
    order = ['clear', 'green', 'amber', 'amber_strict', 'red']
    if pa is not None:
        t = ctx.sql('SELECT tlp::text FROM council.posts WHERE id = %s', (pa,))[0][0]
        tap.ok(order.index(t) >= order.index('green'),
               'the pushed report marked TLP:GREEN is a post no looser than green (%s)' % t)
    TLP1_AMBER = 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82'
    TLP2_RED = 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1'
    for mark, label, want in ((TLP1_AMBER, 'TLP 1.0 AMBER', 'amber'), (TLP2_RED, 'TLP:RED', None)):
        ind = stix2.Indicator(pattern="[domain-name:value = 'tlp%s.interop-c2.example']" % ctx.tag,
                              pattern_type='stix', valid_from='2026-12-01T00:00:00Z',
                              object_marking_refs=[mark], extensions=declaration(ext_def, False))
        r = stix2.Report(name='interop %s marked %s' % (ctx.tag, label), report_types=['threat-report'],
                         published='2026-12-01T00:00:00Z', object_refs=[ind.id],
                         object_marking_refs=[mark], extensions=declaration(ext_def, False))
        st = col.add_objects({'objects': [json.loads(ind.serialize()), json.loads(r.serialize())]})
        got = ctx.sql('SELECT tlp::text FROM council.posts WHERE title = %s', (r.name,))
        if want:
            tap.ok(st.success_count == 2 and len(got) == 1 and order.index(got[0][0]) >= order.index(want),
                   'a report marked %s becomes one post no looser than %s (%s)'
                   % (label, want, got and got[0][0]), '%r; posts: %r' % (dict(st._raw), got))
        else:
            tap.ok(st.success_count == 0 and not got,
                   'a report marked %s, stricter than its scope reaches, is refused, no post'
                   % label, '%r; posts: %r' % (dict(st._raw), got))
    # What the server itself serves must come back: a report without
    # indicators names the council's identity in object_refs (the schema
    # wants one reference at least), and a client that builds its report
    # the same way is refused.
    r = stix2.Report(name='interop %s refs the council identity' % ctx.tag, report_types=['threat-report'],
                     published='2026-12-01T00:00:00Z', object_refs=[ctx_identity(ext_def)],
                     object_marking_refs=[TLP_GREEN], extensions=declaration(ext_def, False))
    st = col.add_objects({'objects': [json.loads(r.serialize())]})
    tap.ok(st.success_count == 1,
           'a report whose object_refs names the council\'s identity (as the server\'s own reports '
           'without indicators do) is taken', '%r' % dict(st._raw))

    # 6. Nothing is widened, and a hidden post answers like an absent one:
    # a note that references the object of a post b reads and a does not
    # fails exactly like one that references an absent object.
    # A post of b's that only b and c read.
    ctx.post(b.token, title='interop %s from %s to %s only' % (ctx.tag, b.slug, c.slug),
             body='hidden from %s' % a.slug, scope=[{'org': c.org_id}])
    objs_a = {o['id'] for o in ctx.all_objects(ctx.shared(a), per_request=1000)}
    hidden = [o for o in ctx.all_objects(ctx.shared(b), per_request=1000)
              if o.get('type') == 'report' and o['id'] not in objs_a]
    if hidden:
        h = hidden[0]
        absent = 'report--%s' % uuid.uuid4()
        msgs = []
        for ref in (h['id'], absent):
            n = stix2.Note(content='interop %s: about %s' % (ctx.tag, 'X'), object_refs=[ref],
                           object_marking_refs=[TLP_GREEN], extensions=declaration(ext_def, False))
            st = col.add_objects({'objects': [json.loads(n.serialize())]})
            msgs.append((st.success_count, [f.get('message') for f in st.failures]))
        tap.ok(msgs[0] == msgs[1] and msgs[0][0] == 0,
               'a note referencing a report hidden from %s fails exactly like one referencing an '
               'absent report (%r)' % (a.slug, msgs[0][1]), 'hidden: %r; absent: %r' % tuple(msgs))
        # The same hidden id as the id of a pushed report: b must not get
        # two objects with one id (TAXII returns one version of each id).
        r = stix2.Report(id=h['id'], name='interop %s reusing an id' % ctx.tag,
                         report_types=['threat-report'], published='2026-12-01T00:00:00Z',
                         object_refs=[ctx_identity(ext_def)], object_marking_refs=[TLP_GREEN],
                         extensions=declaration(ext_def, False))
        ind = stix2.Indicator(pattern="[domain-name:value = 'reuse%s.interop-c2.example']" % ctx.tag,
                              pattern_type='stix', valid_from='2026-12-01T00:00:00Z',
                              object_marking_refs=[TLP_GREEN], extensions=declaration(ext_def, False))
        r = stix2.Report(id=h['id'], name='interop %s reusing an id' % ctx.tag,
                         report_types=['threat-report'], published='2026-12-01T00:00:00Z',
                         object_refs=[ind.id], object_marking_refs=[TLP_GREEN],
                         extensions=declaration(ext_def, False))
        st = col.add_objects({'objects': [json.loads(ind.serialize()), json.loads(r.serialize())]})
        ids_b = [o['id'] for o in ctx.all_objects(ctx.shared(b), per_request=1000)]
        tap.diag('pushing %s (hidden from %s, read by %s) as a new report: %r'
                 % (h['id'], a.slug, b.slug, dict(st._raw)))
        tap.ok(ids_b.count(h['id']) == 1,
               '%s still gets %s once after %s pushed a report with that id' % (b.slug, h['id'], a.slug),
               '%d objects with that id in %s\'s "shared with us"' % (ids_b.count(h['id']), b.slug))
    else:
        tap.skip('a reference to a hidden post fails like an absent one', 'no report of %s hidden from %s'
                 % (b.slug, a.slug))
    # Re-pushing what one pulled (an object of a post one reads) is refused.
    mine = [o for o in ctx.all_objects(ctx.shared(a), per_request=1000) if o.get('type') == 'report']
    if mine:
        o = dict(mine[0])
        o['extensions'] = declaration(ext_def, False)
        ind = stix2.Indicator(pattern="[domain-name:value = 'back%s.interop-c2.example']" % ctx.tag,
                              pattern_type='stix', valid_from='2026-12-01T00:00:00Z',
                              object_marking_refs=[TLP_GREEN], extensions=declaration(ext_def, False))
        o['object_refs'] = [ind.id]
        st = col.add_objects({'objects': [json.loads(ind.serialize()), o]})
        fails = {f.get('id'): f.get('message') for f in st.failures}
        tap.ok(fails.get(o['id']) == 'already_in_council',
               'pushing back a report one pulled (%s, its refs resolvable) fails already_in_council'
               % o['id'], '%r' % dict(st._raw))

    # 7. Neither a read-only collection nor another's preset takes objects.
    bnd, rep, ind, ip = bundle(ctx, ext_def, 'to a read-only collection')
    sh = ctx.shared(a)
    r = ctx.raw(a, 'POST', sh.url + 'objects/', data=json.dumps(envelope(bnd)),
                headers={'Content-Type': 'application/taxii+json;version=2.1'})
    tap.is_(r.status_code, 403, 'POST to "shared with us": 403')
    r = ctx.raw(c, 'POST', col.url + 'objects/', data=json.dumps(envelope(bnd)),
                headers={'Content-Type': 'application/taxii+json;version=2.1'})
    absent = ctx.raw(c, 'POST', ctx.taxii + 'council/collections/%s/objects/' % uuid.uuid4(),
                     data=json.dumps(envelope(bnd)),
                     headers={'Content-Type': 'application/taxii+json;version=2.1'})
    tap.ok(r.status_code == 404 and absent.status_code == 404,
           'POST to another organisation\'s preset: 404, like an absent collection',
           '%s %r / %s' % (r.status_code, r.text[:200], absent.status_code))
    r = ctx.raw(a, 'POST', col.url + 'objects/', data=json.dumps(envelope(bnd)),
                headers={'Content-Type': 'application/json'})
    tap.is_(r.status_code, 415, 'POST with Content-Type application/json: 415')
    tap.is_(ctx.sql("SELECT count(*) FROM council.posts WHERE title = %s", (rep.name,))[0][0], 0,
            '... none of those made a post')
