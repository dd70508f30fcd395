/*
 * tmpl_test.c: unit tests for the template engine (server/web/tmpl.c): the
 * real templates under $COUNCIL_SRCDIR, escaping of hostile values in
 * text and attributes, URL sanitising, t:if/t:unless/t:each, every
 * load-time refusal, the shape of the output (one DOCTYPE, no template
 * namespace, well-formed XML) and rendering from many threads at once.
 */
#include <check.h>
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include "i18n.h"
#include "tmpl.h"
#include "util.h"

#define NS	"xmlns=\"http://www.w3.org/1999/xhtml\" " \
		"xmlns:t=\"urn:council-portal:template\""
#define HEAD	"<html " NS "><body>"
#define TAIL	"</body></html>"

static struct i18n	*cat;		/* the real catalogs */
static struct tmpl_set	*real;		/* the real templates */

static const char *
srcdir(void)
{
	const char	*s = getenv("COUNCIL_SRCDIR");

	return s != NULL && s[0] != '\0' ? s : ".";
}

static void
setup(void)
{
	char	dir[PATH_MAX], err[512];

	snprintf(dir, sizeof(dir), "%s/po", srcdir());
	cat = i18n_load(dir, err, sizeof(err));
	ck_assert_msg(cat != NULL, "%s", err);
	snprintf(dir, sizeof(dir), "%s/templates", srcdir());
	real = tmpl_load_dir(dir, err, sizeof(err));
	ck_assert_msg(real != NULL, "%s", err);
}

static void
teardown(void)
{
	tmpl_set_free(real);
	real = NULL;
	i18n_free(cat);
	cat = NULL;
}

/*
 * Write the files (name, text, name, text, ..., NULL) to a scratch
 * directory, load it and remove it.  The set, or NULL with err set.
 */
static struct tmpl_set *
load_files(const char *const *files, char *err, size_t errlen)
{
	struct tmpl_set	*set;
	char		 dir[] = "/tmp/tmpl_test.XXXXXX", path[PATH_MAX];
	FILE		*f;
	size_t		 i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (i = 0; files[i] != NULL; i += 2) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		ck_assert_ptr_nonnull(f = fopen(path, "w"));
		fputs(files[i + 1], f);
		fclose(f);
	}
	set = tmpl_load_dir(dir, err, errlen);
	for (i = 0; files[i] != NULL; i += 2) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
	return set;
}

/* One template "t.xhtml" that must load. */
static struct tmpl_set *
load_one(const char *text)
{
	const char	*files[] = { "t.xhtml", text, NULL };
	struct tmpl_set	*set;
	char		 err[512];

	set = load_files(files, err, sizeof(err));
	ck_assert_msg(set != NULL, "%s", err);
	return set;
}

/* A template "bad.xhtml" that must be refused with want in the message,
 * which must start "<dir>/bad.xhtml:<line>: " when line > 0. */
static void
rejected(const char *text, int line, const char *want)
{
	const char	*files[] = { "bad.xhtml", text, NULL };
	struct tmpl_set	*set;
	char		 err[512], where[32];

	set = load_files(files, err, sizeof(err));
	ck_assert_msg(set == NULL, "accepted: %s", text);
	ck_assert_msg(strstr(err, want) != NULL, "error \"%s\" lacks \"%s\"",
	    err, want);
	if (line > 0) {
		snprintf(where, sizeof(where), "bad.xhtml:%d: ", line);
		ck_assert_msg(strstr(err, where) != NULL, "error \"%s\" is not "
		    "at %s", err, where);
	}
}

/* Render name; the output (free it). */
static char *
render(const struct tmpl_set *set, const char *name, enum i18n_lang lang,
    const struct tmpl_vars *vars)
{
	struct buf	b;
	char		err[512];

	buf_init(&b);
	ck_assert_msg(tmpl_render(set, name, cat, lang, vars, &b, err,
	    sizeof(err)) == 0, "%s", err);
	return buf_release(&b, NULL);
}

static size_t
count(const char *hay, const char *needle)
{
	size_t		 n = 0;
	const char	*p = hay;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

#define HAS(out, s)	ck_assert_msg(strstr((out), (s)) != NULL, \
			    "output lacks %s:\n%s", (s), (out))
#define HASNT(out, s)	ck_assert_msg(strstr((out), (s)) == NULL, \
			    "output has %s:\n%s", (s), (out))

/* Parse the output as XML; the document (free it), failing if not
 * well-formed. */
static xmlDocPtr
reparse(const char *out)
{
	xmlDocPtr	doc;

	doc = xmlReadMemory(out, (int)strlen(out), "out.xhtml", "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	ck_assert_msg(doc != NULL, "output is not well-formed XML:\n%s", out);
	return doc;
}

/* The value of attribute attr of the first element named name having
 * attribute key=val (key NULL: any), or NULL; free it with xmlFree. */
static char *
find_attr(xmlNodePtr n, const char *name, const char *key, const char *val,
    const char *attr)
{
	xmlChar		*v;
	char		*r;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrEqual(n->name, BAD_CAST name)) {
			v = key != NULL ? xmlGetProp(n, BAD_CAST key) : NULL;
			if (key == NULL || (v != NULL &&
			    xmlStrEqual(v, BAD_CAST val))) {
				xmlFree(v);
				return (char *)xmlGetProp(n, BAD_CAST attr);
			}
			xmlFree(v);
		}
		if ((r = find_attr(n->children, name, key, val, attr)) != NULL)
			return r;
	}
	return NULL;
}

/* The common shape of every rendered page. */
static void
check_shape(const char *out)
{
	xmlDocPtr	doc;

	ck_assert_msg(strncmp(out, "<!DOCTYPE html>\n<html", 21) == 0,
	    "bad start:\n%s", out);
	ck_assert_uint_eq(count(out, "<!DOCTYPE"), 1);
	HASNT(out, "urn:council-portal:template");
	HASNT(out, "<t:");
	HASNT(out, " t:");
	HASNT(out, "xmlns:t");
	HASNT(out, "http-equiv");
	HASNT(out, "<!--");
	doc = reparse(out);
	xmlFreeDoc(doc);
}

START_TEST(test_real_templates_load)
{
	char	err[512];

	ck_assert_msg(tmpl_check_keys(real, cat, err, sizeof(err)) == 0, "%s",
	    err);
}
END_TEST

