/*
 * pages.h: page handlers.  Each builds template variables and answers
 * through http_page / http_error; none decides visibility itself (the
 * database does, through row-level security).
 */
#ifndef COUNCIL_HEALTH_H
#define COUNCIL_HEALTH_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	health_get(struct http_req *);	/* GET /healthz */

#endif
