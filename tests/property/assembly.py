#!/usr/bin/python3
"""tests/property/assembly.py PGDIR [--seed N] [--cases N]: a property test
of the virtual general assembly (policy/71_assembly.sql, issue 5).

For random assemblies -- members, committee seats, presence, proxies given
and revoked, principals attending, organisations leaving and arriving while
the poll is open, votes and changed votes, cast by representatives, proxy
holders and the chair -- every call goes through the SQL functions as
council_app with a member's session, exactly as councild would make it, and
the database's answers are compared with an oracle written here from the
text of the Rules (council-rules.md) and the decisions in
docs/governance.md, not from the SQL:

  R-GOV-3  one vote per member organisation.  Quorum: members holding a
           majority of ALL members' votes attend or submit a proxy
           (「出席もしくは委任状の提出」).  A poll cannot open without it.
  proxies  to another member or to the chair; one hop (a member that gave
           a proxy cannot hold one, and one holding a proxy cannot give
           one); one at a time; revocable only while no poll is open; a
           submitted proxy counts whether or not its holder is present,
           and not when its principal attends (overridden); it is
           exercised (voted) only by a holder who is present (the chair
           always, in session).
  R-GOV-4  passes with a majority of the attending members (present or by
           proxy; abstentions and silence are not yes), unless EVERY
           steering-committee member's organisation voted no
           (「運営委員全員が反対した場合」): one absent, abstaining, silent
           or assenting committee organisation means no veto.  The count
           is taken over who attends at the close; without a quorum then,
           the resolution does not pass.
  receipts the salts are shown by the poll after the close and never
           before; each receipt is the SHA-256 of
           "council-ga|item|org|choice|version|salt hex" (recomputed here).

Each case runs inside one transaction of its own (a savepoint of one
outer transaction), rolled back: the database is left as it was.  Every
other member organisation and the committee are set aside for the test.
Prints TAP: one test per case, then coverage checks (the boundaries were
actually reached).  PGDIR is a cluster made by deploy/pg.sh (run/ and
passfile), migrated; the connection is the cluster's superuser, which
switches to council_app for every call.
"""

import argparse
import hashlib
import os
import random
import sys

import psycopg2
import psycopg2.extras


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, diag=()):
        self.n += 1
        if not cond:
            self.failed += 1
        print('%s %d - %s' % ('ok' if cond else 'not ok', self.n, desc), flush=True)
        if not cond:
            for line in diag:
                print('#   %s' % line, flush=True)

    def done(self):
        print('1..%d' % self.n, flush=True)


class Db:
    """The connection; calls as a person (council_app, the person's
    session), each in a savepoint so that a refusal changes nothing."""

    def __init__(self, conn):
        self.conn = conn
        self.cur = conn.cursor()
        self.sp = 0

    def su(self, sql, args=None):
        self.cur.execute(sql, args)
        return self.cur.fetchall() if self.cur.description else None

    def call(self, token, sql, args=None):
        """Run sql as the person holding session token `token` (None:
        nobody).  Returns (True, first column of first row) or (False,
        'SQLSTATE message')."""
        self.sp += 1
        sp = 'c%d' % self.sp
        cur = self.cur
        cur.execute('SAVEPOINT ' + sp)
        try:
            cur.execute('SET ROLE council_app')
            cur.execute("SELECT set_config('council.session', %s, true)",
                        (hashlib.sha256(token.encode()).hexdigest() if token else '',))
            cur.execute(sql, args)
            row = cur.fetchone() if cur.description else None
            cur.execute('RESET ROLE')
            cur.execute('RELEASE SAVEPOINT ' + sp)
            return True, (row[0] if row else None)
        except psycopg2.Error as e:
            cur.execute('ROLLBACK TO SAVEPOINT ' + sp)
            cur.execute('RESET ROLE')
            return False, '%s %s' % (e.pgcode, e.diag.message_primary)


