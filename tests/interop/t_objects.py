"""Every object served passes the official schemas, the pattern validator and stix2.parse."""
import json
import re
import time

import jsonschema

from interop import POST_TYPES, council_extension, ext_of, post_id_of
import stixcheck

TLP2 = {
    'clear': 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
    'green': 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
    'amber': 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
    'amber_strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
    'red': 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
}
TLP2_EXT = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d'
TLP2_NAME = {'clear': 'TLP:CLEAR', 'green': 'TLP:GREEN', 'amber': 'TLP:AMBER',
             'amber_strict': 'TLP:AMBER+STRICT', 'red': 'TLP:RED'}
# Objects that are the council's extension itself or OASIS's fixed ones
# carry no council extension.
# Organisations' identities are not drawn from a post (no scope to carry).
NO_COUNCIL_EXT = ('marking-definition', 'extension-definition', 'identity')


def readers(ctx):
    """The three members and the coordinator (who reads every post)."""
    out = list(ctx.members())
    rows = ctx.sql("""SELECT p.email FROM council.people p
                      JOIN council.organisations o ON o.id = p.org_id
                      WHERE o.council_role = 'coordinator' AND p.active AND o.status = 'member'
                      ORDER BY p.id LIMIT 1""")
    if rows:
        out.append(ctx.person(rows[0][0]))
    return out


# Every kind of indicator the portal extracts (migrations/0008_feed.sql),
# a URL with a backslash (the pattern's string literal escapes it), IPv6.
INDICATOR_BODY = (
    'C2 at 203.0.113.45 and 2001:db8::45, domain c2.interop-evil.example, '
    'URL http://c2.interop-evil.example/gate\\x.php?id=7 (sic), '
    'mail from lure@interop-evil.example; dropper MD5 0cc175b9c0f1b6a831c399e269772661, '
    'SHA-1 86f7e437faa5a7fce15d1ddcb9eaeaea377667b8, SHA-256 '
    'ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb, exploits CVE-2026-4242.')


def setup(ctx):
    """Posts whose objects cover the mapping: a report and a countermeasure
    (course-of-action: mitigates relationships) with every kind of
    indicator, and a Type 2 member's "seen here" on the countermeasure (a
    sighting for the author's organisation and the coordinator)."""
    a, b, c = ctx.members()
    ctx.post(a.token, kind='analysis', title='interop %s every indicator' % ctx.tag,
             body=INDICATOR_BODY, scope=[{'class': 'all_members'}])
    deadline = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(time.time() + 3 * 86400))
    cm = ctx.post(a.token, kind='countermeasure', confidence='high',
                  title='interop %s block the C2' % ctx.tag, body=INDICATOR_BODY,
                  scope=[{'class': 'task_force'}], deadline=deadline)
    code, d = ctx.api(b.token, 'POST', '/api/v1/posts/%d/feedback' % cm, {'answer': 'seen'})
    if code not in (200, 201):
        ctx.tap.diag('feedback "seen" on %d by %s: %s %r' % (cm, b.email, code, d))
    masked = ctx.post(b.token, kind='consultation', masked=True,
                      title='interop %s consultation' % ctx.tag,
                      body='Odd logins from 198.51.100.77 at night.', scope=[{'class': 'type1_group'}])
    secret = ctx.post(a.token, kind='analysis', secret=True, title='interop %s secret' % ctx.tag,
                      body='Secret: beacon to 192.0.2.99.', scope=[{'class': 'type1_group'}])
    return masked, secret


