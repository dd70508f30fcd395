#!/usr/bin/env python3
"""tests/ops/rules.py: the scanner behind docs/rules.md and tests/ops/rules.sh.

The rule IDs of the council's rules (R-ORG-1 ... R-CYMAT-1) are named in
code (server/, policy/, migrations/), in pages (templates/), in tests
(tests/) and in docs.  This script reads the tree and docs/rules.md, which
is the list of the valid IDs (one "### R-XXX-N title" section each), and

  rules.py check OUTDIR   writes one file per check of tests/ops/rules.sh
                          into OUTDIR, one offence a line (an empty file is
                          a pass), and OUTDIR/behind: what --write would add
  rules.py write          rewrites the generated lines of docs/rules.md
                          (the "- Enforced in:" ... lists of each section)
                          from the tree, keeping every hand-written line
  rules.py show RULE-ID   prints the generated lines of one rule

A file names a rule when it holds its ID in full (R-SCOPE-4) or inside a
shorthand list (R-TF-3/4/5, R-GOV-1..4).  For code, the generated lines
also give the SQL object (function, policy, table, trigger ...) or the C
function that carries the ID: the statement it is written in, or the one
its comment stands directly above; a file's header comment gives none.
Only the standard library; the tree is read with "git ls-files" (tracked
and new files) when the root is a git work tree, else walked.
"""

import os
import re
import subprocess
import sys

# A rule ID, with an optional shorthand tail: /4/5 (a list) or ..4 (a range).
ID_RE = re.compile(r'(?<![A-Za-z0-9_])R-([A-Z]+)-([0-9]+)((?:/[0-9]+)+|\.\.[0-9]+)?(?![A-Za-z0-9])')
SECTION_RE = re.compile(r'^### (R-[A-Z]+-[0-9]+)\b(.*)$')
STATUS_RE = re.compile(r'^Status: (enforced|partly enforced|not enforced yet)\b')
WAIVER_RE = re.compile(r'^Waiver: ')
GEN_KEYS = ('Enforced in', 'Named only in', 'Pages', 'Tested in', 'Described in')
GEN_RE = re.compile(r'^- (%s):' % '|'.join(GEN_KEYS))
PATH_RE = re.compile(r'`([^`\s]+)`')
INDEX_BEGIN = '<!-- index: generated'
INDEX_END = '<!-- /index -->'

RULES_DOC = 'docs/rules.md'
SELF = ('tests/ops/rules.sh', 'tests/ops/rules.py')
# When the root is not a git work tree, the walk skips these folders (those
# .gitignore names: run-time state, build output, node modules).
SKIP_TOP = {'.git', 'var', 'fuzz', 'autom4te.cache', 'build-aux'}
SKIP_ANY = {'.git', 'node_modules', '.deps'}


def category(path):
    """code | pages | test | doc | other: where a file's mentions count."""
    top = path.split('/', 1)[0]
    if top in ('server', 'policy', 'migrations'):
        return 'code'
    if top == 'templates':
        return 'pages'
    if path == RULES_DOC:
        return 'list'
    if path.endswith('.md') or top == 'docs':
        return 'doc'
    if top == 'tests':
        if path.startswith(('tests/lib/', 'tests/fuzz/corpus/')) or '/fixtures/' in path:
            return 'other'
        return 'test'
    return 'other'


def tree_files(root):
    """Every file of the tree, relative to root: tracked and new ones."""
    try:
        top = subprocess.run(['git', '-C', root, 'rev-parse', '--show-toplevel'],
                             capture_output=True, text=True, check=True).stdout.strip()
        if os.path.realpath(top) != os.path.realpath(root):
            raise OSError('not the top of a work tree')
        out = subprocess.run(['git', '-C', root, 'ls-files', '-z', '--cached',
                              '--others', '--exclude-standard'],
                             capture_output=True, check=True).stdout
        files = sorted({f for f in out.decode('utf-8', 'replace').split('\0') if f})
    except (OSError, subprocess.CalledProcessError):
        files = []
        for d, dirs, names in os.walk(root):
            top = os.path.realpath(d) == os.path.realpath(root)
            dirs[:] = sorted(x for x in dirs
                             if x not in SKIP_ANY and not (top and x in SKIP_TOP))
            for n in names:
                files.append(os.path.relpath(os.path.join(d, n), root))
        files.sort()
    return [f for f in files if os.path.isfile(os.path.join(root, f))]