START_TEST(test_signin_ja)
{
	struct tmpl_vars	*v = tmpl_vars_new();
	xmlDocPtr		 doc;
	char			*out, *a, title[256];

	tmpl_vars_set(v, "csrf_token", "0123abcd");
	tmpl_vars_set(v, "signed_in", "1");	/* the sign-out form carries it */
	tmpl_vars_set(v, "lang_switch_href", "/signin?lang=en");
	out = render(real, "signin.xhtml", I18N_JA, v);
	check_shape(out);
	HASNT(out, "t:");
	snprintf(title, sizeof(title), "<title>%s</title>",
	    i18n_text(cat, I18N_JA, "signin.title"));
	HAS(out, title);
	HAS(out, "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"ja\"");
	HAS(out, "サイバーセキュリティ協議会 ポータル");
	HAS(out, "本文へ移動");
	HAS(out, "<a class=\"skip-link\" href=\"#main\">");
	HAS(out, "<main id=\"main\"");
	HAS(out, "守秘義務");
	HAS(out, "<meta charset=\"utf-8\" />");
	HAS(out, "href=\"/static/css/council.css\"");
	HAS(out, "href=\"/signin?lang=en\" hreflang=\"en\" lang=\"en\"");
	HAS(out, ">English</a>");
	HAS(out, "<form class=\"form\" method=\"post\" action=\"/signin\">");
	HAS(out, "<input type=\"hidden\" name=\"csrf\" value=\"0123abcd\" />");
	HAS(out, "<label for=\"signin-email\">メールアドレス</label>");
	HAS(out, "<input id=\"signin-email\" type=\"email\" name=\"email\" "
	    "autocomplete=\"username\" required=\"required\"");
	HAS(out, "<label for=\"signin-password\">パスワード</label>");
	HAS(out, "<input id=\"signin-password\" type=\"password\" "
	    "name=\"password\" autocomplete=\"current-password\" "
	    "required=\"required\" />");
	HAS(out, "<button type=\"submit\" class=\"button button--primary\">"
	    "ログイン</button>");
	HASNT(out, "role=\"alert\"");
	HASNT(out, "style=");
	HASNT(out, "<script");

	doc = reparse(out);
	a = find_attr(xmlDocGetRootElement(doc), "html", NULL, NULL, "lang");
	ck_assert_str_eq(a, "ja");
	xmlFree(a);
	xmlFreeDoc(doc);
	free(out);

	/* With an error: a role="alert" paragraph. */
	tmpl_vars_set(v, "error", "メールアドレスまたはパスワードが違います。");
	out = render(real, "signin.xhtml", I18N_JA, v);
	HAS(out, "role=\"alert\">メールアドレスまたはパスワードが違います。"
	    "</p>");
	check_shape(out);
	free(out);
	tmpl_vars_free(v);
}
END_TEST

START_TEST(test_signin_en)
{
	struct tmpl_vars	*v = tmpl_vars_new();
	xmlDocPtr		 doc;
	char			*out, *a, title[256];

	tmpl_vars_set(v, "csrf_token", "0123abcd");
	tmpl_vars_set(v, "signed_in", "1");	/* the sign-out form carries it */
	tmpl_vars_set(v, "lang_switch_href", "/signin?lang=ja");
	out = render(real, "signin.xhtml", I18N_EN, v);
	check_shape(out);
	snprintf(title, sizeof(title), "<title>%s</title>",
	    i18n_text(cat, I18N_EN, "signin.title"));
	HAS(out, title);
	HAS(out, "<title>Sign in - Cybersecurity Council Portal</title>");
	HAS(out, "Skip to content");
	HAS(out, "hreflang=\"ja\" lang=\"ja\"");
	HAS(out, ">日本語</a>");
	HAS(out, ">Email address</label>");
	HASNT(out, "ログイン");
	doc = reparse(out);
	a = find_attr(xmlDocGetRootElement(doc), "html", NULL, NULL, "lang");
	ck_assert_str_eq(a, "en");
	xmlFree(a);
	xmlFreeDoc(doc);
	free(out);
	tmpl_vars_free(v);
}
END_TEST

START_TEST(test_xss_in_text)
{
	struct tmpl_vars	*v = tmpl_vars_new();
	char			*out;

	tmpl_vars_set(v, "csrf_token", "x");
	tmpl_vars_set(v, "signed_in", "1");	/* the sign-out form carries it */
	tmpl_vars_set(v, "error", "<script>alert(1)</script>");
	out = render(real, "signin.xhtml", I18N_JA, v);
	HAS(out, "role=\"alert\">&lt;script&gt;alert(1)&lt;/script&gt;</p>");
	HASNT(out, "<script");
	check_shape(out);
	free(out);

	tmpl_vars_set(v, "error", "\"><img src=x onerror=alert(1)>&amp;");
	out = render(real, "signin.xhtml", I18N_EN, v);
	HAS(out, "\"&gt;&lt;img src=x onerror=alert(1)&gt;&amp;amp;</p>");
	HASNT(out, "<img");
	check_shape(out);
	free(out);
	tmpl_vars_free(v);
}
END_TEST

START_TEST(test_xss_in_attribute)
{
	static const char	 evil[] = "\"><img src=x onerror=alert(1)>";
	struct tmpl_vars	*v = tmpl_vars_new();
	xmlDocPtr		 doc;
	char			*out, *a;

	tmpl_vars_set(v, "csrf_token", evil);
	tmpl_vars_set(v, "signed_in", "1");	/* the sign-out form carries it */
	tmpl_vars_set(v, "email", "<script>alert(1)</script>");
	out = render(real, "signin.xhtml", I18N_JA, v);
	HAS(out, "name=\"csrf\" value=\"&quot;&gt;&lt;img src=x "
	    "onerror=alert(1)&gt;\" />");
	HAS(out, "value=\"&lt;script&gt;alert(1)&lt;/script&gt;\"");
	HASNT(out, "<img");
	HASNT(out, "<script");
	check_shape(out);

	/* The value survives the round trip exactly. */
	doc = reparse(out);
	a = find_attr(xmlDocGetRootElement(doc), "input", "name", "csrf",
	    "value");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a, evil);
	xmlFree(a);
	xmlFreeDoc(doc);
	free(out);
	tmpl_vars_free(v);
}
END_TEST

START_TEST(test_javascript_href)
{
	struct tmpl_vars	*v = tmpl_vars_new();
	char			*out;

	tmpl_vars_set(v, "csrf_token", "x");
	tmpl_vars_set(v, "signed_in", "1");	/* the sign-out form carries it */
	tmpl_vars_set(v, "lang_switch_href", "javascript:alert(1)");
	out = render(real, "signin.xhtml", I18N_JA, v);
	HAS(out, "<a class=\"lang-switch\" href=\"#\" hreflang=\"en\"");
	HASNT(out, "javascript");
	check_shape(out);
	free(out);
	tmpl_vars_free(v);
}
END_TEST

