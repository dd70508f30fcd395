/*
 * qr.h: QR codes as SVG path data, for the second factor's enrolment page
 * (the otpauth:// URI an authenticator app scans).  libqrencode makes the
 * symbol (byte mode, error correction level M, the smallest version that
 * holds the text); this module writes its dark modules as the "d" of one
 * SVG <path>, in module units, offset by a quiet zone of QR_QUIET modules.
 *
 * The <svg> element itself lives in the template (templates/enrol.xhtml:
 * viewBox, role="img", <title>, shape-rendering="crispEdges", fill), and
 * the two values qr_path makes go in through t:attr-viewBox and t:attr-d,
 * escaped like any attribute value.  So no markup is inserted raw: the
 * path data is only the characters "Mhvz0123456789 " anyway.
 */
#ifndef COUNCIL_QR_H
#define COUNCIL_QR_H

#include <stddef.h>

struct buf;

#define QR_MAX_INPUT	512	/* bytes of text; more is refused */
#define QR_QUIET	4	/* light modules around the symbol */
#define QR_MAX_SIDE	(177 + 2 * QR_QUIET)	/* version 40 and its quiet zone */

/*
 * Encode the len bytes of text (any bytes; 1 to QR_MAX_INPUT of them) as
 * a QR code and append to d its dark modules as SVG path data: for each
 * run of dark modules on a row, "M<x> <y>h<n>v1h-<n>z", x and y counted
 * in modules from the top left corner of the quiet zone.  *side is set to
 * the width (and height) in modules, quiet zone included: the viewBox is
 * "0 0 side side".  Returns 0, or -1 (d and *side untouched) when len is
 * 0 or more than QR_MAX_INPUT, or libqrencode fails (out of memory).
 * Thread-safe (libqrencode locks its tables).
 */
int	qr_path(const char *text, size_t len, struct buf *d, unsigned *side);

#endif
