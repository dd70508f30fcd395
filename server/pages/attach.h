/*
 * attach.h: files attached to posts (issue 4): upload, download, and the
 * attachments section of a post's page.  See docs/api.md, "Attachments".
 *
 *   POST /attachments            multipart/form-data: csrf (the form
 *                                token; none with a bearer token), post,
 *                                file; 303 to /posts/N
 *   GET  /attachments/N          the file's bytes, as a download
 *   POST /api/v1/attachments     the same upload; 201 and JSON
 *   GET  /api/v1/attachments/N   the same bytes and headers as the page's
 *
 * The database decides who may see a file (exactly who may open its post)
 * and who may attach one (the post's author organisation, R-SCOPE-1):
 * policy/63_attachments.sql.  This module checks the request's shape and
 * the limits first (size, type by extension and content, never by the
 * client's Content-Type), so that bad input is answered in the person's
 * language, and the database checks the same again.  A file of a post the
 * caller cannot see, or of no post, gets the same 404.
 */
#ifndef COUNCIL_ATTACH_H
#define COUNCIL_ATTACH_H

#include <stddef.h>

#include <microhttpd.h>

struct buf;
struct form;
struct http_req;
struct tmpl_vars;

#define ATTACH_MAX_NAME		200	/* characters of a stored file name */

/*
 * The attachments section of post post_id's page (templates/post.xhtml):
 * "attachments" (list of {href, filename, size, sha256}), "attach_section"
 * (there are files, or the caller may add one), "attach_form" (the caller's
 * organisation wrote the post and it has room), "attach_full", and
 * "attach_limit".  On a database error the section is left out.  A
 * post_section_fn (post.h); note and sent are not used (an upload refused
 * answers on its own page).
 */
void		 attach_post_vars(struct http_req *, long long post_id,
		    struct tmpl_vars *, const char *note,
		    const struct form *sent);

enum MHD_Result	 attach_upload(struct http_req *);	/* POST /attachments */
enum MHD_Result	 attach_get(struct http_req *);		/* GET /attachments/N */
enum MHD_Result	 attach_api_upload(struct http_req *);	/* POST /api/v1/attachments */
enum MHD_Result	 attach_api_get(struct http_req *);	/* GET /api/v1/attachments/N */

/*
 * Pure helpers, exposed for the unit tests.
 *
 * attach_type: the media type of a file called name with content
 *   data[0..len), or NULL when it is not allowed.  The extension (case
 *   ignored) names the type; the content must match it: a signature for
 *   PDF, PNG, JPEG, ZIP, pcap and pcapng; UTF-8 starting with '{' or '['
 *   for JSON; no C0 control but TAB, LF, FF and CR for text and CSV (any
 *   ASCII-compatible encoding: Shift_JIS files are common).
 * attach_name_clean: the name to store for a name as sent: its last path
 *   component (after '/' or '\'), with C1 controls, bidirectional marks and
 *   overrides and the characters "*:<>?| replaced by '_', leading dots and
 *   spaces and trailing dots and spaces removed.  Copies into out
 *   (outlen >= strlen(in) + 1) and returns 0; -1 when the result is empty,
 *   longer than ATTACH_MAX_NAME characters, or in is not UTF-8.
 * attach_disposition: append the Content-Disposition value for name (RFC
 *   6266): attachment; filename="<ASCII fallback>"; filename*=UTF-8''<RFC
 *   8187 encoding>.
 */
const char	*attach_type(const char *name, const void *data, size_t len);
int		 attach_name_clean(const char *in, char *out, size_t outlen);
void		 attach_disposition(const char *name, struct buf *out);

#endif
