/*
 * multipart_test.c: the multipart/form-data parser (multipart.c): the
 * boundary of a Content-Type, well-formed bodies parsed in place, and
 * every kind of malformed or oversized input refused as a whole.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"

#define B	"XyZ123"
#define D	"--" B "\r\n"
#define END	"--" B "--\r\n"
#define CD	"Content-Disposition: form-data; "

static const struct multipart_limits lim_default = {
	8,		/* parts */
	2048,		/* header bytes */
	256,		/* field bytes */
	64,		/* file bytes */
	4096,		/* total */
};

/* Parse the C string body with boundary B; expect rc, and for a refusal
 * an empty result and a reason containing want. */
static void
parse_expect(struct multipart *m, const char *body, size_t len, int rc,
    const char *want)
{
	char	err[256] = "";
	int	got;

	got = multipart_parse(m, body, len, B, &lim_default, err, sizeof(err));
	ck_assert_msg(got == rc, "rc %d, want %d (%s) for \"%.120s\"", got, rc,
	    err, body);
	if (rc != MULTIPART_OK) {
		ck_assert_uint_eq(m->nparts, 0);
		ck_assert_msg(strstr(err, want) != NULL,
		    "reason \"%s\", want \"%s\"", err, want);
	}
}

static void
refused(const char *body, const char *want)
{
	struct multipart	*m = calloc(1, sizeof(*m));

	parse_expect(m, body, strlen(body), MULTIPART_MALFORMED, want);
	free(m);
}

START_TEST(boundary_ok)
{
	char	b[MULTIPART_MAX_BOUNDARY + 1];
	char	ct[200];

	ck_assert_int_eq(multipart_boundary("multipart/form-data; boundary=abc",
	    b, sizeof(b)), 0);
	ck_assert_str_eq(b, "abc");
	ck_assert_int_eq(multipart_boundary("Multipart/Form-Data;BOUNDARY=a-b_c.d'e+f",
	    b, sizeof(b)), 0);
	ck_assert_str_eq(b, "a-b_c.d'e+f");
	/* Quoted: every bchar, spaces inside. */
	ck_assert_int_eq(multipart_boundary(
	    "multipart/form-data; boundary=\"a b'()+_,-./:=?z\"", b,
	    sizeof(b)), 0);
	ck_assert_str_eq(b, "a b'()+_,-./:=?z");
	ck_assert_int_eq(multipart_boundary(
	    "multipart/form-data; boundary=----WebKitFormBoundaryx7Q2 ", b,
	    sizeof(b)), 0);
	ck_assert_str_eq(b, "----WebKitFormBoundaryx7Q2");
	/* 70 characters: the longest RFC 2046 allows. */
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%070d", 7);
	ck_assert_int_eq(multipart_boundary(ct, b, sizeof(b)), 0);
	ck_assert_uint_eq(strlen(b), 70);
}
END_TEST

START_TEST(boundary_refused)
{
	static const char *const bad[] = {
		"multipart/form-data",			/* no boundary */
		"multipart/form-data;",
		"multipart/form-data; boundary=",
		"multipart/form-data; boundary=\"\"",
		"multipart/form-data; boundary=\"ab \"",	/* ends in space */
		"multipart/form-data; boundary=a(b",	/* special, unquoted */
		"multipart/form-data; boundary=a\"b\"",
		"multipart/form-data; boundary=\"a\\b\"",	/* not a bchar */
		"multipart/form-data; boundary=\"a;b",	/* unterminated */
		"multipart/form-data; boundary=a; boundary=b",
		"multipart/form-data; charset=utf-8; boundary=a",
		"multipart/form-data; boundary=a x",
		"multipart/form-datax; boundary=a",
		"multipart/mixed; boundary=a",
		"application/x-www-form-urlencoded",
		"text/plain; boundary=a",
		"multipart/form-data; boundary=é",
		"",
	};
	char	b[MULTIPART_MAX_BOUNDARY + 1], ct[200];
	size_t	i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(multipart_boundary(bad[i], b, sizeof(b)) == -1,
		    "accepted %s", bad[i]);
		ck_assert_str_eq(b, "");
	}
	ck_assert_int_eq(multipart_boundary(NULL, b, sizeof(b)), -1);
	/* 71 characters, quoted or not. */
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%071d", 7);
	ck_assert_int_eq(multipart_boundary(ct, b, sizeof(b)), -1);
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=\"%071d\"", 7);
	ck_assert_int_eq(multipart_boundary(ct, b, sizeof(b)), -1);
	/* An output buffer too small for any boundary. */
	ck_assert_int_eq(multipart_boundary("multipart/form-data; boundary=a",
	    b, 10), -1);
}
END_TEST

