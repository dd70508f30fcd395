/*
 * diff.c: line diff by longest common subsequence (see diff.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "util.h"

struct diff_text {
	const char	**line;		/* starts, into the text */
	size_t		 *len;
	size_t		  n;
};

/* Split s into lines; -1 beyond DIFF_MAX_LINES. */
static int
diff_split(const char *s, struct diff_text *t)
{
	const char	*p, *nl;
	size_t		 n = 0, i;

	for (p = s; *p != '\0'; p = nl + 1) {
		if (++n > DIFF_MAX_LINES)
			return -1;
		if ((nl = strchr(p, '\n')) == NULL)
			break;
	}
	t->n = n;
	t->line = xcalloc(n + 1, sizeof(*t->line));
	t->len = xcalloc(n + 1, sizeof(*t->len));
	for (p = s, i = 0; i < n; i++, p = nl + 1) {
		nl = strchr(p, '\n');
		t->line[i] = p;
		t->len[i] = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (nl == NULL)
			break;
	}
	return 0;
}

static void
diff_text_free(struct diff_text *t)
{
	free(t->line);
	free(t->len);
}

static int
diff_eq(const struct diff_text *a, size_t i, const struct diff_text *b,
    size_t j)
{
	return a->len[i] == b->len[j] &&
	    memcmp(a->line[i], b->line[j], a->len[i]) == 0;
}

static void
diff_push(struct diff_line *out, size_t *k, enum diff_op op, const char *s,
    size_t len)
{
	out[*k].op = op;
	out[*k].text = xstrndup(s, len);
	(*k)++;
}

int
diff_lines(const char *a, const char *b, struct diff_line **outp, size_t *np)
{
	struct diff_text	 ta, tb;
	struct diff_line	*out = NULL;
	uint32_t		*lcs = NULL;
	size_t			 head = 0, tail = 0, n, m, i, j, k = 0, w;
	int			 rc = -1;

	memset(&ta, 0, sizeof(ta));
	memset(&tb, 0, sizeof(tb));
	if (diff_split(a, &ta) == -1 || diff_split(b, &tb) == -1)
		goto out;
	while (head < ta.n && head < tb.n && diff_eq(&ta, head, &tb, head))
		head++;
	while (tail < ta.n - head && tail < tb.n - head &&
	    diff_eq(&ta, ta.n - 1 - tail, &tb, tb.n - 1 - tail))
		tail++;
	n = ta.n - head - tail;
	m = tb.n - head - tail;
	w = m + 1;
	if ((double)(n + 1) * (double)w > (double)DIFF_MAX_CELLS)
		goto out;
	/* lcs[i * w + j]: the LCS length of a's middle from i and b's from j */
	lcs = xcalloc((n + 1) * w, sizeof(*lcs));
	for (i = n; i-- > 0;)
		for (j = m; j-- > 0;)
			lcs[i * w + j] = diff_eq(&ta, head + i, &tb, head + j) ?
			    lcs[(i + 1) * w + j + 1] + 1 :
			    (lcs[(i + 1) * w + j] >= lcs[i * w + j + 1] ?
			    lcs[(i + 1) * w + j] : lcs[i * w + j + 1]);
	out = xcalloc(ta.n + tb.n + 1, sizeof(*out));
	for (i = 0; i < head; i++)
		diff_push(out, &k, DIFF_SAME, ta.line[i], ta.len[i]);
	i = j = 0;
	while (i < n || j < m) {
		if (i < n && j < m && diff_eq(&ta, head + i, &tb, head + j)) {
			diff_push(out, &k, DIFF_SAME, ta.line[head + i],
			    ta.len[head + i]);
			i++;
			j++;
		} else if (i < n && (j == m ||
		    lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
			diff_push(out, &k, DIFF_DEL, ta.line[head + i],
			    ta.len[head + i]);
			i++;
		} else {
			diff_push(out, &k, DIFF_ADD, tb.line[head + j],
			    tb.len[head + j]);
			j++;
		}
	}
	for (i = ta.n - tail; i < ta.n; i++)
		diff_push(out, &k, DIFF_SAME, ta.line[i], ta.len[i]);
	*outp = out;
	*np = k;
	rc = 0;
out:
	free(lcs);
	diff_text_free(&ta);
	diff_text_free(&tb);
	return rc;
}

void
diff_free(struct diff_line *l, size_t n)
{
	size_t	i;

	for (i = 0; l != NULL && i < n; i++)
		free(l[i].text);
	free(l);
}
