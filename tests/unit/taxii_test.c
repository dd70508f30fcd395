/*
 * taxii_test.c: the parsers of the TAXII 2.1 server (pages/taxii.c): the
 * paths under /taxii2/ with their strict trailing slashes and ids, the
 * Accept header (406) and the Content-Type of a POST (415); and the API
 * token sent as HTTP Basic's password (kit/credential.c).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credential.h"
#include "taxii.h"

#define C	"0b7c3b2e-9c1a-4e53-8f3e-2f5d6a7b8c9d"
#define O	"indicator--6b7d2a8e-1f3c-4d5e-9a0b-1c2d3e4f5a6b"

static enum taxii_what
what(const char *rest)
{
	struct taxii_res	r;

	if (taxii_path_parse(rest, &r) == -1) {
		ck_assert_int_eq(r.what, TAXII_NONE);
		return TAXII_NONE;
	}
	return r.what;
}

START_TEST(paths)
{
	struct taxii_res	r;

	ck_assert_int_eq(what(""), TAXII_DISCOVERY);
	ck_assert_int_eq(what("council/"), TAXII_API_ROOT);
	ck_assert_int_eq(what("council/collections/"), TAXII_COLLECTIONS);
	ck_assert_int_eq(what("council/collections/" C "/"), TAXII_COLLECTION);
	ck_assert_int_eq(what("council/collections/" C "/objects/"),
	    TAXII_OBJECTS);
	ck_assert_int_eq(what("council/collections/" C "/manifest/"),
	    TAXII_MANIFEST);
	ck_assert_int_eq(what("council/status/" C "/"), TAXII_STATUS);
	ck_assert_int_eq(taxii_path_parse("council/collections/" C "/objects/"
	    O "/versions/", &r), 0);
	ck_assert_int_eq(r.what, TAXII_VERSIONS);
	ck_assert_str_eq(r.id, C);
	ck_assert_str_eq(r.object, O);
	ck_assert_int_eq(taxii_path_parse("council/collections/" C "/objects/"
	    O "/", &r), 0);
	ck_assert_int_eq(r.what, TAXII_OBJECT);
	ck_assert_str_eq(r.object, O);
}
END_TEST

START_TEST(paths_refused)
{
	char		id[TAXII_OBJECT_MAX + 2], path[TAXII_OBJECT_MAX + 128];

	ck_assert_int_eq(what(NULL), TAXII_NONE);
	ck_assert_int_eq(what("council"), TAXII_NONE);	/* no slash */
	ck_assert_int_eq(what("council/collections"), TAXII_NONE);
	ck_assert_int_eq(what("council//"), TAXII_NONE);
	ck_assert_int_eq(what("other/"), TAXII_NONE);
	ck_assert_int_eq(what("council/collections/" C), TAXII_NONE);
	ck_assert_int_eq(what("council/collections/" C "/objects"), TAXII_NONE);
	ck_assert_int_eq(what("council/collections/x/"), TAXII_NONE);
	ck_assert_int_eq(what("council/collections/"
	    "0b7c3b2e-9c1a-4e53-8f3e-2f5d6a7b8c9dd/"), TAXII_NONE);
	ck_assert_int_eq(what("council/collections/"
	    "0b7c3b2e_9c1a-4e53-8f3e-2f5d6a7b8c9d/"), TAXII_NONE);
	ck_assert_int_eq(what("council/collections/" C "/objects/Indicator--1/"),
	    TAXII_NONE);
	ck_assert_int_eq(what("council/collections/" C "/objects/--x/"),
	    TAXII_NONE);
	ck_assert_int_eq(what("council/collections/" C "/objects/x--/"),
	    TAXII_NONE);
	ck_assert_int_eq(what("council/collections/" C "/objects/" O
	    "/version/"), TAXII_NONE);
	ck_assert_int_eq(what("council/collections/" C "/objects/" O
	    "/versions/x/"), TAXII_NONE);
	ck_assert_int_eq(what("council/collections/" C "/manifest/x/"),
	    TAXII_NONE);
	ck_assert_int_eq(what("council/status/x/"), TAXII_NONE);
	ck_assert_int_eq(what("council/status/" C "/x/"), TAXII_NONE);
	/* An object id of TAXII_OBJECT_MAX bytes, then one more. */
	memset(id, 'a', sizeof(id) - 1);
	memcpy(id + 5, "--", 2);
	id[TAXII_OBJECT_MAX] = '\0';
	snprintf(path, sizeof(path), "council/collections/" C "/objects/%s/",
	    id);
	ck_assert_int_eq(what(path), TAXII_OBJECT);
	id[TAXII_OBJECT_MAX] = 'a';
	id[TAXII_OBJECT_MAX + 1] = '\0';
	snprintf(path, sizeof(path), "council/collections/" C "/objects/%s/",
	    id);
	ck_assert_int_eq(what(path), TAXII_NONE);
}
END_TEST