START_TEST(test_url_attributes)
{
	static const char *const cases[][2] = {
		{ "/members?id=1", "/members?id=1" },
		{ "?lang=en", "?lang=en" },
		{ "#main", "#main" },
		{ "https://www.nisc.go.jp/", "https://www.nisc.go.jp/" },
		{ "HTTPS://example.jp/", "HTTPS://example.jp/" },
		{ "http://example.jp/", "http://example.jp/" },
		{ "mailto:secretariat@example.jp",
		    "mailto:secretariat@example.jp" },
		{ "javascript:alert(1)", "#" },
		{ "JaVaScRiPt:alert(1)", "#" },
		{ " javascript:alert(1)", "#" },
		{ "\tjavascript:alert(1)", "#" },
		{ "java\nscript:alert(1)", "#" },
		{ "data:text/html,<script>alert(1)</script>", "#" },
		{ "vbscript:msgbox(1)", "#" },
		{ "members", "#" },
		{ "", "#" },
		/* Issue 10 item 7: network-path references leave the site. */
		{ "//evil.example/phish", "#" },
		{ "/\\evil.example", "#" },
		{ "/\\evil.example?lang=en", "#" },
		{ "/%5Cevil.example", "/%5Cevil.example" },
		{ "/\t/evil.example", "#" },
	};
	struct tmpl_set		*set;
	struct tmpl_vars	*v = tmpl_vars_new(), *it;
	char			*out, want[256];
	size_t			 i;

	set = load_one(HEAD "<ul><li t:each=\"urls\"><a t:attr-href=\"u\" "
	    "t:attr-title=\"u\">x</a><img alt=\"\" t:attr-src=\"u\"/>"
	    "<form t:attr-action=\"u\"><button t:attr-formaction=\"u\">b"
	    "</button></form></li></ul>" TAIL);
	for (i = 0; i < UTIL_ARRAY_LEN(cases); i++) {
		it = tmpl_vars_add_item(v, "urls");
		tmpl_vars_set(it, "u", cases[i][0]);
	}
	out = render(set, "t.xhtml", I18N_JA, v);
	check_shape(out);
	for (i = 0; i < UTIL_ARRAY_LEN(cases); i++) {
		/* Only the URL attributes are sanitised: title is kept. */
		snprintf(want, sizeof(want), "href=\"%s\" title=", cases[i][1]);
		if (strchr(cases[i][0], '<') == NULL &&
		    strchr(cases[i][0], '\t') == NULL &&
		    strchr(cases[i][0], '\n') == NULL)
			HAS(out, want);
	}
	ck_assert_uint_eq(count(out, "href=\"#\""), 13);
	ck_assert_uint_eq(count(out, "src=\"#\""), 13);
	ck_assert_uint_eq(count(out, "action=\"#\""), 26);
	HASNT(out, "href=\"//");
	HASNT(out, "href=\"/\\");
	HASNT(out, "href=\"javascript");
	HASNT(out, "src=\"data:");
	free(out);
	tmpl_vars_free(v);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_if_unless)
{
	struct tmpl_set		*set;
	struct tmpl_vars	*v = tmpl_vars_new();
	char			*out;

	set = load_one(HEAD "<p t:if=\"a\">A</p><p t:unless=\"a\">notA</p>"
	    "<p t:if=\"empty\">E</p><p t:unless=\"empty\">notE</p>"
	    "<p t:if=\"unset\">U</p><p t:unless=\"unset\">notU</p>"
	    "<p t:if=\"list\">L</p><p t:unless=\"list\">notL</p>"
	    "<p t:if=\"nolist\">N</p><p t:unless=\"nolist\">notN</p>"
	    "<p t:if=\"a\" t:unless=\"empty\">both</p>"
	    "<p t:if=\"lang\">lang</p>" TAIL);
	tmpl_vars_set(v, "a", "yes");
	tmpl_vars_set(v, "empty", "");
	tmpl_vars_add_item(v, "list");
	tmpl_vars_add_item(v, "nolist");
	tmpl_vars_set(v, "nolist", NULL);	/* unset again */
	out = render(set, "t.xhtml", I18N_JA, v);
	check_shape(out);
	HAS(out, "<body><p>A</p><p>notE</p><p>notU</p><p>L</p><p>notN</p>"
	    "<p>both</p><p>lang</p></body>");
	free(out);
	tmpl_vars_free(v);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_each)
{
	struct tmpl_set		*set;
	struct tmpl_vars	*v = tmpl_vars_new(), *g, *m;
	char			*out;

	set = load_one(HEAD "<div t:each=\"groups\"><h2 t:text=\"name\"/>"
	    "<ul t:if=\"members\"><li t:each=\"members\" t:attr-class=\"kind\">"
	    "<span t:text=\"name\"/>/<span t:text=\"org\"/>/"
	    "<span t:text=\"site\"/></li></ul>"
	    "<p t:unless=\"members\">none</p></div>"
	    "<hr t:each=\"nothing\"/><p t:each=\"text\">no</p>"
	    "<p t:each=\"unset\">no</p><i>end</i>" TAIL);
	tmpl_vars_set(v, "site", "outer");
	tmpl_vars_set(v, "text", "not a list");
	g = tmpl_vars_add_item(v, "groups");
	tmpl_vars_set(g, "name", "G1");
	tmpl_vars_set(g, "org", "NISC");
	m = tmpl_vars_add_item(g, "members");
	tmpl_vars_set(m, "name", "佐藤");
	tmpl_vars_set(m, "kind", "chair");
	m = tmpl_vars_add_item(g, "members");
	tmpl_vars_set(m, "name", "Suzuki");
	tmpl_vars_set(m, "org", "JPCERT");
	g = tmpl_vars_add_item(v, "groups");
	tmpl_vars_set(g, "name", "G2");
	/* "nothing" is never set: t:each of an unset name repeats zero
	 * times, as does t:each of a text ("text"). */
	out = render(set, "t.xhtml", I18N_JA, v);
	check_shape(out);
	HAS(out, "<body><div><h2>G1</h2><ul><li class=\"chair\"><span>佐藤"
	    "</span>/<span>NISC</span>/<span>outer</span></li><li><span>"
	    "Suzuki</span>/<span>JPCERT</span>/<span>outer</span></li></ul>"
	    "</div><div><h2>G2</h2><p>none</p></div><i>end</i></body>");
	free(out);
	tmpl_vars_free(v);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_each_empty_list)
{
	struct tmpl_set		*set;
	struct tmpl_vars	*v = tmpl_vars_new(), *g;
	char			*out;

	set = load_one(HEAD "<ul><li t:each=\"rows\" t:text=\"x\"/></ul>"
	    "<ol><li t:each=\"outer\"><span t:each=\"inner\">i</span></li>"
	    "</ol>" TAIL);
	g = tmpl_vars_add_item(v, "outer");	/* one item, empty inner */
	(void)g;
	out = render(set, "t.xhtml", I18N_JA, v);
	check_shape(out);
	HAS(out, "<ul></ul><ol><li></li></ol>");
	free(out);
	tmpl_vars_free(v);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_text_msg_attr)
{
	struct tmpl_set		*set;
	struct tmpl_vars	*v = tmpl_vars_new();
	char			*out;

	set = load_one(HEAD "<p t:text=\"v\">placeholder <b>bold</b></p>"
	    "<p t:text=\"unset\">gone</p><h1 t:msg=\"site.name\">x</h1>"
	    "<a href=\"/static\" t:attr-href=\"unset\">s</a>"
	    "<a href=\"/static\" t:attr-href=\"v2\">d</a>"
	    "<span t:msgattr-title=\"skip.link\" t:attr-data-id=\"v\"/>"
	    "<br/><p></p><!-- secret note --><textarea name=\"n\"/>"
	    "<p t:text=\"lang\"/><p t:text=\"lang_other\"/>" TAIL);
	tmpl_vars_set(v, "v", "値 & <値>");
	tmpl_vars_set(v, "v2", "/dynamic");
	out = render(set, "t.xhtml", I18N_EN, v);
	check_shape(out);
	HAS(out, "<p>値 &amp; &lt;値&gt;</p><p></p>"
	    "<h1>Cybersecurity Council Portal</h1>"
	    "<a href=\"/static\">s</a><a href=\"/dynamic\">d</a>"
	    "<span title=\"Skip to content\" data-id=\"値 &amp; &lt;値&gt;\">"
	    "</span><br /><p></p><textarea name=\"n\"></textarea>"
	    "<p>en</p><p>ja</p>");
	HASNT(out, "secret note");
	HASNT(out, "placeholder");
	free(out);
	tmpl_vars_free(v);
	tmpl_set_free(set);
}
END_TEST

/*
 * t:markup (issue 17, charts): a value set by tmpl_vars_set_markup goes
 * out as it is; a plain text of the same name, or the markup read through
 * t:text or t:attr, is escaped; tmpl_vars_set of the name takes the trust
 * away again; unset renders nothing.
 */
