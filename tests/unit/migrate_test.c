/*
 * migrate_test.c: migration names, listing order, duplicates and
 * checksums (the database side is covered by deploy/test.sh).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migrate.h"
#include "util.h"

START_TEST(names)
{
	ck_assert_int_eq(migrate_parse_name("0001_foundation.sql"), 1);
	ck_assert_int_eq(migrate_parse_name("0042_a_b9.sql"), 42);
	ck_assert_int_eq(migrate_parse_name("1_x.sql"), -1);
	ck_assert_int_eq(migrate_parse_name("0001-x.sql"), -1);
	ck_assert_int_eq(migrate_parse_name("0001_X.sql"), -1);
	ck_assert_int_eq(migrate_parse_name("0001_.sql"), -1);
	ck_assert_int_eq(migrate_parse_name("0001_x.sql~"), -1);
	ck_assert_int_eq(migrate_parse_name("000a_x.sql"), -1);
	ck_assert_int_eq(migrate_parse_name("0001_x y.sql"), -1);
}
END_TEST

static char tmpdir[64];

static void
mkfile(const char *name, const char *text)
{
	char	path[256];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void
setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/migrate_test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	char	cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(list_sorts_and_hashes)
{
	struct migration	*m;
	size_t			 n;
	char			 err[256], want[65];

	mkfile("0010_later.sql", "SELECT 10;");
	mkfile("0002_second.sql", "SELECT 2;");
	mkfile("0001_first.sql", "SELECT 1;");
	mkfile("README", "not sql");
	ck_assert_int_eq(migrate_list(tmpdir, 1, &m, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(m[0].name, "0001_first.sql");
	ck_assert_str_eq(m[1].name, "0002_second.sql");
	ck_assert_str_eq(m[2].name, "0010_later.sql");
	ck_assert_int_eq(m[2].version, 10);
	util_sha256_hex("SELECT 1;", 9, want);
	ck_assert_str_eq(m[0].sha256, want);
	migrate_list_free(m, n);
}
END_TEST

START_TEST(list_refuses_duplicates_and_bad_names)
{
	struct migration	*m = NULL;
	size_t			 n = 0;
	char			 err[256];

	mkfile("0001_a.sql", "SELECT 1;");
	mkfile("0001_b.sql", "SELECT 1;");
	ck_assert_int_eq(migrate_list(tmpdir, 1, &m, &n, err, sizeof(err)), -1);
	ck_assert(strstr(err, "same number") != NULL);
	teardown();
	setup();
	mkfile("1_short.sql", "SELECT 1;");
	ck_assert_int_eq(migrate_list(tmpdir, 1, &m, &n, err, sizeof(err)), -1);
	ck_assert(strstr(err, "not a migration name") != NULL);
	/* Policy listing takes any .sql name, in name order. */
	mkfile("b.sql", "x");
	ck_assert_int_eq(migrate_list(tmpdir, 0, &m, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(m[0].name, "1_short.sql");
	ck_assert_str_eq(m[1].name, "b.sql");
	migrate_list_free(m, n);
}
END_TEST

START_TEST(list_refuses_oversized_and_missing)
{
	struct migration	*m = NULL;
	size_t			 n = 0;
	char			 err[256], path[256];
	FILE			*f;

	snprintf(path, sizeof(path), "%s/0001_big.sql", tmpdir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, MIGRATE_MAX_FILE_SIZE + 1, SEEK_SET), 0);
	fputc('x', f);
	fclose(f);
	ck_assert_int_eq(migrate_list(tmpdir, 1, &m, &n, err, sizeof(err)), -1);
	ck_assert(strstr(err, "larger than") != NULL);
	ck_assert_int_eq(migrate_list("/nonexistent/dir", 1, &m, &n, err,
	    sizeof(err)), -1);
}
END_TEST

START_TEST(list_of_empty_folder)
{
	struct migration	*m = NULL;
	size_t			 n = 99;
	char			 err[256];

	/* Found by UBSan: qsort(NULL, 0) on an empty folder. */
	ck_assert_int_eq(migrate_list(tmpdir, 1, &m, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 0);
	migrate_list_free(m, n);
}
END_TEST

START_TEST(real_migrations_list)
{
	struct migration	*m = NULL;
	size_t			 n = 0, i;
	char			 err[256], dir[1024];
	const char		*src = getenv("COUNCIL_SRCDIR");

	snprintf(dir, sizeof(dir), "%s/migrations", src ? src : ".");
	ck_assert_msg(migrate_list(dir, 1, &m, &n, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_uint_ge(n, 1);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(m[i].version, (int)i + 1);	/* no gaps */
	migrate_list_free(m, n);
}
END_TEST

static Suite *
migrate_suite(void)
{
	Suite	*s = suite_create("migrate");
	TCase	*tc = tcase_create("files");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, names);
	tcase_add_test(tc, list_sorts_and_hashes);
	tcase_add_test(tc, list_refuses_duplicates_and_bad_names);
	tcase_add_test(tc, list_refuses_oversized_and_missing);
	tcase_add_test(tc, list_of_empty_folder);
	tcase_add_test(tc, real_migrations_list);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(migrate_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
