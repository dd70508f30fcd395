#!/usr/bin/env python3
"""tests/ops/layers.py: the shape of server/ (issue 11), as TAP.

server/ has five layers, lowest first: core (no HTTP), web (the HTTP
front, templates, parsers), kit (who is asking, the API's door), pages
(one file per concern), site (the route table and the two programs).
This reads every server/*/*.c and *.h as text and checks:

  1. every file is in one of the five layers;
  2. a file includes only headers of its own layer or of layers below;
  3. a file calls only functions (and uses only macros and types) defined
     in its own layer or below: calls up must go through a hook the
     layer above installs (web/http.h: upload_gate, dispatch);
  4. no two files depend on each other, directly or in a circle (the
     include and the call graphs together): each layer, and each file in
     it, points only downward or sideways without a way back.

A file's dependencies are the names it uses that another file defines:
functions defined at the start of a line (the house style puts the name
there), and macros, types and struct names of headers.  Comments and
string literals are left out.  Standard library only (python3).
"""
import os
import re
import sys

LAYERS = ['core', 'web', 'kit', 'pages', 'site']


def strip(text):
    """text without comments and string or character literals."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append('\n' * text.count('\n', i, j))
            i = j
        elif text.startswith('//', i):
            j = text.find('\n', i)
            i = n if j < 0 else j
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            out.append('""')
            i = j + 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else '.'
    srv = os.path.join(root, 'server')
    files = {}			# 'pages/post.c' -> text without comments
    raw = {}
    layer_of = {}
    stray = []
    for dirpath, _, names in os.walk(srv):
        for nm in sorted(names):
            if not nm.endswith(('.c', '.h')):
                continue
            rel = os.path.relpath(os.path.join(dirpath, nm), srv)
            parts = rel.split(os.sep)
            if len(parts) != 2 or parts[0] not in LAYERS:
                stray.append(rel)
                continue
            with open(os.path.join(srv, rel), encoding='utf-8') as f:
                raw[rel] = f.read()
            files[rel] = strip(raw[rel])
            layer_of[rel] = LAYERS.index(parts[0])
    header_of = {os.path.basename(r): r for r in files if r.endswith('.h')}

    # What each file defines.
    defines = {}
    for rel, t in files.items():
        names = set(re.findall(r'^([A-Za-z_]\w*)\(', t, re.M))
        if rel.endswith('.h'):
            names |= set(re.findall(r'#define\s+([A-Za-z_]\w*)', t))
            names |= set(re.findall(r'\b(?:struct|enum)\s+([A-Za-z_]\w*)\s*\{', t))
            names |= set(re.findall(r'typedef\b[^;]*?\b([A-Za-z_]\w*)\s*;', t))
            names |= set(re.findall(r'typedef\b[^;]*?\(\*\s*([A-Za-z_]\w*)\)', t))
            names |= set(re.findall(r'^\s*([A-Z][A-Z0-9_]+)\s*[,=]', t, re.M))
        names.discard('main')
        defines[rel] = names
    owner = {}
    for rel, names in defines.items():
        for nm in names:
            # a function's .c wins over its prototype's .h
            if nm not in owner or owner[nm].endswith('.h') and rel.endswith('.c'):
                owner[nm] = rel

    def unit(rel):		# a .c and its .h are one unit
        return rel[:-2]

    deps = {}			# unit -> {unit: why}
    up_include, up_call = [], []
    for rel, t in files.items():
        u = unit(rel)
        d = deps.setdefault(u, {})
        for inc in re.findall(r'#include\s+"([^"]+)"', raw[rel]):
            tgt = header_of.get(inc)
            if tgt is None or unit(tgt) == u:
                continue
            d.setdefault(unit(tgt), 'includes ' + inc)
            if layer_of[tgt] > layer_of[rel]:
                up_include.append('%s includes %s' % (rel, tgt))
        for nm in set(re.findall(r'\b([A-Za-z_]\w*)\b', t)):
            o = owner.get(nm)
            if o is None or unit(o) == u:
                continue
            d.setdefault(unit(o), 'uses ' + nm)
            if layer_of[o] > layer_of[rel]:
                up_call.append('%s uses %s of %s' % (rel, nm, o))

    # Circles: strongly connected components of the unit graph (Tarjan).
    index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in deps.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(deps):
        if v not in index:
            visit(v)

    n = 0

    def tap(ok, desc, lines=()):
        nonlocal n
        n += 1
        print('%s %d - %s' % ('ok' if ok else 'not ok', n, desc))
        for ln in list(lines)[:40]:
            print('#   ' + ln)

    tap(not stray, 'every file of server/ is in one of the layers %s' %
        ', '.join(LAYERS), stray)
    tap(len(files) > 40, 'the layers hold the server (%d files read)' % len(files))
    tap(not up_include, 'no file includes a header of a layer above its own',
        sorted(set(up_include)))
    tap(not up_call, 'no file calls a function or uses a name of a layer '
        'above its own', sorted(set(up_call)))
    lines = []
    for comp in sccs:
        lines.append('circle: ' + ' '.join(c + '.c' for c in comp))
        for a in comp:
            for b in comp:
                if b in deps.get(a, {}):
                    lines.append('  %s -> %s (%s)' % (a, b, deps[a][b]))
    tap(not sccs, 'no circle between files of server/ (includes and calls)',
        lines)
    edges = sum(len(v) for v in deps.values())
    print('# %d units, %d dependencies between them' % (len(deps), edges))
    print('1..%d' % n)
    return 0 if not (stray or up_include or up_call or sccs) else 1


if __name__ == '__main__':
    sys.exit(main())
