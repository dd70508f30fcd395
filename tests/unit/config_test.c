/*
 * config_test.c: the configuration parser, its limits, and that the
 * shipped sample and docs name every setting of the table.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util.h"

static int
parse(struct config *cfg, const char *text, char *err, size_t errlen)
{
	config_defaults(cfg);
	return config_parse(cfg, text, strlen(text), err, errlen);
}

START_TEST(defaults_are_valid)
{
	struct config	cfg;
	char		err[256];

	config_defaults(&cfg);
	ck_assert_int_eq(config_validate(&cfg, err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.listen_address, "127.0.0.1");
	ck_assert_int_eq(cfg.listen_port, 8080);
	ck_assert_int_eq(cfg.max_body_size, 1024 * 1024);
	ck_assert_int_eq(cfg.max_header_size, 12 * 1024);
	ck_assert_int_eq(cfg.connection_memory_limit, 24 * 1024);
	ck_assert_int_eq(cfg.attachment_max_size, 10 * 1024 * 1024);
	config_free(&cfg);
}
END_TEST

START_TEST(parses_values_comments_quotes_sizes)
{
	struct config	cfg;
	char		err[256];
	const char	*text =
	    "# comment line\n"
	    "\n"
	    "listen_port = 9090   # trailing comment\n"
	    "  db_conninfo = \"host=/tmp dbname=x # not a comment \\\"q\\\"\"\n"
	    "max_body_size = 2M\n"
	    "attachment_max_size = 512k\n"
	    "connection_memory_limit=128k\n"
	    "log_level = debug";

	ck_assert_int_eq(parse(&cfg, text, err, sizeof(err)), 0);
	ck_assert_int_eq(cfg.listen_port, 9090);
	ck_assert_str_eq(cfg.db_conninfo,
	    "host=/tmp dbname=x # not a comment \"q\"");
	ck_assert_int_eq(cfg.max_body_size, 2 * 1024 * 1024);
	ck_assert_int_eq(cfg.attachment_max_size, 512 * 1024);
	ck_assert_int_eq(cfg.connection_memory_limit, 128 * 1024);
	ck_assert_str_eq(cfg.log_level, "debug");
	config_free(&cfg);
}
END_TEST

START_TEST(rejects_bad_input_with_line_numbers)
{
	static const struct {
		const char	*text;
		const char	*want;
	} cases[] = {
		{ "nosuch = 1\n", "line 1: unknown setting" },
		{ "\nlisten_port = 0x10\n", "line 2: listen_port: not a number" },
		{ "listen_port = 70000\n", "line 1: listen_port: 70000 is outside" },
		{ "listen_port = -1\n", "outside" },
		{ "listen_port = 99999999999999999999\n", "not a number" },
		{ "listen_port\n", "line 1: expected name = value" },
		{ "listen_port = 1\nlisten_port = 2\n", "line 2: listen_port is set twice" },
		{ "db_conninfo = \"unterminated\n", "line 1: broken quoting" },
		{ "db_conninfo = \"a\" trailing\n", "broken quoting" },
		{ "max_body_size = 5G\n", "not a size" },
		{ "max_body_size = 512\n", "outside" },
		{ "attachment_max_size = 11M\n", "outside" },
		{ "attachment_max_size = 1023\n", "outside" },
		{ "attachment_max_size = 1G\n", "not a size" },
	};
	struct config	cfg;
	char		err[256];
	size_t		i;

	for (i = 0; i < UTIL_ARRAY_LEN(cases); i++) {
		ck_assert_msg(parse(&cfg, cases[i].text, err, sizeof(err)) == -1,
		    "accepted: %s", cases[i].text);
		ck_assert_msg(strstr(err, cases[i].want) != NULL,
		    "case %zu: got \"%s\", want \"%s\"", i, err, cases[i].want);
		config_free(&cfg);
	}
}
END_TEST

START_TEST(rejects_long_lines_nul_and_long_strings)
{
	struct config	cfg;
	char		err[256];
	struct buf	b;
	int		i;

	buf_init(&b);
	buf_puts(&b, "db_conninfo = ");
	for (i = 0; i < CONFIG_MAX_LINE; i++)
		buf_puts(&b, "x");
	config_defaults(&cfg);
	ck_assert_int_eq(config_parse(&cfg, b.data, b.len, err, sizeof(err)), -1);
	ck_assert(strstr(err, "longer than") != NULL);
	config_free(&cfg);

	buf_reset(&b);
	buf_puts(&b, "db_conninfo = ");
	for (i = 0; i < CONFIG_MAX_STRING + 1; i++)
		buf_puts(&b, "x");
	config_defaults(&cfg);
	ck_assert_int_eq(config_parse(&cfg, b.data, b.len, err, sizeof(err)), -1);
	ck_assert(strstr(err, "too long") != NULL);
	config_free(&cfg);

	config_defaults(&cfg);
	ck_assert_int_eq(config_parse(&cfg, "listen_port = 1\0", 16, err,
	    sizeof(err)), -1);
	ck_assert(strstr(err, "NUL") != NULL);
	config_free(&cfg);
	buf_free(&b);
}
END_TEST

START_TEST(validate_cross_checks)
{
	struct config	cfg;
	char		err[256];

	ck_assert_int_eq(parse(&cfg, "max_header_size = 60k\n"
	    "connection_memory_limit = 64k\n", err, sizeof(err)), 0);
	ck_assert_int_eq(config_validate(&cfg, err, sizeof(err)), -1);
	ck_assert(strstr(err, "max_header_size") != NULL);
	config_free(&cfg);

	ck_assert_int_eq(parse(&cfg, "worker_threads = 8\ndb_pool_size = 2\n",
	    err, sizeof(err)), 0);
	ck_assert_int_eq(config_validate(&cfg, err, sizeof(err)), -1);
	config_free(&cfg);

	ck_assert_int_eq(parse(&cfg, "log_level = loud\n", err, sizeof(err)), 0);
	ck_assert_int_eq(config_validate(&cfg, err, sizeof(err)), -1);
	config_free(&cfg);
}
END_TEST

/* Read a file of the source tree into a buffer. */
static void
slurp(const char *rel, struct buf *b)
{
	const char	*src = getenv("COUNCIL_SRCDIR");
	char		 path[1024], chunk[4096];
	FILE		*f;
	size_t		 n;

	snprintf(path, sizeof(path), "%s/%s", src ? src : ".", rel);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(b, chunk, n);
	fclose(f);
}

