/*
 * taxii.h: the TAXII 2.1 server (issue 15 item 1; OASIS TAXII Version 2.1,
 * sections 4 and 5): discovery, the one API root "council", its
 * collections, their objects, manifest, an object and its versions, adding
 * objects, and the status of an addition, under /taxii2/.  The database
 * draws every answer under the caller's row-level security
 * (policy/96_stix.sql); this file speaks the protocol: the paths with
 * their strict trailing slashes, the media type, the query parameters,
 * the headers, the errors as TAXII error resources.  docs/api.md
 * "TAXII 2.1" describes it from the outside.
 */
#ifndef COUNCIL_TAXII_H
#define COUNCIL_TAXII_H

#include <stddef.h>

#include <microhttpd.h>

struct http_req;

/* The one media type of every answer and of a POST's body. */
#define TAXII_MEDIA	"application/taxii+json;version=2.1"
/* The largest body of a POST of objects (bytes); a larger one is 413.
 * The front takes a POST's body up to attachment_max_size + 64 KiB
 * (HTTP_BODY_UPLOAD, from a known token only), so a server configured
 * below 10M refuses earlier.  Equal to the API root's
 * max_content_length. */
#define TAXII_MAX_BODY	(10L * 1024 * 1024)
#define TAXII_ACCEPT_MAX 32	/* media ranges of an Accept header read */
#define TAXII_OBJECT_MAX 300	/* bytes of an object id in a path */
#define TAXII_UUID_LEN	36

/* The resource a path under /taxii2/ names. */
enum taxii_what {
	TAXII_NONE = 0,		/* none: 404 */
	TAXII_DISCOVERY,	/* /taxii2/ */
	TAXII_API_ROOT,		/* /taxii2/council/ */
	TAXII_COLLECTIONS,	/* .../collections/ */
	TAXII_COLLECTION,	/* .../collections/{id}/ */
	TAXII_OBJECTS,		/* .../collections/{id}/objects/ (GET, POST) */
	TAXII_MANIFEST,		/* .../collections/{id}/manifest/ */
	TAXII_OBJECT,		/* .../collections/{id}/objects/{object-id}/ */
	TAXII_VERSIONS,		/* .../objects/{object-id}/versions/ */
	TAXII_STATUS		/* /taxii2/council/status/{id}/ */
};

struct taxii_res {
	enum taxii_what	 what;
	char		 id[TAXII_UUID_LEN + 1];	/* collection or status */
	char		 object[TAXII_OBJECT_MAX + 1];	/* STIX id */
};

/*
 * Pure parsers, exposed for the unit tests.
 * taxii_path_parse: rest, the path after "/taxii2/" ("" for discovery),
 *   into res: 0, or -1 with res->what TAXII_NONE when it names no
 *   resource (a missing trailing slash, an empty segment, a collection or
 *   status id that is no UUID, an object id that is no STIX id: each
 *   answered like an absent resource).
 * taxii_accept_ok: 1 when an Accept header (NULL: none) admits
 *   TAXII_MEDIA: application/taxii+json with version 2.1 or none, or
 *   the wildcards "application/" "*" and "*" "/" "*", with q above 0,
 *   among its first TAXII_ACCEPT_MAX media ranges; else 0 (406).
 * taxii_content_type_ok: 1 when a Content-Type is application/taxii+json
 *   with version 2.1 or none (other parameters ignored); else 0 (415).
 */
int		taxii_path_parse(const char *rest, struct taxii_res *res);
int		taxii_accept_ok(const char *accept);
int		taxii_content_type_ok(const char *content_type);

/* /taxii2/ and /taxii2/{path} (site/routes.c, access HTTP_TOKEN): every
 * method; answers 401 without a token the database knows. */
enum MHD_Result	taxii_serve(struct http_req *);

#endif
