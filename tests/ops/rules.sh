#!/usr/bin/env bash
# tests/ops/rules.sh [--write]: docs/rules.md, the list of the council's
# rules with where each is enforced and which tests prove it, against the
# tree (issue 11 item 6).  Fails when a rule ID named in code (server/,
# policy/, migrations/) is named by no test; when an ID named anywhere is
# not a rule of docs/rules.md (which is the list of valid IDs: a clean
# clone has no ../shared/), or docs/rules.md's IDs differ from those of
# ../shared/council-rules.md when that file exists; when docs/rules.md
# lists a file, function or policy for a rule that no longer names it;
# when something looks like a rule ID without being one; when a section's
# Status: disagrees with the tree.  New files that name a rule fail
# nothing: they are listed as diagnostics until --write adds them.
# First, the checker itself must catch each of those in a small tree made
# for it.  Needs bash, python3 (standard library) and git (optional: the
# tree is walked without it).  Prints TAP.
#   --write   regenerate docs/rules.md's generated lists and index
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"
PY=${PYTHON:-python3}

if [ "${1:-}" = --write ]; then
	exec "$PY" "$here/rules.py" write
fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# check ROOT OUT: run the scanner over ROOT into OUT; its status.
check() {
	COUNCIL_RULES_ROOT=$1 "$PY" "$here/rules.py" check "$2" 2>"$2.err"
}

# The checker can fail: a tree with one defect of each kind.
F=$T/fake
mkdir -p "$F/docs" "$F/server" "$F/policy" "$F/tests/sql" "$F/templates"
cat >"$F/docs/rules.md" <<'EOF'
# Rules
<!-- index: generated -->
<!-- /index -->
### R-AAA-1 One
A rule enforced and tested.

Status: enforced.

- Enforced in:
  - `server/a.c`: a_fn
- Tested in: `tests/sql/a.sql`

### R-AAA-2 Two
A rule the list says nothing enforces.

Status: not enforced yet (issue 99).

### R-AAA-3 Three
A rule listed with a function that no longer carries it.

Status: enforced.

- Enforced in:
  - `policy/b.sql`: council.gone
- Tested in: `tests/sql/a.sql`
EOF
cat >"$F/server/a.c" <<'EOF'
/* a.c: a fake module. */

/* R-AAA-1: the first rule. */
int
a_fn(void)
{
	return 1;	/* R-AAA-9 is a typo, and so is R-AAA 2 */
}
EOF
cat >"$F/policy/b.sql" <<'EOF'
-- b.sql: R-AAA-3 in the header only.

-- R-AAA-2: code names the rule the list calls not enforced.
CREATE OR REPLACE FUNCTION council.f() RETURNS int LANGUAGE sql AS $$
    SELECT 1
$$;
EOF
printf -- "-- R-AAA-1/3: proven.\nSELECT 1;\n" >"$F/tests/sql/a.sql"
printf -- "- **R-AAA-1** x\n- **R-AAA-2** x\n- **R-AAA-3** x\n- **R-AAA-4** x\n" >"$T/shared.md"
COUNCIL_RULES_FILE=$T/shared.md check "$F" "$T/f"
tap_ok $? "the scanner runs over a tree made with one defect of each kind"
tap_like "$(cat "$T/f/unknown_code")" '^server/a\.c:7: R-AAA-9 is not a rule' \
	"(b, d) it finds an ID in code that is not a rule of docs/rules.md"
tap_like "$(cat "$T/f/malformed")" 'server/a\.c:7: "R-AAA 2"' \
	"(d) it finds something that looks like a rule ID without being one"
tap_is "$(cat "$T/f/untested")" "R-AAA-2: named in policy/b.sql, by no test" \
	"(a) it finds a rule named in code and by no test"
tap_is "$(cat "$T/f/stale")" "R-AAA-3: docs/rules.md names council.gone in policy/b.sql, which does not carry it" \
	"(c) it finds a function listed for a rule that no longer carries it"
tap_like "$(cat "$T/f/status")" '^R-AAA-2: "not enforced yet", but policy/b\.sql names it' \
	"it finds a Status: that the tree contradicts"
tap_like "$(cat "$T/f/shared")" '^R-AAA-4: in .*shared\.md, not in docs/rules\.md' \
	"it finds a rule of council-rules.md missing from docs/rules.md"
tap_like "$(cat "$T/f/list")" 'the index differs' "it finds an index that differs from the sections"

# The real tree.
out=$T/real
if ! check "$ROOT" "$out"; then
	tap_ok 1 "tests/ops/rules.py check runs over the tree"
	tap_diag "$(cat "$out.err")"
	tap_done
	exit 1
fi
tap_ok 0 "tests/ops/rules.py reads docs/rules.md and the tree ($(cat "$out/count"))"
tap_is "$(cat "$out/list")" "" \
	"docs/rules.md: one section per rule ID, each with a summary and a Status: line; the index matches the sections"
if [ -f "$out/shared_file" ]; then
	tap_is "$(cat "$out/shared")" "" "docs/rules.md has exactly the rule IDs of $(cat "$out/shared_file")"
else
	tap_skip "docs/rules.md has exactly the rule IDs of ../shared/council-rules.md" \
		"no ../shared/council-rules.md: docs/rules.md is the list"
fi
tap_is "$(cat "$out/unknown_code")" "" \
	"(b, d) every rule ID named in server/, policy/ and migrations/ is a rule of docs/rules.md"
tap_is "$(cat "$out/unknown_test")" "" "(b) every rule ID named in tests/ is a rule of docs/rules.md"
tap_is "$(cat "$out/unknown_other")" "" \
	"every rule ID named in the docs, templates, catalogs, deploy/ and bench/ is a rule of docs/rules.md"
tap_is "$(cat "$out/malformed")" "" \
	"(d) nothing in the tree looks like a rule ID without being one (R-SCOPE 6, r-scope-6, R_SCOPE_6)"
tap_is "$(cat "$out/untested")" "" "(a) every rule named in code is named by a test"
tap_is "$(cat "$out/stale")" "" \
	"(c) every file docs/rules.md lists for a rule names it, and every function and policy listed carries it" ||
	tap_diag "tests/ops/rules.sh --write lists what the tree names now; read its diff of docs/rules.md"
tap_is "$(cat "$out/status")" "" \
	"every Status: agrees with the tree (enforced: code names it; not enforced yet: none does), every waiver is a landed migration that names its rule"
if [ -s "$out/behind" ]; then
	tap_diag "named in the tree but not listed in docs/rules.md yet (tests/ops/rules.sh --write adds them):"
	tap_diag "$(sed 's/^/  /' "$out/behind")"
fi
tap_done