START_TEST(sample_and_docs_cover_every_setting)
{
	struct config	cfg;
	struct buf	sample, doc;
	char		err[256], needle[128];
	size_t		i;

	buf_init(&sample);
	buf_init(&doc);
	slurp("deploy/councild.conf.sample", &sample);
	slurp("docs/configuration.md", &doc);
	config_defaults(&cfg);
	ck_assert_msg(config_parse(&cfg, sample.data, sample.len, err,
	    sizeof(err)) == 0, "sample: %s", err);
	ck_assert_int_eq(config_validate(&cfg, err, sizeof(err)), 0);
	for (i = 0; i < config_count(); i++) {
		snprintf(needle, sizeof(needle), "%s", config_name(i));
		ck_assert_msg(strstr(sample.data, needle) != NULL,
		    "%s missing from the sample", needle);
		snprintf(needle, sizeof(needle), "`%s`", config_name(i));
		ck_assert_msg(strstr(doc.data, needle) != NULL,
		    "%s missing from docs/configuration.md", needle);
	}
	config_free(&cfg);
	buf_free(&sample);
	buf_free(&doc);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite	*s = suite_create("config");
	TCase	*tc = tcase_create("parser");

	tcase_add_test(tc, defaults_are_valid);
	tcase_add_test(tc, parses_values_comments_quotes_sizes);
	tcase_add_test(tc, rejects_bad_input_with_line_numbers);
	tcase_add_test(tc, rejects_long_lines_nul_and_long_strings);
	tcase_add_test(tc, validate_cross_checks);
	tcase_add_test(tc, sample_and_docs_cover_every_setting);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(config_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
