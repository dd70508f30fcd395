/*
 * i18n.c: message catalogs read from gettext PO files by our own parser
 * (no gettext runtime, no process locale).  A catalog is a sorted array of
 * key -> text searched with bsearch; struct i18n holds one per language
 * and is read-only once loaded, so any thread may look texts up.
 *
 * The parser is deliberately strict: anything a translator could get
 * subtly wrong (an untranslated or fuzzy entry, a duplicate key, a plural
 * form or context we would silently ignore, invalid UTF-8) stops start-up
 * with "line N: reason" instead of showing the wrong text to a member.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "i18n.h"
#include "util.h"

#define I18N_MAX_KEY	128	/* longest symbolic key, in bytes */

struct i18n_entry {
	char	*key;
	char	*text;
	size_t	 line;		/* of the msgid, for duplicate reports */
};

struct i18n_catalog {
	struct i18n_entry	*e;	/* sorted by key once parsed */
	size_t			 n;
	size_t			 cap;
	uint32_t		*slot;	/* open addressing: entry + 1, or 0 */
	size_t			 mask;	/* slots - 1 (a power of two) */
};

struct i18n {
	struct i18n_catalog	*cat[I18N_NLANG];
};

static void	i18n_index(struct i18n_catalog *);

static const char *const i18n_codes[I18N_NLANG] = { "ja", "en" };

/* Which string the continuation lines of the PO text are extending. */
enum po_field { PO_NONE, PO_ID, PO_STR };

struct po_parser {
	struct i18n_catalog	*cat;
	struct buf		 id;
	struct buf		 str;
	enum po_field		 field;
	size_t			 line;		/* line being read */
	size_t			 id_line;	/* line of the pending msgid */
	int			 fuzzy;		/* pending entry is "#, fuzzy" */
	int			 next_fuzzy;	/* flag comment seen, no msgid yet */
	int			 seen_header;
	char			*err;
	size_t			 errlen;
};

static int	po_error(struct po_parser *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* Write "line N: reason" into the parser's err; always returns -1. */
static int
po_error(struct po_parser *p, size_t line, const char *fmt, ...)
{
	char	msg[256];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->errlen > 0)
		snprintf(p->err, p->errlen, "line %zu: %s", line, msg);
	return -1;
}

static int
i18n_key_valid(const char *k, size_t len)
{
	size_t	i;

	if (len == 0 || len > I18N_MAX_KEY)
		return 0;
	for (i = 0; i < len; i++) {
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') ||
		    (k[i] >= '0' && k[i] <= '9') || k[i] == '.' || k[i] == '_' ||
		    k[i] == '-'))
			return 0;
	}
	return 1;
}

/*
 * The pending msgid/msgstr pair is complete: check it and add it to the
 * catalog.  The header entry (msgid "") is accepted once and dropped.
 */
static int
po_finish(struct po_parser *p)
{
	struct i18n_catalog	*c = p->cat;
	struct i18n_entry	*e;

	p->field = PO_NONE;
	if (p->id.len == 0) {
		if (p->seen_header)
			return po_error(p, p->id_line, "second header entry "
			    "(msgid \"\")");
		p->seen_header = 1;
		goto done;
	}
	if (!i18n_key_valid(p->id.data, p->id.len))
		return po_error(p, p->id_line, "msgid \"%.64s\" is not a "
		    "symbolic key (1 to %d letters, digits, '.', '_', '-')",
		    p->id.data, I18N_MAX_KEY);
	if (p->fuzzy)
		return po_error(p, p->id_line, "entry \"%s\" is marked fuzzy "
		    "(review the translation, then remove the flag)",
		    p->id.data);
	if (p->str.len == 0)
		return po_error(p, p->id_line, "empty msgstr for \"%s\" "
		    "(untranslated)", p->id.data);
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->e = xrealloc(c->e, c->cap * sizeof(*c->e));
	}
	e = &c->e[c->n++];
	e->key = xstrndup(p->id.data, p->id.len);
	e->text = xstrndup(p->str.data, p->str.len);
	e->line = p->id_line;
done:
	buf_reset(&p->id);
	buf_reset(&p->str);
	p->fuzzy = 0;
	return 0;
}

/*
 * Decode the quoted string at s (up to end) and append it to the field
 * being read.  Only \n \t \" \\ are understood; after the closing quote
 * only white space may follow.
 */