class Oracle:
    """The Rules' text, for one assembly.  Organisations are 0..n-1."""

    def __init__(self, n, committee_orgs):
        self.n = n
        self.committee = set(committee_orgs)
        self.present = set()
        self.proxies = {}          # principal -> holder org, or 'chair'
        self.poll_open = False
        self.ballots = {}          # org -> [choice, ...] (every version)

    def attending(self):
        att = set(self.present)
        for p in self.proxies:
            if p not in self.present:            # else overridden by attending
                att.add(p)                       # submitted: counts, holder or not
        return att

    def absent_holders(self):
        """The principals counted by a proxy whose holder is absent."""
        return {p for p, h in self.proxies.items()
                if p not in self.present and h != 'chair' and h not in self.present}

    def quorum(self, att):
        return 2 * len(att) > self.n             # a majority of ALL members

    def may_give(self, giver, holder):
        if holder == giver:
            return False
        if giver in self.proxies:                # one at a time
            return False
        if giver in self.proxies.values():       # holds one: cannot give
            return False
        if holder != 'chair' and holder in self.proxies:   # gave one: cannot hold
            return False
        return True

    def may_revoke(self, giver):
        return giver in self.proxies and not self.poll_open

    def may_vote(self, actor, org):
        """actor: an organisation (its representative) or 'chair'."""
        if not self.poll_open:
            return False
        if actor == org:
            return org in self.present
        if org in self.present:
            return False                         # the principal attends
        h = self.proxies.get(org)
        if h is None or h != actor:
            return False
        return actor == 'chair' or actor in self.present

    def result(self):
        att = self.attending()
        last = {o: v[-1] for o, v in self.ballots.items() if v}
        yes = sum(1 for o in att if last.get(o) == 'yes')
        no = sum(1 for o in att if last.get(o) == 'no')
        abstain = sum(1 for o in att if last.get(o) == 'abstain')
        quorum = self.quorum(att)
        majority = 2 * yes > len(att)
        # A counted "no": attending at the close, newest ballot "no".
        against = {o for o in self.committee if o in att and last.get(o) == 'no'}
        veto = bool(self.committee) and against == self.committee
        return {'attending': len(att), 'members': self.n, 'yes': yes, 'no': no,
                'abstain': abstain, 'quorum_close': quorum, 'majority': majority,
                'committee': sorted(self.committee), 'against': sorted(against),
                'veto': veto, 'passed': quorum and majority and not veto}


