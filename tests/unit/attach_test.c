/*
 * attach_test.c: the pure parts of attach.c: the type of a file (by its
 * extension AND its content, never the client's word), the name that is
 * stored, and the Content-Disposition of a download.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"
#include "util.h"

#define TYPE(name, lit)	attach_type((name), (lit), sizeof(lit) - 1)

START_TEST(types_by_extension_and_content)
{
	ck_assert_str_eq(TYPE("a.pdf", "%PDF-1.7\n..."), "application/pdf");
	ck_assert_str_eq(TYPE("A.PDF", "%PDF-1.4"), "application/pdf");
	ck_assert_str_eq(TYPE("a.png", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png");
	ck_assert_str_eq(TYPE("a.jpg", "\xff\xd8\xff\xe0\0\x10JFIF"), "image/jpeg");
	ck_assert_str_eq(TYPE("a.jpeg", "\xff\xd8\xff\xdb"), "image/jpeg");
	ck_assert_str_eq(TYPE("s.zip", "PK\x03\x04\x14\0"), "application/zip");
	ck_assert_str_eq(TYPE("empty.zip", "PK\x05\x06\0\0\0\0"), "application/zip");
	ck_assert_str_eq(TYPE("c.pcap", "\xd4\xc3\xb2\xa1\x02\0\x04\0"),
	    "application/vnd.tcpdump.pcap");
	ck_assert_str_eq(TYPE("c.pcap", "\xa1\xb2\xc3\xd4"),
	    "application/vnd.tcpdump.pcap");
	ck_assert_str_eq(TYPE("c.pcap", "\x4d\x3c\xb2\xa1"),	/* nanoseconds */
	    "application/vnd.tcpdump.pcap");
	ck_assert_str_eq(TYPE("c.pcapng", "\x0a\x0d\x0d\x0a\x1c\0\0\0"),
	    "application/x-pcapng");
	ck_assert_str_eq(TYPE("i.json", " \n{\"ioc\": [\"198.51.100.7\"]}"),
	    "application/json");
	ck_assert_str_eq(TYPE("i.json", "[1,2]"), "application/json");
	ck_assert_str_eq(TYPE("n.txt", "line\r\n\tindented\fpage\n"), "text/plain");
	ck_assert_str_eq(TYPE("n.log", "2026-01-01 x\n"), "text/plain");
	ck_assert_str_eq(TYPE("n.csv", "a,b\r\n1,2\r\n"), "text/csv");
	/* Text in Shift_JIS (not UTF-8) is still text. */
	ck_assert_str_eq(TYPE("sjis.csv", "\x93\xfa\x96\x7b,\x8c\xea\r\n"),
	    "text/csv");
	ck_assert_str_eq(TYPE("utf8.txt", "日本語"), "text/plain");
}
END_TEST

START_TEST(types_refused)
{
	/* The content does not match the extension. */
	ck_assert_ptr_null(TYPE("a.png", "%PDF-1.7"));
	ck_assert_ptr_null(TYPE("a.pdf", "\x89PNG\r\n\x1a\n"));
	ck_assert_ptr_null(TYPE("a.pdf", "%PDF"));		/* too short */
	ck_assert_ptr_null(TYPE("a.jpg", "\xff\xd8"));
	ck_assert_ptr_null(TYPE("a.zip", "MZ\x90\0"));		/* a PE file */
	ck_assert_ptr_null(TYPE("a.pcap", "\x0a\x0d\x0d\x0a"));
	ck_assert_ptr_null(TYPE("a.txt", "MZ\x90\0\x03\0"));	/* NUL: binary */
	ck_assert_ptr_null(TYPE("a.txt", "ok\x1b[31mred"));	/* ESC */
	ck_assert_ptr_null(TYPE("a.csv", "a\0b"));
	ck_assert_ptr_null(TYPE("a.json", "<html>"));
	ck_assert_ptr_null(TYPE("a.json", "{\"a\": \"\xff\"}"));	/* not UTF-8 */
	ck_assert_ptr_null(TYPE("a.json", "{\f}"));
	ck_assert_ptr_null(TYPE("a.json", "   "));
	/* Extensions outside the allow-list, whatever the content. */
	ck_assert_ptr_null(TYPE("a.html", "<html>"));
	ck_assert_ptr_null(TYPE("a.svg", "<svg/>"));
	ck_assert_ptr_null(TYPE("a.exe", "MZ"));
	ck_assert_ptr_null(TYPE("a.pdf.exe", "%PDF-1.7"));
	ck_assert_ptr_null(TYPE("a.txt.", "text"));
	ck_assert_ptr_null(TYPE("README", "text"));
	ck_assert_ptr_null(TYPE("a.", "text"));
	ck_assert_ptr_null(attach_type("a.txt", "", 0));	/* empty */
}
END_TEST

