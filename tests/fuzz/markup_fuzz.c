/*
 * markup_fuzz.c: libFuzzer harness of server/web/markup.c.  The input (up to
 * its first NUL, as a body from the database) is turned into blocks by
 * markup_blocks and rendered by the real templates/post.xhtml, as
 * portal.c does; the page is parsed back as XML.
 *
 * Properties (markup.h), beyond "no crash, leak or undefined behaviour":
 *   - the page is well-formed XML;
 *   - markup_blocks's count is the number of blocks on the page, and at
 *     most MARKUP_MAX_BLOCKS;
 *   - nothing of the body is lost or invented: the markup only drops line
 *     breaks, white space, and the "- ", "* ", "## " and "```" marks, so
 *     every other printable ASCII byte of the body is in the blocks' text,
 *     as often as in the body (bytes above 0x7f are left out of the count:
 *     the template turns invalid UTF-8 into U+FFFD).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "fuzz.h"
#include "i18n.h"
#include "markup.h"
#include "tmpl.h"
#include "util.h"

static struct tmpl_set	*set;
static struct i18n	*cat;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	dir[PATH_MAX], err[512];

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "%s/po", fuzz_srcdir());
	cat = i18n_load(dir, err, sizeof(err));
	FUZZ_CHECK(cat != NULL, "catalogs: %s", err);
	snprintf(dir, sizeof(dir), "%s/templates", fuzz_srcdir());
	set = tmpl_load_dir(dir, err, sizeof(err));
	FUZZ_CHECK(set != NULL, "templates: %s", err);
	return 0;
}

/* Count the bytes the markup must keep: printable ASCII but the marks. */
static void
count(const unsigned char *s, size_t n, size_t counts[128])
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (s[i] > 0x20 && s[i] < 0x7f && strchr("-*#`", s[i]) == NULL)
			counts[s[i]]++;
}

/* The blocks under n: how many, and the counts of their text. */
static void
walk(xmlNodePtr n, size_t *nblocks, size_t counts[128])
{
	xmlChar	*cls, *text;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		cls = xmlGetProp(n, BAD_CAST "class");
		if (cls != NULL && xmlStrEqual(cls, BAD_CAST "post__block")) {
			(*nblocks)++;
			text = xmlNodeGetContent(n);
			count(text, (size_t)xmlStrlen(text), counts);
			xmlFree(text);
		} else
			walk(n->children, nblocks, counts);
		xmlFree(cls);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tmpl_vars	*vars = tmpl_vars_new();
	struct buf		 out;
	xmlDocPtr		 doc;
	char			*body = fuzz_cstr(data, size), err[256];
	size_t			 n, shown = 0, i;
	size_t			 want[128], got[128];

	n = markup_blocks(body, vars, "body_blocks");
	FUZZ_CHECK(n <= MARKUP_MAX_BLOCKS, "%zu blocks", n);
	tmpl_vars_set(vars, "title", "t");
	buf_init(&out);
	FUZZ_CHECK(tmpl_render(set, "post.xhtml", cat, I18N_JA, vars, &out,
	    err, sizeof(err)) == 0, "render: %s", err);
	doc = xmlReadMemory(out.data, (int)out.len, NULL, "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	FUZZ_CHECK(doc != NULL, "the page is not well-formed XML");

	memset(want, 0, sizeof(want));
	memset(got, 0, sizeof(got));
	count((const unsigned char *)body, strlen(body), want);
	walk(xmlDocGetRootElement(doc), &shown, got);
	FUZZ_CHECK(shown == n, "%zu blocks on the page, markup_blocks said "
	    "%zu", shown, n);
	for (i = 0; i < 128; i++)
		FUZZ_CHECK(want[i] == got[i], "'%c' is %zu times in the body "
		    "and %zu times in the blocks", (int)i, want[i], got[i]);

	xmlFreeDoc(doc);
	buf_free(&out);
	tmpl_vars_free(vars);
	free(body);
	return 0;
}