def read_text(root, path):
    """The file's text, or None for a binary file."""
    with open(os.path.join(root, path), 'rb') as fh:
        data = fh.read()
    if b'\0' in data:
        return None
    return data.decode('utf-8', 'replace')


def expand(m):
    """The IDs one match names: R-TF-3/4/5 -> R-TF-3, R-TF-4, R-TF-5;
    R-GOV-1..4 -> R-GOV-1 ... R-GOV-4."""
    fam, num, tail = m.groups()
    if not tail:
        return ['R-%s-%s' % (fam, num)]
    first = int(num)
    if tail.startswith('..'):
        last = int(tail[2:])
        nums = range(first, last + 1) if first < last <= first + 20 else [first, last]
    else:
        nums = [first] + [int(x) for x in tail[1:].split('/')]
    return ['R-%s-%d' % (fam, n) for n in nums]


# ---------------------------------------------------------------- SQL objects

SQL_OBJ_RES = [
    (re.compile(r'CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE)\s+([\w."]+)', re.I), '%s'),
    (re.compile(r'CREATE\s+POLICY\s+([\w"]+)', re.I), 'policy %s'),
    (re.compile(r'CREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w."]+)', re.I), 'table %s'),
    (re.compile(r'ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?([\w."]+)', re.I), 'table %s'),
    (re.compile(r'CREATE\s+(?:OR\s+REPLACE\s+)?(?:MATERIALIZED\s+)?VIEW\s+([\w."]+)', re.I), 'view %s'),
    (re.compile(r'CREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?TRIGGER\s+([\w"]+)', re.I), 'trigger %s'),
    (re.compile(r'CREATE\s+TYPE\s+([\w."]+)', re.I), 'type %s'),
    (re.compile(r'CREATE\s+DOMAIN\s+([\w."]+)', re.I), 'domain %s'),
    (re.compile(r'CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w"]+)', re.I), 'index %s'),
    (re.compile(r'INSERT\s+INTO\s+([\w."]+)', re.I), 'rows of %s'),
    (re.compile(r'UPDATE\s+([\w."]+)\s+SET', re.I), 'rows of %s'),
]


def sql_code(line):
    """The line without its -- comment (outside single quotes)."""
    q = False
    for i, c in enumerate(line):
        if c == "'":
            q = not q
        elif c == '-' and not q and line.startswith('--', i):
            return line[:i]
    return line


def sql_object(head):
    head = head.lstrip()
    for rx, fmt in SQL_OBJ_RES:
        m = rx.match(head)
        if m:
            return fmt % m.group(1).replace('"', '')
    return None


def sql_owners(lines):
    """For each line, the SQL object whose statement it is in, or None.
    A "DROP ... IF EXISTS" right before the statement that recreates the
    object counts as part of it."""
    n = len(lines)
    owner = [None] * n
    start = [False] * n
    spans = []          # [first line, last line, object, is a DROP]
    in_stmt, dollar, cur = False, None, None
    for i, line in enumerate(lines):
        code = sql_code(line) if dollar is None else line
        if not in_stmt:
            if not code.strip():
                continue
            in_stmt, start[i] = True, True
            head = ' '.join(sql_code(x) for x in lines[i:i + 3])
            cur = sql_object(head)
            spans.append([i, i, cur, bool(re.match(r'\s*DROP\b', head, re.I))])
        owner[i] = cur
        spans[-1][1] = i
        for tag in re.findall(r'\$[A-Za-z_]*\$', code):
            if dollar is None:
                dollar = tag
            elif tag == dollar:
                dollar = None
        if dollar is None and sql_code(line).rstrip().endswith(';'):
            in_stmt = False
    for k in range(len(spans) - 2, -1, -1):
        a, b, obj, drop = spans[k]
        nxt = spans[k + 1]
        if drop and obj is None and nxt[0] == b + 1 and nxt[2] is not None:
            spans[k][2] = nxt[2]
            for x in range(a, b + 1):
                owner[x] = nxt[2]
    attach_comments(owner, start, [x.lstrip().startswith('--') for x in lines])
    return owner


def attach_comments(owner, start, comment):
    """A comment block outside any object belongs to the object that starts
    on the line right after it; to none if a blank line comes first or if
    the block opens the file (that is the file's header)."""
    n = len(owner)
    i = 0
    while i < n:
        if owner[i] is None and comment[i] and not start[i]:
            j = i
            while j < n and owner[j] is None and comment[j] and not start[j]:
                j += 1
            if i > 0 and j < n and start[j] and owner[j] is not None:
                for k in range(i, j):
                    owner[k] = owner[j]
            i = j
        else:
            i += 1