START_TEST(accept_header)
{
	ck_assert(taxii_accept_ok(NULL));
	ck_assert(taxii_accept_ok(""));
	ck_assert(taxii_accept_ok("application/taxii+json;version=2.1"));
	ck_assert(taxii_accept_ok("application/taxii+json; version=2.1"));
	ck_assert(taxii_accept_ok("application/taxii+json;version=\"2.1\""));
	ck_assert(taxii_accept_ok("Application/TAXII+JSON"));
	ck_assert(taxii_accept_ok("*/*"));
	ck_assert(taxii_accept_ok("application/*;q=0.5"));
	ck_assert(taxii_accept_ok("application/json, */*;q=0.1"));
	ck_assert(taxii_accept_ok("text/html,application/taxii+json;version=2.1"));
	ck_assert(!taxii_accept_ok("application/json"));
	ck_assert(!taxii_accept_ok("application/taxii+json;version=2.0"));
	ck_assert(!taxii_accept_ok("application/vnd.oasis.taxii+json; version=2.0"));
	ck_assert(!taxii_accept_ok("application/taxii+json;q=0"));
	ck_assert(!taxii_accept_ok("*/*;q=0.0, text/html"));
	ck_assert(!taxii_accept_ok("application/taxii+jsonx"));
	ck_assert(!taxii_accept_ok(","));
}
END_TEST

START_TEST(accept_limit)
{
	char	h[64 * 12 + 64];
	int	i;

	h[0] = '\0';
	for (i = 0; i < TAXII_ACCEPT_MAX; i++)
		strcat(h, "text/html, ");
	strcat(h, "*/*");
	ck_assert(!taxii_accept_ok(h));	/* beyond the ranges read */
}
END_TEST

START_TEST(content_type)
{
	ck_assert(taxii_content_type_ok("application/taxii+json;version=2.1"));
	ck_assert(taxii_content_type_ok("application/taxii+json"));
	ck_assert(taxii_content_type_ok("application/taxii+json; charset=utf-8"));
	ck_assert(!taxii_content_type_ok(NULL));
	ck_assert(!taxii_content_type_ok("application/json"));
	ck_assert(!taxii_content_type_ok("*/*"));
	ck_assert(!taxii_content_type_ok("application/taxii+json;version=2.0"));
	ck_assert(!taxii_content_type_ok("application/stix+json;version=2.1"));
}
END_TEST

#define TOK	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

START_TEST(basic)
{
	char	out[CREDENTIAL_TOKEN_HEX + 1];

	/* base64("taxii:" TOK) and base64(":" TOK) */
	ck_assert_int_eq(credential_basic("Basic dGF4aWk6MDEyMzQ1Njc4OWFiY2RlZjAx"
	    "MjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZg==",
	    out), 1);
	ck_assert_str_eq(out, TOK);
	ck_assert_int_eq(credential_basic("basic OjAxMjM0NTY3ODlhYmNkZWYwMTIzND"
	    "U2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", out),
	    1);
	ck_assert_str_eq(out, TOK);
	/* no colon; a short password; not base64; Bearer */
	ck_assert_int_eq(credential_basic("Basic MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3"
	    "ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZg==", out), 0);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(credential_basic("Basic dTpwYXNzd29yZA==", out), 0);
	ck_assert_int_eq(credential_basic("Basic !!!!", out), 0);
	ck_assert_int_eq(credential_basic("Basic ", out), 0);
	ck_assert_int_eq(credential_basic("Basic abc", out), 0);
	ck_assert_int_eq(credential_basic("Basic QQ==QUFB", out), 0);	/* '=' inside */
	ck_assert_int_eq(credential_basic("Basic Q===", out), 0);
	ck_assert_int_eq(credential_basic("Bearer " TOK, out), 0);
	ck_assert_int_eq(credential_basic(NULL, out), 0);
}
END_TEST

START_TEST(basic_limit)
{
	char	h[CREDENTIAL_BASIC_MAX + 16], out[CREDENTIAL_TOKEN_HEX + 1];

	memcpy(h, "Basic ", 6);
	memset(h + 6, 'A', CREDENTIAL_BASIC_MAX + 4);
	h[6 + CREDENTIAL_BASIC_MAX + 4] = '\0';
	ck_assert_int_eq(credential_basic(h, out), 0);
}
END_TEST

static Suite *
taxii_suite(void)
{
	Suite	*s = suite_create("taxii");
	TCase	*tc = tcase_create("parsers");

	tcase_add_test(tc, paths);
	tcase_add_test(tc, paths_refused);
	tcase_add_test(tc, accept_header);
	tcase_add_test(tc, accept_limit);
	tcase_add_test(tc, content_type);
	tcase_add_test(tc, basic);
	tcase_add_test(tc, basic_limit);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(taxii_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
