/*
 * tmpl_fuzz.c: libFuzzer harness of server/web/tmpl.c with hostile values.
 * The real templates (templates/) and catalogs (po/) are loaded once; the
 * input picks a template, a language and, for every variable the template
 * (and its layout) uses, whether it is unset, empty, a value chosen by the
 * fuzzer, or (for a t:each list) how many items it has, each item with
 * the variables used inside that t:each, nested.
 *
 * Each input is rendered twice: with the hostile values (H) and with the
 * same shape but every value replaced by a harmless marker "/@@V<k>@@"
 * (B), where k numbers the value.  Properties, beyond "no crash, leak or
 * undefined behaviour":
 *   - H's output is "<!DOCTYPE html>\n" and a well-formed, namespace-
 *     well-formed XML document (no DTD, no entity, no CDATA, no comment,
 *     no processing instruction);
 *   - no value changes the document's structure: H and B have the same
 *     elements, in the same namespaces, with the same attributes, in the
 *     same order (so no value ever became markup or an attribute);
 *   - no value is altered except as tmpl.h says: every text and attribute
 *     value of H, as XML parses it, is B's with each marker replaced by its
 *     value, where bytes that are not UTF-8 and characters XML forbids
 *     became U+FFFD, and a URL attribute (href, src, ...) whose value does
 *     not start with "/", "?", "#", "http://", "https://" or "mailto:",
 *     starts with "//" or "/\\", or holds a control character became "#".  (So a value escaped once, as "&lt;", reads back as "<":
 *     never twice, never not at all.)
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "fuzz.h"
#include "i18n.h"
#include "tmpl.h"
#include "util.h"

#define TNS		"urn:council-portal:template"
#define MAX_TEMPLATES	256
#define MAX_DEPTH	3	/* nested t:each levels the input may fill */
#define MAX_ITEMS	24	/* list items in one input */
#define MAX_VALUES	256	/* values in one input */
#define MAX_VALUE	200	/* bytes of one value */

/* The variables used at one level: texts, and lists with their own. */
struct scope {
	char		**texts;
	size_t		  ntexts;
	struct list	 *lists;
	size_t		  nlists;
};

struct list {
	char		*name;
	struct scope	 inner;
};

struct page {
	char		*name;
	struct scope	 top;
};

static struct tmpl_set	*set;
static struct i18n	*cat;
static struct page	 pages[MAX_TEMPLATES];
static size_t		 npages;

/* One input's values: hostile, and as they must read back. */
static char	*hostile[MAX_VALUES];
static char	*cleaned[MAX_VALUES];
static size_t	 nvalues, nitems;

static void
scope_add_text(struct scope *s, const char *name)
{
	size_t	i;

	if (strcmp(name, "lang") == 0 || strcmp(name, "lang_other") == 0)
		return;		/* implicit, never from the caller */
	for (i = 0; i < s->ntexts; i++)
		if (strcmp(s->texts[i], name) == 0)
			return;
	s->texts = xrealloc(s->texts, (s->ntexts + 1) * sizeof(*s->texts));
	s->texts[s->ntexts++] = xstrdup(name);
}

static struct scope *
scope_add_list(struct scope *s, const char *name)
{
	size_t	i;

	for (i = 0; i < s->nlists; i++)
		if (strcmp(s->lists[i].name, name) == 0)
			return &s->lists[i].inner;
	s->lists = xrealloc(s->lists, (s->nlists + 1) * sizeof(*s->lists));
	memset(&s->lists[s->nlists], 0, sizeof(s->lists[0]));
	s->lists[s->nlists].name = xstrdup(name);
	return &s->lists[s->nlists++].inner;
}

static const char *
attr_text(xmlAttrPtr a)
{
	return a->children != NULL && a->children->content != NULL ?
	    (const char *)a->children->content : "";
}

