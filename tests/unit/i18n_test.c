/*
 * i18n_test.c: unit tests for the PO loader (server/core/i18n.c): the syntax it
 * accepts, every refusal with its line number, the ja/en key-set check,
 * and the real catalogs under $COUNCIL_SRCDIR/po.
 */
#include <sys/stat.h>

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "util.h"

/* Keys the templates and the HTTP layer rely on. */
static const char *const required_keys[] = {
	"site.name", "site.tagline", "lang.switch", "lang.nav",
	"footer.notice", "skip.link",
	"signin.title", "signin.heading", "signin.email", "signin.password",
	"signin.submit", "signin.help", "signin.notice",
	"error.back", "error.request_id", "error.status"
};

static const int error_statuses[] = {
	400, 403, 404, 405, 408, 413, 414, 415, 429, 431, 500, 503
};

static const char *
srcdir(void)
{
	const char	*s = getenv("COUNCIL_SRCDIR");

	return s != NULL && s[0] != '\0' ? s : ".";
}

/* Parse s; the catalog, or NULL with the message in err. */
static struct i18n_catalog *
parse(const char *s, char *err, size_t errlen)
{
	return i18n_catalog_parse(s, strlen(s), err, errlen);
}

/* Assert that s is refused with a message containing want. */
static void
refused(const char *s, const char *want)
{
	struct i18n_catalog	*c;
	char			 err[256];

	c = parse(s, err, sizeof(err));
	ck_assert_msg(c == NULL, "accepted: %s", s);
	ck_assert_msg(strstr(err, want) != NULL, "error \"%s\" lacks \"%s\"",
	    err, want);
}

