/*
 * misp.h: MISP in and out (issue 15 item 4; docs/misp.md).  A post as a
 * MISP core format event, downloaded from its page or read from the API,
 * as the caller may see it (a hidden post is an absent one); and a MISP
 * event uploaded on /misp/import or posted to the API, turned into the
 * composer's prefilled fields: a draft, never a post (R-SCOPE-1,
 * R-SECRET-1: the member chooses the scope and declares the secrecy).
 * policy/97_misp.sql decides and builds everything.
 */
#ifndef COUNCIL_MISP_H
#define COUNCIL_MISP_H

#include <microhttpd.h>

struct form;
struct http_req;
struct tmpl_vars;

/* The post page's section: the download link (misp_href). */
void		misp_post_vars(struct http_req *, long long post_id,
		    struct tmpl_vars *, const char *note,
		    const struct form *sent);

enum MHD_Result	misp_export_page(struct http_req *);	/* GET /posts/N/misp.json */
enum MHD_Result	misp_api_export(struct http_req *);	/* GET /api/v1/posts/N/misp */
enum MHD_Result	misp_import_page(struct http_req *);	/* GET /misp/import */
enum MHD_Result	misp_import_upload(struct http_req *);	/* POST /misp/import (a file) */
enum MHD_Result	misp_api_import(struct http_req *);	/* POST /api/v1/misp/import */

#endif
