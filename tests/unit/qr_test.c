/*
 * qr_test.c: QR codes as SVG path data (server/web/qr.c): the path's
 * grammar and bounds, the quiet zone, the modules against libqrencode's
 * own matrix, the input limit, the enrolment page's <svg> as the real
 * template renders it (templates/enrol.xhtml under $COUNCIL_SRCDIR), and
 * a decode round trip: the path drawn as a bitmap and read back by
 * zbarimg (Debian's zbar-tools; the one check left out, with a note,
 * where it is not installed).
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <qrencode.h>

#include "i18n.h"
#include "qr.h"
#include "tmpl.h"
#include "totp.h"
#include "util.h"

#define URI	"otpauth://totp/Council%20Portal?" \
		"secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" \
		"&issuer=Council%20Portal&algorithm=SHA1&digits=6&period=30"
#define ZBARIMG	"/usr/bin/zbarimg"

/* A grid of side * side modules, 1 = dark. */
struct grid {
	unsigned	 side;
	unsigned char	*m;
};

/*
 * Read path data d as qr.h writes it ("M<x> <y>h<n>v1h-<n>z" runs) into
 * a grid of side modules.  Fails the test on any other byte, a run
 * outside the grid, or a module drawn twice.
 */
static struct grid
grid_from_path(const char *d, unsigned side)
{
	struct grid	 g = { side, calloc((size_t)side * side, 1) };
	unsigned	 x, y, n, n2, i;
	int		 used;

	ck_assert_ptr_nonnull(g.m);
	while (*d != '\0') {
		ck_assert_msg(sscanf(d, "M%u %uh%uv1h-%uz%n", &x, &y, &n, &n2,
		    &used) == 4, "path data at \"%.20s\"", d);
		ck_assert_uint_eq(n, n2);
		ck_assert_uint_gt(n, 0);
		ck_assert_uint_lt(y, side);
		ck_assert_uint_le(x + n, side);
		for (i = x; i < x + n; i++) {
			ck_assert_msg(g.m[y * side + i] == 0,
			    "module %u,%u drawn twice", i, y);
			g.m[y * side + i] = 1;
		}
		d += used;
	}
	return g;
}

/* Only "M0123456789 hvz-" and the run shape; the viewBox side. */
START_TEST(path_grammar_and_quiet_zone)
{
	struct buf	 d;
	struct grid	 g;
	unsigned	 side = 0, x, y;

	buf_init(&d);
	ck_assert_int_eq(qr_path(URI, strlen(URI), &d, &side), 0);
	ck_assert_uint_gt(d.len, 0);
	ck_assert_uint_eq(strspn(d.data, "M0123456789 hvz-"), d.len);
	ck_assert_uint_eq(side % 4, (21 + 2 * QR_QUIET) % 4);	/* 17 + 4v */
	ck_assert_uint_ge(side, 21 + 2 * QR_QUIET);
	ck_assert_uint_le(side, QR_MAX_SIDE);
	g = grid_from_path(d.data, side);
	/* The quiet zone is light; the top left finder's first row dark. */
	for (y = 0; y < side; y++)
		for (x = 0; x < side; x++)
			if (x < QR_QUIET || y < QR_QUIET ||
			    x >= side - QR_QUIET || y >= side - QR_QUIET)
				ck_assert_msg(g.m[y * side + x] == 0,
				    "quiet zone module %u,%u is dark", x, y);
	for (x = 0; x < 7; x++) {
		ck_assert(g.m[QR_QUIET * side + QR_QUIET + x]);
		ck_assert(g.m[QR_QUIET * side + side - QR_QUIET - 1 - x]);
	}
	free(g.m);
	buf_free(&d);
}
END_TEST

/* Every module is libqrencode's (byte mode, level M, smallest version),
 * and path data is appended, not replacing what d held. */
START_TEST(path_matches_libqrencode)
{
	static const char *const texts[] = { "a", URI, "\xe5\x8d\x94\x00x" };
	static const size_t lens[] = { 1, sizeof(URI) - 1, 5 };
	struct buf	 d;
	struct grid	 g;
	QRcode		*qr;
	unsigned	 side, x, y, w;
	size_t		 i;

	for (i = 0; i < UTIL_ARRAY_LEN(texts); i++) {
		buf_init(&d);
		buf_puts(&d, "keep");
		ck_assert_int_eq(qr_path(texts[i], lens[i], &d, &side), 0);
		ck_assert(strncmp(d.data, "keepM", 5) == 0);
		qr = QRcode_encodeData((int)lens[i],
		    (const unsigned char *)texts[i], 0, QR_ECLEVEL_M);
		ck_assert_ptr_nonnull(qr);
		w = (unsigned)qr->width;
		ck_assert_uint_eq(side, w + 2 * QR_QUIET);
		g = grid_from_path(d.data + 4, side);
		for (y = 0; y < w; y++)
			for (x = 0; x < w; x++)
				ck_assert_msg(g.m[(y + QR_QUIET) * side + x +
				    QR_QUIET] == (qr->data[y * w + x] & 1),
				    "text %zu: module %u,%u", i, x, y);
		QRcode_free(qr);
		free(g.m);
		buf_free(&d);
	}
}
END_TEST