# ------------------------------------------------------------------ C objects

C_FUNC_RE = re.compile(r'^([A-Za-z_]\w*)\(')
C_PROTO_RE = re.compile(r'\b([A-Za-z_]\w*)\(')
C_BLOCK_RE = re.compile(r'^(?:static\s+)?(?:const\s+)?(struct|enum|union)\s+(\w+)[^;(]*\{\s*$')
C_ARRAY_RE = re.compile(r'^[^(;]*?\b(\w+)\s*\[[^\]]*\]\s*=\s*\{?\s*$')
C_DEFINE_RE = re.compile(r'^#\s*define\s+(\w+)')
C_KEYWORDS = {'if', 'for', 'while', 'switch', 'return', 'sizeof', 'defined'}


def c_owners(lines):
    """For each line, the C function (or struct, array, prototype, macro)
    it belongs to, or None (file header, includes)."""
    n = len(lines)
    owner = [None] * n
    start = [False] * n
    i = 0
    in_comment = False
    comment = [False] * n
    for k, line in enumerate(lines):
        s = line.strip()
        if in_comment:
            comment[k] = True
            in_comment = '*/' not in line
        elif s.startswith('/*'):
            comment[k] = True
            in_comment = '*/' not in line
        elif s.startswith('//'):
            comment[k] = True
    while i < n:
        line = lines[i]
        if comment[i] or not line.strip():
            i += 1
            continue
        name, j = None, i
        # A definition: its return type on this line, its name at column 0
        # on this or the next; the body from "{" at column 0 to "}".
        for k in (i, i + 1):
            if k < n and not comment[k]:
                m = C_FUNC_RE.match(lines[k])
                if m and m.group(1) not in C_KEYWORDS:
                    name = m.group(1)
                    break
        if name is not None:
            j = i
            while j < n and not lines[j].startswith('{') and not lines[j].rstrip().endswith(';'):
                j += 1
            if j < n and lines[j].startswith('{'):
                while j < n and not lines[j].startswith('}'):
                    j += 1
            start[i] = True
            for k in range(i, min(j, n - 1) + 1):
                owner[k] = name
            i = j + 1
            continue
        m = C_BLOCK_RE.match(line) or C_ARRAY_RE.match(line)
        if m and not line.startswith((' ', '\t')):
            name = ('%s %s' % (m.group(1), m.group(2))) if m.re is C_BLOCK_RE else m.group(1)
            j = i
            while j < n and not lines[j].startswith('}'):
                j += 1
            start[i] = True
            for k in range(i, min(j, n - 1) + 1):
                owner[k] = name
            i = j + 1
            continue
        m = C_DEFINE_RE.match(line)
        if m:
            name = m.group(1)
        elif not line.startswith(('#', ' ', '\t')):
            m = C_PROTO_RE.search(line)
            name = m.group(1) if m and m.group(1) not in C_KEYWORDS else None
        start[i] = True
        owner[i] = name
        i += 1
    attach_comments(owner, start, comment)
    return owner


# --------------------------------------------------------------- the scan

