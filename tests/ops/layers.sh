#!/usr/bin/env bash
# tests/ops/layers.sh: the house's shape (issue 11): server/ is in five
# layers (core, web, kit, pages, site), every file points only downward or
# sideways, and no two files depend on each other through any circle
# (tests/ops/layers.py reads the includes and the calls).  First the
# checker is shown to fail on small made-up trees with one defect each,
# then it checks the real tree.  Prints TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/layers.XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0 failed=0
ok() {	# ok STATUS DESC
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

# A made-up tree: a core helper, a web front, a page; FLAW adds one defect.
tree() {	# tree DIR FLAW
	local d=$1
	mkdir -p "$d/server"/{core,web,kit,pages,site}
	printf '/* a.h */\nint\tcore_a(void);\n' >"$d/server/core/a.h"
	printf '#include "a.h"\nint\ncore_a(void)\n{\n\treturn 1;\n}\n' >"$d/server/core/a.c"
	printf '/* w.h */\nint\tweb_w(void);\n' >"$d/server/web/w.h"
	printf '#include "a.h"\n#include "w.h"\nint\nweb_w(void)\n{\n\treturn core_a();\n}\n' >"$d/server/web/w.c"
	printf '/* p.h */\nint\tpage_p(void);\n' >"$d/server/pages/p.h"
	printf '#include "w.h"\n#include "p.h"\nint\npage_p(void)\n{\n\treturn web_w();\n}\n' >"$d/server/pages/p.c"
	for i in $(seq 1 40); do printf '/* f%s */\n' "$i" >"$d/server/core/f$i.h"; done
	case $2 in
	upcall)	printf '#include "a.h"\nint\ncore_b(void)\n{\n\treturn web_w();\n}\n' >"$d/server/core/b.c" ;;
	upinc)	printf '#include "p.h"\n' >>"$d/server/web/w.c" ;;
	circle)	printf '/* b.h */\nint\tcore_b(void);\n' >"$d/server/core/b.h"
		printf '#include "b.h"\nint\ncore_b(void)\n{\n\treturn core_c();\n}\n' >"$d/server/core/b.c"
		printf '/* c.h */\nint\tcore_c(void);\n' >"$d/server/core/c.h"
		printf '#include "b.h"\nint\ncore_c(void)\n{\n\treturn core_b();\n}\n' >"$d/server/core/c.c" ;;
	stray)	printf 'int x;\n' >"$d/server/loose.c" ;;
	esac
}

tree "$T/good" none
python3 "$here/layers.py" "$T/good" >"$T/good.out" 2>&1
ok $? "the checker passes a made-up tree that points only downward"
for flaw in upcall upinc circle stray; do
	tree "$T/$flaw" "$flaw"
	python3 "$here/layers.py" "$T/$flaw" >"$T/$flaw.out" 2>&1
	[ $? != 0 ]; ok $? "the checker fails a made-up tree with one defect: $flaw"
done
grep -q 'core/b.c uses web_w of web/w.c' "$T/upcall.out"; ok $? "... and names the call up (core/b.c uses web_w)"
grep -q 'circle: core/b.c core/c.c' "$T/circle.out"; ok $? "... and names the circle (core/b.c core/c.c)"

# The real tree.
python3 "$here/layers.py" "$ROOT" >"$T/real.out" 2>&1
rc=$?
ok $rc "server/ is in layers that point only downward, with no circle (tests/ops/layers.py)"
sed 's/^/# /' "$T/real.out"
echo "1..$n"
[ "$failed" = 0 ]