/* 1..QR_MAX_INPUT bytes; more, none or NULL is refused, d and side
 * untouched. */
START_TEST(input_limit)
{
	char		 big[QR_MAX_INPUT + 2];
	struct buf	 d;
	unsigned	 side = 7;

	memset(big, 'A', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	buf_init(&d);
	ck_assert_int_eq(qr_path(big, QR_MAX_INPUT + 1, &d, &side), -1);
	ck_assert_int_eq(qr_path(big, SIZE_MAX, &d, &side), -1);
	ck_assert_int_eq(qr_path(big, 0, &d, &side), -1);
	ck_assert_int_eq(qr_path(NULL, 3, &d, &side), -1);
	ck_assert_uint_eq(d.len, 0);
	ck_assert_uint_eq(side, 7);
	ck_assert_int_eq(qr_path(big, QR_MAX_INPUT, &d, &side), 0);
	ck_assert_uint_gt(d.len, 0);
	ck_assert_uint_le(side, QR_MAX_SIDE);
	buf_free(&d);
}
END_TEST

static const char *
srcdir(void)
{
	const char	*s = getenv("COUNCIL_SRCDIR");

	return s != NULL && s[0] != '\0' ? s : ".";
}

/* The first element named name under n, depth first. */
static xmlNodePtr
find(xmlNodePtr n, const char *name)
{
	xmlNodePtr	r;

	for (; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE &&
		    xmlStrEqual(n->name, BAD_CAST name))
			return n;
		if ((r = find(n->children, name)) != NULL)
			return r;
	}
	return NULL;
}

/* No style attribute on n or below (the CSP forbids inline style). */
static int
has_style(xmlNodePtr n)
{
	for (; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    (xmlHasProp(n, BAD_CAST "style") != NULL ||
		    xmlStrEqual(n->name, BAD_CAST "style") ||
		    has_style(n->children)))
			return 1;
	return 0;
}

static char *
prop(xmlNodePtr n, const char *name)
{
	return (char *)xmlGetProp(n, BAD_CAST name);
}

/* templates/enrol.xhtml with the QR code's values, in both languages:
 * one <svg role="img"> labelled by aria-label and <title>, viewBox in
 * modules, crispEdges, one <path> of exactly the path data, no style. */
