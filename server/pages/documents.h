/*
 * documents.h: the council's texts for anyone (R-ORG-7: the Rules are
 * published; docs/governance.md "Documents and amendments").  Every
 * version stays readable, with who adopted it and what it changed.  The
 * documents policy (policy/76_documents.sql) makes them public; nothing
 * here writes.
 */
#ifndef COUNCIL_DOCUMENTS_H
#define COUNCIL_DOCUMENTS_H

#include <microhttpd.h>

struct http_req;

#define DOCUMENTS_PREFIX		"/documents/"
#define DOCUMENTS_API_PREFIX	"/api/v1/documents/"

/* 1 if slug is a document's slug (lower-case letters, digits and '-',
 * 2..63, as the documents table allows). */
int		documents_slug_ok(const char *slug);

enum MHD_Result	documents_list(struct http_req *);	/* GET /documents */
enum MHD_Result	documents_page(struct http_req *);	/* GET /documents/SLUG[/N] */
enum MHD_Result	documents_version(struct http_req *);	/* GET /documents/SLUG/N */
enum MHD_Result	documents_api_list(struct http_req *);	/* GET /api/v1/documents */
enum MHD_Result	documents_api_get(struct http_req *);	/* GET /api/v1/documents/SLUG */

#endif