def run(ctx):
    tap = ctx.tap
    masked, secret = setup(ctx)
    served = {}         # (id, modified) -> object, over every reader and collection
    by_reader = []
    ext_def = None
    for m in readers(ctx):
        for c in ctx.collections(m):
            if not c.can_read:
                continue
            objs = ctx.all_objects(c, per_request=100)
            by_reader.append((m, c, objs))
            for o in objs:
                served[(o.get('id'), o.get('modified') or o.get('created'))] = o
            ext_def = ext_def or council_extension(objs)
    objs = list(served.values())
    types = sorted({o.get('type') for o in objs})
    tap.diag('%d distinct objects served (types: %s)' % (len(objs), ', '.join(map(str, types))))
    tap.ok(len(objs) > 0, 'objects are served')
    for t in ('report', 'identity', 'marking-definition', 'extension-definition', 'indicator'):
        tap.ok(t in types, 'objects of type %s are served' % t)

    # 1. The official JSON Schemas.
    probs = []
    for o in objs:
        for e in ctx.schemas.errors(o):
            probs.append('%s: %s' % (o.get('id'), e))
    tap.none(probs, 'every one of %d objects validates against the official STIX 2.1 JSON Schemas'
             % len(objs))

    # 2. The pattern validator.
    inds = [o for o in objs if o.get('type') == 'indicator']
    probs = []
    for o in inds:
        if o.get('pattern_type') != 'stix':
            probs.append('%s: pattern_type %r' % (o['id'], o.get('pattern_type')))
            continue
        for e in stixcheck.pattern_errors(o.get('pattern', '')):
            probs.append('%s %r: %s' % (o['id'], o.get('pattern'), e))
    tap.none(probs, 'every one of %d indicator patterns passes run_validator(stix_version="2.1")'
             % len(inds))

    # 3. stix2.parse(allow_custom=False).
    probs = []
    for o in objs:
        e = stixcheck.parse_error(o)
        if e:
            probs.append('%s: %s' % (o.get('id'), e))
    tap.none(probs, 'stix2.parse(allow_custom=False) accepts every one of %d objects' % len(objs))
    # ... and each envelope as one bundle (references and all).
    probs = []
    for m, c, os_ in by_reader[:8]:
        if not os_:
            continue
        e = stixcheck.parse_error({'type': 'bundle', 'id': 'bundle--6f6e8b4b-7b0a-4d55-9a3b-0d1b2a3c4d5e',
                                   'objects': os_})
        if e:
            probs.append('%s / %s: %s' % (m.email, c.title, e))
    tap.none(probs, 'stix2.parse accepts each collection\'s objects as one bundle')

    # 4. The council's extension: an extension-definition whose schema
    # the server publishes; every object carries it and validates.
    if not tap.ok(ext_def is not None, 'the council\'s extension-definition is served'):
        return
    tap.diag('extension-definition: %s' % json.dumps(ext_def, ensure_ascii=False)[:1500])
    ext_id = ext_def['id']
    tap.ok('property-extension' in ext_def.get('extension_types', []),
           'it is a property-extension (%r)' % ext_def.get('extension_types'))
    # STIX 2.1 7.3: the normative definition "as a URL or as plain text";
    # the portal gives the JSON Schema itself, as text (a URL must answer).
    schema_txt = ext_def.get('schema', '')
    schema = None
    if re.match(r'^https?://', schema_txt):
        r = ctx.http.get(schema_txt, timeout=30)
        try:
            schema = r.json()
        except ValueError:
            pass
        tap.ok(r.status_code == 200 and isinstance(schema, dict),
               'its schema URL %s answers with a JSON Schema' % schema_txt,
               '%s %r' % (r.status_code, r.text[:300]))
    else:
        try:
            schema = json.loads(schema_txt)
        except ValueError:
            pass
        tap.ok(isinstance(schema, dict),
               'its schema property is the JSON Schema itself, as text (STIX 2.1 7.3: a URL or plain text)',
               repr(schema_txt[:300]))
    if not isinstance(schema, dict):
        schema = None
    if schema is not None:
        try:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            good = True
            err = ''
        except Exception as e:
            good, err = False, str(e)[:500]
        tap.ok(good, 'the extension\'s schema is a valid JSON Schema (%s)' % schema.get('$schema'), err)
        v = cls(schema) if good else None
    missing, bad = [], []
    for o in objs:
        if o.get('type') in NO_COUNCIL_EXT:
            continue
        e = ext_of(o, ext_id)
        if e is None:
            missing.append('%s carries no %s' % (o.get('id'), ext_id))
            continue
        if e.get('extension_type') != 'property-extension':
            bad.append('%s: extension_type %r' % (o['id'], e.get('extension_type')))
        if schema is not None and v is not None:
            for err in v.iter_errors(e):
                bad.append('%s: %s: %s' % (o['id'], '/'.join(map(str, err.absolute_path)),
                                           err.message[:200]))
    tap.none(missing, 'every object drawn from a post carries the council extension (all but identities, marking- and extension-definitions)')
    tap.none(bad, 'every council extension validates against the extension\'s own schema')

    # R-TF-6: a masked post names its author to nobody outside its
    # organisation (no created_by_ref, the identity named nowhere in it).
    a, b, c = ctx.members()
    bank_ident = ctx.sql('SELECT council.stix_org_identity_id(%s)', (b.org_id,))[0][0]
    objs_a = [o for o in ctx.all_objects(ctx.shared(a), per_request=500)
              if post_id_of(o, ext_id) == masked]
    tap.ok(objs_a and not any(bank_ident in json.dumps(o) for o in objs_a),
           'R-TF-6: %s reads %d objects of %s\'s masked post %d; none names its author (%s)'
           % (a.slug, len(objs_a), b.slug, masked, bank_ident),
           json.dumps(objs_a, ensure_ascii=False)[:800])
    # R-SECRET-1: the secrecy declaration is carried; a secret reaches handlers only.
    sec = [o for o in objs if o.get('type') in POST_TYPES and post_id_of(o, ext_id) == secret]
    tap.ok(sec and all(ext_of(o, ext_id).get('secret') is True for o in sec),
           'R-SECRET-1: the secret post %d is served with secret: true' % secret)
    tap.none(['post %s: secret %r, database %r' % (post_id_of(o, ext_id), ext_of(o, ext_id).get('secret'), s_)
              for o in objs if o.get('type') in POST_TYPES
              for (s_,) in ctx.sql('SELECT is_secret FROM council.posts WHERE id = %s',
                                   (post_id_of(o, ext_id),))
              if ext_of(o, ext_id).get('secret') is not s_],
             'every post\'s object states its secrecy as the database has it')

    # R-TF-6, R-TF-1: "seen here" as sightings: counted per class, never
    # who, only for the author's organisation and the coordinator.
    sightings = [(m, o) for m, col, os_ in by_reader for o in os_ if o.get('type') == 'sighting']
    tap.ok(sightings, 'sightings are served (%d)' % len(sightings))
    coord = readers(ctx)[-1]
    tap.none(['%s reads %s' % (m.email, o['id']) for m, o in sightings
              if m.org_id not in (a.org_id, coord.org_id)],
             'R-TF-6: only the author\'s organisation and the coordinator read sightings')
    tap.none(['%s: %s' % (o['id'], k) for m, o in sightings
              for k in ('where_sighted_refs', 'observed_data_refs', 'created_by_ref') if k in o],
             'R-TF-6: a sighting names nobody (no where_sighted_refs, observed_data_refs, created_by_ref)')

    # 5. TLP 2.0: each post's object is marked with the official TLP 2.0
    # marking of the post's label, and the marking objects are OASIS's.
    marks = {o['id']: o for o in objs if o.get('type') == 'marking-definition'}
    probs = []
    for lab, mid in TLP2.items():
        o = marks.get(mid)
        if o is None:
            continue
        if o.get('name') != TLP2_NAME[lab] or \
                (ext_of(o, TLP2_EXT) or {}).get('tlp_2_0') != lab.replace('_', '+') or \
                o.get('created') != '2022-10-01T00:00:00.000Z':
            probs.append('%s is not the official TLP 2.0 object: %s' % (mid, json.dumps(o)[:400]))
    for mid, o in marks.items():
        if mid not in TLP2.values() and o.get('definition_type') in ('tlp',):
            probs.append('%s: a TLP 1.0 marking served (TLP 2.0 is the export)' % mid)
    tap.none(probs, 'the TLP marking-definitions served are the official TLP 2.0 objects')
    tlp_of = {}
    coord = readers(ctx)[-1]
    for pid, tlp in ctx.sql('SELECT id, tlp::text FROM council.posts'):
        tlp_of[pid] = tlp
    probs = []
    n = 0
    for o in objs:
        if o.get('type') not in POST_TYPES:
            continue
        pid = post_id_of(o, ext_id)
        if pid not in tlp_of:
            continue
        n += 1
        want = TLP2.get(tlp_of[pid].replace('+', '_'))
        refs = o.get('object_marking_refs') or []
        if want not in refs:
            probs.append('post %d (tlp %s): object_marking_refs %r' % (pid, tlp_of[pid], refs))
        for ref in refs:
            if ref not in marks and ref not in TLP2.values():
                probs.append('post %d: marking %s is not served' % (pid, ref))
    tap.none(probs, 'each of %d posts\' objects carries its TLP 2.0 marking' % n)

    # 6. Every reference inside a reader's collection resolves within it
    # (or to an official TLP marking): a client can follow every ref.
    probs = []
    for m, c, os_ in by_reader:
        ids = {o['id'] for o in os_}
        for o in os_:
            refs = list(o.get('object_refs') or [])
            for k in ('created_by_ref', 'sighting_of_ref', 'source_ref', 'target_ref'):
                if o.get(k):
                    refs.append(o[k])
            refs += o.get('where_sighted_refs') or []
            refs += o.get('observed_data_refs') or []
            for ref in refs:
                if ref not in ids:
                    probs.append('%s / %s: %s -> %s not in the collection' % (m.email, c.title, o['id'], ref))
    tap.none(probs, 'every reference of every object resolves inside its collection')

    # 7. Manifest, one object by id, versions: the same objects.
    m = ctx.members()[0]
    sh = ctx.shared(m)
    objs0 = ctx.all_objects(sh, per_request=100)
    man = []
    for env in __import__('interop').as_pages(sh.get_manifest, per_request=100):
        man += env.get('objects', [])
    tap.is_(sorted(x.get('id') for x in man), sorted(o['id'] for o in objs0),
            'the manifest lists each object of "shared with us" once')
    ver = {x.get('id'): x.get('version') for x in man}
    tap.none(['%s: manifest version %r, modified %r' % (o['id'], ver.get(o['id']), o.get('modified'))
              for o in objs0 if (o.get('modified') or o.get('created'))
              and ver.get(o['id']) != (o.get('modified') or o.get('created'))],
             'each manifest version is its object\'s modified (created where it has none)')
    tap.none(['%r' % x for x in man if not x.get('date_added') or
              x.get('media_type', 'application/stix+json;version=2.1').replace(' ', '')
              != 'application/stix+json;version=2.1'],
             'each manifest entry has date_added and the STIX 2.1 media type')
    sample = [o for o in objs0 if o.get('type') in POST_TYPES][:3] + \
        [o for o in objs0 if o.get('type') == 'indicator'][:2]
    for o in sample:
        env = sh.get_object(o['id'])
        got = env.get('objects', [])
        tap.ok(len(got) == 1 and got[0] == o, 'get_object(%s) returns that object' % o['id'],
               'got %s' % json.dumps(got, ensure_ascii=False)[:500])
        v = sh.object_versions(o['id'])
        tap.ok((o.get('modified') or o.get('created')) in v.get('versions', []),
               'object_versions(%s) lists its version' % o['id'], 'got %r' % dict(v))
    for o in sample[:1]:
        env = sh.get_objects(type=o['type'])
        tap.ok(env.get('objects') and all(x['type'] == o['type'] for x in env['objects']),
               'match[type]=%s returns only objects of that type' % o['type'])
        env = sh.get_objects(id=o['id'])
        tap.ok([x['id'] for x in env.get('objects', [])] == [o['id']],
               'match[id] returns exactly that object')
        env = sh.get_objects(spec_version='2.1', type=o['type'])
        tap.ok(env.get('objects') and all(x.get('spec_version') == '2.1' for x in env['objects']),
               'match[spec_version]=2.1 with match[type] returns 2.1 objects')
        env = sh.get_objects(spec_version='2.0')
        tap.ok(not env.get('objects'), 'match[spec_version]=2.0 returns nothing (every object is 2.1)')
