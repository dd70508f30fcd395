/*
 * chart_fuzz.c: libFuzzer harness of server/web/chart.c.  The input picks
 * a chart (stack, vote, columns, countdown) and a language, then gives its
 * id, title, labels (pieces split at 0xff, fuzz.h) and values (8 bytes
 * each, any int64).
 *
 * Properties (chart.h), beyond "no crash, leak or undefined behaviour":
 *   - the output is one well-formed <svg> in the SVG namespace, parsed by
 *     libxml2, holding only svg, title, desc, rect, line and text, with no
 *     on*, style or href attribute and none in a namespace;
 *   - role="img" and aria-labelledby names the <title> and <desc> ids;
 *   - the title reads back as the caller's text, cleaned as written here
 *     apart from chart.c (U+FFFD for ill-formed UTF-8 and characters XML
 *     forbids, cut between characters past CHART_MAX_LABEL bytes with
 *     "…") and with XML's line-end normalisation;
 *   - a stacked bar's <desc> is exactly every label with its value (below
 *     0: 0), in the language's separators, the first CHART_MAX_PARTS.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "chart.h"
#include "fuzz.h"
#include "util.h"

#define SVG_NS	"http://www.w3.org/2000/svg"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static long long
fuzz_value(struct fuzz_in *in)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v = v << 8 | fuzz_byte(in);
	return (long long)v;
}

static int
xml_char(uint32_t c)
{
	return c == 0x9 || c == 0xa || c == 0xd ||
	    (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) ||
	    (c >= 0x10000 && c <= 0x10ffff);
}

/* What a caller's text must read back as (see the header). */
static void
expect_text(struct buf *b, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, len = strlen(s), n;
	uint32_t		 c;

	while (i < len) {
		if (i >= CHART_MAX_LABEL) {
			buf_puts(b, "…");
			return;
		}
		n = fuzz_utf8_char(p + i, len - i, &c);
		if (n == 0 || !xml_char(c)) {
			buf_puts(b, "\xef\xbf\xbd");
			i += n != 0 ? n : 1;
			continue;
		}
		if (c == '\r') {
			/* XML reads CR LF and a lone CR as LF. */
			buf_puts(b, "\n");
			i += i + 1 < len && p[i + 1] == '\n' ? 2 : 1;
			continue;
		}
		buf_append(b, s + i, n);
		i += n;
	}
}

static void
check_tree(xmlNodePtr n)
{
	static const char *const ok[] = {
		"svg", "title", "desc", "rect", "line", "text"
	};
	xmlAttrPtr	a;
	size_t		i;
	int		found;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		FUZZ_CHECK(n->ns != NULL && xmlStrEqual(n->ns->href,
		    BAD_CAST SVG_NS), "<%s> outside SVG", n->name);
		for (i = 0, found = 0; i < UTIL_ARRAY_LEN(ok); i++)
			found |= xmlStrEqual(n->name, BAD_CAST ok[i]);
		FUZZ_CHECK(found, "element <%s>", n->name);
		for (a = n->properties; a != NULL; a = a->next) {
			FUZZ_CHECK(a->ns == NULL, "attribute in a namespace");
			FUZZ_CHECK(strncasecmp((const char *)a->name, "on", 2)
			    != 0 && strcasecmp((const char *)a->name, "style")
			    != 0 && strcasecmp((const char *)a->name, "href")
			    != 0, "attribute %s", a->name);
		}
		check_tree(n->children);
	}
}

