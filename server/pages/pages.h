/*
 * pages.h: page handlers.  Each builds template variables and answers
 * through http_page / http_error; none decides visibility itself (the
 * database does, through row-level security).
 */
#ifndef COUNCIL_PAGES_H
#define COUNCIL_PAGES_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	pages_healthz(struct http_req *);	/* GET /healthz */

#endif