START_TEST(enrol_page_svg)
{
	static const enum i18n_lang langs[] = { I18N_JA, I18N_EN };
	char		 dir[PATH_MAX], err[512], vb[64];
	struct i18n	*cat;
	struct tmpl_set	*set;
	struct tmpl_vars *v;
	struct buf	 d, out;
	xmlDocPtr	 doc;
	xmlNodePtr	 svg, path, title, c;
	char		*s;
	unsigned	 side;
	size_t		 i;
	int		 paths;

	snprintf(dir, sizeof(dir), "%s/po", srcdir());
	cat = i18n_load(dir, err, sizeof(err));
	ck_assert_msg(cat != NULL, "%s", err);
	snprintf(dir, sizeof(dir), "%s/templates", srcdir());
	set = tmpl_load_dir(dir, err, sizeof(err));
	ck_assert_msg(set != NULL, "%s", err);
	buf_init(&d);
	ck_assert_int_eq(qr_path(URI, strlen(URI), &d, &side), 0);
	snprintf(vb, sizeof(vb), "0 0 %u %u", side, side);
	for (i = 0; i < UTIL_ARRAY_LEN(langs); i++) {
		v = tmpl_vars_new();
		tmpl_vars_set(v, "secret", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
		tmpl_vars_set(v, "secret_grouped", "JBSW Y3DP");
		tmpl_vars_set(v, "qr_path", d.data);
		tmpl_vars_set(v, "qr_viewbox", vb);
		buf_init(&out);
		ck_assert_msg(tmpl_render(set, "enrol.xhtml", cat, langs[i], v,
		    &out, err, sizeof(err)) == 0, "%s", err);
		ck_assert(strncmp(out.data, "<!DOCTYPE html>", 15) == 0);
		doc = xmlReadMemory(out.data + 15, (int)out.len - 15, NULL,
		    "UTF-8", XML_PARSE_NONET);
		ck_assert_msg(doc != NULL, "the page is not well-formed");
		svg = find(xmlDocGetRootElement(doc), "svg");
		ck_assert_ptr_nonnull(svg);
		ck_assert_ptr_nonnull(svg->ns);
		ck_assert_str_eq((const char *)svg->ns->href,
		    "http://www.w3.org/2000/svg");
		ck_assert_str_eq((s = prop(svg, "viewBox")), vb);
		xmlFree(s);
		ck_assert_str_eq((s = prop(svg, "role")), "img");
		xmlFree(s);
		ck_assert_str_eq((s = prop(svg, "shape-rendering")),
		    "crispEdges");
		xmlFree(s);
		s = prop(svg, "aria-label");
		ck_assert_str_eq(s, i18n_text(cat, langs[i], "enrol.qr.alt"));
		ck_assert_uint_gt(strlen(s), 0);
		xmlFree(s);
		title = find(svg->children, "title");
		ck_assert_ptr_nonnull(title);
		s = (char *)xmlNodeGetContent(title);
		ck_assert_str_eq(s, i18n_text(cat, langs[i], "enrol.qr.alt"));
		xmlFree(s);
		ck_assert(!has_style(svg));
		paths = 0;
		path = NULL;
		for (c = svg->children; c != NULL; c = c->next)
			if (c->type == XML_ELEMENT_NODE &&
			    xmlStrEqual(c->name, BAD_CAST "path")) {
				paths++;
				path = c;
			}
		ck_assert_int_eq(paths, 1);
		ck_assert_str_eq((s = prop(path, "d")), d.data);
		xmlFree(s);
		/* Still the secret as text, for people who type it. */
		ck_assert_ptr_nonnull(strstr(out.data,
		    "id=\"enrol-secret\">JBSW Y3DP</code>"));
		xmlFreeDoc(doc);
		buf_free(&out);
		tmpl_vars_free(v);
	}
	/* Without the QR code's values the figure is left out. */
	v = tmpl_vars_new();
	tmpl_vars_set(v, "secret", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
	buf_init(&out);
	ck_assert(tmpl_render(set, "enrol.xhtml", cat, I18N_JA, v, &out, err,
	    sizeof(err)) == 0);
	ck_assert_ptr_null(strstr(out.data, "<svg"));
	buf_free(&out);
	tmpl_vars_free(v);
	buf_free(&d);
	tmpl_set_free(set);
	i18n_free(cat);
}
END_TEST

/*
 * The round trip: the path drawn as a PBM bitmap (4 pixels a module)
 * and decoded by zbarimg gives the text back, for the enrolment URI of a
 * fresh secret and for a text of QR_MAX_INPUT bytes.
 */
static void
roundtrip(const char *text)
{
	char		 pbm[] = "/tmp/qr_test.XXXXXX", cmd[256], got[1024];
	struct buf	 d;
	struct grid	 g;
	unsigned	 side, x, y;
	FILE		*f, *p;
	size_t		 n;
	int		 fd, st;

	buf_init(&d);
	ck_assert_int_eq(qr_path(text, strlen(text), &d, &side), 0);
	g = grid_from_path(d.data, side);
	ck_assert_int_ge((fd = mkstemp(pbm)), 0);
	ck_assert_ptr_nonnull((f = fdopen(fd, "w")));
	fprintf(f, "P1\n%u %u\n", side * 4, side * 4);
	for (y = 0; y < side * 4; y++) {
		for (x = 0; x < side * 4; x++)
			fputs(g.m[(y / 4) * side + x / 4] ? "1" : "0", f);
		fputc('\n', f);
	}
	ck_assert_int_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), ZBARIMG " --raw -q -Sdisable "
	    "-Sqrcode.enable -Sbinary '%s' 2>/dev/null", pbm);
	ck_assert_ptr_nonnull((p = popen(cmd, "r")));
	n = fread(got, 1, sizeof(got) - 1, p);
	got[n] = '\0';
	st = pclose(p);
	unlink(pbm);
	if (n > 0 && got[n - 1] == '\n')
		got[--n] = '\0';	/* zbarimg ends the text with LF */
	ck_assert_msg(st == 0, "zbarimg: status %d: %s", st, got);
	ck_assert_str_eq(got, text);
	free(g.m);
	buf_free(&d);
}

START_TEST(decode_round_trip)
{
	char		 secret[TOTP_SECRET_B32_LEN + 1], big[QR_MAX_INPUT + 1];
	struct buf	 uri;
	size_t		 i;

	if (access(ZBARIMG, X_OK) != 0) {
		fprintf(stderr, "qr_test: " ZBARIMG " missing (Debian: "
		    "zbar-tools): the decode round trip is not checked\n");
		return;
	}
	ck_assert_int_eq(totp_secret_new(secret, sizeof(secret)), 0);
	buf_init(&uri);
	totp_uri(&uri, "Council Portal", secret);
	roundtrip(uri.data);
	buf_free(&uri);
	for (i = 0; i < QR_MAX_INPUT; i++)
		big[i] = "abcdefghijklmnopqrstuvwxyz0123456789:/?&="[i % 41];
	big[QR_MAX_INPUT] = '\0';
	roundtrip(big);
}
END_TEST

static Suite *
qr_suite(void)
{
	Suite	*s = suite_create("qr");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, path_grammar_and_quiet_zone);
	tcase_add_test(tc, path_matches_libqrencode);
	tcase_add_test(tc, input_limit);
	tcase_add_test(tc, enrol_page_svg);
	tcase_add_test(tc, decode_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(qr_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
