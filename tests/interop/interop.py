#!/usr/bin/python3
"""Interoperability tests (issue 15, "Proof (real clients, not our own)"):
the OASIS committee's own Python code -- taxii2client, stix2, the STIX
pattern validator and the official STIX 2.1 JSON Schemas, all from
../shared/interop, never copied into the project -- talks to the real
councild with the demo council, as members' own tools would.

Usage (tests/interop/run.sh sets PYTHONPATH and the schema folder):
    interop.py BASE_URL PGDIR [--only NAME,...]

Prints TAP.  The people are the demo council's; their API tokens are
sessions of kind 'api' made in the database, as tests/lib/portal.sh makes
them (sign-in is tests/http/auth.sh's subject).  What the tests write
(posts, a scope preset, pushed bundles) stays, tagged "interop" with a
random run tag, like the posts of the other black-box layers.

Test files (each has run(ctx)):
    t_discovery  discovery, API root, collections; Basic and Bearer; errors
    t_feeds      three members of different classes: "shared with us"
                 holds exactly the posts of their /api/v1/feed
    t_objects    every object served: official schemas, pattern validator,
                 stix2.parse(allow_custom=False); the council extension's
                 own schema; TLP 2.0 markings; manifest, object, versions
    t_paging     limit + next: every object once, also with posts written
                 between the pages
    t_push       a stix2 bundle pushed with taxii2client lands with the
                 preset's scope, for the right members only, idempotent;
                 without the secrecy declaration it is refused whole
"""
import argparse
import hashlib
import importlib
import json
import os
import sys
import time
import traceback

import psycopg2
import requests
import requests.auth

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from taxii2client.v21 import Server, ApiRoot, Collection, as_pages  # noqa: E402

import stixcheck  # noqa: E402

TAXII_MEDIA = 'application/taxii+json;version=2.1'
TESTS = ['t_discovery', 't_feeds', 't_paging', 't_push', 't_params', 't_objects']


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def _desc(self, d):
        return d.replace('#', '\\#')

    def ok(self, cond, desc, diag=None):
        self.n += 1
        if cond:
            print('ok %d - %s' % (self.n, self._desc(desc)), flush=True)
        else:
            self.failed += 1
            print('not ok %d - %s' % (self.n, self._desc(desc)), flush=True)
            if diag:
                self.diag(diag)
        return bool(cond)

    def is_(self, got, expected, desc):
        return self.ok(got == expected, desc,
                       '     got: %r\nexpected: %r' % (got, expected))

    def none(self, problems, desc, limit=15):
        """Passes when the list problems is empty; else shows its first ones."""
        problems = list(problems)
        shown = '\n'.join(str(p) for p in problems[:limit])
        if len(problems) > limit:
            shown += '\n... and %d more' % (len(problems) - limit)
        return self.ok(not problems, desc, shown)

    def skip(self, desc, reason):
        self.n += 1
        print('ok %d - %s # SKIP %s' % (self.n, self._desc(desc), reason), flush=True)

    def diag(self, text):
        for line in str(text).splitlines() or ['']:
            print('# ' + line[:2000], flush=True)

    def done(self):
        print('1..%d' % self.n, flush=True)
        if self.failed:
            print('# failed %d of %d tests' % (self.failed, self.n), flush=True)
        return 1 if self.failed or not self.n else 0


class Bearer(requests.auth.AuthBase):
    """An API token as "Authorization: Bearer" (requests' auth object, as
    taxii2client's auth= takes it)."""

    def __init__(self, token):
        self.token = token

    def __call__(self, r):
        r.headers['Authorization'] = 'Bearer ' + self.token
        return r


class Member:
    def __init__(self, row, token):
        (self.person_id, self.email, self.org_id, self.slug, self.tf_class,
         self.category, self.handler) = row
        self.token = token

    def __repr__(self):
        return '%s (%s, %s)' % (self.email, self.slug, self.tf_class)


