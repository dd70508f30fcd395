/*
 * markup_test.c: the body's safe markup (markup.c): blocks, lists,
 * headings, preformatted text, the block limit, and that nothing in a body
 * ever becomes markup.  Rendered through a template shaped like the block
 * part of templates/post.xhtml.
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "markup.h"
#include "tmpl.h"
#include "util.h"

static const char TEMPLATE[] =
    "<html xmlns=\"http://www.w3.org/1999/xhtml\" "
    "xmlns:t=\"urn:council-portal:template\"><body>"
    "<div t:each=\"blocks\"><h3 t:if=\"is_h\" t:text=\"text\"/>"
    "<p t:if=\"is_p\" t:text=\"text\"/><pre t:if=\"is_pre\" t:text=\"text\"/>"
    "<ul t:if=\"items\"><li t:each=\"items\" t:text=\"text\"/></ul></div>"
    "</body></html>";

/* body rendered; the part between <body> and </body>. */
static char *
render(const char *body, size_t *nblocks)
{
	char			 dir[] = "/tmp/markup_test.XXXXXX", path[PATH_MAX];
	char			 err[512], *s, *a, *b, *out;
	struct tmpl_set		*set;
	struct tmpl_vars	*vars = tmpl_vars_new();
	struct buf		 o;
	FILE			*f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.xhtml", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(TEMPLATE, f);
	fclose(f);
	set = tmpl_load_dir(dir, err, sizeof(err));
	unlink(path);
	rmdir(dir);
	ck_assert_msg(set != NULL, "%s", err);
	*nblocks = markup_blocks(body, vars, "blocks");
	buf_init(&o);
	ck_assert_msg(tmpl_render(set, "t.xhtml", NULL, I18N_JA, vars, &o,
	    err, sizeof(err)) == 0, "%s", err);
	buf_append(&o, "", 1);
	s = o.data;
	ck_assert_ptr_nonnull(a = strstr(s, "<body>"));
	ck_assert_ptr_nonnull(b = strstr(s, "</body>"));
	out = xstrndup(a + 6, (size_t)(b - a - 6));
	buf_free(&o);
	tmpl_vars_free(vars);
	tmpl_set_free(set);
	return out;
}

static void
expect(const char *body, const char *want, size_t nblocks)
{
	size_t	 n;
	char	*got = render(body, &n);

	ck_assert_str_eq(got, want);
	ck_assert_uint_eq(n, nblocks);
	free(got);
}

START_TEST(paragraphs)
{
	expect("one\ntwo\n\nthree", "<div><p>one\ntwo</p></div><div><p>three</p></div>", 2);
	expect("", "", 0);
	expect("\n\n \t\n", "", 0);
}
END_TEST

START_TEST(lists_and_headings)
{
	expect("## 概要\n- a\n* b\ntext",
	    "<div><h3>概要</h3></div><div><ul><li>a</li><li>b</li></ul></div>"
	    "<div><p>text</p></div>", 3);
	/* "-" without a space is text, and so is "##x" */
	expect("-a\n##x", "<div><p>-a\n##x</p></div>", 1);
}
END_TEST

START_TEST(preformatted)
{
	/* verbatim, blank lines and list markers included; unclosed ends
	 * with the body */
	expect("```\n- 198.51.100.7\n\n  GET /x\n```\nafter",
	    "<div><pre>- 198.51.100.7\n\n  GET /x</pre></div><div><p>after</p></div>", 2);
	expect("```\nopen", "<div><pre>open</pre></div>", 1);
}
END_TEST

START_TEST(never_markup)
{
	/* Markup-looking text stays text: escaped by the serialiser. */
	expect("<script>alert(1)</script>\n- <b>x</b> & \"y\"",
	    "<div><p>&lt;script&gt;alert(1)&lt;/script&gt;</p></div>"
	    "<div><ul><li>&lt;b&gt;x&lt;/b&gt; &amp; \"y\"</li></ul></div>", 2);
	expect("```\n</pre><img src=x onerror=alert(1)>\n```",
	    "<div><pre>&lt;/pre&gt;&lt;img src=x onerror=alert(1)&gt;</pre></div>", 1);
}
END_TEST

START_TEST(block_limit)
{
	struct buf	b;
	size_t		i, n;
	char		*got;

	buf_init(&b);
	for (i = 0; i < MARKUP_MAX_BLOCKS + 5; i++)
		buf_printf(&b, "p%zu\n\n", i);
	buf_append(&b, "", 1);
	got = render(b.data, &n);
	ck_assert_uint_eq(n, MARKUP_MAX_BLOCKS);
	/* nothing is lost: the last paragraphs are in the last block */
	ck_assert_ptr_nonnull(strstr(got, "p2004"));
	free(got);
	buf_free(&b);
}
END_TEST

/* Found by tests/fuzz/markup_fuzz.c: past the limit, each paragraph
 * replaced the last block's text (p2000..p2003 vanished), and each bullet
 * item opened a block of its own, past the limit. */
START_TEST(block_limit_keeps_every_text)
{
	struct buf	b;
	size_t		i, n;
	char		*got, want[32];

	buf_init(&b);
	for (i = 0; i < MARKUP_MAX_BLOCKS + 5; i++)
		buf_printf(&b, "p%zu\n\n", i);
	buf_puts(&b, "- item x\n- item y\n## heading z\n```\npre w\n```\n");
	got = render(b.data, &n);
	ck_assert_uint_eq(n, MARKUP_MAX_BLOCKS);
	for (i = MARKUP_MAX_BLOCKS - 5; i < MARKUP_MAX_BLOCKS + 5; i++) {
		snprintf(want, sizeof(want), "p%zu", i);
		ck_assert_msg(strstr(got, want) != NULL, "%s is lost", want);
	}
	/* in the last block, one text after another */
	ck_assert_ptr_nonnull(strstr(got, "<p>p1999\np2000\np2001\np2002\n"
	    "p2003\np2004\nitem x\nitem y\nheading z\npre w</p></div>"));
	free(got);
	buf_free(&b);
}
END_TEST

/* When the last block is a list, what comes past the limit is more of
 * its items. */
START_TEST(block_limit_list)
{
	struct buf	b;
	size_t		i, n;
	char		*got;

	buf_init(&b);
	for (i = 0; i < MARKUP_MAX_BLOCKS - 1; i++)
		buf_printf(&b, "p%zu\n\n", i);
	buf_puts(&b, "- a\n- b\n\n- c\ntext d\n\n## e\n");
	got = render(b.data, &n);
	ck_assert_uint_eq(n, MARKUP_MAX_BLOCKS);
	ck_assert_ptr_nonnull(strstr(got, "<div><ul><li>a</li><li>b</li>"
	    "<li>c</li><li>text d</li><li>e</li></ul></div>"));
	free(got);
	buf_free(&b);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("markup");
	TCase	*tc = tcase_create("markup");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, paragraphs);
	tcase_add_test(tc, lists_and_headings);
	tcase_add_test(tc, preformatted);
	tcase_add_test(tc, never_markup);
	tcase_add_test(tc, block_limit);
	tcase_add_test(tc, block_limit_keeps_every_text);
	tcase_add_test(tc, block_limit_list);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