def run_case(db, rnd, case, doc_id, stats):
    """One random assembly.  Returns a list of mismatches (empty: agrees)."""
    bad = []
    n = rnd.randint(1, 14)
    tag = 'pt%d' % case
    # Organisations 0..n-1, one administrator each (who acts for it).
    ids = []
    for k in range(n):
        rows = db.su("""INSERT INTO council.organisations (slug, name_ja, name_en, category, status)
                        VALUES (%s, %s, %s, 'other', 'member') RETURNING id""",
                     ('%s-%d' % (tag, k), 'プロパティ%d' % k, 'property %d' % k))
        ids.append(rows[0][0])
    org_of = {oid: k for k, oid in enumerate(ids)}

    def person(key, k, admin):
        rows = db.su("""INSERT INTO council.people (org_id, name_ja, name_en, email, is_org_admin)
                        VALUES (%s, %s, %s, %s, %s) RETURNING id""",
                     (ids[k], key, key, '%s@prop.example.jp' % key, admin))
        db.su("""INSERT INTO council.sessions (token_hash, person_id, expires_at)
                 VALUES (sha256(convert_to(%s, 'UTF8')), %s, now() + interval '1 hour')""",
              (key, rows[0][0]))
        return rows[0][0]

    for k in range(n):
        person('%s-adm%d' % (tag, k), k, True)
    # The committee: the chair and up to three members, in random
    # organisations (several seats may sit in one).
    seats = [rnd.randrange(n) for _ in range(rnd.randint(1, 4))]
    db.su('DELETE FROM council.committee_members')
    for s, k in enumerate(seats):
        pid = person('%s-seat%d' % (tag, s), k, False)
        db.su('INSERT INTO council.committee_members (person_id, is_chair) VALUES (%s, %s)',
              (pid, s == 0))
    chair = '%s-seat0' % tag

    def rep(k):
        return '%s-adm%d' % (tag, k)

    orc = Oracle(n, seats)
    ok, a = db.call(chair, """SELECT council.ga_convene('ordinary', %s, now(), %s::jsonb)""",
                    ('property ' + tag, psycopg2.extras.Json([
                        {'kind': 'rule_amendment', 'title': 'amend',
                         'document': doc_id, 'text': 'text of ' + tag}])))
    if not ok:
        return ['convene refused: %s' % a]
    ok, item = db.call(chair, 'SELECT id FROM council.ga_items WHERE assembly_id = %s', (a,))

    def attend(k):
        ok, v = db.call(rep(k), 'SELECT council.ga_attend(%s)', (a,))
        if not ok:
            bad.append('attend %d refused: %s' % (k, v))
        orc.present.add(k)

    def leave(k):
        ok, v = db.call(rep(k), 'SELECT council.ga_leave(%s)', (a,))
        if not ok:
            bad.append('leave %d refused: %s' % (k, v))
        orc.present.discard(k)

    def give(k, holder):
        expect = orc.may_give(k, holder)
        ok, v = db.call(rep(k), 'SELECT council.ga_give_proxy(%s, %s)',
                        (a, None if holder == 'chair' else ids[holder]))
        if ok != expect:
            bad.append('proxy %d -> %s: database %s, oracle %s (%s)'
                       % (k, holder, ok, expect, v))
        elif not ok and not v.startswith('CP4'):
            bad.append('proxy %d -> %s: unexpected error %s' % (k, holder, v))
        if ok:
            orc.proxies[k] = holder
            stats['proxies'] += 1
            stats['proxies_to_chair'] += holder == 'chair'
        else:
            stats['proxies_refused'] += 1

    def revoke(k):
        expect = orc.may_revoke(k)
        ok, v = db.call(rep(k), 'SELECT council.ga_revoke_proxy(%s)', (a,))
        if ok != expect:
            bad.append('revoke %d: database %s, oracle %s (%s)' % (k, ok, expect, v))
        if ok:
            del orc.proxies[k]
        elif orc.poll_open and k in orc.proxies:
            stats['revoke_refused_open'] += 1

    def vote(actor, org, choice):
        expect = orc.may_vote(actor, org)
        token = chair if actor == 'chair' else rep(actor)
        ok, v = db.call(token, 'SELECT council.ga_vote(%s, %s, %s)',
                        (item, choice, None if actor == org else ids[org]))
        if ok != expect:
            bad.append('vote %s for %d (%s): database %s, oracle %s (%s)'
                       % (actor, org, choice, ok, expect, v))
        elif not ok and not v.startswith('CP4'):
            bad.append('vote %s for %d: unexpected error %s' % (actor, org, v))
        if ok:
            orc.ballots.setdefault(org, []).append(choice)
            if v['version'] != len(orc.ballots[org]):
                bad.append('vote for %d: version %s, expected %d'
                           % (org, v['version'], len(orc.ballots[org])))
            receipts.append((v['receipt'], org, v['version'], choice))
        else:
            stats['votes_refused'] += 1

    receipts = []
    # How this case votes: the share of yes, and whether the committee's
    # organisations lean to "no" (to reach the veto).
    committee_no = rnd.random() < 0.5
    # (With the committee against, the others lean to yes: a majority
    # vetoed is a boundary worth reaching.)
    p_yes = rnd.uniform(0.55, 0.9) if committee_no else rnd.uniform(0.25, 0.75)

    def choice(org):
        if committee_no and org in orc.committee and rnd.random() < 0.9:
            return 'no'
        r = rnd.random()
        return 'yes' if r < p_yes else ('no' if r < p_yes + (1 - p_yes) * 0.7 else 'abstain')

    # Before the poll: presence, proxies (some refused), revocations, some
    # principals attending anyway.
    # (When the committee leans to "no", its organisations mostly attend:
    # the veto needs every one of them.)
    p_present = rnd.uniform(0.35, 0.95)
    for k in range(n):
        if rnd.random() < (0.95 if committee_no and k in orc.committee else p_present):
            attend(k)
    for _ in range(rnd.randint(0, n)):
        k = rnd.randrange(n)
        holder = 'chair' if rnd.random() < 0.25 else rnd.randrange(n)
        give(k, holder)
    for _ in range(rnd.randint(0, 2)):
        revoke(rnd.randrange(n))
    for k in list(orc.proxies):
        if rnd.random() < 0.15 and k not in orc.present:
            attend(k)

    # The poll: it opens with a quorum only.
    att = orc.attending()
    expect_open = orc.quorum(att)
    ok, v = db.call(chair, "SELECT council.ga_open_poll(%s, now() + interval '1 hour')", (item,))
    if ok != expect_open:
        return bad + ['open: database %s, oracle %s (%d of %d attending; %s)'
                      % (ok, expect_open, len(att), n, v)]
    if not ok:
        if not v.startswith('CP409 no_quorum'):
            bad.append('open refused with %s' % v)
        stats['no_quorum_at_open'] += 1
        stats['exactly_half_refused'] += 2 * len(att) == n
        return bad
    stats['opened'] += 1
    stats['half_plus_one_opened'] += 2 * len(att) in (n + 1, n + 2)
    # R-GOV-3: opened only thanks to a proxy whose holder is absent.
    stats['opened_by_absent_holder_proxy'] += not orc.quorum(att - orc.absent_holders())
    if v != {'numerator': len(att), 'denominator': n}:
        bad.append('quorum frozen at open %s, oracle %d/%d' % (v, len(att), n))
    orc.poll_open = True

    # While the poll is open: votes (also refused ones), changed votes,
    # presence changing, a revocation attempt.
    for _ in range(rnd.randint(n, 4 * n)):
        r = rnd.random()
        k = rnd.randrange(n)
        if r < 0.55:
            vote(k, k, choice(k))
        elif r < 0.75:
            # For another organisation: its holder (usually), or someone.
            principal = rnd.randrange(n)
            actor = orc.proxies.get(principal, k) if rnd.random() < 0.8 else k
            if actor == principal:
                continue
            vote(actor, principal, choice(principal))
        elif r < 0.85:
            if k in orc.present:
                leave(k)
            else:
                attend(k)
        elif r < 0.9:
            revoke(k)
        else:
            vote(k, k, choice(k))
    # Last calls: each committee organisation present may vote once more.
    for k in sorted(orc.committee):
        if k in orc.present and rnd.random() < 0.8:
            vote(k, k, choice(k))
    changed = sum(1 for v in orc.ballots.values() if len(v) > 1)
    stats['votes_changed'] += changed
    # Receipts: no salt before the close.
    ok, poll = db.call(rep(rnd.randrange(n)), 'SELECT council.ga_poll(%s)', (item,))
    if not ok or poll.get('salts') is not None or 'salt' in (poll.get('mine') or {}):
        bad.append('a salt before the close: %s' % (poll,))

    # The close at the set time; the first read counts it.
    db.su("UPDATE council.ga_items SET closes_at = now() - interval '1 second' WHERE id = %s",
          (item,))
    reader = rep(rnd.randrange(n))
    ok, poll = db.call(reader, 'SELECT council.ga_poll(%s)', (item,))
    if not ok:
        return bad + ['reading the closed poll failed: %s' % poll]
    res = poll.get('result') or {}
    want = orc.result()
    got = {'attending': res.get('attending'), 'members': res.get('members'),
           'yes': res.get('yes'), 'no': res.get('no'), 'abstain': res.get('abstain'),
           'quorum_close': (res.get('quorum_close') or {}).get('met'),
           'majority': (res.get('pass') or {}).get('met'),
           'committee': sorted(org_of[o] for o in (res.get('veto') or {}).get('committee', [])),
           'against': sorted(org_of[o] for o in (res.get('veto') or {}).get('against', [])),
           'veto': res.get('veto_triggered'), 'passed': res.get('passed')}
    if got != want:
        bad.append('result %s' % got)
        bad.append('oracle %s' % want)
    qc = res.get('quorum_close') or {}
    if (qc.get('numerator'), qc.get('denominator')) != (want['attending'], n):
        bad.append('quorum at close %s, oracle %d/%d' % (qc, want['attending'], n))
    if res.get('rule_code') != 'ga.resolution' or not isinstance(res.get('rule_version'), int):
        bad.append('rule not stated: %s %s' % (res.get('rule_code'), res.get('rule_version')))
    # A vote after the close is refused.
    if orc.present:
        k = next(iter(orc.present))
        ok, v = db.call(rep(k), "SELECT council.ga_vote(%s, 'yes')", (item,))
        if ok or not v.startswith('CP409 poll_closed'):
            bad.append('vote after the close: %s %s' % (ok, v))
    # The amendment is adopted exactly when it passed.
    rows = db.su("""SELECT count(*) FROM council.document_versions
                    WHERE document_id = %s AND adopted_by = %s AND body = %s""",
                 (doc_id, item, 'text of ' + tag))
    if (rows[0][0] == 1) != want['passed']:
        bad.append('document adopted %s, passed %s' % (rows[0][0], want['passed']))
    # A receipt verifies, and counted exactly when it is its
    # organisation's last version and the organisation attended.
    # Receipts: after the close the poll lists every voter's salt, and each
    # receipt recomputes from it by the documented formula.
    salts = {o['org']: o['salt'] for o in (poll.get('salts') or [])}
    if set(salts) != {ids[o] for o in orc.ballots}:
        bad.append('salts after the close for %s, voters %s'
                   % (sorted(salts), sorted(ids[o] for o in orc.ballots)))
    for rc, org, version, choice in receipts:
        text = 'council-ga|%d|%d|%s|%d|%s' % (item, ids[org], choice, version,
                                              salts.get(ids[org], ''))
        if hashlib.sha256(text.encode('utf-8')).hexdigest() != rc:
            bad.append('receipt of %d v%d does not recompute from its salt' % (org, version))
            break
    stats['receipts_recomputed'] += len(receipts)
    if receipts:
        rc, org, version, choice = rnd.choice(receipts)
        ok, v = db.call(reader, 'SELECT council.ga_verify_receipt(%s, %s)', (item, rc))
        counted = version == len(orc.ballots[org]) and org in orc.attending()
        if not ok or not v.get('valid') or v.get('choice') != choice \
                or v.get('counted') != counted:
            bad.append('receipt of %d v%d: %s (oracle counted %s)' % (org, version, v, counted))
    stats['passed'] += want['passed']
    stats['vetoed'] += want['veto']
    att_close = orc.attending()
    cm_att = orc.committee & att_close
    last = {o: v[-1] for o, v in orc.ballots.items() if v}
    # R-GOV-4 (issue 10): every attending committee organisation voted no,
    # one is absent: no veto.  And all attend, one does not vote no.
    stats['absent_seat_no_veto'] += (bool(cm_att) and cm_att != orc.committee
                                     and all(last.get(o) == 'no' for o in cm_att))
    stats['all_attend_one_not_no'] += (cm_att == orc.committee and len(orc.committee) > 1
                                       and sum(last.get(o) == 'no' for o in cm_att)
                                       == len(cm_att) - 1)
    stats['no_committee_attending'] += not cm_att
    stats['counted_by_absent_holder_proxy'] += bool(orc.absent_holders())
    stats['quorum_lost'] += not want['quorum_close']
    stats['exactly_half_yes'] += 2 * want['yes'] == want['attending'] and want['attending'] > 0
    stats['majority_vetoed'] += want['majority'] and want['veto']
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('pgdir', help='a cluster made by deploy/pg.sh')
    ap.add_argument('--seed', type=int, default=None)
    ap.add_argument('--cases', type=int, default=300)
    ap.add_argument('--dbname', default='council')
    ap.add_argument('--user', default='postgres')
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), 'big') % 1000000
    pgdir = os.path.abspath(args.pgdir)
    print('# tests/property/assembly.py --seed %d --cases %d' % (seed, args.cases), flush=True)
    tap = Tap()
    try:
        conn = psycopg2.connect(host=os.path.join(pgdir, 'run'),
                                passfile=os.path.join(pgdir, 'passfile'),
                                dbname=args.dbname, user=args.user,
                                application_name='property/assembly.py')
    except psycopg2.Error as e:
        tap.ok(False, 'connect to %s' % pgdir, [str(e).strip()])
        tap.done()
        return 1
    db = Db(conn)
    rnd = random.Random(seed)
    stats = {k: 0 for k in ('opened', 'no_quorum_at_open', 'exactly_half_refused',
                            'half_plus_one_opened', 'proxies', 'proxies_to_chair',
                            'proxies_refused', 'revoke_refused_open', 'votes_refused',
                            'votes_changed', 'passed', 'vetoed', 'absent_seat_no_veto',
                            'all_attend_one_not_no', 'no_committee_attending',
                            'opened_by_absent_holder_proxy', 'counted_by_absent_holder_proxy',
                            'receipts_recomputed', 'quorum_lost', 'exactly_half_yes',
                            'majority_vetoed')}
    try:
        # Everything below is one transaction, rolled back at the end.
        db.su("UPDATE council.organisations SET status = 'withdrawn' WHERE status = 'member'")
        rows = db.su("""INSERT INTO council.documents (slug, title_ja, title_en, owner)
                        VALUES ('property-rules', '規約', 'Rules', 'general_assembly')
                        RETURNING id""")
        doc_id = rows[0][0]
        db.su("INSERT INTO council.document_versions (document_id, version, body) "
              "VALUES (%s, 1, 'the Rules')", (doc_id,))
        for case in range(args.cases):
            db.su('SAVEPOINT property_case')
            try:
                bad = run_case(db, rnd, case, doc_id, stats)
            except psycopg2.Error as e:
                bad = ['database error: %s' % str(e).strip()]
                conn.rollback()
                tap.ok(False, 'case %d (seed %d)' % (case, seed), bad)
                tap.done()
                return 1
            db.su('ROLLBACK TO SAVEPOINT property_case')
            tap.ok(not bad, 'R-GOV-3/R-GOV-4: random assembly %d agrees with the oracle (seed %d)'
                   % (case, seed), bad[:12])
    finally:
        conn.rollback()
        conn.close()
    # The random cases reached the boundaries that matter.
    print('# coverage: %s' % ', '.join('%s=%d' % kv for kv in sorted(stats.items())), flush=True)
    if args.cases >= 100:
        for key, what in (('exactly_half_refused', 'exactly half attending: the poll refused'),
                          ('half_plus_one_opened', 'half + 1 attending: the poll opened'),
                          ('quorum_lost', 'the quorum lost between the opening and the close'),
                          ('exactly_half_yes', 'exactly half of the attending voted yes'),
                          ('majority_vetoed', 'a majority vetoed by the committee'),
                          ('absent_seat_no_veto',
                           'every attending committee organisation against, one absent: no veto'),
                          ('all_attend_one_not_no',
                           'every committee organisation attending, all but one against: no veto'),
                          ('no_committee_attending', 'no committee organisation attending: no veto'),
                          ('opened_by_absent_holder_proxy',
                           'a poll opened thanks to a proxy whose holder is absent'),
                          ('counted_by_absent_holder_proxy',
                           'a proxy whose holder is absent counted at the close'),
                          ('receipts_recomputed', 'receipts recomputed from the revealed salts'),
                          ('proxies_refused', 'proxies refused (one hop, one at a time)'),
                          ('proxies_to_chair', 'proxies to the chair'),
                          ('revoke_refused_open', 'a revocation refused while the poll is open'),
                          ('votes_changed', 'votes changed before the close'),
                          ('votes_refused', 'votes refused (absent, overridden, no proxy)')):
            tap.ok(stats[key] > 0, 'the random cases include: %s (%d)' % (what, stats[key]))
    tap.done()
    return 0 if tap.failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