START_TEST(parses_in_place)
{
	static const char body[] =
	    D CD "name=\"csrf\"\r\n\r\n"
	    "0123abcd\r\n"
	    D CD "name=\"post\"\r\n\r\n"
	    "42\r\n"
	    D "content-disposition: FORM-DATA; filename=\"報告 (1).txt\";name=file\r\n"
	    "Content-Type: text/plain\r\n\r\n"
	    "line1\r\n--not the boundary\r\n\0binary\r\n"
	    END;
	struct multipart		*m = calloc(1, sizeof(*m));
	const struct multipart_part	*p;

	parse_expect(m, body, sizeof(body) - 1, MULTIPART_OK, NULL);
	ck_assert_uint_eq(m->nparts, 3);
	p = multipart_get(m, "csrf");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->is_file, 0);
	ck_assert_uint_eq(p->len, 8);
	ck_assert(memcmp(p->data, "0123abcd", 8) == 0);
	/* Not copied: the content is a pointer into the body. */
	ck_assert(p->data > body && p->data < body + sizeof(body));
	p = multipart_get(m, "post");
	ck_assert_uint_eq(p->len, 2);
	ck_assert(memcmp(p->data, "42", 2) == 0);
	p = multipart_get(m, "file");
	ck_assert_int_eq(p->is_file, 1);
	ck_assert_str_eq(p->filename, "報告 (1).txt");
	ck_assert_str_eq(p->content_type, "text/plain");
	ck_assert_uint_eq(p->len, 34);	/* CRLF, "--" and NUL kept */
	ck_assert(memcmp(p->data, "line1\r\n--not the boundary\r\n\0binary",
	    34) == 0);
	ck_assert_ptr_null(multipart_get(m, "nothing"));
	free(m);
}
END_TEST

START_TEST(edges_accepted)
{
	struct multipart	*m = calloc(1, sizeof(*m));
	static const char	 noclose_crlf[] =
	    D CD "name=a\r\n\r\nx\r\n--" B "--";
	static const char	 emptyfile[] =
	    D CD "name=\"file\"; filename=\"\"\r\n"
	    "Content-Type: application/octet-stream\r\n\r\n\r\n" END;
	static const char	 empty_form[] = "--" B "--\r\n";
	static const char	 exact[] =
	    D CD "name=f; filename=\"a.bin\"\r\n\r\n"
	    "0123456789012345678901234567890123456789012345678901234567890123"
	    "\r\n" END;
	static const char	 backslash[] =
	    D CD "name=f; filename=\"C:\\Users\\a.txt\"\r\n\r\nx\r\n" END;

	/* The close delimiter may end the body without a CRLF. */
	parse_expect(m, noclose_crlf, sizeof(noclose_crlf) - 1, MULTIPART_OK,
	    NULL);
	ck_assert_uint_eq(m->nparts, 1);
	/* A file input left empty: filename "" and no content. */
	parse_expect(m, emptyfile, sizeof(emptyfile) - 1, MULTIPART_OK, NULL);
	ck_assert_int_eq(m->parts[0].is_file, 1);
	ck_assert_str_eq(m->parts[0].filename, "");
	ck_assert_uint_eq(m->parts[0].len, 0);
	/* No parts at all. */
	parse_expect(m, empty_form, sizeof(empty_form) - 1, MULTIPART_OK, NULL);
	ck_assert_uint_eq(m->nparts, 0);
	/* A file of exactly max_file bytes. */
	parse_expect(m, exact, sizeof(exact) - 1, MULTIPART_OK, NULL);
	ck_assert_uint_eq(m->parts[0].len, 64);
	/* A backslash in a quoted file name is a byte, not an escape (as
	 * browsers send it). */
	parse_expect(m, backslash, sizeof(backslash) - 1, MULTIPART_OK, NULL);
	ck_assert_str_eq(m->parts[0].filename, "C:\\Users\\a.txt");
	free(m);
}
END_TEST