class Scan:
    """The tree's mentions of the rules of valid (docs/rules.md's IDs):
    mentions[rule][path] = the object names that carry it there (empty:
    named in the file's header or outside any object); cats[path] = the
    file's category; unknown = (path, line, ID, category) of IDs that are
    no rule; malformed = (path, line, text) of near misses."""

    def __init__(self, root, valid):
        self.root = root
        self.valid = valid
        fams = sorted({r.split('-')[1] for r in valid}) or ['X']
        self.near_re = re.compile(r'(?i)(?<![a-z0-9_])r[-_ ](%s)[-_ ]([0-9]+)' % '|'.join(fams))
        self.mentions = {}
        self.cats = {}
        self.unknown = []
        self.malformed = []
        for path in tree_files(root):
            cat = category(path)
            if cat == 'list' or path in SELF:
                continue
            text = read_text(root, path)
            if text is None or ('R-' not in text and 'r-' not in text.lower()):
                continue
            self.scan_file(path, cat, text)

    def scan_file(self, path, cat, text):
        lines = text.split('\n')
        owners = None
        for no, line in enumerate(lines):
            for m in self.near_re.finditer(line):
                if not re.fullmatch(r'R-[A-Z]+-[0-9]+', m.group(0)):
                    self.malformed.append((path, no + 1, m.group(0)))
            for m in ID_RE.finditer(line):
                ids = expand(m)
                for rid in ids:
                    if rid not in self.valid:
                        self.unknown.append((path, no + 1, rid, cat))
                        continue
                    if owners is None:
                        owners = self.owners(path, cat, lines)
                    names = self.mentions.setdefault(rid, {}).setdefault(path, set())
                    self.cats[path] = cat
                    if owners[no]:
                        names.add(owners[no])

    @staticmethod
    def owners(path, cat, lines):
        if cat == 'code' and path.endswith('.sql'):
            return sql_owners(lines)
        if cat == 'code' and path.endswith(('.c', '.h')):
            return c_owners(lines)
        return [None] * len(lines)

    def files(self, rid, cat):
        return sorted(p for p in self.mentions.get(rid, {}) if self.cats[p] == cat)


# ------------------------------------------------------------ docs/rules.md

class RulesDoc:
    """docs/rules.md: its sections, hand-written lines and generated lists."""

    def __init__(self, root):
        self.path = os.path.join(root, RULES_DOC)
        with open(self.path, encoding='utf-8') as fh:
            self.lines = fh.read().split('\n')
        self.order = []       # rule IDs in order
        self.sections = {}    # rid -> (first line index, end index)
        self.dups = []
        cur = None
        for i, line in enumerate(self.lines):
            m = SECTION_RE.match(line)
            if m or line.startswith('## ') or line.startswith('# '):
                if cur:
                    self.sections[cur] = (self.sections[cur][0], i)
                cur = None
            if m:
                rid = m.group(1)
                if rid in self.sections:
                    self.dups.append(rid)
                cur = rid
                self.order.append(rid)
                self.sections[rid] = (i, len(self.lines))
        if cur:
            self.sections[cur] = (self.sections[cur][0], len(self.lines))

    def body(self, rid):
        a, b = self.sections[rid]
        return self.lines[a + 1:b]

    def status(self, rid):
        for line in self.body(rid):
            m = STATUS_RE.match(line)
            if m:
                return m.group(1)
        return None

    def status_text(self, rid):
        """The Status: paragraph, joined into one line."""
        out = None
        for line in self.body(rid):
            if out is None and STATUS_RE.match(line):
                out = [line]
            elif out is not None:
                if not line.strip():
                    break
                out.append(line.strip())
        return ' '.join(out) if out else ''

    def title(self, rid):
        return SECTION_RE.match(self.lines[self.sections[rid][0]]).group(2).strip()

    def index(self):
        """The index table's lines, from the sections."""
        out = ['| rule | | status | what remains is in |', '|---|---|---|---|']
        for rid in self.order:
            head = '%s %s' % (rid, self.title(rid))
            anchor = re.sub(r'[^a-z0-9 _-]', '', head.lower()).replace(' ', '-')
            issues = sorted({int(x) for x in re.findall(r'issue (\d+)', self.status_text(rid))})
            st = self.status(rid) or '?'
            left = ', '.join('issue %d' % i for i in issues)
            if not left and st != 'enforced':
                left = 'no issue yet'
            out.append('| [%s](#%s) | %s | %s | %s |' % (
                rid, anchor, self.title(rid), st, left))
        return out

    def index_span(self):
        """(first, last) line indexes of the index markers, or None."""
        a = [i for i, x in enumerate(self.lines) if x.startswith(INDEX_BEGIN)]
        b = [i for i, x in enumerate(self.lines) if x.startswith(INDEX_END)]
        if len(a) != 1 or len(b) != 1 or a[0] > b[0]:
            return None
        return a[0], b[0]

    def waived(self, rid):
        """The paths of the section's Waiver: line."""
        out = []
        for line in self.body(rid):
            if WAIVER_RE.match(line):
                out += [p for p in PATH_RE.findall(line) if '/' in p]
        return out

    def summary(self, rid):
        return [x for x in self.body(rid)
                if x.strip() and not GEN_RE.match(x) and not x.startswith('  - ')
                and not STATUS_RE.match(x) and not WAIVER_RE.match(x)]

    def generated(self, rid):
        """[(key, path, names)] of the section's generated lists."""
        out, key = [], None
        for line in self.body(rid):
            m = GEN_RE.match(line)
            if m:
                key = m.group(1)
                rest = line[m.end():]
                for p in PATH_RE.findall(rest):
                    out.append((key, p, []))
                continue
            if key and line.startswith('  - '):
                item = line[4:]
                m = PATH_RE.match(item)
                if m:
                    names = item[m.end():].lstrip(':').strip()
                    out.append((key, m.group(1),
                                [x.strip() for x in names.split(',') if x.strip()]))
                continue
            key = None
        return out