class Ctx:
    """What every test file gets: the server, the database, the people."""

    def __init__(self, base, pgdir, schemas_dir, tap):
        self.base = base.rstrip('/')
        self.taxii = self.base + '/taxii2/'
        self.pgdir = pgdir
        self.tap = tap
        self.tag = os.urandom(4).hex()
        self.db = psycopg2.connect(host=os.path.join(pgdir, 'run'),
                                   passfile=os.path.join(pgdir, 'passfile'),
                                   dbname='council', user='postgres',
                                   application_name='interop.py')
        self.db.autocommit = True
        self.schemas = stixcheck.Schemas(schemas_dir)
        self.http = requests.Session()
        self._members = None
        self._objects = {}

    # ------------------------------------------------------------ database
    def sql(self, q, args=()):
        with self.db.cursor() as cur:
            cur.execute(q, args)
            return cur.fetchall() if cur.description else None

    def session(self, email, kind='api'):
        """A live session token of the person (tests/lib/portal.sh's way)."""
        tok = os.urandom(32).hex()
        n = self.sql("""INSERT INTO council.sessions (token_hash, person_id, expires_at, kind)
                        SELECT sha256(convert_to(%s, 'UTF8')), id, now() + interval '2 hours', %s
                        FROM council.people WHERE lower(email) = lower(%s) RETURNING id""",
                     (tok, kind, email))
        if not n:
            raise RuntimeError('no person %s' % email)
        return tok

    def as_person(self, token, q, args=()):
        """One statement as the person of token (the identity councild sets)."""
        with self.db.cursor() as cur:
            cur.execute('BEGIN')
            try:
                cur.execute("SELECT set_config('council.session', %s, true)",
                            (hashlib.sha256(token.encode()).hexdigest(),))
                cur.execute('SET LOCAL ROLE council_app')
                cur.execute(q, args)
                rows = cur.fetchall() if cur.description else None
                cur.execute('COMMIT')
                return rows
            except Exception:
                cur.execute('ROLLBACK')
                raise

    def members(self):
        """Three members of different classes (Type 1, Type 2, a general
        member), each a live registered handler of a member organisation
        without a council role, with an API token: the demo's Sakura
        Security, Toto Bank and Financial Sector ISAC people first."""
        if self._members is not None:
            return self._members
        prefer = ['shota.fujii@sakura-security.example.jp',
                  'yohei.nakagawa@toto-bank.example.jp',
                  'hayato.ueda@finsec-isac.example.jp']
        out = []
        for cls, pref in zip(['type1', 'type2', 'none'], prefer):
            rows = self.sql("""
                SELECT p.id, p.email, o.id, o.slug, o.tf_class::text, o.category::text,
                       EXISTS (SELECT 1 FROM council.handler_registrations h
                               WHERE h.person_id = p.id AND h.deregistered_at IS NULL)
                FROM council.people p JOIN council.organisations o ON o.id = p.org_id
                WHERE p.active AND o.status = 'member' AND o.council_role IS NULL
                  AND o.tf_class::text = %s AND NOT o.gsoc_liaison
                  AND o.foreign_status = false AND NOT o.secret_opt_out
                  AND EXISTS (SELECT 1 FROM council.handler_registrations h
                              WHERE h.person_id = p.id AND h.deregistered_at IS NULL)
                ORDER BY lower(p.email) = %s DESC, o.id, p.id LIMIT 1""", (cls, pref))
            if not rows:
                raise RuntimeError('no live handler of a %s member' % cls)
            out.append(Member(rows[0], self.session(rows[0][1])))
        self._members = out
        return out

    def person(self, email):
        rows = self.sql("""SELECT p.id, p.email, o.id, o.slug, o.tf_class::text, o.category::text,
                                  EXISTS (SELECT 1 FROM council.handler_registrations h
                                          WHERE h.person_id = p.id AND h.deregistered_at IS NULL)
                           FROM council.people p JOIN council.organisations o ON o.id = p.org_id
                           WHERE lower(p.email) = lower(%s)""", (email,))
        return Member(rows[0], self.session(email))

    # ------------------------------------------------------------ JSON API
    def api(self, token, method, path, body=None, headers=None):
        h = {'Authorization': 'Bearer ' + token}
        if headers:
            h.update(headers)
        if body is not None:
            h['Content-Type'] = 'application/json'
            body = json.dumps(body)
        r = self.http.request(method, self.base + path, data=body, headers=h, timeout=30)
        try:
            data = r.json()
        except ValueError:
            data = None
        return r.status_code, data

    def feed_ids(self, token):
        """Every post id of the person's feed (/api/v1/feed paged with
        before, docs/api.md)."""
        ids = []
        before = None
        while True:
            q = '/api/v1/feed?limit=200' + ('&before=%d' % before if before else '')
            code, d = self.api(token, 'GET', q)
            if code != 200:
                raise RuntimeError('GET %s: %s %r' % (q, code, d))
            page = [p['id'] for p in d['posts']]
            ids += page
            if len(page) < 200:
                break
            before = page[-1]
        return ids

    def post(self, token, **fields):
        body = {'kind': 'report', 'secret': False, 'masked': False,
                'scope': [{'class': 'all_members'}]}
        body.update(fields)
        code, d = self.api(token, 'POST', '/api/v1/posts', body)
        if code != 201:
            raise RuntimeError('POST /api/v1/posts %r: %s %r' % (body, code, d))
        return d['id']

    # ------------------------------------------------------------ TAXII
    def server(self, member, how='basic'):
        if how == 'basic':
            return Server(self.taxii, user='interop', password=member.token)
        return Server(self.taxii, auth=Bearer(member.token))

    def api_root(self, member, how='basic'):
        s = self.server(member, how)
        roots = s.api_roots
        if not roots:
            raise RuntimeError('discovery lists no API root')
        return s.default or roots[0]

    def collections(self, member, how='basic'):
        return self.api_root(member, how).collections

    def shared(self, member, how='basic'):
        """The member's "shared with us" collection: the one read-only
        collection that is neither a group's nor a preset's.  Recognised by
        its title (docs/stix.md) or, failing that, as the read-only
        collection holding the most objects."""
        cols = self.collections(member, how)
        for c in cols:
            t = ('%s %s' % (c.title, c.description or '')).lower()
            if 'shared with us' in t or '共有されたもの' in t or '共有された' in t:
                return c
        ro = [c for c in cols if c.can_read and not c.can_write]
        if len(ro) == 1:
            return ro[0]
        raise RuntimeError('no "shared with us" collection among %r'
                           % [(c.id, c.title) for c in cols])

    def write_collections(self, member):
        return [c for c in self.collections(member) if c.can_write]

    def all_objects(self, collection, per_request=0, **filters):
        """Every object of a collection, page by page with next (as_pages)."""
        out = []
        for env in as_pages(collection.get_objects, per_request=per_request, **filters):
            out += env.get('objects', [])
        return out

    def raw(self, member, method, url, how='basic', **kw):
        """A raw request (headers of our own choosing) as the member."""
        auth = (requests.auth.HTTPBasicAuth('interop', member.token) if how == 'basic'
                else Bearer(member.token) if how == 'bearer' else None)
        kw.setdefault('timeout', 30)
        h = kw.pop('headers', {})
        h.setdefault('Accept', TAXII_MEDIA)
        return self.http.request(method, url, auth=auth, headers=h, **kw)


