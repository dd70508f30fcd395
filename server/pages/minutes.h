/*
 * minutes.h: the general assembly's minutes as a page and as CSV
 * (minutes.c).
 */
#ifndef COUNCIL_MINUTES_H
#define COUNCIL_MINUTES_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	minutes_get(struct http_req *);	/* GET /assemblies/N/minutes */
enum MHD_Result	minutes_csv_get(struct http_req *);	/* GET /assemblies/N/minutes.csv */

#endif