START_TEST(test_markup)
{
	struct tmpl_set		*set;
	struct tmpl_vars	*v = tmpl_vars_new();
	xmlDocPtr		 doc;
	char			*out;

	set = load_one(HEAD "<div t:markup=\"m\">placeholder</div>"
	    "<div t:markup=\"plain\"/><div t:markup=\"unset\">gone</div>"
	    "<p t:text=\"m\"/><p t:attr-title=\"m\"/>"
	    "<div t:markup=\"again\"/><div t:markup=\"bad\"/>" TAIL);
	tmpl_vars_set_markup(v, "m", "<svg xmlns=\"http://www.w3.org/2000/svg\""
	    " role=\"img\"><title>a &amp; b</title></svg>");
	tmpl_vars_set(v, "plain", "<script>alert(1)</script>");
	tmpl_vars_set_markup(v, "again", "<b>trusted once</b>");
	tmpl_vars_set(v, "again", "<b>now text</b>");
	tmpl_vars_set_markup(v, "bad", "<i>\xff</i>");
	out = render(set, "t.xhtml", I18N_JA, v);
	check_shape(out);
	HAS(out, "<div><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">"
	    "<title>a &amp; b</title></svg></div>"
	    "<div>&lt;script&gt;alert(1)&lt;/script&gt;</div><div></div>"
	    "<p>&lt;svg xmlns=");
	HAS(out, "title=\"&lt;svg xmlns=");
	HAS(out, "<div>&lt;b&gt;now text&lt;/b&gt;</div>");
	HAS(out, "<div><i>\xef\xbf\xbd</i></div>");
	HASNT(out, "placeholder");
	HASNT(out, "gone");
	HASNT(out, "<script>");
	doc = reparse(out);
	xmlFreeDoc(doc);
	free(out);
	tmpl_vars_set_markup(v, "m", NULL);
	out = render(set, "t.xhtml", I18N_JA, v);
	HASNT(out, "<svg");
	free(out);
	tmpl_vars_free(v);
	tmpl_set_free(set);

	rejected(HEAD "<script t:markup=\"m\"/>" TAIL, 1,
	    "t:markup inside <script>");
	rejected(HEAD "<p t:markup=\"m\" t:text=\"m\"/>" TAIL, 1,
	    "t:text and t:msg (or t:markup) on the same element");
	rejected(HEAD "<br t:markup=\"m\"/>" TAIL, 1,
	    "t:markup on the empty element <br>");
	rejected(HEAD "<p t:markup=\"a-b\"/>" TAIL, 1,
	    "not a valid variable name");
}
END_TEST

/*
 * Issue 12: a catalog text resolved once (tmpl_bind_catalogs) is escaped
 * as one looked up at rendering: as element text and as an attribute, in
 * both languages; and the bound set still renders with other catalogs.
 */
START_TEST(test_bound_catalog_escaped)
{
	static const char *const po[] = {
	    "ja.po", "msgid \"x.t\"\nmsgstr \"日 & <b>\\\"本\\\"</b>\"\n",
	    "en.po", "msgid \"x.t\"\nmsgstr \"A & <b>\\\"B\\\"</b>\"\n",
	};
	char		 dir[] = "/tmp/tmpl_po.XXXXXX", path[PATH_MAX], err[512];
	struct i18n	*hostile;
	struct tmpl_set	*set;
	struct buf	 b;
	char		*out[2];
	FILE		*f;
	size_t		 i;
	int		 bound;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (i = 0; i < 4; i += 2) {
		snprintf(path, sizeof(path), "%s/%s", dir, po[i]);
		ck_assert_ptr_nonnull(f = fopen(path, "w"));
		fputs(po[i + 1], f);
		fclose(f);
	}
	hostile = i18n_load(dir, err, sizeof(err));
	for (i = 0; i < 4; i += 2) {
		snprintf(path, sizeof(path), "%s/%s", dir, po[i]);
		unlink(path);
	}
	rmdir(dir);
	ck_assert_msg(hostile != NULL, "%s", err);
	set = load_one(HEAD "<p t:msg=\"x.t\">x</p>"
	    "<span t:msgattr-title=\"x.t\"/>" TAIL);
	for (bound = 0; bound < 2; bound++) {
		if (bound)
			tmpl_bind_catalogs(set, hostile);
		for (i = 0; i < 2; i++) {
			buf_init(&b);
			ck_assert(tmpl_render(set, "t.xhtml", hostile,
			    i == 0 ? I18N_JA : I18N_EN, NULL, &b, err,
			    sizeof(err)) == 0);
			out[i] = buf_release(&b, NULL);
		}
		HAS(out[0], "<p>日 &amp; &lt;b&gt;\"本\"&lt;/b&gt;</p>"
		    "<span title=\"日 &amp; &lt;b&gt;&quot;本&quot;&lt;/b&gt;\">");
		HAS(out[1], "<p>A &amp; &lt;b&gt;\"B\"&lt;/b&gt;</p>"
		    "<span title=\"A &amp; &lt;b&gt;&quot;B&quot;&lt;/b&gt;\">");
		free(out[0]);
		free(out[1]);
	}
	/* Bound to hostile, rendered with the real catalogs: looked up. */
	buf_init(&b);
	ck_assert(tmpl_render(set, "t.xhtml", cat, I18N_EN, NULL, &b, err,
	    sizeof(err)) == 0);
	out[0] = buf_release(&b, NULL);
	HAS(out[0], "<p>x.t</p>");
	free(out[0]);
	tmpl_set_free(set);
	i18n_free(hostile);
}
END_TEST