static int
po_string(struct po_parser *p, const char *s, const char *end)
{
	struct buf	*b;
	char		 c;

	if (p->field == PO_NONE)
		return po_error(p, p->line, "string outside an entry");
	b = p->field == PO_ID ? &p->id : &p->str;
	if (s == end || *s != '"')
		return po_error(p, p->line, "expected a string in \"quotes\"");
	for (s++; s < end && *s != '"'; s++) {
		c = *s;
		if (c == '\\') {
			if (++s == end)
				break;
			switch (*s) {
			case 'n':	c = '\n'; break;
			case 't':	c = '\t'; break;
			case '"':	c = '"'; break;
			case '\\':	c = '\\'; break;
			default:
				return po_error(p, p->line, "unknown escape "
				    "\"\\%c\" (only \\n \\t \\\" \\\\)",
				    (unsigned char)*s >= 0x20 &&
				    (unsigned char)*s < 0x7f ? *s : '?');
			}
		} else if ((unsigned char)c < 0x20 && c != '\t')
			return po_error(p, p->line, "control character in "
			    "string");
		buf_append(b, &c, 1);
		if (b->len > I18N_MAX_ENTRY)
			return po_error(p, p->line, "%s longer than %d bytes",
			    p->field == PO_ID ? "msgid" : "msgstr",
			    I18N_MAX_ENTRY);
	}
	if (s >= end)
		return po_error(p, p->line, "unterminated string");
	for (s++; s < end; s++)
		if (*s != ' ' && *s != '\t')
			return po_error(p, p->line, "text after the closing "
			    "quote");
	return 0;
}

/* One line of PO text, without its newline. */
static int
po_line(struct po_parser *p, const char *s, const char *end)
{
	const char	*w;
	size_t		 wlen;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end || *s == '#') {
		/* A blank line or a comment ends the pending entry. */
		if (p->field == PO_ID)
			return po_error(p, p->id_line, "msgid without msgstr");
		if (p->field == PO_STR && po_finish(p) == -1)
			return -1;
		if (end - s >= 2 && s[1] == ',' &&
		    memmem(s, (size_t)(end - s), "fuzzy", 5) != NULL)
			p->next_fuzzy = 1;
		return 0;
	}
	if (*s == '"')
		return po_string(p, s, end);

	for (w = s; s < end && *s != ' ' && *s != '\t' && *s != '"'; s++)
		;
	wlen = (size_t)(s - w);
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (wlen == 5 && memcmp(w, "msgid", 5) == 0) {
		if (p->field == PO_ID)
			return po_error(p, p->id_line, "msgid without msgstr");
		if (p->field == PO_STR && po_finish(p) == -1)
			return -1;
		p->field = PO_ID;
		p->id_line = p->line;
		p->fuzzy = p->next_fuzzy;
		p->next_fuzzy = 0;
		return po_string(p, s, end);
	}
	if (wlen == 6 && memcmp(w, "msgstr", 6) == 0) {
		if (p->field != PO_ID)
			return po_error(p, p->line, "msgstr without msgid");
		p->field = PO_STR;
		return po_string(p, s, end);
	}
	if (wlen == 7 && memcmp(w, "msgctxt", 7) == 0)
		return po_error(p, p->line, "msgctxt is not supported "
		    "(use a distinct key)");
	if ((wlen == 12 && memcmp(w, "msgid_plural", 12) == 0) ||
	    (wlen > 6 && memcmp(w, "msgstr[", 7) == 0))
		return po_error(p, p->line, "plural forms are not supported");
	return po_error(p, p->line, "unknown keyword \"%.*s\"",
	    (int)(wlen > 32 ? 32 : wlen), w);
}

static int
i18n_entry_cmp(const void *a, const void *b)
{
	const struct i18n_entry	*x = a, *y = b;
	int			 c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return (x->line > y->line) - (x->line < y->line);
}

/*
 * Parse a whole PO text.  Returns a new catalog (free it with
 * i18n_catalog_free), or NULL with "line N: reason" in err.
 */