def generate(scan, doc, rid):
    """The generated lines of rule rid's section."""
    out = []
    waived = doc.waived(rid)
    for key, cat, with_names in (('Enforced in', 'code', True),
                                 ('Pages', 'pages', False),
                                 ('Tested in', 'test', False),
                                 ('Described in', 'doc', False)):
        files = scan.files(rid, cat)
        named = [p for p in files if cat == 'code' and p in waived]
        files = [p for p in files if p not in named]
        if named:
            out.append('- Named only in: %s (waived above)'
                       % ', '.join('`%s`' % p for p in named))
        if not files:
            if cat in ('code', 'test'):
                out.append('- %s: nothing names it yet' % key)
            continue
        if with_names:
            out.append('- %s:' % key)
            for p in files:
                names = sorted(scan.mentions[rid][p])
                out.append('  - `%s`' % p + (': ' + ', '.join(names) if names else ''))
        else:
            out.append('- %s: %s' % (key, ', '.join('`%s`' % p for p in files)))
    return out


def write(root):
    doc = RulesDoc(root)
    scan = Scan(root, set(doc.order))
    lines, i = [], 0
    spans = sorted(doc.sections.values())
    for a, b in spans:
        lines += doc.lines[i:a + 1]
        body = [x for x in doc.lines[a + 1:b]
                if not GEN_RE.match(x) and not x.startswith('  - ')]
        # The hand-written lines, then one blank, the lists and one blank.
        while body and not body[-1].strip():
            body.pop()
        rid = SECTION_RE.match(doc.lines[a]).group(1)
        lines += body + [''] + generate(scan, doc, rid) + ['']
        i = b
    lines += doc.lines[i:]
    with open(doc.path, 'w', encoding='utf-8') as fh:
        fh.write('\n'.join(lines))
    # The index, from the sections as they now are.
    doc = RulesDoc(root)
    span = doc.index_span()
    if span:
        lines = doc.lines[:span[0] + 1] + doc.index() + doc.lines[span[1]:]
        with open(doc.path, 'w', encoding='utf-8') as fh:
            fh.write('\n'.join(lines))


def shared_rules(root):
    """../shared/council-rules.md (from the root, or from the main work
    tree's root when root is another git worktree of it); or
    $COUNCIL_RULES_FILE.  None when there is none."""
    cands = []
    if os.environ.get('COUNCIL_RULES_FILE'):
        cands.append(os.environ['COUNCIL_RULES_FILE'])
    cands.append(os.path.join(root, '..', 'shared', 'council-rules.md'))
    try:
        common = subprocess.run(['git', '-C', root, 'rev-parse', '--path-format=absolute',
                                 '--git-common-dir'], capture_output=True, text=True,
                                check=True).stdout.strip()
        cands.append(os.path.join(os.path.dirname(common), '..', 'shared', 'council-rules.md'))
    except (OSError, subprocess.CalledProcessError):
        pass
    for c in cands:
        if os.path.isfile(c):
            return os.path.normpath(c)
    return None