START_TEST(test_invalid_utf8_values)
{
	/* One defect after well-formed Japanese (the 3-byte fast path):
	 * a surrogate, an overlong form, U+FFFF, a cut character. */
	static const struct {
		const char	*in;
		const char	*want;
	} defects[] = {
		{ "あ\xed\xa0\x80", "<p>あ\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd</p>" },
		{ "あ\xe0\x80\x80い", "<p>あ\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdい</p>" },
		{ "あ\xef\xbf\xbf", "<p>あ\xef\xbf\xbd</p>" },
		{ "あ\xe3\x81", "<p>あ\xef\xbf\xbd\xef\xbf\xbd</p>" },
	};
	struct tmpl_set		*set;
	struct tmpl_vars	*v = tmpl_vars_new();
	char			*out;
	size_t			 k;

	set = load_one(HEAD "<p t:text=\"v\"/><p t:attr-title=\"v\">t</p>"
	    TAIL);
	tmpl_vars_set(v, "v", "a\xff" "b\xc0\xaf" "c\x01" "d\xed\xa0\x80"
	    "e\xef\xbf\xbe" "f\xe3\x81" "あ");
	out = render(set, "t.xhtml", I18N_JA, v);
	check_shape(out);
	HAS(out, "<p>a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd"
	    "c\xef\xbf\xbd" "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "e\xef\xbf\xbd" "f\xef\xbf\xbd\xef\xbf\xbd" "あ</p>");
	HAS(out, "title=\"a\xef\xbf\xbd" "b");
	free(out);

	for (k = 0; k < sizeof(defects) / sizeof(defects[0]); k++) {
		tmpl_vars_set(v, "v", defects[k].in);
		out = render(set, "t.xhtml", I18N_JA, v);
		HAS(out, defects[k].want);
		free(out);
	}

	tmpl_vars_setf(v, "v", "%s-%d", "n", 42);
	out = render(set, "t.xhtml", I18N_JA, v);
	HAS(out, "<p>n-42</p>");
	free(out);
	tmpl_vars_free(v);
	tmpl_vars_free(NULL);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_vars_kinds)
{
	struct tmpl_set		*set;
	struct tmpl_vars	*v = tmpl_vars_new(), *it;
	char			*out;

	set = load_one(HEAD "<p t:text=\"x\"/><i t:each=\"x\">item</i>" TAIL);
	tmpl_vars_set(v, "x", "text");
	it = tmpl_vars_add_item(v, "x");	/* text becomes a list */
	tmpl_vars_set(it, "y", "1");
	out = render(set, "t.xhtml", I18N_JA, v);
	HAS(out, "<body><p></p><i>item</i></body>");
	free(out);
	tmpl_vars_set(v, "x", "again");		/* list becomes text */
	out = render(set, "t.xhtml", I18N_JA, v);
	HAS(out, "<body><p>again</p></body>");
	free(out);
	tmpl_vars_set(v, "x", NULL);
	tmpl_vars_set(v, "never", NULL);
	out = render(set, "t.xhtml", I18N_JA, NULL);
	HAS(out, "<body><p></p></body>");
	free(out);
	tmpl_vars_free(v);
	tmpl_set_free(set);
}
END_TEST

/*
 * The XHTML rules of the compiled engine, each against the exact bytes
 * libxml2's serialiser wrote for the tree engine it replaced: an empty
 * boolean attribute gets its name (static or from a variable); a name
 * without id on a form is repeated as id (XHTML 1.0 C.8); lang and
 * xml:lang each bring the other (C.7); void elements close with " />",
 * other empty ones with an end tag; a namespace is declared only where
 * the default changes; CR in text and tab/LF/CR in attributes become
 * references; every slot kind with a hostile value.
 */
START_TEST(test_serialiser_rules)
{
	struct tmpl_set		*set;
	struct tmpl_vars	*v = tmpl_vars_new(), *it;
	char			*out;

	set = load_one(HEAD "<input type=\"checkbox\" checked=\"\"/>"
	    "<input type=\"checkbox\" t:attr-checked=\"empty\"/>"
	    "<option t:attr-selected=\"sel\" t:text=\"h\"/>"
	    "<form t:attr-name=\"h\" method=\"post\"/>"
	    "<form name=\"f\" id=\"given\"/><input name=\"i\"/>"
	    "<p t:attr-lang=\"lang_other\">x</p><p xml:lang=\"en\">y</p>"
	    "<br/><hr/><p/><div></div><textarea t:attr-name=\"h\"/>"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\">"
	    "<path d=\"M0 0\"/></svg>"
	    "<p t:text=\"cr\"/><p t:attr-title=\"cr\"/>"
	    "<ul><li t:each=\"rows\" t:if=\"show\" t:attr-class=\"c\">"
	    "<b t:text=\"h\"/><i t:msg=\"site.name\"/></li></ul>"
	    "<a href=\"/keep\" t:attr-href=\"unset\" "
	    "t:msgattr-title=\"skip.link\">k</a>" TAIL);
	tmpl_vars_set(v, "empty", "");
	tmpl_vars_set(v, "sel", "");
	tmpl_vars_set(v, "h", "<\"&'>");
	tmpl_vars_set(v, "cr", "a\rb\tc\nd");
	it = tmpl_vars_add_item(v, "rows");
	tmpl_vars_set(it, "show", "1");
	tmpl_vars_set(it, "c", "one\"");
	it = tmpl_vars_add_item(v, "rows");	/* not shown */
	it = tmpl_vars_add_item(v, "rows");
	tmpl_vars_set(it, "show", "1");
	tmpl_vars_set(it, "h", "inner");
	out = render(set, "t.xhtml", I18N_JA, v);
	check_shape(out);
	HAS(out, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">"
	    "<body><input type=\"checkbox\" checked=\"checked\" />"
	    "<input type=\"checkbox\" checked=\"checked\" />"
	    "<option selected=\"selected\">&lt;\"&amp;'&gt;</option>"
	    "<form method=\"post\" name=\"&lt;&quot;&amp;'&gt;\" "
	    "id=\"&lt;&quot;&amp;'&gt;\"></form>"
	    "<form name=\"f\" id=\"given\"></form><input name=\"i\" />"
	    "<p lang=\"en\" xml:lang=\"en\">x</p>"
	    "<p xml:lang=\"en\" lang=\"en\">y</p>"
	    "<br /><hr /><p></p><div></div>"
	    "<textarea name=\"&lt;&quot;&amp;'&gt;\"></textarea>"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\">"
	    "<path d=\"M0 0\"></path></svg>"
	    "<p>a&#13;b\tc\nd</p><p title=\"a&#13;b&#9;c&#10;d\"></p>"
	    "<ul><li class=\"one&quot;\"><b>&lt;\"&amp;'&gt;</b>"
	    "<i>サイバーセキュリティ協議会 ポータル</i></li>"
	    "<li><b>inner</b><i>サイバーセキュリティ協議会 ポータル</i></li>"
	    "</ul><a href=\"/keep\" title=\"本文へ移動\">k</a></body></html>\n");
	free(out);
	tmpl_vars_free(v);
	tmpl_set_free(set);
}
END_TEST

/* The names of the variables under el: texts into *texts, lists as
 * "name" entries with their own names in a nested scope. */
struct scope {
	const char	*texts[256];
	size_t		 ntexts;
	const char	*lists[32];
	struct scope	*inner[32];
	size_t		 nlists;
};

static struct scope *
scope_list(struct scope *s, const char *name)
{
	size_t	i;

	for (i = 0; i < s->nlists; i++)
		if (strcmp(s->lists[i], name) == 0)
			return s->inner[i];
	ck_assert_uint_lt(s->nlists, 32);
	s->lists[s->nlists] = name;
	s->inner[s->nlists] = calloc(1, sizeof(struct scope));
	return s->inner[s->nlists++];
}

static void
scope_free(struct scope *s)
{
	size_t	i;

	for (i = 0; i < s->nlists; i++) {
		scope_free(s->inner[i]);
		free(s->inner[i]);
	}
}

static void
scope_collect(xmlNodePtr el, struct scope *s)
{
	xmlAttrPtr	 a;
	xmlNodePtr	 c;
	const char	*n, *val;
	size_t		 i;

	for (a = el->properties; a != NULL; a = a->next)
		if (a->ns != NULL && xmlStrEqual(a->name, BAD_CAST "each"))
			s = scope_list(s, (const char *)a->children->content);
	for (a = el->properties; a != NULL; a = a->next) {
		if (a->ns == NULL || a->ns->prefix == NULL ||
		    strcmp((const char *)a->ns->prefix, "t") != 0)
			continue;
		n = (const char *)a->name;
		val = (const char *)a->children->content;
		if (strcmp(n, "text") != 0 && strcmp(n, "if") != 0 &&
		    strcmp(n, "markup") != 0 &&
		    strcmp(n, "unless") != 0 && strncmp(n, "attr-", 5) != 0)
			continue;
		for (i = 0; i < s->ntexts; i++)
			if (strcmp(s->texts[i], val) == 0)
				break;
		if (i == s->ntexts && s->ntexts < 256)
			s->texts[s->ntexts++] = val;
	}
	for (c = el->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			scope_collect(c, s);
}

/* Values that test every escape, checks and boolean forms. */
static const char *const hostile[] = {
	"<b>&amp;\"'\r\n\t x", "javascript:alert(1)", "//evil.example",
	"/ok?a=1&b=<2>", "日本語\x01\xff", "", "checked", "https://x/\"y",
	"mailto:a@b", "a\tb"
};

static void
scope_fill(struct tmpl_vars *v, const struct scope *s, unsigned seed,
    int depth)
{
	size_t	i, k;

	for (i = 0; i < s->ntexts; i++, seed = seed * 1103515245 + 12345)
		if (seed % 4 != 0)
			tmpl_vars_set(v, s->texts[i],
			    hostile[(seed >> 8) % UTIL_ARRAY_LEN(hostile)]);
	for (i = 0; i < s->nlists; i++)
		for (k = 0; depth < 3 && k < 1 + (seed + i) % 3; k++)
			scope_fill(tmpl_vars_add_item(v, s->lists[i]),
			    s->inner[i], seed + (unsigned)k * 7 + 1, depth + 1);
}

/* The page text re-serialised the way the tree engine did it. */
static char *
libxml2_saves(const char *out)
{
	xmlDocPtr	 doc = reparse(out);
	xmlNodePtr	 root = xmlDocGetRootElement(doc);
	xmlBufferPtr	 xb = xmlBufferCreate();
	xmlSaveCtxtPtr	 sc;
	struct buf	 b;

	if (doc->encoding == NULL)
		doc->encoding = xmlStrdup(BAD_CAST "UTF-8");
	sc = xmlSaveToBuffer(xb, "UTF-8", XML_SAVE_XHTML | XML_SAVE_NO_DECL);
	ck_assert_ptr_nonnull(sc);
	xmlUnlinkNode(root);
	xmlSaveTree(sc, root);
	xmlFreeNode(root);
	ck_assert_int_ne(xmlSaveClose(sc), -1);
	buf_init(&b);
	buf_puts(&b, "<!DOCTYPE html>\n");
	buf_append(&b, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
	buf_puts(&b, "\n");
	xmlBufferFree(xb);
	xmlFreeDoc(doc);
	return buf_release(&b, NULL);
}

/*
 * Every real template, in both languages and many fillings of hostile
 * values, renders to exactly the bytes libxml2 writes when it parses the
 * page and saves it again as XHTML: the compiled engine writes what the
 * tree engine (libxml2's serialiser) wrote.
 */
START_TEST(test_real_pages_as_libxml2_saves)
{
	char			 dir[PATH_MAX / 2], path[PATH_MAX], *out, *again;
	char			 err[512];
	struct tmpl_set		*bound;
	DIR			*d;
	struct dirent		*de;
	struct scope		 s;
	struct tmpl_vars	*v;
	xmlDocPtr		 doc[2];
	xmlNodePtr		 root;
	xmlAttrPtr		 a;
	size_t			 len, pages = 0;
	unsigned		 seed;
	int			 lang;

	snprintf(dir, sizeof(dir), "%s/templates", srcdir());
	/* Issue 12: the same pages with their texts resolved once
	 * (tmpl_bind_catalogs) must come out byte for byte the same. */
	bound = tmpl_load_dir(dir, err, sizeof(err));
	ck_assert_msg(bound != NULL, "%s", err);
	tmpl_bind_catalogs(bound, cat);
	ck_assert_ptr_nonnull(d = opendir(dir));
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 6 || strcmp(de->d_name + len - 6, ".xhtml") != 0)
			continue;
		memset(&s, 0, sizeof(s));
		snprintf(path, sizeof(path), "%s/%.255s", dir, de->d_name);
		ck_assert_ptr_nonnull(doc[0] = xmlReadFile(path, NULL,
		    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
		doc[1] = NULL;
		root = xmlDocGetRootElement(doc[0]);
		scope_collect(root, &s);
		/* A page: its layout's names too (they point into doc[1]). */
		if ((a = xmlHasProp(root, BAD_CAST "layout")) != NULL) {
			snprintf(path, sizeof(path), "%s/%.255s", dir,
			    (const char *)a->children->content);
			ck_assert_ptr_nonnull(doc[1] = xmlReadFile(path, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
			    XML_PARSE_NOWARNING));
			scope_collect(xmlDocGetRootElement(doc[1]), &s);
		}
		for (seed = 1; seed <= 6; seed++) {
			for (lang = 0; lang < I18N_NLANG; lang++) {
				v = tmpl_vars_new();
				scope_fill(v, &s, seed * 2654435761u, 0);
				out = render(real, de->d_name,
				    (enum i18n_lang)lang, v);
				again = render(bound, de->d_name,
				    (enum i18n_lang)lang, v);
				ck_assert_msg(strcmp(out, again) == 0,
				    "%s (seed %u): texts resolved once differ",
				    de->d_name, seed);
				free(again);
				again = libxml2_saves(out);
				for (len = 0; out[len] != '\0' &&
				    out[len] == again[len]; len++)
					;
				ck_assert_msg(out[len] == again[len],
				    "%s (seed %u) differs from libxml2's at "
				    "byte %zu:\n%.200s\n----\n%.200s",
				    de->d_name, seed, len, out + (len > 100 ?
				    len - 100 : 0), again + (len > 100 ?
				    len - 100 : 0));
				free(out);
				free(again);
				tmpl_vars_free(v);
			}
		}
		scope_free(&s);
		xmlFreeDoc(doc[0]);
		if (doc[1] != NULL)
			xmlFreeDoc(doc[1]);
		pages++;
	}
	closedir(d);
	ck_assert_uint_gt(pages, 20);
	tmpl_set_free(bound);
}
END_TEST

START_TEST(test_error_page)
{
	struct tmpl_vars	*v = tmpl_vars_new();
	char			*out;

	tmpl_vars_set(v, "status", "404");
	tmpl_vars_set(v, "error_title", i18n_text(cat, I18N_JA,
	    "error.404.title"));
	tmpl_vars_set(v, "error_body", i18n_text(cat, I18N_JA,
	    "error.404.body"));
	tmpl_vars_set(v, "request_id", "r-1f2e3d<x>");
	tmpl_vars_set(v, "lang_switch_href", "/?lang=en");
	out = render(real, "error.xhtml", I18N_JA, v);
	check_shape(out);
	HAS(out, "<title>ページが見つかりません</title>");
	HAS(out, ">ページが見つかりません</h1>");
	HAS(out, "<span>参照番号</span>: <code>r-1f2e3d&lt;x&gt;</code>");
	HAS(out, "<a href=\"/\">トップページへ戻る</a>");
	HAS(out, "<span>404</span>");
	free(out);

	tmpl_vars_set(v, "request_id", NULL);
	out = render(real, "error.xhtml", I18N_EN, v);
	HASNT(out, "Reference");
	HAS(out, "Back to the top page");
	check_shape(out);
	free(out);
	tmpl_vars_free(v);
}
END_TEST

START_TEST(test_layout_alone)
{
	char	*out;

	/* A layout rendered by itself: its slots are simply empty. */
	out = render(real, "layout.xhtml", I18N_JA, NULL);
	check_shape(out);
	HAS(out, "<title></title>");
	free(out);
}
END_TEST

START_TEST(test_unknown_template)
{
	struct buf	b;
	char		err[512];

	buf_init(&b);
	ck_assert_int_eq(tmpl_render(real, "nope.xhtml", cat, I18N_JA, NULL,
	    &b, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "unknown template \"nope.xhtml\"") != NULL,
	    "%s", err);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(tmpl_render(real, "signin.xhtml", cat,
	    (enum i18n_lang)9, NULL, &b, err, sizeof(err)), -1);
	ck_assert_int_eq(tmpl_render(NULL, "signin.xhtml", cat, I18N_JA, NULL,
	    &b, err, sizeof(err)), -1);
	buf_free(&b);
	tmpl_set_free(NULL);
}
END_TEST

START_TEST(test_reject_script)
{
	rejected(HEAD "\n<script t:text=\"x\"/>" TAIL, 2,
	    "t:text inside <script>");
	rejected(HEAD "<script>\n<span t:text=\"x\"/></script>" TAIL, 2,
	    "t:text inside <script>");
	rejected(HEAD "<style t:msg=\"site.name\"/>" TAIL, 1,
	    "t:msg inside <style>");
	rejected(HEAD "<script t:attr-src=\"x\"/>" TAIL, 1,
	    "t:attr-src inside <script>");
	rejected(HEAD "<script>alert(1)</script>" TAIL, 1,
	    "inline content in <script>");
	rejected(HEAD "<p style=\"color:red\">x</p>" TAIL, 1,
	    "style attribute");
}
END_TEST

START_TEST(test_reject_event_handlers)
{
	rejected(HEAD "\n\n<button t:attr-onclick=\"x\">b</button>" TAIL, 3,
	    "t:attr-onclick sets an event handler");
	rejected(HEAD "<button t:attr-ONCLICK=\"x\">b</button>" TAIL, 1,
	    "event handler");
	rejected(HEAD "<img alt=\"\" t:msgattr-onerror=\"site.name\"/>" TAIL,
	    1, "event handler");
	rejected(HEAD "<button onclick=\"alert(1)\">b</button>" TAIL, 1,
	    "event handler attribute onclick");
	rejected(HEAD "<p t:attr-style=\"x\">b</p>" TAIL, 1,
	    "may not be set");
	rejected(HEAD "<iframe t:attr-srcdoc=\"x\"/>" TAIL, 1,
	    "may not be set");
}
END_TEST

START_TEST(test_reject_unknown)
{
	rejected(HEAD "\n<p t:txt=\"x\">b</p>" TAIL, 2,
	    "unknown template attribute t:txt");
	rejected(HEAD "<t:include name=\"x\"/>" TAIL, 1,
	    "unknown template element <t:include>");
	rejected(HEAD "<p t:text=\"a b\">b</p>" TAIL, 1,
	    "not a valid variable name");
	rejected(HEAD "<p t:msg=\"\">b</p>" TAIL, 1, "not a valid message key");
	rejected(HEAD "<p t:text=\"a\" t:msg=\"b\">b</p>" TAIL, 1,
	    "t:text and t:msg");
	rejected(HEAD "<br t:text=\"a\"/>" TAIL, 1, "empty element <br>");
	rejected(HEAD "<a t:attr-href=\"a\" t:msgattr-href=\"b\">x</a>" TAIL,
	    1, "set twice");
	rejected("<html xmlns:t=\"urn:council-portal:template\"><body/>"
	    "</html>", 1, "root element must be");
	rejected(HEAD "<div xmlns=\"\">x</div>" TAIL, 1, "no namespace");
	rejected("<html " NS " t:if=\"x\"><body/></html>", 1,
	    "root element");
	rejected("<div " NS "/>", 1, "root element must be");
}
END_TEST

START_TEST(test_reject_entities)
{
	rejected("<!DOCTYPE x [<!ENTITY e \"boom\">]>\n<html " NS ">"
	    "<body>&e;</body></html>", 1, "markup declaration");
	rejected("\n<!DOCTYPE html [\n<!ENTITY e \"boom\">]>\n<html " NS ">"
	    "<body/></html>", 2, "markup declaration");
	rejected("<!DOCTYPE html SYSTEM \"http://example.jp/x.dtd\">\n"
	    "<html " NS "><body/></html>", 1, "markup declaration");
	rejected("<!DOCTYPE html>\n<html " NS "><body><![CDATA[<b>]]>"
	    "</body></html>", 2, "markup declaration");
	rejected("<html " NS "><body>&e;</body></html>", 1, "Entity 'e'");
	rejected("<?xml-stylesheet href=\"x\"?>\n<html " NS "><body/></html>",
	    1, "processing instruction");
}
END_TEST

START_TEST(test_reject_malformed)
{
	rejected(HEAD "\n<p>unclosed" TAIL, 2, "mismatch");
	rejected(HEAD "<p a=\"1\" a=\"2\">x</p>" TAIL, 1, "redefined");
	rejected("<html " NS "><body><x:p>u</x:p></body></html>", 1,
	    "Namespace prefix x");
	rejected(HEAD "<p>\xff</p>" TAIL, 1, "invalid UTF-8");
	rejected(HEAD "<br>x</br>" TAIL, 1, "<br> is a void element");
	rejected(HEAD "\n<input>\n</input>" TAIL, 2, "<input> is a void");
	rejected("", 0, "bad.xhtml");
}
END_TEST

START_TEST(test_reject_pages)
{
	const char	*files[9];
	struct tmpl_set	*set;
	char		 err[512];

	files[0] = "layout.xhtml";
	files[1] = "<!DOCTYPE html>\n<html " NS "><head><title><t:slot "
	    "name=\"title\"/></title></head><body><t:slot name=\"content\"/>"
	    "</body></html>";
	files[2] = "page.xhtml";
	files[3] = "<t:page " NS " layout=\"layout.xhtml\">\n"
	    "<t:fill slot=\"title\" t:msg=\"site.name\"/>\n"
	    "<t:fill slot=\"nope\"><p>x</p></t:fill></t:page>";
	files[4] = NULL;
	set = load_files(files, err, sizeof(err));
	ck_assert_ptr_null(set);
	ck_assert_msg(strstr(err, "page.xhtml:3: layout \"layout.xhtml\" has "
	    "no slot \"nope\"") != NULL, "%s", err);

	files[3] = "<t:page " NS " layout=\"missing.xhtml\"/>";
	set = load_files(files, err, sizeof(err));
	ck_assert_ptr_null(set);
	ck_assert_msg(strstr(err, "layout \"missing.xhtml\" not found") !=
	    NULL, "%s", err);

	files[3] = "<t:page " NS " layout=\"layout.xhtml\"><p>stray</p>"
	    "</t:page>";
	set = load_files(files, err, sizeof(err));
	ck_assert_ptr_null(set);
	ck_assert_msg(strstr(err, "only <t:fill>") != NULL, "%s", err);

	files[3] = "<t:page " NS " layout=\"layout.xhtml\"><t:fill "
	    "slot=\"content\"><t:slot name=\"x\"/></t:fill></t:page>";
	set = load_files(files, err, sizeof(err));
	ck_assert_ptr_null(set);
	ck_assert_msg(strstr(err, "<t:slot> inside a page") != NULL, "%s",
	    err);

	files[3] = "<t:page " NS " layout=\"layout.xhtml\"><t:fill "
	    "slot=\"content\"/><t:fill slot=\"content\"/></t:page>";
	set = load_files(files, err, sizeof(err));
	ck_assert_ptr_null(set);
	ck_assert_msg(strstr(err, "filled twice") != NULL, "%s", err);

	/* A fill goes into the layout's tree: only xmlns and xmlns:t on
	 * <t:page>, and the default namespace is XHTML's. */
	files[3] = "<t:page " NS " xmlns:x=\"urn:x\" layout=\"layout.xhtml\"/>";
	set = load_files(files, err, sizeof(err));
	ck_assert_ptr_null(set);
	ck_assert_msg(strstr(err, "<t:page> may declare only") != NULL, "%s",
	    err);
	files[3] = "<t:page xmlns=\"http://www.w3.org/2000/svg\" "
	    "xmlns:t=\"urn:council-portal:template\" "
	    "layout=\"layout.xhtml\"/>";
	set = load_files(files, err, sizeof(err));
	ck_assert_ptr_null(set);
	ck_assert_msg(strstr(err, "<t:page> may declare only") != NULL, "%s",
	    err);

	/* t:each nesting counts the layout's around the slot. */
	{
		struct buf	l, p;
		int		i;

		buf_init(&l);
		buf_init(&p);
		buf_puts(&l, HEAD);
		for (i = 0; i < TMPL_MAX_DEPTH / 2 + 1; i++)
			buf_printf(&l, "<div t:each=\"a%d\">", i);
		buf_puts(&l, "<t:slot name=\"content\"/>");
		for (i = 0; i < TMPL_MAX_DEPTH / 2 + 1; i++)
			buf_puts(&l, "</div>");
		buf_puts(&l, TAIL);
		buf_puts(&p, "<t:page " NS " layout=\"deep.xhtml\">\n"
		    "<t:fill slot=\"content\">");
		for (i = 0; i < TMPL_MAX_DEPTH / 2; i++)
			buf_printf(&p, "<p t:each=\"b%d\">", i);
		for (i = 0; i < TMPL_MAX_DEPTH / 2; i++)
			buf_puts(&p, "</p>");
		buf_puts(&p, "</t:fill></t:page>");
		files[4] = "deep.xhtml";
		files[5] = l.data;
		files[6] = "page2.xhtml";
		files[7] = p.data;
		files[8] = NULL;
		files[3] = "<t:page " NS " layout=\"layout.xhtml\"/>";
		set = load_files(files, err, sizeof(err));
		ck_assert_ptr_null(set);
		ck_assert_msg(strstr(err, "page2.xhtml:2: t:each nested "
		    "deeper than 32 (with the layout)") != NULL, "%s", err);
		files[4] = NULL;
		buf_free(&l);
		buf_free(&p);
	}

	/* A good page: fills, whose content is processed in the layout. */
	files[3] = "<t:page " NS " layout=\"layout.xhtml\">"
	    "<t:fill slot=\"title\" t:text=\"t\"/><t:fill slot=\"content\">"
	    "<h1 t:text=\"t\"/><p t:each=\"l\" t:text=\"x\"/></t:fill>"
	    "</t:page>";
	set = load_files(files, err, sizeof(err));
	ck_assert_msg(set != NULL, "%s", err);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_reject_limits)
{
	struct buf	b;
	int		i;

	/* Nesting of t:each beyond TMPL_MAX_DEPTH. */
	buf_init(&b);
	buf_puts(&b, HEAD);
	for (i = 0; i <= TMPL_MAX_DEPTH; i++)
		buf_printf(&b, "<div t:each=\"l%d\">", i);
	for (i = 0; i <= TMPL_MAX_DEPTH; i++)
		buf_puts(&b, "</div>");
	buf_puts(&b, TAIL);
	rejected(b.data, 1, "nested deeper than");

	/* A file over TMPL_MAX_FILE. */
	buf_reset(&b);
	buf_puts(&b, HEAD "<p>");
	while (b.len <= TMPL_MAX_FILE)
		buf_puts(&b, "0123456789abcdef0123456789abcdef");
	buf_puts(&b, "</p>" TAIL);
	rejected(b.data, 0, "larger than");
	buf_free(&b);
}
END_TEST

START_TEST(test_load_errors)
{
	const char	*files[] = { "notes.txt", "not a template", NULL };
	struct tmpl_set	*set;
	char		 err[512];

	set = tmpl_load_dir("/nonexistent/templates", err, sizeof(err));
	ck_assert_ptr_null(set);
	ck_assert_msg(strstr(err, "/nonexistent/templates") != NULL, "%s",
	    err);
	set = load_files(files, err, sizeof(err));
	ck_assert_ptr_null(set);
	ck_assert_msg(strstr(err, "no *.xhtml") != NULL, "%s", err);
}
END_TEST

START_TEST(test_check_keys)
{
	struct tmpl_set	*set;
	char		 err[512];

	set = load_one(HEAD "\n<p t:msg=\"no.such.key\"/>" TAIL);
	ck_assert_int_eq(tmpl_check_keys(set, cat, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "t.xhtml:2: message key \"no.such.key\"") !=
	    NULL, "%s", err);
	tmpl_set_free(set);
}
END_TEST

struct worker {
	const char	*want;
	int		 lang;
	int		 bad;
};

/* Render the sign-in page repeatedly; count outputs that differ. */
static void *
worker_main(void *arg)
{
	struct worker		*w = arg;
	struct tmpl_vars	*v = tmpl_vars_new();
	struct buf		 b;
	char			 err[256];
	int			 i;

	tmpl_vars_set(v, "csrf_token", "tok<&>");
	tmpl_vars_set(v, "signed_in", "1");	/* the sign-out form carries it */
	tmpl_vars_set(v, "error", "<b>x</b>");
	buf_init(&b);
	for (i = 0; i < 40; i++) {
		buf_reset(&b);
		if (tmpl_render(real, "signin.xhtml", cat,
		    (enum i18n_lang)w->lang, v, &b, err, sizeof(err)) != 0 ||
		    strcmp(b.data, w->want) != 0)
			w->bad++;
	}
	buf_free(&b);
	tmpl_vars_free(v);
	return NULL;
}

START_TEST(test_threads)
{
	struct tmpl_vars	*v = tmpl_vars_new();
	struct worker		 w[8];
	pthread_t		 th[8];
	char			*want[2];
	int			 i;

	tmpl_vars_set(v, "csrf_token", "tok<&>");
	tmpl_vars_set(v, "signed_in", "1");	/* the sign-out form carries it */
	tmpl_vars_set(v, "error", "<b>x</b>");
	want[0] = render(real, "signin.xhtml", I18N_JA, v);
	want[1] = render(real, "signin.xhtml", I18N_EN, v);
	for (i = 0; i < 8; i++) {
		w[i].want = want[i % 2];
		w[i].lang = i % 2;
		w[i].bad = 0;
		ck_assert_int_eq(pthread_create(&th[i], NULL, worker_main,
		    &w[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(w[i].bad, 0);
	}
	free(want[0]);
	free(want[1]);
	tmpl_vars_free(v);
}
END_TEST

static Suite *
tmpl_suite(void)
{
	Suite	*s = suite_create("tmpl");
	TCase	*tc;

	tc = tcase_create("render");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_real_templates_load);
	tcase_add_test(tc, test_signin_ja);
	tcase_add_test(tc, test_signin_en);
	tcase_add_test(tc, test_xss_in_text);
	tcase_add_test(tc, test_xss_in_attribute);
	tcase_add_test(tc, test_javascript_href);
	tcase_add_test(tc, test_url_attributes);
	tcase_add_test(tc, test_if_unless);
	tcase_add_test(tc, test_each);
	tcase_add_test(tc, test_each_empty_list);
	tcase_add_test(tc, test_text_msg_attr);
	tcase_add_test(tc, test_markup);
	tcase_add_test(tc, test_invalid_utf8_values);
	tcase_add_test(tc, test_bound_catalog_escaped);
	tcase_add_test(tc, test_vars_kinds);
	tcase_add_test(tc, test_error_page);
	tcase_add_test(tc, test_layout_alone);
	tcase_add_test(tc, test_unknown_template);
	tcase_add_test(tc, test_check_keys);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_serialiser_rules);
	tcase_add_test(tc, test_real_pages_as_libxml2_saves);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_reject_script);
	tcase_add_test(tc, test_reject_event_handlers);
	tcase_add_test(tc, test_reject_unknown);
	tcase_add_test(tc, test_reject_entities);
	tcase_add_test(tc, test_reject_malformed);
	tcase_add_test(tc, test_reject_pages);
	tcase_add_test(tc, test_reject_limits);
	tcase_add_test(tc, test_load_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(tmpl_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