START_TEST(missing_boundary)
{
	struct multipart	*m = calloc(1, sizeof(*m));
	char			 err[128];
	static const char	 body[] = D CD "name=a\r\n\r\nx\r\n" END;

	ck_assert_int_eq(multipart_parse(m, body, sizeof(body) - 1, NULL,
	    &lim_default, err, sizeof(err)), MULTIPART_MALFORMED);
	ck_assert_str_eq(err, "no boundary");
	ck_assert_int_eq(multipart_parse(m, body, sizeof(body) - 1, "",
	    &lim_default, err, sizeof(err)), MULTIPART_MALFORMED);
	/* Another boundary than the body's. */
	ck_assert_int_eq(multipart_parse(m, body, sizeof(body) - 1, "Other",
	    &lim_default, err, sizeof(err)), MULTIPART_MALFORMED);
	ck_assert_uint_eq(m->nparts, 0);
	/* A prefix of the real boundary finds no delimiter after it. */
	ck_assert_int_eq(multipart_parse(m, body, sizeof(body) - 1, "XyZ12",
	    &lim_default, err, sizeof(err)), MULTIPART_MALFORMED);
	/* err may be NULL. */
	ck_assert_int_eq(multipart_parse(m, body, sizeof(body) - 1, NULL,
	    &lim_default, NULL, 0), MULTIPART_MALFORMED);
	free(m);
}
END_TEST

START_TEST(framing_refused)
{
	refused("", "does not start with the boundary");
	refused("preamble\r\n" D CD "name=a\r\n\r\nx\r\n" END,
	    "does not start with the boundary");
	refused(D CD "name=a\r\n\r\nx", "part 1: unterminated");
	refused(D CD "name=a\r\n\r\nx\r\n--" B, "part 1: malformed delimiter");
	refused(D CD "name=a\r\n\r\nx\r\n" D, "part 2: unterminated headers");
	refused(D CD "name=a\r\n", "part 1: unterminated headers");
	refused(D CD "name=a\r\n\r\nx\r\n--" B "--\r\nepilogue",
	    "data after the close delimiter");
	refused(D CD "name=a\r\n\r\nx\r\n--" B "-- \r\n",
	    "data after the close delimiter");
	/* Transport padding after a delimiter. */
	refused("--" B " \r\n" CD "name=a\r\n\r\nx\r\n" END,
	    "malformed first delimiter");
	refused(D CD "name=a\r\n\r\nx\r\n--" B "\t\r\n" CD "name=b\r\n\r\ny\r\n"
	    END, "part 1: malformed delimiter");
	/* A boundary-like line whose boundary continues. */
	refused(D CD "name=a\r\n\r\nx\r\n--" B "x\r\n", "part 1: malformed delimiter");
	/* LF only. */
	refused("--" B "\n" CD "name=a\n\nx\n--" B "--\n", "malformed first delimiter");
}
END_TEST

START_TEST(headers_refused)
{
	refused(D "\r\nx\r\n" END, "part 1: no Content-Disposition");
	refused(D "Content-Type: text/plain\r\n\r\nx\r\n" END,
	    "part 1: no Content-Disposition");
	refused(D "Content-Disposition: attachment; name=a\r\n\r\nx\r\n" END,
	    "part 1: not form-data");
	refused(D "Content-Disposition: form-data\r\n\r\nx\r\n" END,
	    "part 1: no name");
	refused(D CD "filename=\"a.txt\"\r\n\r\nx\r\n" END, "part 1: no name");
	refused(D CD "name=\"\"\r\n\r\nx\r\n" END, "malformed Content-Disposition");
	refused(D CD "name=a; name=b\r\n\r\nx\r\n" END, "parameter is repeated");
	refused(D CD "name=a; filename=x; filename=y\r\n\r\nx\r\n" END,
	    "parameter is repeated");
	/* RFC 7578 4.2: no filename*. */
	refused(D CD "name=a; filename*=UTF-8''a.txt\r\n\r\nx\r\n" END,
	    "unknown Content-Disposition parameter");
	refused(D CD "name=a; size=3\r\n\r\nx\r\n" END,
	    "unknown Content-Disposition parameter");
	refused(D CD "name=a;\r\n\r\nx\r\n" END, "malformed Content-Disposition");
	refused(D CD "name=a filename=b\r\n\r\nx\r\n" END,
	    "malformed Content-Disposition");
	refused(D CD "name=\"a\r\n\r\nx\r\n" END, "malformed Content-Disposition");
	refused(D CD "name=a\r\n" CD "name=b\r\n\r\nx\r\n" END,
	    "a header is repeated");
	refused(D CD "name=a\r\nContent-Type: a\r\ncontent-type: b\r\n\r\nx\r\n"
	    END, "a header is repeated");
	refused(D CD "name=a\r\nContent-Transfer-Encoding: base64\r\n\r\nx\r\n"
	    END, "header other than");
	refused(D CD "name=a\r\nX-Other: 1\r\n\r\nx\r\n" END, "header other than");
	refused(D CD "name=a\r\nContent-Type: text/\x01plain\r\n\r\nx\r\n" END,
	    "not printable ASCII");
	refused(D CD "name=a\r\nContent-Type: text/plainé\r\n\r\nx\r\n" END,
	    "not printable ASCII");
	/* Folding (obsolete line continuation). */
	refused(D CD "name=a\r\n filename=b.txt\r\n\r\nx\r\n" END,
	    "malformed header line");
	refused(D CD "name=a\r\n\tfilename=b.txt\r\n\r\nx\r\n" END,
	    "malformed header line");
	refused(D "Content-Disposition form-data; name=a\r\n\r\nx\r\n" END,
	    "malformed header line");
	refused(D ": form-data; name=a\r\n\r\nx\r\n" END, "malformed header line");
	/* A bare LF or CR inside a header line. */
	refused(D CD "name=a\nX: y\r\n\r\nx\r\n" END, "bare CR, LF or NUL");
	refused(D CD "name=a\rX: y\r\n\r\nx\r\n" END, "bare CR, LF or NUL");
}
END_TEST