struct i18n_catalog *
i18n_catalog_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct po_parser	 p;
	struct i18n_catalog	*cat = xcalloc(1, sizeof(*cat));
	const char		*s = text, *end = text + len, *nl, *eol;
	size_t			 i;
	int			 ok = 0;

	memset(&p, 0, sizeof(p));
	p.cat = cat;
	p.err = err;
	p.errlen = errlen;
	buf_init(&p.id);
	buf_init(&p.str);
	if (errlen > 0)
		err[0] = '\0';

	if (len > I18N_MAX_FILE) {
		if (errlen > 0)
			snprintf(err, errlen, "file larger than %d bytes",
			    I18N_MAX_FILE);
		goto out;
	}
	while (s < end) {
		p.line++;
		nl = memchr(s, '\n', (size_t)(end - s));
		eol = nl != NULL ? nl : end;
		if (memchr(s, '\0', (size_t)(eol - s)) != NULL) {
			po_error(&p, p.line, "NUL byte");
			goto out;
		}
		if (!util_utf8_valid(s, (size_t)(eol - s))) {
			po_error(&p, p.line, "invalid UTF-8");
			goto out;
		}
		if (eol > s && eol[-1] == '\r')
			eol--;
		if (po_line(&p, s, eol) == -1)
			goto out;
		s = nl != NULL ? nl + 1 : end;
	}
	if (p.field == PO_ID) {
		po_error(&p, p.id_line, "msgid without msgstr");
		goto out;
	}
	if (p.field == PO_STR && po_finish(&p) == -1)
		goto out;

	if (cat->n > 0)
		qsort(cat->e, cat->n, sizeof(*cat->e), i18n_entry_cmp);
	for (i = 1; i < cat->n; i++) {
		if (strcmp(cat->e[i - 1].key, cat->e[i].key) == 0) {
			po_error(&p, cat->e[i].line, "duplicate key \"%s\" "
			    "(first at line %zu)", cat->e[i].key,
			    cat->e[i - 1].line);
			goto out;
		}
	}
	i18n_index(cat);
	ok = 1;
out:
	buf_free(&p.id);
	buf_free(&p.str);
	if (!ok) {
		i18n_catalog_free(cat);
		cat = NULL;
	}
	return cat;
}

/*
 * Hash every key into a table of at least twice as many slots, so that a
 * lookup (every catalog text of every page) is a hash and a comparison or
 * two, not a binary search of strcmp calls.
 */
static void
i18n_index(struct i18n_catalog *c)
{
	size_t	n = 16, i, s;

	while (n < c->n * 2)
		n *= 2;
	c->slot = xcalloc(n, sizeof(*c->slot));
	c->mask = n - 1;
	for (i = 0; i < c->n; i++) {
		s = (size_t)util_fnv1a(c->e[i].key) & c->mask;
		while (c->slot[s] != 0)
			s = (s + 1) & c->mask;
		c->slot[s] = (uint32_t)i + 1;
	}
}

const char *
i18n_catalog_get(const struct i18n_catalog *c, const char *key)
{
	const struct i18n_entry	*e;
	size_t			 s;

	if (c == NULL || key == NULL || c->slot == NULL)
		return NULL;
	s = (size_t)util_fnv1a(key) & c->mask;
	for (; c->slot[s] != 0; s = (s + 1) & c->mask) {
		e = &c->e[c->slot[s] - 1];
		if (strcmp(e->key, key) == 0)
			return e->text;
	}
	return NULL;
}

size_t
i18n_catalog_count(const struct i18n_catalog *c)
{
	return c != NULL ? c->n : 0;
}

void
i18n_catalog_free(struct i18n_catalog *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->e[i].key);
		free(c->e[i].text);
	}
	free(c->e);
	free(c->slot);
	free(c);
}

/*
 * Load dir/ja.po and dir/en.po (see i18n.h).  Errors name the file:
 * "dir/en.po: line 12: duplicate key ..." or, when the key sets differ,
 * the first missing key in sorted order and the file that lacks it.
 */
struct i18n *
i18n_load(const char *dir, char *err, size_t errlen)
{
	struct i18n		*i = xcalloc(1, sizeof(*i));
	const struct i18n_catalog *ja, *en;
	char			 path[I18N_NLANG][PATH_MAX], perr[256];
	char			*text = NULL;
	size_t			 len, a, b;
	int			 l, c, ok = 0;

	if (errlen > 0)
		err[0] = '\0';
	for (l = 0; l < I18N_NLANG; l++) {
		if ((size_t)snprintf(path[l], sizeof(path[l]), "%s/%s.po", dir,
		    i18n_codes[l]) >= sizeof(path[l])) {
			snprintf(err, errlen, "%s: path too long", dir);
			goto out;
		}
	}
	for (l = 0; l < I18N_NLANG; l++) {
		text = util_read_file(path[l], I18N_MAX_FILE, &len, err, errlen);
		if (text == NULL)
			goto out;
		i->cat[l] = i18n_catalog_parse(text, len, perr, sizeof(perr));
		free(text);
		text = NULL;
		if (i->cat[l] == NULL) {
			snprintf(err, errlen, "%s: %s", path[l], perr);
			goto out;
		}
	}

	/* Both arrays are sorted: walk them together. */
	ja = i->cat[I18N_JA];
	en = i->cat[I18N_EN];
	for (a = b = 0; a < ja->n || b < en->n;) {
		if (a < ja->n && b < en->n)
			c = strcmp(ja->e[a].key, en->e[b].key);
		else
			c = a < ja->n ? -1 : 1;
		if (c < 0) {
			snprintf(err, errlen, "%s: key \"%s\" is missing (it "
			    "is at line %zu of %s)", path[I18N_EN],
			    ja->e[a].key, ja->e[a].line, path[I18N_JA]);
			goto out;
		}
		if (c > 0) {
			snprintf(err, errlen, "%s: key \"%s\" is missing (it "
			    "is at line %zu of %s)", path[I18N_JA],
			    en->e[b].key, en->e[b].line, path[I18N_EN]);
			goto out;
		}
		a++;
		b++;
	}
	ok = 1;
out:
	if (!ok) {
		i18n_free(i);
		i = NULL;
	}
	return i;
}

