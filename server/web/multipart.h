/*
 * multipart.h: a strict, bounded parser of multipart/form-data request
 * bodies (RFC 7578 on RFC 2046), for file uploads (attach.c).
 *
 * The body is parsed in place: a part's content is a pointer into the
 * body and a length, never copied; only a part's name, file name and
 * Content-Type are copied (they need a terminating NUL).  Nothing is
 * allocated, so there is nothing to free.
 *
 * What is accepted, and nothing else (refused as a whole, never repaired):
 *   - Content-Type "multipart/form-data" (any case) with exactly one
 *     parameter, boundary: 1 to 70 characters of RFC 2046's bchars, not
 *     ending in a space; quoted, or a token when it has no special
 *     character;
 *   - the body starts with the first delimiter (no preamble) and ends with
 *     the close delimiter, optionally followed by one CRLF (no epilogue);
 *     a delimiter is followed by CRLF or "--" and nothing else (no
 *     transport padding);
 *   - a part's header lines end in CRLF; no bare CR or LF, no folding, at
 *     most max_header bytes in all; the headers are Content-Disposition
 *     (required) and Content-Type (optional), each at most once, names in
 *     any case;
 *   - Content-Disposition is "form-data" with a name parameter and an
 *     optional filename parameter, each once, values quoted or tokens; no
 *     other parameter (RFC 7578 4.2 forbids "filename*");
 *   - a name is 1 to MULTIPART_MAX_NAME bytes of [A-Za-z0-9_.-], and no
 *     two parts have the same name;
 *   - a file name is valid UTF-8 of at most MULTIPART_MAX_FILENAME bytes
 *     with no C0 control character and no DEL (it may be "": a form whose
 *     file input was left empty); it is returned as sent (no percent- or
 *     backslash-decoding);
 *   - a part without a file name (a field) is valid UTF-8 with no NUL and
 *     no C0 control but TAB, LF and CR, at most max_field bytes;
 *   - a part with a file name holds any bytes, at most max_file;
 *   - at most max_parts parts, at most max_total bytes in all.
 * No function here logs or keeps state: all are thread-safe.
 */
#ifndef COUNCIL_MULTIPART_H
#define COUNCIL_MULTIPART_H

#include <stddef.h>

#define MULTIPART_MAX_PARTS	16	/* hard limit of max_parts */
#define MULTIPART_MAX_BOUNDARY	70	/* RFC 2046 5.1.1 */
#define MULTIPART_MAX_NAME	64	/* bytes of a part's name */
#define MULTIPART_MAX_FILENAME	1024	/* bytes of a file name as sent */
#define MULTIPART_MAX_TYPE	128	/* bytes of a part's Content-Type */

/* Results of multipart_parse. */
#define MULTIPART_OK		 0
#define MULTIPART_MALFORMED	-1	/* refuse with 400 */
#define MULTIPART_TOO_LARGE	-2	/* a file or the body too large: 413 */

struct multipart_limits {
	size_t	max_parts;	/* parts; capped at MULTIPART_MAX_PARTS */
	size_t	max_header;	/* bytes of one part's header lines */
	size_t	max_field;	/* bytes of a part without a file name */
	size_t	max_file;	/* bytes of a part with a file name */
	size_t	max_total;	/* bytes of the whole body */
};

struct multipart_part {
	char		 name[MULTIPART_MAX_NAME + 1];
	char		 filename[MULTIPART_MAX_FILENAME + 1];	/* "" if none */
	int		 is_file;	/* a filename parameter was sent */
	char		 content_type[MULTIPART_MAX_TYPE + 1];	/* "" if none */
	const char	*data;		/* into the body; not NUL-terminated */
	size_t		 len;
};

struct multipart {
	struct multipart_part	parts[MULTIPART_MAX_PARTS];
	size_t			nparts;
};

/*
 * The boundary of a Content-Type header value, copied NUL-terminated into
 * out (which must hold MULTIPART_MAX_BOUNDARY + 1 bytes).  Returns 0, or
 * -1 (out "") when the value is not multipart/form-data with exactly one
 * valid boundary parameter, or is NULL.
 */
int	multipart_boundary(const char *content_type, char *out, size_t outlen);

/*
 * Parse body[0..len) with boundary (from multipart_boundary) into m, which
 * need not be initialised.  The parts keep pointers into body: keep it
 * alive while m is used.  Returns MULTIPART_OK, MULTIPART_MALFORMED or
 * MULTIPART_TOO_LARGE; on failure m holds no part and err a plain-English
 * reason ("part 2: file name is not UTF-8") that never quotes the input.
 * err may be NULL when errlen is 0.
 */
int	multipart_parse(struct multipart *m, const char *body, size_t len,
	    const char *boundary, const struct multipart_limits *lim,
	    char *err, size_t errlen);

/* The part called name, or NULL. */
const struct multipart_part *multipart_get(const struct multipart *,
	    const char *name);

#endif
