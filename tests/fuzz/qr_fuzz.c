/*
 * qr_fuzz.c: libFuzzer harness of server/web/qr.c.  The input is the text
 * to encode, any bytes (the enrolment page gives an otpauth:// URI).
 *
 * Properties (qr.h), beyond "no crash, leak or undefined behaviour":
 *   - refused (-1, nothing appended, side untouched) exactly when the
 *     text is empty or longer than QR_MAX_INPUT;
 *   - side is a QR symbol's width (21 + 4k, k < 40) plus the quiet zone;
 *   - the path is only "M<x> <y>h<n>v1h-<n>z" runs, read here apart from
 *     qr.c: inside the symbol (the quiet zone stays light), no module
 *     drawn twice, each run maximal (a light module or the edge after it);
 *   - the three finder patterns are where ISO/IEC 18004 puts them;
 *   - every module is libqrencode's, encoding the text itself.
 */
#include <stdio.h>
#include <string.h>

#include <qrencode.h>

#include "fuzz.h"
#include "qr.h"
#include "util.h"

/* Is the 7x7 finder pattern at (x0, y0) of grid m (side s)? */
static int
finder_ok(const unsigned char *m, unsigned s, unsigned x0, unsigned y0)
{
	unsigned	x, y, ring;

	for (y = 0; y < 7; y++)
		for (x = 0; x < 7; x++) {
			/* Rings 0 and 2..3 dark, ring 1 light. */
			ring = x < y ? x : y;
			ring = ring < 6 - x ? ring : 6 - x;
			ring = ring < 6 - y ? ring : 6 - y;
			if (m[(y0 + y) * s + x0 + x] != (ring != 1))
				return 0;
		}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct buf	 d;
	QRcode		*qr;
	unsigned char	*m;
	const char	*p;
	unsigned	 side = 12345, w, x, y, n, n2, i;
	int		 rc, used;

	buf_init(&d);
	rc = qr_path((const char *)data, len, &d, &side);
	if (len == 0 || len > QR_MAX_INPUT) {
		FUZZ_CHECK(rc == -1 && d.len == 0 && side == 12345,
		    "len %zu: rc %d, %zu bytes, side %u", len, rc, d.len, side);
		buf_free(&d);
		return 0;
	}
	FUZZ_CHECK(rc == 0, "len %zu refused", len);
	w = side - 2 * QR_QUIET;
	FUZZ_CHECK(side > 2 * QR_QUIET && w >= 21 && w <= 177 &&
	    (w - 21) % 4 == 0, "side %u", side);
	FUZZ_CHECK(strspn(d.data, "M0123456789 hvz-") == d.len,
	    "a byte outside the path grammar");
	m = xcalloc((size_t)side * side, 1);
	for (p = d.data; *p != '\0'; p += used) {
		used = 0;
		FUZZ_CHECK(sscanf(p, "M%u %uh%uv1h-%uz%n", &x, &y, &n, &n2,
		    &used) == 4 && used > 0 && p[0] == 'M',
		    "path data at \"%.24s\"", p);
		FUZZ_CHECK(n == n2 && n > 0, "run %u/%u", n, n2);
		FUZZ_CHECK(x >= QR_QUIET && y >= QR_QUIET &&
		    y < side - QR_QUIET && x + n <= side - QR_QUIET,
		    "run %u,%u+%u outside the symbol (side %u)", x, y, n, side);
		/* Runs of a row come left to right: a dark module just
		 * before this one means two runs that should be one. */
		FUZZ_CHECK(m[y * side + x - 1] == 0, "run %u,%u+%u follows a "
		    "dark module", x, y, n);
		for (i = x; i < x + n; i++) {
			FUZZ_CHECK(m[y * side + i] == 0, "module %u,%u twice",
			    i, y);
			m[y * side + i] = 1;
		}
	}
	FUZZ_CHECK(finder_ok(m, side, QR_QUIET, QR_QUIET) &&
	    finder_ok(m, side, side - QR_QUIET - 7, QR_QUIET) &&
	    finder_ok(m, side, QR_QUIET, side - QR_QUIET - 7),
	    "finder patterns (side %u)", side);
	qr = QRcode_encodeData((int)len, data, 0, QR_ECLEVEL_M);
	FUZZ_CHECK(qr != NULL && (unsigned)qr->width == w, "libqrencode");
	for (y = 0; y < w; y++)
		for (x = 0; x < w; x++)
			FUZZ_CHECK(m[(y + QR_QUIET) * side + x + QR_QUIET] ==
			    (qr->data[y * w + x] & 1), "module %u,%u", x, y);
	QRcode_free(qr);
	free(m);
	buf_free(&d);
	return 0;
}