/* The variables el and its subtree use, into s (t:each opens a level). */
static void
collect(xmlNodePtr el, struct scope *s)
{
	xmlAttrPtr	a;
	xmlNodePtr	c;
	const char	*n;

	for (a = el->properties; a != NULL; a = a->next)
		if (a->ns != NULL && xmlStrEqual(a->ns->href, BAD_CAST TNS) &&
		    strcmp((const char *)a->name, "each") == 0)
			s = scope_add_list(s, attr_text(a));
	for (a = el->properties; a != NULL; a = a->next) {
		if (a->ns == NULL || !xmlStrEqual(a->ns->href, BAD_CAST TNS))
			continue;
		n = (const char *)a->name;
		/* t:markup too: a plain text there is escaped as t:text's
		 * (only tmpl_vars_set_markup's values are markup). */
		if (strcmp(n, "text") == 0 || strcmp(n, "if") == 0 ||
		    strcmp(n, "unless") == 0 || strcmp(n, "markup") == 0 ||
		    strncmp(n, "attr-", 5) == 0)
			scope_add_text(s, attr_text(a));
	}
	for (c = el->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			collect(c, s);
}

/* Add the variables of template file name (and of its layout) to s. */
static void
collect_file(const char *dir, const char *name, struct scope *s, int depth)
{
	char		 path[PATH_MAX];
	xmlDocPtr	 doc;
	xmlNodePtr	 root;
	xmlAttrPtr	 a;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	doc = xmlReadFile(path, "UTF-8", XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING);
	FUZZ_CHECK(doc != NULL, "%s does not parse", path);
	root = xmlDocGetRootElement(doc);
	collect(root, s);
	if (depth == 0 && xmlStrEqual(root->name, BAD_CAST "page"))
		for (a = root->properties; a != NULL; a = a->next)
			if (xmlStrEqual(a->name, BAD_CAST "layout"))
				collect_file(dir, attr_text(a), s, 1);
	xmlFreeDoc(doc);
}

static int
page_cmp(const void *a, const void *b)
{
	return strcmp(((const struct page *)a)->name,
	    ((const struct page *)b)->name);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char		 dir[PATH_MAX], err[512];
	DIR		*d;
	struct dirent	*de;
	size_t		 len;

	(void)argc;
	(void)argv;
	xmlInitParser();
	snprintf(dir, sizeof(dir), "%s/po", fuzz_srcdir());
	cat = i18n_load(dir, err, sizeof(err));
	FUZZ_CHECK(cat != NULL, "catalogs: %s", err);
	snprintf(dir, sizeof(dir), "%s/templates", fuzz_srcdir());
	set = tmpl_load_dir(dir, err, sizeof(err));
	FUZZ_CHECK(set != NULL, "templates: %s", err);
	FUZZ_CHECK(tmpl_check_keys(set, cat, err, sizeof(err)) == 0, "%s",
	    err);
	FUZZ_CHECK((d = opendir(dir)) != NULL, "%s", dir);
	while ((de = readdir(d)) != NULL && npages < MAX_TEMPLATES) {
		len = strlen(de->d_name);
		if (len <= 6 || strcmp(de->d_name + len - 6, ".xhtml") != 0 ||
		    de->d_name[0] == '.')
			continue;
		pages[npages].name = xstrdup(de->d_name);
		collect_file(dir, de->d_name, &pages[npages].top, 0);
		npages++;
	}
	closedir(d);
	FUZZ_CHECK(npages > 0, "no templates in %s", dir);
	/* readdir's order is the file system's: sort, so that an input
	 * means the same page everywhere. */
	qsort(pages, npages, sizeof(pages[0]), page_cmp);
	return 0;
}

/* tmpl.h's rule for URL values: one of the prefixes, but no "//" or
 * "/\\" (another host) and no control character (issue 10 item 7). */
static int
url_ok(const char *u)
{
	static const char *const p[] = { "/", "?", "#", "https://",
	    "http://", "mailto:" };
	size_t	i;

	if (u[0] == '/' && (u[1] == '/' || u[1] == '\\'))
		return 0;
	for (i = 0; u[i] != '\0'; i++)
		if ((unsigned char)u[i] < 0x20 || u[i] == 0x7f)
			return 0;
	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		if (strncasecmp(u, p[i], strlen(p[i])) == 0)
			return 1;
	return 0;
}

static int
url_attr(const char *name)
{
	static const char *const u[] = { "href", "src", "action",
	    "formaction", "poster", "cite", "data", "ping", "background",
	    "manifest" };
	size_t	i;

	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		if (strcasecmp(name, u[i]) == 0)
			return 1;
	return 0;
}

/* s as tmpl.h says it is stored: every byte outside well-formed UTF-8,
 * and every character XML 1.0 forbids, replaced by U+FFFD. */
static char *
clean(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n = strlen(s), i = 0, k, o = 0;
	char			*out = xmalloc(3 * n + 1);
	uint32_t		 c;

	while (i < n) {
		k = fuzz_utf8_char(p + i, n - i, &c);
		if (k > 0 && (c == 0x9 || c == 0xa || c == 0xd ||
		    (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) ||
		    c >= 0x10000)) {
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
			continue;
		}
		memcpy(out + o, "\xef\xbf\xbd", 3);
		o += 3;
		i += k > 0 ? k : 1;
	}
	out[o] = '\0';
	return out;
}

/* One value for both renderings (mode 1: empty; else from the input). */
static void
set_value(struct fuzz_in *in, struct tmpl_vars *h, struct tmpl_vars *b,
    const char *name, unsigned mode)
{
	char	marker[32];
	size_t	k;

	if (mode == 1 || nvalues == MAX_VALUES) {	/* empty */
		tmpl_vars_set(h, name, "");
		tmpl_vars_set(b, name, "");
		return;
	}
	k = nvalues++;
	hostile[k] = fuzz_piece(in, MAX_VALUE);
	cleaned[k] = clean(hostile[k]);
	if (hostile[k][0] == '\0') {
		tmpl_vars_set(h, name, "");
		tmpl_vars_set(b, name, "");
		return;
	}
	snprintf(marker, sizeof(marker), "/@@V%zu@@", k);
	tmpl_vars_set(h, name, hostile[k]);
	tmpl_vars_set(b, name, marker);
}

/* Fill one level of both variable sets from the input. */
static void
fill(struct fuzz_in *in, const struct scope *s, struct tmpl_vars *h,
    struct tmpl_vars *b, int depth)
{
	size_t		i, n;
	unsigned	m;

	for (i = 0; i < s->ntexts; i++) {
		m = fuzz_byte(in) % 4;	/* unset, empty, value, value */
		if (m != 0)
			set_value(in, h, b, s->texts[i], m);
	}
	for (i = 0; i < s->nlists; i++) {
		m = fuzz_byte(in) % 5;	/* 0..3 items, or a text */
		if (m == 4) {
			set_value(in, h, b, s->lists[i].name, 2);
			continue;
		}
		for (n = 0; n < m && nitems < MAX_ITEMS; n++) {
			nitems++;
			if (depth >= MAX_DEPTH) {
				tmpl_vars_add_item(h, s->lists[i].name);
				tmpl_vars_add_item(b, s->lists[i].name);
				continue;
			}
			fill(in, &s->lists[i].inner,
			    tmpl_vars_add_item(h, s->lists[i].name),
			    tmpl_vars_add_item(b, s->lists[i].name), depth + 1);
		}
	}
}

/* b with every marker replaced by its cleaned value (free it). */
static char *
subst(const char *b)
{
	struct buf	 o;
	const char	*p = b, *m, *e;
	unsigned long	 k;
	char		*end;

	buf_init(&o);
	buf_append(&o, "", 0);
	while ((m = strstr(p, "/@@V")) != NULL) {
		k = strtoul(m + 4, &end, 10);
		e = end;
		FUZZ_CHECK(end != m + 4 && strncmp(e, "@@", 2) == 0 &&
		    k < nvalues, "a broken marker in B: %.40s", m);
		buf_append(&o, p, (size_t)(m - p));
		buf_puts(&o, cleaned[k]);
		p = e + 2;
	}
	buf_puts(&o, p);
	return buf_release(&o, NULL);
}

/* The only marker that b consists of, or -1. */
static long
whole_marker(const char *b)
{
	unsigned long	 k;
	char		*end;

	if (strncmp(b, "/@@V", 4) != 0)
		return -1;
	k = strtoul(b + 4, &end, 10);
	return end != b + 4 && strcmp(end, "@@") == 0 && k < nvalues ?
	    (long)k : -1;
}

static void
compare_text(const char *where, const char *hv, const char *bv)
{
	char	*want = subst(bv);

	FUZZ_CHECK(strcmp(hv, want) == 0, "%s reads \"%.200s\", the value "
	    "was \"%.200s\"", where, hv, want);
	free(want);
}

/* Walk H and B together (see the properties on top). */
static void
compare(xmlNodePtr h, xmlNodePtr b)
{
	xmlAttrPtr	 ha, ba;
	xmlNodePtr	 hc, bc;
	xmlChar		*hv, *bv;
	long		 k;

	for (; h != NULL || b != NULL; h = h->next, b = b->next) {
		FUZZ_CHECK(h != NULL && b != NULL, "H has %s nodes than B",
		    h == NULL ? "fewer" : "more");
		FUZZ_CHECK(h->type == b->type, "node type %d where B has %d",
		    (int)h->type, (int)b->type);
		FUZZ_CHECK(h->type == XML_ELEMENT_NODE ||
		    h->type == XML_TEXT_NODE, "node of type %d in the output",
		    (int)h->type);
		if (h->type == XML_TEXT_NODE) {
			compare_text("text", (const char *)h->content,
			    (const char *)b->content);
			continue;
		}
		FUZZ_CHECK(xmlStrEqual(h->name, b->name), "<%s> where B has "
		    "<%s>", h->name, b->name);
		FUZZ_CHECK((h->ns == NULL) == (b->ns == NULL) && (h->ns == NULL ||
		    xmlStrEqual(h->ns->href, b->ns->href)), "namespace of <%s>",
		    h->name);
		FUZZ_CHECK(h->ns == NULL || !xmlStrEqual(h->ns->href,
		    BAD_CAST TNS), "template namespace left on <%s>", h->name);
		for (ha = h->properties, ba = b->properties;
		    ha != NULL || ba != NULL; ha = ha->next, ba = ba->next) {
			FUZZ_CHECK(ha != NULL && ba != NULL, "<%s> has %s "
			    "attributes than in B", h->name, ha == NULL ?
			    "fewer" : "more");
			FUZZ_CHECK(xmlStrEqual(ha->name, ba->name),
			    "attribute %s where B has %s", ha->name, ba->name);
			hv = xmlNodeListGetString(h->doc, ha->children, 1);
			bv = xmlNodeListGetString(b->doc, ba->children, 1);
			if (hv == NULL)
				hv = xmlStrdup(BAD_CAST "");
			if (bv == NULL)
				bv = xmlStrdup(BAD_CAST "");
			k = whole_marker((const char *)bv);
			if (k >= 0 && url_attr((const char *)ha->name) &&
			    !url_ok(cleaned[k]))
				FUZZ_CHECK(xmlStrEqual(hv, BAD_CAST "#"),
				    "URL attribute %s=\"%.200s\" kept",
				    ha->name, hv);
			else
				compare_text((const char *)ha->name,
				    (const char *)hv, (const char *)bv);
			if (url_attr((const char *)ha->name) && k >= 0)
				FUZZ_CHECK(url_ok((const char *)hv), "URL "
				    "attribute %s=\"%.200s\"", ha->name, hv);
			xmlFree(hv);
			xmlFree(bv);
		}
		hc = h->children;
		bc = b->children;
		compare(hc, bc);
	}
}

/* Parse a rendering as XML; NULL (after saying why) when it is not
 * well-formed. */
static xmlDocPtr
parse(const struct buf *out, const char *which)
{
	static const char	 dt[] = "<!DOCTYPE html>\n";
	xmlParserCtxtPtr	 ctxt;
	xmlDocPtr		 doc;
	xmlNodePtr		 c;
	int			 ok;

	FUZZ_CHECK(out->len > sizeof(dt) - 1 &&
	    memcmp(out->data, dt, sizeof(dt) - 1) == 0,
	    "%s does not start with <!DOCTYPE html>", which);
	FUZZ_CHECK(memchr(out->data, '\0', out->len) == NULL,
	    "%s holds a NUL byte", which);
	ctxt = xmlNewParserCtxt();
	FUZZ_CHECK(ctxt != NULL, "out of memory");
	doc = xmlCtxtReadMemory(ctxt, out->data, (int)out->len, NULL, "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	ok = doc != NULL && ctxt->wellFormed && ctxt->nsWellFormed;
	FUZZ_CHECK(ok, "%s is not well-formed XML: %s", which,
	    ctxt->lastError.message != NULL ? ctxt->lastError.message : "?");
	xmlFreeParserCtxt(ctxt);
	FUZZ_CHECK(doc->intSubset == NULL || (doc->intSubset->entities == NULL &&
	    doc->intSubset->children == NULL), "%s has a DTD", which);
	for (c = doc->children; c != NULL; c = c->next)
		FUZZ_CHECK(c->type == XML_ELEMENT_NODE || c->type == XML_DTD_NODE,
		    "%s: node of type %d at the top", which, (int)c->type);
	return doc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in		 in = { data, size };
	const struct page	*pg;
	struct tmpl_vars	*h = tmpl_vars_new(), *b = tmpl_vars_new();
	struct buf		 ho, bo;
	xmlDocPtr		 hd, bd;
	enum i18n_lang		 lang;
	char			 err[256];
	size_t			 i;
	unsigned		 sel;

	sel = fuzz_byte(&in);
	pg = &pages[sel % npages];
	lang = (sel / npages) % 2 ? I18N_EN : I18N_JA;
	nvalues = nitems = 0;
	fill(&in, &pg->top, h, b, 0);

	buf_init(&ho);
	buf_init(&bo);
	FUZZ_CHECK(tmpl_render(set, pg->name, cat, lang, h, &ho, err,
	    sizeof(err)) == 0, "%s (H): %s", pg->name, err);
	FUZZ_CHECK(tmpl_render(set, pg->name, cat, lang, b, &bo, err,
	    sizeof(err)) == 0, "%s (B): %s", pg->name, err);
	hd = parse(&ho, "H");
	bd = parse(&bo, "B");
	compare(xmlDocGetRootElement(hd), xmlDocGetRootElement(bd));

	xmlFreeDoc(hd);
	xmlFreeDoc(bd);
	buf_free(&ho);
	buf_free(&bo);
	tmpl_vars_free(h);
	tmpl_vars_free(b);
	for (i = 0; i < nvalues; i++) {
		free(hostile[i]);
		free(cleaned[i]);
	}
	return 0;
}
