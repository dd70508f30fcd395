/*
 * qr.c: QR codes as SVG path data (see qr.h).  The symbol comes from
 * libqrencode; the path is one subpath per horizontal run of dark modules,
 * so a version-6 code (an otpauth URI) is a few hundred short subpaths
 * and the browser draws whole modules with crispEdges.
 */
#include <stdio.h>
#include <string.h>

#include <qrencode.h>

#include "qr.h"
#include "util.h"

int
qr_path(const char *text, size_t len, struct buf *d, unsigned *side)
{
	QRcode		*qr = NULL;
	const unsigned char *row;
	int		 w, x, y, run, rc = -1;

	if (text == NULL || len == 0 || len > QR_MAX_INPUT)
		goto out;
	/* Version 0: the smallest that holds the data. */
	qr = QRcode_encodeData((int)len, (const unsigned char *)text, 0,
	    QR_ECLEVEL_M);
	if (qr == NULL || qr->width <= 0 ||
	    qr->width > QR_MAX_SIDE - 2 * QR_QUIET)
		goto out;
	w = qr->width;
	for (y = 0; y < w; y++) {
		row = qr->data + (size_t)y * (size_t)w;
		for (x = 0; x < w; x += run) {
			/* Bit 0 of each byte: the module is dark. */
			for (run = 0; x + run < w && (row[x + run] & 1); run++)
				;
			if (run == 0) {
				run = 1;
				continue;
			}
			buf_printf(d, "M%d %dh%dv1h-%dz", x + QR_QUIET,
			    y + QR_QUIET, run, run);
		}
	}
	*side = (unsigned)w + 2 * QR_QUIET;
	rc = 0;
out:
	if (qr != NULL)
		QRcode_free(qr);
	return rc;
}
