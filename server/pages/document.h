/*
 * document.h: the council's texts for anyone (R-ORG-7: the Rules are
 * published; docs/governance.md "Documents and amendments").  Every
 * version stays readable, with who adopted it and what it changed.  The
 * documents policy (policy/76_documents.sql) makes them public; nothing
 * here writes.
 */
#ifndef COUNCIL_DOCUMENT_H
#define COUNCIL_DOCUMENT_H

#include <microhttpd.h>

struct http_req;

#define DOCUMENT_PREFIX		"/documents/"
#define DOCUMENT_API_PREFIX	"/api/v1/documents/"

/*
 * document_parse_path: "<prefix>SLUG" or "<prefix>SLUG/N" into slug
 * (lower-case letters, digits and '-', 2..63, as the documents table
 * allows) and *version (0 when absent; 1..999999 otherwise).  0, or -1
 * when the path is anything else.
 */
int		document_parse_path(const char *path, const char *prefix,
		    char *slug, size_t slugsz, long *version);

enum MHD_Result	document_list(struct http_req *);	/* GET /documents */
enum MHD_Result	document_page(struct http_req *);	/* GET /documents/SLUG[/N] */
enum MHD_Result	document_api_list(struct http_req *);	/* GET /api/v1/documents */
enum MHD_Result	document_api_get(struct http_req *);	/* GET /api/v1/documents/SLUG */

#endif