static xmlNodePtr
child(xmlNodePtr n, const char *name)
{
	for (n = n->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    xmlStrEqual(n->name, BAD_CAST name))
			return n;
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in		 in = { data, size };
	struct chart_part	 parts[CHART_MAX_PARTS + 2];
	struct chart_vote	 v;
	const char		*xl[CHART_MAX_COLS + 4];
	long long		 vals[(CHART_MAX_COLS + 4) * 3];
	char			*id, *title, *labels[CHART_MAX_PARTS + 2];
	char			*xlab[CHART_MAX_COLS + 4], want[256];
	struct buf		 out, exp;
	enum i18n_lang		 lang;
	unsigned		 kind, nparts, nx, i;
	xmlDocPtr		 doc;
	xmlNodePtr		 root, t, d;
	xmlChar			*s, *tid, *did;

	kind = fuzz_byte(&in) % 4;
	lang = fuzz_byte(&in) % 2 ? I18N_EN : I18N_JA;
	nparts = fuzz_byte(&in) % (CHART_MAX_PARTS + 2);
	nx = fuzz_byte(&in) % (CHART_MAX_COLS + 4);
	id = fuzz_piece(&in, 64);
	title = fuzz_piece(&in, 400);
	for (i = 0; i < nparts; i++) {
		labels[i] = fuzz_piece(&in, 300);
		parts[i].label = labels[i];
		parts[i].cls = labels[i];
		parts[i].value = fuzz_value(&in);
	}
	for (i = 0; i < nx; i++) {
		xlab[i] = fuzz_piece(&in, 40);
		xl[i] = xlab[i];
	}
	for (i = 0; i < nx * 3; i++)
		vals[i] = fuzz_value(&in);

	buf_init(&out);
	switch (kind) {
	case 0:
		chart_stack(&out, id, title, parts, nparts, lang);
		break;
	case 1:
		memset(&v, 0, sizeof(v));
		v.title = title;
		v.choices = parts;
		v.nchoices = nparts;
		v.base = fuzz_value(&in);
		v.needed = (double)fuzz_value(&in) / 4;
		v.needed_label = nparts > 0 ? labels[0] : NULL;
		v.turnout = fuzz_value(&in);
		v.electorate = fuzz_value(&in);
		v.quorum = (double)fuzz_value(&in) / 3;
		v.turnout_label = id;
		v.quorum_label = title;
		chart_vote(&out, id, &v, lang);
		break;
	case 2:
		chart_columns(&out, id, title, xl, nx, parts,
		    nparts > 3 ? 3 : nparts, vals, lang);
		break;
	default:
		chart_countdown(&out, id, title, fuzz_value(&in),
		    fuzz_value(&in), nparts > 0 ? labels[0] : NULL, lang);
		break;
	}

	FUZZ_CHECK(out.data != NULL, "no output");
	doc = xmlReadMemory(out.data, (int)out.len, "chart.svg", "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	FUZZ_CHECK(doc != NULL, "not well-formed: %.300s", out.data);
	root = xmlDocGetRootElement(doc);
	FUZZ_CHECK(root != NULL && xmlStrEqual(root->name, BAD_CAST "svg") &&
	    root->next == NULL, "not one <svg>");
	check_tree(root);
	s = xmlGetProp(root, BAD_CAST "role");
	FUZZ_CHECK(s != NULL && xmlStrEqual(s, BAD_CAST "img"), "role");
	xmlFree(s);
	t = child(root, "title");
	d = child(root, "desc");
	FUZZ_CHECK(t != NULL && d != NULL, "no title or desc");
	tid = xmlGetProp(t, BAD_CAST "id");
	did = xmlGetProp(d, BAD_CAST "id");
	s = xmlGetProp(root, BAD_CAST "aria-labelledby");
	FUZZ_CHECK(tid != NULL && did != NULL && s != NULL, "ids");
	snprintf(want, sizeof(want), "%s %s", tid, did);
	FUZZ_CHECK(strcmp((const char *)s, want) == 0, "aria-labelledby %s",
	    s);
	xmlFree(s);
	xmlFree(tid);
	xmlFree(did);

	buf_init(&exp);
	expect_text(&exp, title);
	s = xmlNodeGetContent(t);
	FUZZ_CHECK(strcmp((const char *)s, exp.data != NULL ? exp.data : "")
	    == 0, "title \"%s\", not \"%s\"", s, exp.data);
	xmlFree(s);
	if (kind == 0) {
		buf_reset(&exp);
		/* Parts past CHART_MAX_PARTS are left out. */
		for (i = 0; i < nparts && i < CHART_MAX_PARTS; i++) {
			if (i > 0)
				buf_puts(&exp, lang == I18N_JA ? "、" : ", ");
			expect_text(&exp, labels[i]);
			buf_puts(&exp, lang == I18N_JA ? "：" : ": ");
			buf_printf(&exp, "%lld", parts[i].value < 0 ? 0 :
			    parts[i].value);
		}
		s = xmlNodeGetContent(d);
		FUZZ_CHECK(strcmp((const char *)s, exp.data != NULL ?
		    exp.data : "") == 0, "desc \"%s\", not \"%s\"", s,
		    exp.data);
		xmlFree(s);
	}
	buf_free(&exp);
	xmlFreeDoc(doc);
	buf_free(&out);
	for (i = 0; i < nparts; i++)
		free(labels[i]);
	for (i = 0; i < nx; i++)
		free(xlab[i]);
	free(title);
	free(id);
	return 0;
}