/* Clean in and expect want (NULL: refused). */
static void
clean_is(const char *in, const char *want)
{
	char	out[2048];
	int	rc = attach_name_clean(in, out, sizeof(out));

	if (want == NULL) {
		ck_assert_msg(rc == -1, "accepted \"%s\" as \"%s\"", in, out);
		return;
	}
	ck_assert_msg(rc == 0, "refused \"%s\"", in);
	ck_assert_str_eq(out, want);
}

START_TEST(names_cleaned)
{
	char	buf[1024], out[8];
	int	i;

	clean_is("report.pdf", "report.pdf");
	clean_is("報告書 (第2版).pdf", "報告書 (第2版).pdf");
	/* Only the last path component. */
	clean_is("C:\\Users\\taro\\Desktop\\ioc.csv", "ioc.csv");
	clean_is("../../etc/passwd.txt", "passwd.txt");
	clean_is("/abs/x.txt", "x.txt");
	/* Bidirectional overrides and marks: "exe.txt" that reads otherwise. */
	clean_is("invoice\xe2\x80\xaetxt.exe", "invoice_txt.exe");
	clean_is("a\xe2\x81\xa6" "b\xe2\x81\xa9.txt", "a_b_.txt");
	clean_is("a\xe2\x80\x8f.txt", "a_.txt");		/* RLM */
	clean_is("a\xef\xbb\xbf.txt", "a_.txt");		/* BOM */
	clean_is("a\xc2\x85.txt", "a_.txt");			/* C1 NEL */
	/* Characters file systems refuse. */
	clean_is("a<b>c:d\"e|f?g*.txt", "a_b_c_d_e_f_g_.txt");
	/* Leading dots and spaces, trailing dots and spaces. */
	clean_is(".bashrc.txt", "bashrc.txt");
	clean_is("  . x.txt . ", "x.txt");
	/* Nothing left, or too long. */
	clean_is("...", NULL);
	clean_is("dir/", NULL);
	clean_is("", NULL);
	clean_is("caf\xe9.txt", NULL);				/* not UTF-8 */
	for (i = 0; i < 196; i++)
		buf[i] = 'a';
	strcpy(buf + 196, ".txt");
	clean_is(buf, buf);					/* 200 */
	strcpy(buf + 196, "a.txt");
	clean_is(buf, NULL);					/* 201 */
	/* Characters, not bytes: 196 kanji and ".txt" are 200. */
	buf[0] = '\0';
	for (i = 0; i < 196; i++)
		strcat(buf, "字");
	strcat(buf, ".txt");
	clean_is(buf, buf);
	/* out must hold the input. */
	ck_assert_int_eq(attach_name_clean("abcdefgh.txt", out, sizeof(out)), -1);
}
END_TEST

/* The Content-Disposition value for name. */
static void
disposition_is(const char *name, const char *want)
{
	struct buf	b;

	buf_init(&b);
	attach_disposition(name, &b);
	ck_assert_str_eq(b.data, want);
	buf_free(&b);
}

START_TEST(disposition)
{
	disposition_is("report.pdf",
	    "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf");
	disposition_is("報告.pdf",
	    "attachment; filename=\"__.pdf\"; "
	    "filename*=UTF-8''%E5%A0%B1%E5%91%8A.pdf");
	/* Quotes, backslashes and percent signs never reach the fallback;
	 * everything outside RFC 8187's attr-char is encoded. */
	disposition_is("a \"b\" c\\d%41;e'f.txt",
	    "attachment; filename=\"a _b_ c_d_41;e'f.txt\"; "
	    "filename*=UTF-8''a%20%22b%22%20c%5Cd%2541%3Be%27f.txt");
	disposition_is("a\r\nSet-Cookie: x.txt",
	    "attachment; filename=\"a__Set-Cookie: x.txt\"; "
	    "filename*=UTF-8''a%0D%0ASet-Cookie%3A%20x.txt");
}
END_TEST

static Suite *
attach_suite(void)
{
	Suite	*s = suite_create("attach");
	TCase	*tc = tcase_create("pure");

	tcase_add_test(tc, types_by_extension_and_content);
	tcase_add_test(tc, types_refused);
	tcase_add_test(tc, names_cleaned);
	tcase_add_test(tc, disposition);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(attach_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