START_TEST(crlf_injection_in_filename)
{
	/* A CRLF in a file name ends the header line inside the quotes: the
	 * injected header and body never become a part. */
	refused(D CD "name=f; filename=\"a.txt\r\nContent-Type: text/html\r\n"
	    "\r\n<script>x</script>.txt\"\r\n\r\nx\r\n" END,
	    "malformed Content-Disposition");
	refused(D CD "name=f; filename=\"a\rb.txt\"\r\n\r\nx\r\n" END,
	    "bare CR, LF or NUL");
	refused(D CD "name=f; filename=\"a\nb.txt\"\r\n\r\nx\r\n" END,
	    "bare CR, LF or NUL");
	/* Other control characters and DEL. */
	refused(D CD "name=f; filename=\"a\tb.txt\"\r\n\r\nx\r\n" END,
	    "file name is not UTF-8 or holds a control character");
	refused(D CD "name=f; filename=\"a\x1b[31mb.txt\"\r\n\r\nx\r\n" END,
	    "file name is not UTF-8 or holds a control character");
	refused(D CD "name=f; filename=\"a\x7f.txt\"\r\n\r\nx\r\n" END,
	    "file name is not UTF-8 or holds a control character");
}
END_TEST

START_TEST(names_refused)
{
	char	body[4096], longname[MULTIPART_MAX_FILENAME + 2];

	/* Not UTF-8: Latin-1, a lone continuation byte, an overlong '/', a
	 * surrogate, a truncated sequence. */
	refused(D CD "name=f; filename=\"caf\xe9.txt\"\r\n\r\nx\r\n" END,
	    "file name is not UTF-8");
	refused(D CD "name=f; filename=\"\x80.txt\"\r\n\r\nx\r\n" END,
	    "file name is not UTF-8");
	refused(D CD "name=f; filename=\"\xc0\xaf.txt\"\r\n\r\nx\r\n" END,
	    "file name is not UTF-8");
	refused(D CD "name=f; filename=\"\xed\xa0\x80.txt\"\r\n\r\nx\r\n" END,
	    "file name is not UTF-8");
	refused(D CD "name=f; filename=\"a\xe6\x97\"\r\n\r\nx\r\n" END,
	    "file name is not UTF-8");
	/* Field names: ASCII letters, digits, _ . - only. */
	refused(D CD "name=\"f\xc3\xa9\"\r\n\r\nx\r\n" END,
	    "name has a character outside");
	refused(D CD "name=\"a b\"\r\n\r\nx\r\n" END, "name has a character outside");
	refused(D CD "name=\"a/b\"\r\n\r\nx\r\n" END, "name has a character outside");
	/* Lengths: a 65-byte name, a file name of 1025 bytes. */
	refused(D CD "name=\"" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "\"\r\n\r\nx\r\n" END, "name longer than 64 bytes");
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	snprintf(body, sizeof(body), D CD "name=f; filename=\"%s\"\r\n\r\nx\r\n"
	    END, longname);
	refused(body, "file name longer than 1024 bytes");
}
END_TEST

