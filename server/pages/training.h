/*
 * training.h: handler safety management (issue 14 item 7; R-NEW-6): the
 * page of an organisation's handlers with their last secrecy training and
 * its state, the administrator's forms (record a training, confirm the
 * list once a year), the coordinator's overview of every organisation and
 * its periods; the JSON API's read.  policy/94_training.sql decides
 * everything.
 */
#ifndef COUNCIL_TRAINING_H
#define COUNCIL_TRAINING_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	training_page(struct http_req *);	/* GET /handlers */
enum MHD_Result	training_post(struct http_req *);	/* POST /handlers */
enum MHD_Result	training_api_get(struct http_req *);	/* GET /api/v1/handlers */

#endif