def check(root, outdir):
    doc = RulesDoc(root)
    valid = set(doc.order)
    scan = Scan(root, valid)
    res = {}

    def put(name, items):
        res[name] = sorted(set(items))

    # The list itself: sections, summaries, statuses.
    put('list', ['duplicate section %s' % r for r in doc.dups]
        + ['%s: no summary' % r for r in doc.order if not doc.summary(r)]
        + ['%s: no "Status: enforced | partly enforced | not enforced yet" line' % r
           for r in doc.order if doc.status(r) is None])
    for no, line in enumerate(doc.lines):
        for m in ID_RE.finditer(line):
            for rid in expand(m):
                if rid not in valid:
                    res['list'].append('%s:%d: %s is not a section' % (RULES_DOC, no + 1, rid))
    span = doc.index_span()
    if span is None:
        res['list'].append('no index (%s ... %s)' % (INDEX_BEGIN, INDEX_END))
    elif doc.lines[span[0] + 1:span[1]] != doc.index():
        res['list'].append('the index differs from the sections: run tests/ops/rules.sh --write')
    src = shared_rules(root)
    if src:
        with open(src, encoding='utf-8') as fh:
            theirs = set()
            for line in fh:
                for m in re.finditer(r'\*\*(R-[A-Z]+-[0-9]+)\b', line):
                    theirs.add(m.group(1))
        put('shared', ['%s: in %s, not in docs/rules.md' % (r, src) for r in theirs - valid]
            + ['%s: in docs/rules.md, not in %s' % (r, src) for r in valid - theirs])
        res['shared_file'] = [src]
    # (b) and (d): every ID named is a rule of the list, and well formed.
    for cat, key in (('code', 'unknown_code'), ('test', 'unknown_test')):
        put(key, ['%s:%d: %s is not a rule of docs/rules.md' % (p, n, r)
                  for p, n, r, c in scan.unknown if c == cat])
    put('unknown_other', ['%s:%d: %s is not a rule of docs/rules.md' % (p, n, r)
                          for p, n, r, c in scan.unknown if c not in ('code', 'test')])
    put('malformed', ['%s:%d: "%s" is not written as a rule ID (R-XXX-N)' % x
                      for x in scan.malformed])
    # (a) every rule named in code is named by a test (landed migrations
    # may be waived: they cannot change).
    untested = []
    waivers = []
    for r in doc.order:
        code = scan.files(r, 'code')
        w = doc.waived(r)
        for p in w:
            if not p.startswith('migrations/'):
                waivers.append('%s: waiver for %s: only landed migrations may be waived' % (r, p))
            elif p not in code:
                waivers.append('%s: waiver for %s, which does not name it' % (r, p))
        rest = [p for p in code if p not in w]
        if rest and not scan.files(r, 'test'):
            untested.append('%s: named in %s, by no test' % (r, ', '.join(rest)))
        if w and not rest and scan.files(r, 'test'):
            waivers.append('%s: waived, but a test names it now: drop the waiver' % r)
        st = doc.status(r)
        if st == 'not enforced yet' and rest:
            waivers.append('%s: "not enforced yet", but %s names it' % (r, ', '.join(rest)))
        if st in ('enforced', 'partly enforced') and not rest:
            waivers.append('%s: "%s", but no code names it' % (r, st))
    put('untested', untested)
    put('status', waivers)
    # (c) every file the doc names for a rule names it, with the objects given.
    stale, behind = [], []
    for r in doc.order:
        listed = {}
        for key, p, names in doc.generated(r):
            listed[p] = names
            have = scan.mentions.get(r, {})
            if p not in have:
                stale.append('%s: docs/rules.md names %s (%s), which does not name it'
                             % (r, p, key))
                continue
            for nm in names:
                if nm not in have[p]:
                    stale.append('%s: docs/rules.md names %s in %s, which does not carry it'
                                 % (r, nm, p))
        for p, names in scan.mentions.get(r, {}).items():
            if scan.cats[p] not in ('code', 'pages', 'test', 'doc'):
                continue
            if p not in listed:
                behind.append('%s: %s' % (r, p))
            elif scan.cats[p] == 'code':
                for nm in sorted(names - set(listed[p])):
                    behind.append('%s: %s in %s' % (r, nm, p))
    put('stale', stale)
    put('behind', behind)
    res['count'] = ['%d rules, %d files name one' % (
        len(doc.order), len({p for m in scan.mentions.values() for p in m}))]
    os.makedirs(outdir, exist_ok=True)
    for k, v in res.items():
        with open(os.path.join(outdir, k), 'w', encoding='utf-8') as fh:
            fh.write(''.join(x + '\n' for x in v))


def main(argv):
    root = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
    root = os.environ.get('COUNCIL_RULES_ROOT', root)
    if len(argv) == 3 and argv[1] == 'check':
        check(root, argv[2])
    elif len(argv) == 2 and argv[1] == 'write':
        write(root)
    elif len(argv) == 3 and argv[1] == 'show':
        doc = RulesDoc(root)
        print('\n'.join(generate(Scan(root, set(doc.order)), doc, argv[2])))
    else:
        sys.stderr.write('usage: rules.py check OUTDIR | write | show RULE-ID\n')
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