START_TEST(fields_refused)
{
	char	body[2048], big[300];

	refused(D CD "name=a\r\n\r\nx\r\n" D CD "name=a\r\n\r\ny\r\n" END,
	    "part 2: name repeated");
	/* A file and a field of the same name are duplicates too. */
	refused(D CD "name=a\r\n\r\nx\r\n" D CD "name=a; filename=b.txt\r\n\r\ny\r\n"
	    END, "part 2: name repeated");
	refused(D CD "name=a\r\n\r\nx\xff\r\n" END, "part 1: field too long, not UTF-8");
	refused(D CD "name=a\r\n\r\nx\x01y\r\n" END, "part 1: field too long, not UTF-8");
	{
		static const char nul[] = D CD "name=a\r\n\r\nx\0y\r\n" END;
		struct multipart *m = calloc(1, sizeof(*m));

		parse_expect(m, nul, sizeof(nul) - 1, MULTIPART_MALFORMED,
		    "field too long");
		free(m);
	}
	memset(big, 'x', 257);
	big[257] = '\0';
	snprintf(body, sizeof(body), D CD "name=a\r\n\r\n%s\r\n" END, big);
	refused(body, "part 1: field too long");
}
END_TEST

START_TEST(limits)
{
	struct multipart	*m = calloc(1, sizeof(*m));
	struct multipart_limits	 lim = lim_default;
	char			 body[8192], hdr[2100], err[256];
	size_t			 n = 0;
	int			 i;

	/* One file byte too many: too large (413), not malformed. */
	n = (size_t)snprintf(body, sizeof(body), D CD
	    "name=f; filename=\"a.bin\"\r\n\r\n%065d\r\n" END, 0);
	parse_expect(m, body, n, MULTIPART_TOO_LARGE, "part 1: file longer than 64");
	/* The body over max_total, whatever it holds. */
	lim.max_total = 10;
	ck_assert_int_eq(multipart_parse(m, body, n, B, &lim, err, sizeof(err)),
	    MULTIPART_TOO_LARGE);
	ck_assert(strstr(err, "body longer than 10 bytes") != NULL);
	lim = lim_default;
	/* Parts: eight pass, nine do not. */
	n = 0;
	for (i = 0; i < 8; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n,
		    D CD "name=f%d\r\n\r\nv\r\n", i);
	n += (size_t)snprintf(body + n, sizeof(body) - n, END);
	parse_expect(m, body, n, MULTIPART_OK, NULL);
	ck_assert_uint_eq(m->nparts, 8);
	n -= strlen(END);
	n += (size_t)snprintf(body + n, sizeof(body) - n,
	    D CD "name=f8\r\n\r\nv\r\n" END);
	parse_expect(m, body, n, MULTIPART_MALFORMED, "more than 8 parts");
	/* max_parts above the hard limit is capped. */
	lim.max_parts = 1000;
	lim.max_total = sizeof(body);
	n = 0;
	for (i = 0; i < MULTIPART_MAX_PARTS + 1; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n,
		    D CD "name=g%d\r\n\r\nv\r\n", i);
	n += (size_t)snprintf(body + n, sizeof(body) - n, END);
	ck_assert_int_eq(multipart_parse(m, body, n, B, &lim, err, sizeof(err)),
	    MULTIPART_MALFORMED);
	ck_assert(strstr(err, "more than 16 parts") != NULL);
	/* Header lines over max_header (checked before the header's name). */
	memset(hdr, 'a', 2040);
	hdr[2040] = '\0';
	n = (size_t)snprintf(body, sizeof(body), D CD "name=a\r\n"
	    "X-Pad: %s\r\n\r\nx\r\n" END, hdr);
	parse_expect(m, body, n, MULTIPART_MALFORMED, "headers longer than 2048");
	/* A Content-Type over its own limit. */
	hdr[MULTIPART_MAX_TYPE + 1] = '\0';
	n = (size_t)snprintf(body, sizeof(body), D CD "name=a\r\n"
	    "Content-Type: %s\r\n\r\nx\r\n" END, hdr);
	parse_expect(m, body, n, MULTIPART_MALFORMED, "Content-Type longer than 128");
	free(m);
}
END_TEST

static Suite *
multipart_suite(void)
{
	Suite	*s = suite_create("multipart");
	TCase	*tc = tcase_create("boundary");
	TCase	*tc2 = tcase_create("body");

	tcase_add_test(tc, boundary_ok);
	tcase_add_test(tc, boundary_refused);
	suite_add_tcase(s, tc);
	tcase_add_test(tc2, parses_in_place);
	tcase_add_test(tc2, edges_accepted);
	tcase_add_test(tc2, missing_boundary);
	tcase_add_test(tc2, framing_refused);
	tcase_add_test(tc2, headers_refused);
	tcase_add_test(tc2, crlf_injection_in_filename);
	tcase_add_test(tc2, names_refused);
	tcase_add_test(tc2, fields_refused);
	tcase_add_test(tc2, limits);
	suite_add_tcase(s, tc2);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(multipart_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