START_TEST(test_basic)
{
	struct i18n_catalog	*c;
	char			 err[256];

	c = parse("msgid \"a.b\"\nmsgstr \"A B\"\n\nmsgid \"c\"\n"
	    "msgstr \"サイバー\"\n", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(i18n_catalog_count(c), 2);
	ck_assert_str_eq(i18n_catalog_get(c, "a.b"), "A B");
	ck_assert_str_eq(i18n_catalog_get(c, "c"), "サイバー");
	ck_assert_ptr_null(i18n_catalog_get(c, "missing"));
	ck_assert_ptr_null(i18n_catalog_get(c, NULL));
	i18n_catalog_free(c);
	i18n_catalog_free(NULL);
}
END_TEST

START_TEST(test_empty_file)
{
	struct i18n_catalog	*c;
	char			 err[256];

	c = i18n_catalog_parse("", 0, err, sizeof(err));
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(i18n_catalog_count(c), 0);
	ck_assert_ptr_null(i18n_catalog_get(c, "x"));
	i18n_catalog_free(c);
}
END_TEST

START_TEST(test_continuation)
{
	struct i18n_catalog	*c;
	char			 err[256];

	c = parse("msgid \"\"\n\"site.\"\n  \"name\"\nmsgstr \"\"\n"
	    "\"Cyber\"\n\"security \"\t\n\"Council\"\n", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(i18n_catalog_count(c), 1);
	ck_assert_str_eq(i18n_catalog_get(c, "site.name"),
	    "Cybersecurity Council");
	i18n_catalog_free(c);
}
END_TEST

START_TEST(test_escapes)
{
	struct i18n_catalog	*c;
	char			 err[256];

	c = parse("msgid \"k\"\nmsgstr \"a\\nb\\tc\\\"d\\\\e\"\n", err,
	    sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(i18n_catalog_get(c, "k"), "a\nb\tc\"d\\e");
	i18n_catalog_free(c);
	refused("msgid \"k\"\nmsgstr \"a\\x41\"\n", "line 2: unknown escape");
	refused("msgid \"k\"\nmsgstr \"a\\\"\n", "line 2: unterminated");
}
END_TEST

START_TEST(test_comments_and_crlf)
{
	struct i18n_catalog	*c;
	char			 err[256];

	c = parse("# translator\r\n#. extracted\r\n#: file.c:1\r\n"
	    "#| msgid \"old\"\r\n#~ msgid \"obsolete\"\r\n\r\n"
	    "   msgid \"k\" \r\nmsgstr \"v\"\r\n# trailing\r\n", err,
	    sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(i18n_catalog_count(c), 1);
	ck_assert_str_eq(i18n_catalog_get(c, "k"), "v");
	i18n_catalog_free(c);
}
END_TEST

START_TEST(test_header)
{
	struct i18n_catalog	*c;
	char			 err[256];

	c = parse("#, fuzzy\nmsgid \"\"\nmsgstr \"\"\n"
	    "\"Content-Type: text/plain; charset=UTF-8\\n\"\n\n"
	    "msgid \"k\"\nmsgstr \"v\"\n", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(i18n_catalog_count(c), 1);
	ck_assert_ptr_null(i18n_catalog_get(c, ""));
	i18n_catalog_free(c);
	refused("msgid \"\"\nmsgstr \"h\"\n\nmsgid \"\"\nmsgstr \"h\"\n",
	    "line 4: second header");
}
END_TEST

START_TEST(test_duplicate_key)
{
	refused("msgid \"a\"\nmsgstr \"1\"\n\nmsgid \"b\"\nmsgstr \"2\"\n\n"
	    "msgid \"a\"\nmsgstr \"3\"\n", "line 7: duplicate key \"a\" "
	    "(first at line 1)");
}
END_TEST

START_TEST(test_empty_msgstr)
{
	refused("msgid \"ok\"\nmsgstr \"x\"\n\nmsgid \"todo\"\nmsgstr \"\"\n",
	    "line 4: empty msgstr for \"todo\"");
	refused("msgid \"todo\"\nmsgstr \"\"\n\"\"\n", "line 1: empty msgstr");
}
END_TEST

START_TEST(test_plural_refused)
{
	refused("msgid \"file\"\nmsgid_plural \"files\"\n"
	    "msgstr[0] \"ファイル\"\n", "line 2: plural forms");
	refused("msgid \"file\"\nmsgstr[0] \"x\"\n", "line 2: plural forms");
}
END_TEST

START_TEST(test_msgctxt_refused)
{
	refused("msgctxt \"menu\"\nmsgid \"k\"\nmsgstr \"v\"\n",
	    "line 1: msgctxt is not supported");
}
END_TEST

START_TEST(test_unterminated)
{
	refused("msgid \"k\nmsgstr \"v\"\n", "line 1: unterminated string");
	refused("msgid \"k\"\nmsgstr \"v", "line 2: unterminated string");
	refused("msgid \"k\"\nmsgstr \"v\" x\n", "line 2: text after");
}
END_TEST

START_TEST(test_invalid_utf8)
{
	refused("msgid \"k\"\nmsgstr \"\xff\"\n", "line 2: invalid UTF-8");
	refused("# ok\n\nmsgid \"k\"\nmsgstr \"\xc0\xaf\"\n",
	    "line 4: invalid UTF-8");			/* overlong '/' */
	refused("msgid \"k\"\nmsgstr \"\xed\xa0\x80\"\n",
	    "line 2: invalid UTF-8");			/* surrogate */
	refused("msgid \"k\"\nmsgstr \"\xe3\x82\"\n",
	    "line 2: invalid UTF-8");			/* truncated */
}
END_TEST

START_TEST(test_nul_and_controls)
{
	struct i18n_catalog	*c;
	char			 err[256];
	static const char	 t[] = "msgid \"k\"\nmsgstr \"a\0b\"\n";

	c = i18n_catalog_parse(t, sizeof(t) - 1, err, sizeof(err));
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(err, "line 2: NUL") != NULL, "%s", err);
	refused("msgid \"k\"\nmsgstr \"a\x01\"\n", "line 2: control");
}
END_TEST

START_TEST(test_oversize_entry)
{
	struct i18n_catalog	*c;
	struct buf		 b;
	char			 err[256];
	size_t			 i;

	/* Exactly I18N_MAX_ENTRY bytes, 64 per continuation line. */
	buf_init(&b);
	buf_puts(&b, "msgid \"k\"\nmsgstr \"\"\n");
	for (i = 0; i < I18N_MAX_ENTRY / 64; i++)
		buf_puts(&b, "\"0123456789abcdef0123456789abcdef"
		    "0123456789abcdef0123456789abcdef\"\n");
	c = i18n_catalog_parse(b.data, b.len, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(strlen(i18n_catalog_get(c, "k")), I18N_MAX_ENTRY);
	i18n_catalog_free(c);

	/* One byte more. */
	buf_puts(&b, "\"x\"\n");
	c = i18n_catalog_parse(b.data, b.len, err, sizeof(err));
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(err, "msgstr longer than") != NULL, "%s", err);
	ck_assert_msg(strncmp(err, "line ", 5) == 0, "%s", err);
	buf_free(&b);
}
END_TEST

START_TEST(test_oversize_file)
{
	struct i18n_catalog	*c;
	char			*big, err[256];

	big = xmalloc((size_t)I18N_MAX_FILE + 2);
	memset(big, '#', (size_t)I18N_MAX_FILE + 1);
	big[I18N_MAX_FILE + 1] = '\0';
	c = i18n_catalog_parse(big, (size_t)I18N_MAX_FILE + 1, err,
	    sizeof(err));
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(err, "larger than") != NULL, "%s", err);
	/* A comment of exactly the limit is fine. */
	c = i18n_catalog_parse(big, (size_t)I18N_MAX_FILE, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	i18n_catalog_free(c);
	free(big);
}
END_TEST

START_TEST(test_structure_errors)
{
	refused("msgstr \"v\"\n", "line 1: msgstr without msgid");
	refused("msgid \"a\"\n\nmsgstr \"v\"\n", "line 1: msgid without "
	    "msgstr");
	refused("msgid \"a\"\nmsgid \"b\"\nmsgstr \"v\"\n", "line 1: msgid "
	    "without msgstr");
	refused("msgid \"a\"\n", "line 1: msgid without msgstr");
	refused("\"loose\"\n", "line 1: string outside an entry");
	refused("msgid \"a\"\nmsgstr \"v\"\nmsgfoo \"x\"\n",
	    "line 3: unknown keyword");
	refused("msgid a\nmsgstr \"v\"\n", "line 1: expected a string");
	refused("msgid \"Sign in\"\nmsgstr \"v\"\n", "line 1: msgid \"Sign "
	    "in\" is not a symbolic key");
	refused("#, fuzzy\nmsgid \"k\"\nmsgstr \"v\"\n", "line 2: entry "
	    "\"k\" is marked fuzzy");
}
END_TEST

/* A scratch directory holding ja.po and en.po. */
static void
write_file(const char *dir, const char *name, const char *text)
{
	char	 path[PATH_MAX];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void
remove_dir(const char *dir)
{
	char	path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/ja.po", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/en.po", dir);
	unlink(path);
	rmdir(dir);
}

START_TEST(test_load_mismatch)
{
	struct i18n	*i;
	char		 dir[] = "/tmp/i18n_test.XXXXXX", err[512];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_file(dir, "ja.po", "msgid \"a\"\nmsgstr \"あ\"\n\n"
	    "msgid \"b\"\nmsgstr \"い\"\n\nmsgid \"c\"\nmsgstr \"う\"\n");
	write_file(dir, "en.po", "msgid \"a\"\nmsgstr \"A\"\n\n"
	    "msgid \"c\"\nmsgstr \"C\"\n");
	i = i18n_load(dir, err, sizeof(err));
	ck_assert_ptr_null(i);
	ck_assert_msg(strstr(err, "en.po: key \"b\" is missing") != NULL &&
	    strstr(err, "ja.po") != NULL, "%s", err);

	/* The other way round. */
	write_file(dir, "en.po", "msgid \"a\"\nmsgstr \"A\"\n\n"
	    "msgid \"b\"\nmsgstr \"B\"\n\nmsgid \"c\"\nmsgstr \"C\"\n\n"
	    "msgid \"d\"\nmsgstr \"D\"\n");
	i = i18n_load(dir, err, sizeof(err));
	ck_assert_ptr_null(i);
	ck_assert_msg(strstr(err, "ja.po: key \"d\" is missing") != NULL,
	    "%s", err);

	/* Equal sets load. */
	write_file(dir, "en.po", "msgid \"c\"\nmsgstr \"C\"\n\n"
	    "msgid \"b\"\nmsgstr \"B\"\n\nmsgid \"a\"\nmsgstr \"A\"\n");
	i = i18n_load(dir, err, sizeof(err));
	ck_assert_msg(i != NULL, "%s", err);
	ck_assert_str_eq(i18n_text(i, I18N_JA, "b"), "い");
	ck_assert_str_eq(i18n_text(i, I18N_EN, "b"), "B");
	i18n_free(i);
	remove_dir(dir);
}
END_TEST

START_TEST(test_load_errors_name_file)
{
	struct i18n	*i;
	char		 dir[] = "/tmp/i18n_test.XXXXXX", err[512];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	i = i18n_load(dir, err, sizeof(err));
	ck_assert_ptr_null(i);
	ck_assert_msg(strstr(err, "ja.po") != NULL, "%s", err);

	write_file(dir, "ja.po", "msgid \"a\"\nmsgstr \"あ\"\n");
	write_file(dir, "en.po", "msgid \"a\"\nmsgstr \"A\"\nmsgctxt \"x\"\n");
	i = i18n_load(dir, err, sizeof(err));
	ck_assert_ptr_null(i);
	ck_assert_msg(strstr(err, "/en.po: line 3: msgctxt") != NULL, "%s",
	    err);
	remove_dir(dir);
	i18n_free(NULL);
}
END_TEST

START_TEST(test_text_fallback)
{
	struct i18n	*i;
	char		 dir[] = "/tmp/i18n_test.XXXXXX", err[512];
	const char	*key = "nowhere";

	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_file(dir, "ja.po", "msgid \"a\"\nmsgstr \"あ\"\n");
	write_file(dir, "en.po", "msgid \"a\"\nmsgstr \"A\"\n");
	i = i18n_load(dir, err, sizeof(err));
	ck_assert_msg(i != NULL, "%s", err);
	ck_assert_ptr_eq(i18n_text(i, I18N_EN, key), key);
	ck_assert_str_eq(i18n_text(i, (enum i18n_lang)7, "a"), "あ");
	ck_assert_int_eq(i18n_has(i, I18N_EN, "a"), 1);
	ck_assert_int_eq(i18n_has(i, I18N_EN, key), 0);
	i18n_free(i);
	remove_dir(dir);

	ck_assert_int_eq(i18n_lang_parse("ja"), I18N_JA);
	ck_assert_int_eq(i18n_lang_parse("en"), I18N_EN);
	ck_assert_int_eq(i18n_lang_parse("EN"), -1);
	ck_assert_int_eq(i18n_lang_parse("fr"), -1);
	ck_assert_int_eq(i18n_lang_parse(""), -1);
	ck_assert_int_eq(i18n_lang_parse(NULL), -1);
	ck_assert_str_eq(i18n_lang_code(I18N_JA), "ja");
	ck_assert_str_eq(i18n_lang_code(I18N_EN), "en");
}
END_TEST

/* The shipped catalogs: they load, and every key has a real text. */
START_TEST(test_real_catalogs)
{
	struct i18n	*i;
	char		 dir[PATH_MAX], err[512], key[64];
	const char	*ja, *en;
	size_t		 k;
	int		 s;

	snprintf(dir, sizeof(dir), "%s/po", srcdir());
	i = i18n_load(dir, err, sizeof(err));
	ck_assert_msg(i != NULL, "%s", err);
	for (k = 0; k < UTIL_ARRAY_LEN(required_keys) +
	    2 * UTIL_ARRAY_LEN(error_statuses); k++) {
		if (k < UTIL_ARRAY_LEN(required_keys))
			snprintf(key, sizeof(key), "%s", required_keys[k]);
		else {
			s = error_statuses[(k - UTIL_ARRAY_LEN(required_keys))
			    / 2];
			snprintf(key, sizeof(key), "error.%d.%s", s,
			    (k - UTIL_ARRAY_LEN(required_keys)) % 2 ?
			    "body" : "title");
		}
		ck_assert_msg(i18n_has(i, I18N_JA, key), "ja lacks %s", key);
		ck_assert_msg(i18n_has(i, I18N_EN, key), "en lacks %s", key);
		ja = i18n_text(i, I18N_JA, key);
		en = i18n_text(i, I18N_EN, key);
		ck_assert_msg(ja[0] != '\0' && en[0] != '\0', "empty %s", key);
		ck_assert_msg(strcmp(key, "error.request_id") == 0 ||
		    strcmp(ja, en) != 0, "%s is not translated", key);
	}
	ck_assert_str_eq(i18n_text(i, I18N_JA, "site.name"),
	    "サイバーセキュリティ協議会 ポータル");
	ck_assert_str_eq(i18n_text(i, I18N_EN, "site.name"),
	    "Cybersecurity Council Portal");
	ck_assert_str_eq(i18n_text(i, I18N_JA, "lang.switch"), "English");
	ck_assert_str_eq(i18n_text(i, I18N_EN, "lang.switch"), "日本語");
	ck_assert_str_eq(i18n_text(i, I18N_JA, "skip.link"), "本文へ移動");
	ck_assert_str_eq(i18n_text(i, I18N_EN, "skip.link"),
	    "Skip to content");
	ck_assert_str_eq(i18n_text(i, I18N_JA, "error.request_id"),
	    "参照番号");
	ck_assert_str_eq(i18n_text(i, I18N_EN, "error.request_id"),
	    "Reference");
	ck_assert_ptr_nonnull(strstr(i18n_text(i, I18N_JA, "footer.notice"),
	    "守秘義務"));
	ck_assert_ptr_nonnull(strstr(i18n_text(i, I18N_JA,
	    "error.413.body"), "大きさが上限"));
	ck_assert_ptr_nonnull(strstr(i18n_text(i, I18N_EN,
	    "error.431.body"), "headers"));
	i18n_free(i);
}
END_TEST

/* Accept-Language (RFC 9110 12.5.4): the weights decide, ties go to the
 * first, subtags and case do not matter, q=0 and bad weights void a
 * range, and a header too long or naming neither language says nothing. */
START_TEST(test_accept_language)
{
	static const struct {
		const char	*h;
		int		 want;
	} cases[] = {
		{ NULL, -1 },
		{ "", -1 },
		{ "en", I18N_EN },
		{ "ja", I18N_JA },
		{ "en-US,en;q=0.9", I18N_EN },
		{ "ja-JP,ja;q=0.9,en-US;q=0.8,en;q=0.7", I18N_JA },
		{ "fr-FR, en;q=0.5, ja;q=0.4", I18N_EN },
		{ "fr, de;q=0.9", -1 },
		{ "*", -1 },
		{ "en;q=0.1, ja;q=0.9", I18N_JA },
		{ "EN-gb", I18N_EN },
		{ "JA", I18N_JA },
		{ "en;q=0, ja;q=0.001", I18N_JA },
		{ "en;q=0", -1 },
		{ "en;q=1.0, ja;q=1", I18N_EN },		/* a tie: the first */
		{ "en;q=1.5, ja;q=0.2", I18N_JA },		/* bad weight */
		{ "en;q=0.1234, ja;q=0.2", I18N_JA },	/* four decimals */
		{ "en;q=abc, ja", I18N_JA },
		{ "en; level=1, ja;q=0.5", I18N_JA },	/* not a weight */
		{ "  en  ;  q=0.8 , ja ; q=0.7 ", I18N_EN },
		{ "eng, jav", -1 },
		{ "en-", I18N_EN },	/* a dangling hyphen: read leniently */
		{ "english", -1 },
		{ ",,,ja", I18N_JA },
		{ "ja;q=", -1 },
	};
	char	long_h[I18N_MAX_ACCEPT + 8], many[40 * 4 + 8];
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(i18n_accept_lang(cases[i].h) == cases[i].want,
		    "\"%s\": %d, not %d", cases[i].h ? cases[i].h : "(null)",
		    i18n_accept_lang(cases[i].h), cases[i].want);
	/* Longer than the limit: ignored, even if it names "en" first. */
	memset(long_h, ' ', sizeof(long_h) - 1);
	long_h[sizeof(long_h) - 1] = '\0';
	memcpy(long_h, "en", 2);
	ck_assert_int_eq(i18n_accept_lang(long_h), -1);
	long_h[I18N_MAX_ACCEPT] = '\0';
	ck_assert_int_eq(i18n_accept_lang(long_h), I18N_EN);
	/* Only the first I18N_MAX_RANGES ranges are read. */
	many[0] = '\0';
	for (i = 0; i < I18N_MAX_RANGES; i++)
		strcat(many, "fr,");
	strcat(many, "en");
	ck_assert_int_eq(i18n_accept_lang(many), -1);
}
END_TEST

static Suite *
i18n_suite(void)
{
	Suite	*s = suite_create("i18n");
	TCase	*tc = tcase_create("po");

	tcase_add_test(tc, test_basic);
	tcase_add_test(tc, test_empty_file);
	tcase_add_test(tc, test_continuation);
	tcase_add_test(tc, test_escapes);
	tcase_add_test(tc, test_comments_and_crlf);
	tcase_add_test(tc, test_header);
	tcase_add_test(tc, test_duplicate_key);
	tcase_add_test(tc, test_empty_msgstr);
	tcase_add_test(tc, test_plural_refused);
	tcase_add_test(tc, test_msgctxt_refused);
	tcase_add_test(tc, test_unterminated);
	tcase_add_test(tc, test_invalid_utf8);
	tcase_add_test(tc, test_nul_and_controls);
	tcase_add_test(tc, test_oversize_entry);
	tcase_add_test(tc, test_oversize_file);
	tcase_add_test(tc, test_structure_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_add_test(tc, test_load_mismatch);
	tcase_add_test(tc, test_load_errors_name_file);
	tcase_add_test(tc, test_text_fallback);
	tcase_add_test(tc, test_real_catalogs);
	tcase_add_test(tc, test_accept_language);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(i18n_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