void
i18n_free(struct i18n *i)
{
	int	l;

	if (i == NULL)
		return;
	for (l = 0; l < I18N_NLANG; l++)
		i18n_catalog_free(i->cat[l]);
	free(i);
}

const char *
i18n_text(const struct i18n *i, enum i18n_lang lang, const char *key)
{
	const char	*s = NULL;

	if (i == NULL || key == NULL)
		return key;
	if ((int)lang >= 0 && lang < I18N_NLANG)
		s = i18n_catalog_get(i->cat[lang], key);
	if (s == NULL)
		s = i18n_catalog_get(i->cat[I18N_JA], key);
	return s != NULL ? s : key;
}

int
i18n_has(const struct i18n *i, enum i18n_lang lang, const char *key)
{
	if (i == NULL || (int)lang < 0 || lang >= I18N_NLANG)
		return 0;
	return i18n_catalog_get(i->cat[lang], key) != NULL;
}

int
i18n_lang_parse(const char *s)
{
	int	l;

	if (s == NULL)
		return -1;
	for (l = 0; l < I18N_NLANG; l++)
		if (strcmp(s, i18n_codes[l]) == 0)
			return l;
	return -1;
}

/* An RFC 9110 weight in [p, end): 0..1000 (thousandths), -1 if malformed. */
static int
i18n_qvalue(const char *p, const char *end)
{
	int	q, digits;

	if (p == end || (*p != '0' && *p != '1'))
		return -1;
	q = (*p++ - '0') * 1000;
	if (p < end && *p == '.') {
		for (p++, digits = 0; p < end && digits < 3 &&
		    *p >= '0' && *p <= '9'; p++, digits++)
			q += (*p - '0') * (digits == 0 ? 100 : digits == 1 ? 10 : 1);
	}
	if (p != end || q > 1000)
		return -1;
	return q;
}

int
i18n_accept_lang(const char *h)
{
	const char	*p, *end, *tag, *v;
	size_t		 taglen;
	int		 best = -1, bestq = 0, q, l, ranges;

	if (h == NULL || strlen(h) > I18N_MAX_ACCEPT)
		return -1;
	for (p = h, ranges = 0; *p != '\0' && ranges < I18N_MAX_RANGES;
	    ranges++) {
		end = p + strcspn(p, ",");
		p += strspn(p, " \t");
		tag = p;
		p += strcspn(p, ";, \t");
		taglen = (size_t)(p - tag);
		q = 1000;
		/* Parameters: the weight; anything else makes the range void. */
		while (p < end) {
			p += strspn(p, " \t");
			if (p == end)
				break;
			if (*p != ';') {
				q = 0;
				break;
			}
			p++;
			p += strspn(p, " \t");
			v = p;
			p += strcspn(p, ";,");
			while (p > v && (p[-1] == ' ' || p[-1] == '\t'))
				p--;
			if (p - v >= 2 && (v[0] == 'q' || v[0] == 'Q') &&
			    v[1] == '=')
				q = i18n_qvalue(v + 2, p);
			else
				q = -1;
			if (q < 0) {
				q = 0;
				break;
			}
			p += strspn(p, " \t");
		}
		/* The primary subtag: "ja", "en", "ja-JP", "en-GB"... */
		for (l = 0; l < I18N_NLANG; l++)
			if ((taglen == 2 || (taglen > 2 && tag[2] == '-')) &&
			    strncasecmp(tag, i18n_codes[l], 2) == 0)
				break;
		if (l < I18N_NLANG && q > bestq) {
			best = l;
			bestq = q;
		}
		p = *end == ',' ? end + 1 : end;
	}
	return best;
}

const char *
i18n_lang_code(enum i18n_lang lang)
{
	if ((int)lang < 0 || lang >= I18N_NLANG)
		return i18n_codes[I18N_JA];
	return i18n_codes[lang];
}