# --------------------------------------------------------- the council's extension
def council_extension(objects):
    """The council's extension-definition object among objects (the one
    whose extensions carry the council's scope and secrecy): the
    extension-definition that is not OASIS's TLP 2.0 one."""
    for o in objects:
        if o.get('type') == 'extension-definition' and \
                o.get('id') != 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d':
            return o
    return None


def ext_of(obj, ext_id):
    return (obj.get('extensions') or {}).get(ext_id)


POST_ID_KEYS = ('post_id', 'post', 'council_post_id')


def post_id_of(obj, ext_id):
    e = ext_of(obj, ext_id)
    if not isinstance(e, dict):
        return None
    for k in POST_ID_KEYS:
        if isinstance(e.get(k), int):
            return e[k]
    return None


POST_TYPES = ('report', 'note', 'course-of-action')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('base')
    ap.add_argument('pgdir')
    ap.add_argument('--only', default='')
    ap.add_argument('--schemas', default=os.environ.get('STIX_SCHEMAS', ''))
    args = ap.parse_args()
    tap = Tap()
    t0 = time.time()
    ctx = Ctx(args.base, os.path.abspath(args.pgdir), args.schemas, tap)
    tap.diag('interop run tag %s against %s' % (ctx.tag, ctx.base))
    names = [n for n in args.only.split(',') if n] or TESTS
    # Is there a TAXII server at all?  Without one, one failure, not fifty.
    try:
        m = ctx.members()[0]
        r = ctx.raw(m, 'GET', ctx.taxii)
        up = r.status_code == 200
    except Exception as e:  # noqa
        up = False
        r = e
    if not tap.ok(up, 'GET /taxii2/ answers 200 as a member (Basic, token as password)',
                  'got %r' % (getattr(r, 'status_code', r),)):
        return tap.done()
    for name in names:
        mod = importlib.import_module(name)
        tap.diag('--- %s: %s' % (name, (mod.__doc__ or '').strip().split('\n')[0]))
        t = time.time()
        try:
            mod.run(ctx)
        except Exception:
            tap.ok(False, '%s ran to its end' % name, traceback.format_exc())
        tap.diag('%s: %.1f s' % (name, time.time() - t))
    tap.diag('interop: %.1f s' % (time.time() - t0))
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
