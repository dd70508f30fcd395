/*
 * diff_fuzz.c: libFuzzer harness of server/core/diff.c.  The input is two
 * texts separated by a NUL byte (a document's old and new version, as the
 * database hands them over: C strings).
 *
 * Properties (diff.h), beyond "no crash, leak or undefined behaviour":
 *   - the kept and deleted lines, in order, are the old text's lines; the
 *     kept and added lines are the new text's (a final '\n' ends the last
 *     line and does not start an empty one);
 *   - the diff is minimal: it keeps as many lines as the longest common
 *     subsequence of lines, computed here apart (for small inputs);
 *   - a refusal (-1) happens only past DIFF_MAX_LINES lines or
 *     DIFF_MAX_CELLS table cells.
 */
#include <string.h>

#include "diff.h"
#include "fuzz.h"
#include "util.h"

struct lines {
	const char	**s;
	size_t		 *len;
	size_t		  n;
};

/* Split t at '\n' (diff.h's rule), independently of diff.c. */
static void
split(const char *t, struct lines *l)
{
	const char	*p = t, *nl;
	size_t		 cap = 16;

	l->n = 0;
	l->s = xcalloc(cap, sizeof(*l->s));
	l->len = xcalloc(cap, sizeof(*l->len));
	while (*p != '\0') {
		if (l->n == cap) {
			cap *= 2;
			l->s = xrealloc(l->s, cap * sizeof(*l->s));
			l->len = xrealloc(l->len, cap * sizeof(*l->len));
		}
		nl = strchr(p, '\n');
		l->s[l->n] = p;
		l->len[l->n++] = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

static int
eq(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] &&
	    memcmp(a->s[i], b->s[j], a->len[i]) == 0;
}

/* The length of the longest common subsequence of lines (two rows). */
static size_t
lcs(const struct lines *a, const struct lines *b)
{
	size_t	*prev = xcalloc(b->n + 1, sizeof(size_t));
	size_t	*cur = xcalloc(b->n + 1, sizeof(size_t)), *t, i, j, r;

	for (i = 1; i <= a->n; i++) {
		for (j = 1; j <= b->n; j++)
			cur[j] = eq(a, i - 1, b, j - 1) ? prev[j - 1] + 1 :
			    prev[j] > cur[j - 1] ? prev[j] : cur[j - 1];
		t = prev;
		prev = cur;
		cur = t;
	}
	r = prev[b->n];
	free(prev);
	free(cur);
	return r;
}

/* The lines of d but those of op other, in order, against l. */
static void
same_lines(const struct diff_line *d, size_t n, enum diff_op other,
    const struct lines *l, const char *which)
{
	size_t	i, k = 0;

	for (i = 0; i < n; i++) {
		if (d[i].op == other)
			continue;
		FUZZ_CHECK(k < l->n, "more %s lines than the text has", which);
		FUZZ_CHECK(strlen(d[i].text) == l->len[k] &&
		    memcmp(d[i].text, l->s[k], l->len[k]) == 0,
		    "%s line %zu differs", which, k + 1);
		k++;
	}
	FUZZ_CHECK(k == l->n, "%zu %s lines, the text has %zu", k, which,
	    l->n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char			*a = fuzz_cstr(data, size), *b;
	size_t			 off = strlen(a) + 1, n = 0, i, kept = 0;
	struct diff_line	*d = NULL;
	struct lines		 la, lb;
	int			 rc;

	b = fuzz_cstr(data + (off < size ? off : size),
	    off < size ? size - off : 0);
	split(a, &la);
	split(b, &lb);
	rc = diff_lines(a, b, &d, &n);
	if (rc != 0) {
		FUZZ_CHECK(rc == -1, "rc %d", rc);
		FUZZ_CHECK(la.n > DIFF_MAX_LINES || lb.n > DIFF_MAX_LINES ||
		    (double)(la.n + 1) * (double)(lb.n + 1) >
		    (double)DIFF_MAX_CELLS,
		    "refused %zu and %zu lines", la.n, lb.n);
		goto out;
	}
	FUZZ_CHECK(n <= la.n + lb.n, "%zu lines of diff", n);
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(d[i].op == DIFF_SAME || d[i].op == DIFF_DEL ||
		    d[i].op == DIFF_ADD, "op %d", (int)d[i].op);
		kept += d[i].op == DIFF_SAME;
	}
	same_lines(d, n, DIFF_ADD, &la, "old");
	same_lines(d, n, DIFF_DEL, &lb, "new");
	if (la.n * lb.n <= 250000)
		FUZZ_CHECK(kept == lcs(&la, &lb), "%zu lines kept, the longest "
		    "common subsequence has %zu", kept, lcs(&la, &lb));
	diff_free(d, n);
out:
	free(la.s);
	free(la.len);
	free(lb.s);
	free(lb.len);
	free(a);
	free(b);
	return 0;
}
