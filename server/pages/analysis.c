/*
 * analysis.c: one analysis in tiered renditions (see analysis.h).  Every
 * write goes through the JSON API's own call, council.api_analysis, so
 * that the page and the API refuse alike (R-NEW-1, policy/91_renditions.sql).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "api.h"
#include "caller.h"
#include "form.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "markup.h"
#include "post.h"
#include "tmpl.h"
#include "util.h"

#define ANALYSIS_TIERS		3
#define ANALYSIS_SCOPE_MAX	64	/* classes and organisations a rendition names */

/* The tiers, richest first: the form's field prefixes and the catalog's
 * words (analysis.tier.<tier>). */
static const char *const analysis_tiers[ANALYSIS_TIERS] = {
	"full", "provision", "awareness"
};

/* The classes a rendition's scope may name (as the composer's). */
static const char *const analysis_classes[] = {
	"all_members", "task_force", "type1_group", "type2", "coordinator"
};

/*
 * The call: $1 'create' or 'preview', $2 the submit key, then per tier
 * (richest first) 7 parameters: included ("on"), title, body, secret
 * ("yes"/"no"/""), communications information ("on"), the scope's
 * classes and organisations (comma-separated, checked by
 * analysis_list_ok), and $24 awareness's publish ("on").  Answers status,
 * the error code, and per rendition of a preview: tier, the number of
 * organisations, their names, the TLP label; of a creation: the richest
 * rendition's post id.
 */
static const char ANALYSIS_CALL_SQL[] =
    "WITH r AS (SELECT v.n, json_strip_nulls(json_build_object("
    "'tier', v.tier, 'title', v.title, 'body', v.body, "
    "'secret', CASE v.secret WHEN 'yes' THEN true WHEN 'no' THEN false END, "
    "'comms_info', CASE WHEN v.comms = 'on' THEN true END, "
    "'publish', CASE WHEN v.publish = 'on' THEN true END, "
    "'scope', (SELECT json_agg(x) FROM ("
    "SELECT json_build_object('class', c) AS x FROM "
    "unnest(string_to_array(nullif(v.classes, ''), ',')) c "
    "UNION ALL SELECT json_build_object('org', o::bigint) FROM "
    "unnest(string_to_array(nullif(v.orgs, ''), ',')) o) s))) AS j "
    "FROM (VALUES "
    "(1, 'full', $3, $4, $5, $6, $7, $8, $9, NULL), "
    "(2, 'provision', $10, $11, $12, $13, $14, $15, $16, NULL), "
    "(3, 'awareness', $17, $18, $19, $20, $21, $22, $23, $24)) "
    "v(n, tier, included, title, body, secret, comms, classes, orgs, publish) "
    "WHERE v.included = 'on'), "
    "a AS (SELECT status, body FROM council.api_analysis($1, NULL, "
    "json_build_object('renditions', (SELECT coalesce(json_agg(r.j ORDER BY r.n), "
    "'[]') FROM r))::text, $2)) "
    "SELECT a.status, a.body::json->>'error', e->>'tier', "
    "e->'readers'->>'count', (SELECT string_agg(CASE WHEN $25 THEN o->>'name_en' "
    "ELSE o->>'name_ja' END, ', ') FROM json_array_elements(e->'readers'->'orgs') o), "
    "e->'readers'->>'tlp', "
    "coalesce(a.body::json->'renditions'->>'full', "
    "a.body::json->'renditions'->>'provision', "
    "a.body::json->'renditions'->>'awareness') "
    "FROM a LEFT JOIN LATERAL json_array_elements(CASE WHEN a.status = 200 "
    "THEN a.body::json->'renditions' END) e ON true";

/* The organisations a scope may name, for the composer's lists. */
static const char ANALYSIS_ORGS_SQL[] =
    "SELECT o.id, CASE WHEN $1 THEN o.name_en ELSE o.name_ja END, "
    "council.rendition_may_write() FROM council.organisations o "
    "WHERE o.status = 'member' ORDER BY 2, o.id";

/* The renditions section of post $1 (no rows: not the author's
 * organisation nor the coordinator, or no rendition), and whether the
 * caller may publish. */
static const char ANALYSIS_SECTION_SQL[] =
    "SELECT e->>'tier', e->>'post', e->>'title', e->>'secret', "
    "e->>'comms_info', e->>'published', e->>'current', e->>'readers', "
    "council.incident_may_touch() "
    "FROM json_array_elements(council.analysis_renditions($1::bigint)) e";

/* The public page: council.public_analyses($1) (NULL: the list). */
static const char ANALYSIS_PUBLIC_SQL[] =
    "SELECT (e->>'id'), e->>'title', coalesce(e->>'body', ''), "
    "CASE WHEN $2 THEN e->>'org_en' ELSE e->>'org_ja' END, e->>'published_at' "
    "FROM json_array_elements(council.public_analyses($1::bigint)) e";

/* v is a list of at most ANALYSIS_SCOPE_MAX known classes (or, with ids,
 * positive ids), comma-separated; "" is an empty list. */
static int
analysis_list_ok(const char *v, int ids)
{
	const char	*p = v;
	size_t		 len, i, n = 0;
	int		 known;

	while (*p != '\0') {
		len = strcspn(p, ",");
		if (len == 0 || ++n > ANALYSIS_SCOPE_MAX)
			return 0;
		if (ids) {
			if (len > 18 || *p == '0' || strspn(p, "0123456789") < len)
				return 0;
		} else {
			for (known = 0, i = 0; i < UTIL_ARRAY_LEN(analysis_classes); i++)
				known |= strlen(analysis_classes[i]) == len &&
				    strncmp(p, analysis_classes[i], len) == 0;
			if (!known)
				return 0;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 1;
}

/* b's text ("" before any append). */
static const char *
analysis_str(const struct buf *b)
{
	return b->data != NULL ? b->data : "";
}

/* The repeated field name of f (ids or classes), joined by commas into
 * out; 0 when a value is no known class or id, or too many. */
static int
analysis_join(const struct form *f, const char *name, int ids, struct buf *out)
{
	const char	*v;
	size_t		 i;

	buf_reset(out);
	for (i = 0; (v = form_get_nth(f, name, i)) != NULL; i++) {
		if (*v == '\0' || strchr(v, ',') != NULL || i >= ANALYSIS_SCOPE_MAX)
			return 0;
		buf_printf(out, "%s%s", i ? "," : "", v);
	}
	return analysis_list_ok(analysis_str(out), ids);
}

/* f's value of "<tier>_<name>", or "". */
static const char *
analysis_field(const struct form *f, const char *tier, const char *name)
{
	char		 key[48];
	const char	*v;

	if (f == NULL)
		return "";
	snprintf(key, sizeof(key), "%s_%s", tier, name);
	return (v = form_get(f, key)) != NULL ? v : "";
}

/* Whether f has the repeated "<tier>_<name>" value v. */
static int
analysis_has(const struct form *f, const char *tier, const char *name,
    const char *v)
{
	char		 key[48];
	const char	*x;
	size_t		 i;

	if (f == NULL)
		return 0;
	snprintf(key, sizeof(key), "%s_%s", tier, name);
	for (i = 0; (x = form_get_nth(f, key, i)) != NULL; i++)
		if (strcmp(x, v) == 0)
			return 1;
	return 0;
}

/*
 * The composer: the three renditions' fieldsets, as f left them (NULL: a
 * new analysis, every tier included, awareness not secret), error above
 * them, and the preview's rows of r (tag 200) when given.  403 for one
 * who does not write analyses (policy/91_renditions.sql decides).
 */
static enum MHD_Result
analysis_page(struct http_req *req, const struct caller_me *me,
    unsigned status, const struct form *f, const char *error, PGresult *pv)
{
	struct tmpl_vars	*vars = NULL, *t, *item;
	PGresult		*r = NULL;
	const char		*params[1], *v;
	char			 err[256], key[65], name[48];
	size_t			 i, k;
	int			 j;
	enum MHD_Result		 ret;

	params[0] = req->lang == I18N_EN ? "t" : "f";
	if ((r = caller_db(req, ANALYSIS_ORGS_SQL, 1, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"analysis composer failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	if (PQntuples(r) == 0 || *PQgetvalue(r, 0, 2) != 't') {
		ret = http_error(req, 403, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, me);
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	for (i = 0; i < ANALYSIS_TIERS; i++) {
		t = tmpl_vars_add_item(vars, "tiers");
		tmpl_vars_set(t, "tier", analysis_tiers[i]);
		/* The fields' names and ids: "<tier>_<field>", "an-<tier>-<field>". */
		tmpl_vars_setf(t, "f_on", "%s_on", analysis_tiers[i]);
		tmpl_vars_setf(t, "f_title", "%s_title", analysis_tiers[i]);
		tmpl_vars_setf(t, "f_body", "%s_body", analysis_tiers[i]);
		tmpl_vars_setf(t, "f_secret", "%s_secret", analysis_tiers[i]);
		tmpl_vars_setf(t, "f_comms", "%s_comms", analysis_tiers[i]);
		tmpl_vars_setf(t, "f_org", "%s_org", analysis_tiers[i]);
		tmpl_vars_setf(t, "id_on", "an-%s-on", analysis_tiers[i]);
		tmpl_vars_setf(t, "id_title", "an-%s-title", analysis_tiers[i]);
		tmpl_vars_setf(t, "id_body", "an-%s-body", analysis_tiers[i]);
		tmpl_vars_setf(t, "id_secret_yes", "an-%s-secret-yes", analysis_tiers[i]);
		tmpl_vars_setf(t, "id_secret_no", "an-%s-secret-no", analysis_tiers[i]);
		tmpl_vars_setf(t, "id_comms", "an-%s-comms", analysis_tiers[i]);
		tmpl_vars_setf(t, "id_org", "an-%s-org", analysis_tiers[i]);
		tmpl_vars_setf(t, "id_legend", "an-%s-legend", analysis_tiers[i]);
		snprintf(name, sizeof(name), "analysis.tier.%s", analysis_tiers[i]);
		tmpl_vars_set(t, "label", http_text(req, name));
		snprintf(name, sizeof(name), "analysis.tier.%s.help",
		    analysis_tiers[i]);
		tmpl_vars_set(t, "help", http_text(req, name));
		if (f == NULL || *analysis_field(f, analysis_tiers[i], "on") != '\0')
			tmpl_vars_set(t, "on", "checked");
		tmpl_vars_set(t, "title", analysis_field(f, analysis_tiers[i], "title"));
		tmpl_vars_set(t, "body", analysis_field(f, analysis_tiers[i], "body"));
		v = analysis_field(f, analysis_tiers[i], "secret");
		if (i == ANALYSIS_TIERS - 1) {
			/* R-NEW-1: awareness holds no secret: no choice. */
			tmpl_vars_set(t, "awareness", "1");
			if (f == NULL || *analysis_field(f, "awareness", "publish") != '\0')
				tmpl_vars_set(t, "publish", "checked");
		} else {
			tmpl_vars_set(t, "may_secret", "1");
			if (strcmp(v, "yes") == 0)
				tmpl_vars_set(t, "secret_yes", "checked");
			else if (strcmp(v, "no") == 0)
				tmpl_vars_set(t, "secret_no", "checked");
		}
		if (i == 0) {
			tmpl_vars_set(t, "may_comms", "1");
			if (*analysis_field(f, "full", "comms") != '\0')
				tmpl_vars_set(t, "comms", "checked");
		}
		for (k = 0; k < UTIL_ARRAY_LEN(analysis_classes); k++) {
			item = tmpl_vars_add_item(t, "classes");
			tmpl_vars_set(item, "value", analysis_classes[k]);
			tmpl_vars_setf(item, "field", "%s_class",
			    analysis_tiers[i]);
			snprintf(name, sizeof(name), "class.%s",
			    analysis_classes[k]);
			tmpl_vars_set(item, "label", http_text(req, name));
			tmpl_vars_setf(item, "id", "an-%s-class-%zu",
			    analysis_tiers[i], k);
			if (analysis_has(f, analysis_tiers[i], "class",
			    analysis_classes[k]))
				tmpl_vars_set(item, "checked", "checked");
		}
		for (j = 0; j < PQntuples(r); j++) {
			item = tmpl_vars_add_item(t, "orgs");
			tmpl_vars_set(item, "id", PQgetvalue(r, j, 0));
			tmpl_vars_set(item, "name", PQgetvalue(r, j, 1));
			if (analysis_has(f, analysis_tiers[i], "org",
			    PQgetvalue(r, j, 0)))
				tmpl_vars_set(item, "selected", "selected");
		}
	}
	/* The preview: per rendition, how many organisations read it and
	 * which, with the label of what it reaches. */
	for (j = 0; pv != NULL && j < PQntuples(pv); j++) {
		if (PQgetisnull(pv, j, 2))
			continue;
		item = tmpl_vars_add_item(vars, "preview");
		snprintf(name, sizeof(name), "analysis.tier.%s",
		    PQgetvalue(pv, j, 2));
		tmpl_vars_set(item, "tier", http_text(req, name));
		tmpl_vars_set(item, "count", PQgetvalue(pv, j, 3));
		tmpl_vars_set(item, "names", PQgetvalue(pv, j, 4));
		snprintf(name, sizeof(name), "tlp.%s", PQgetvalue(pv, j, 5));
		tmpl_vars_set(item, "tlp", http_text(req, name));
	}
	if (f != NULL && (v = form_get(f, "submit_key")) != NULL &&
	    strlen(v) == 32 && strspn(v, "0123456789abcdef") == 32)
		tmpl_vars_set(vars, "submit_key", v);
	else if (util_random_hex(key, 16) == 0)
		tmpl_vars_set(vars, "submit_key", key);
	ret = http_page(req, status, "analysis_new.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(r);
	return ret;
}

enum MHD_Result
analysis_new(struct http_req *req)
{
	struct caller_me	 me;
	enum MHD_Result		 ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return analysis_page(req, &me, 200, NULL, NULL, NULL);
}

/*
 * POST /analyses/new: "preview" shows who reads each rendition and keeps
 * the form; otherwise the analysis is written (the submit key makes a
 * double submit return the first) and the richest rendition opens.  A
 * refusal shows the form again as sent, with the rule's words.
 */
enum MHD_Result
analysis_create(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	struct buf		 cls[ANALYSIS_TIERS], orgs[ANALYSIS_TIERS];
	const char		*params[25];
	PGresult		*r = NULL;
	char			 err[256], loc[64], name[48];
	const char		*code, *t;
	unsigned		 st;
	size_t			 i;
	int			 preview;
	enum MHD_Result		 ret;

	form_init(&f);
	for (i = 0; i < ANALYSIS_TIERS; i++) {
		buf_init(&cls[i]);
		buf_init(&orgs[i]);
	}
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	preview = form_get(&f, "preview") != NULL;
	params[0] = preview ? "preview" : "create";
	params[1] = form_get(&f, "submit_key");
	if (params[1] != NULL && (strlen(params[1]) != 32 ||
	    strspn(params[1], "0123456789abcdef") != 32))
		params[1] = NULL;
	for (i = 0; i < ANALYSIS_TIERS; i++) {
		t = analysis_tiers[i];
		snprintf(name, sizeof(name), "%s_class", t);
		if (!analysis_join(&f, name, 0, &cls[i])) {
			ret = http_error(req, 400, NULL);	/* a forged form */
			goto out;
		}
		snprintf(name, sizeof(name), "%s_org", t);
		if (!analysis_join(&f, name, 1, &orgs[i])) {
			ret = http_error(req, 400, NULL);
			goto out;
		}
		params[2 + i * 7] = *analysis_field(&f, t, "on") != '\0' ? "on" : "";
		params[3 + i * 7] = analysis_field(&f, t, "title");
		params[4 + i * 7] = analysis_field(&f, t, "body");
		params[5 + i * 7] = i == ANALYSIS_TIERS - 1 ? "no" :
		    analysis_field(&f, t, "secret");
		params[6 + i * 7] = analysis_field(&f, t, "comms");
		params[7 + i * 7] = analysis_str(&cls[i]);
		params[8 + i * 7] = analysis_str(&orgs[i]);
	}
	params[23] = analysis_field(&f, "awareness", "publish");
	params[24] = req->lang == I18N_EN ? "t" : "f";
	if ((r = caller_db(req, ANALYSIS_CALL_SQL, 25, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"analysis failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	st = (unsigned)atoi(PQgetvalue(r, 0, 0));
	if (st == 403) {
		ret = http_error(req, 403, NULL);
		goto out;
	}
	if (st >= 300) {
		code = PQgetvalue(r, 0, 1);
		ret = analysis_page(req, &me, 422, &f, http_text_of(req,
		    "analysis.error", code, "analysis.error.invalid"), NULL);
		goto out;
	}
	if (preview) {
		ret = analysis_page(req, &me, 200, &f, NULL, r);
		goto out;
	}
	snprintf(loc, sizeof(loc), "/posts/%s", PQgetvalue(r, 0, 6));
	ret = http_redirect_done(req, loc, "analysis.created");
out:
	for (i = 0; i < ANALYSIS_TIERS; i++) {
		buf_free(&cls[i]);
		buf_free(&orgs[i]);
	}
	PQclear(r);
	form_free(&f);
	return ret;
}

/* POST /posts/N/publish (publish=1|0): the author's organisation puts the
 * rendition for awareness on the public page or takes it off. */
enum MHD_Result
analysis_publish(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	const char		*params[2];
	PGresult		*r = NULL;
	char			 err[256], id[24], loc[64];
	const char		*v;
	unsigned		 st;
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	v = form_get(&f, "publish");
	if (v == NULL || (strcmp(v, "1") != 0 && strcmp(v, "0") != 0)) {
		ret = http_error(req, 400, NULL);
		goto out;
	}
	snprintf(id, sizeof(id), "%lld", req->id);
	params[0] = id;
	params[1] = *v == '1' ? "{\"publish\": true}" : "{\"publish\": false}";
	if ((r = caller_db(req, "SELECT status, body::json->>'error' FROM "
	    "council.api_analysis('publish', $1::bigint, $2)", 2, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"publish failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	st = (unsigned)atoi(PQgetvalue(r, 0, 0));
	if (st == 404 || st == 403) {
		ret = http_error(req, st, NULL);
		goto out;
	}
	if (st >= 300) {
		ret = post_page(req, &me, req->id, 422, "renditions",
		    http_text_of(req, "analysis.error", PQgetvalue(r, 0, 1),
		    "analysis.error.invalid"), NULL);
		goto out;
	}
	snprintf(loc, sizeof(loc), "/posts/%lld", req->id);
	ret = http_redirect_done(req, loc, *v == '1' ? "analysis.published" :
	    "analysis.unpublished");
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

void
analysis_post_vars(struct http_req *req, long long post_id,
    struct tmpl_vars *vars, const char *note, const struct form *sent)
{
	struct tmpl_vars	*item;
	PGresult		*r;
	const char		*params[1];
	char			 err[256], id[24], key[48];
	int			 i;

	(void)sent;
	snprintf(id, sizeof(id), "%lld", post_id);
	params[0] = id;
	if ((r = caller_db(req, ANALYSIS_SECTION_SQL, 1, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"renditions failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		return;
	}
	if (PQntuples(r) > 0)
		tmpl_vars_set(vars, "renditions_section", "1");
	if (note != NULL)
		tmpl_vars_set(vars, "renditions_note", note);
	for (i = 0; i < PQntuples(r); i++) {
		item = tmpl_vars_add_item(vars, "renditions");
		snprintf(key, sizeof(key), "analysis.tier.%s",
		    PQgetvalue(r, i, 0));
		tmpl_vars_set(item, "tier", http_text(req, key));
		tmpl_vars_setf(item, "href", "/posts/%s", PQgetvalue(r, i, 1));
		tmpl_vars_set(item, "title", PQgetvalue(r, i, 2));
		if (strcmp(PQgetvalue(r, i, 3), "true") == 0)
			tmpl_vars_set(item, "secret", "1");
		if (strcmp(PQgetvalue(r, i, 4), "true") == 0)
			tmpl_vars_set(item, "comms", "1");
		if (strcmp(PQgetvalue(r, i, 6), "true") == 0)
			tmpl_vars_set(item, "current", "page");
		tmpl_vars_set(item, "readers", PQgetvalue(r, i, 7));
		if (strcmp(PQgetvalue(r, i, 0), "awareness") == 0) {
			if (strcmp(PQgetvalue(r, i, 5), "true") == 0) {
				tmpl_vars_set(item, "published", "1");
				tmpl_vars_setf(item, "public_href",
				    "/public/analyses/%s", PQgetvalue(r, i, 1));
			}
			if (*PQgetvalue(r, i, 8) == 't') {
				tmpl_vars_setf(item, "publish_action",
				    "/posts/%s/publish", PQgetvalue(r, i, 1));
				tmpl_vars_set(item, "publish_value",
				    strcmp(PQgetvalue(r, i, 5), "true") == 0 ?
				    "0" : "1");
			}
		}
	}
	PQclear(r);
}

/* The public page: the list (n == 0) or one published rendition. */
static enum MHD_Result
analysis_public(struct http_req *req, long long n)
{
	struct caller_me	 me;
	struct tmpl_vars	*vars = NULL, *item;
	PGresult		*r = NULL;
	const char		*params[2];
	char			 err[256], id[24];
	int			 who, i;
	enum MHD_Result		 ret;

	if ((who = caller_identify(req, &me)) < 0) {
		ret = http_error(req, 503, NULL);
		goto out;
	}
	snprintf(id, sizeof(id), "%lld", n);
	params[0] = n > 0 ? id : NULL;
	params[1] = req->lang == I18N_EN ? "t" : "f";
	if ((r = caller_db(req, ANALYSIS_PUBLIC_SQL, 2, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"public analyses failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	if (n > 0 && PQntuples(r) == 0) {
		ret = http_error(req, 404, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	if (who == 1)
		caller_frame(req, vars, &me);
	if (n > 0) {
		tmpl_vars_set(vars, "one", "1");
		tmpl_vars_set(vars, "title", PQgetvalue(r, 0, 1));
		tmpl_vars_set(vars, "org", PQgetvalue(r, 0, 3));
		tmpl_vars_set(vars, "date", PQgetvalue(r, 0, 4));
		markup_blocks(PQgetvalue(r, 0, 2), vars, "body_blocks");
	} else {
		for (i = 0; i < PQntuples(r); i++) {
			item = tmpl_vars_add_item(vars, "analyses");
			tmpl_vars_setf(item, "href", "/public/analyses/%s",
			    PQgetvalue(r, i, 0));
			tmpl_vars_set(item, "title", PQgetvalue(r, i, 1));
			tmpl_vars_set(item, "org", PQgetvalue(r, i, 3));
			tmpl_vars_set(item, "date", PQgetvalue(r, i, 4));
		}
	}
	ret = http_page(req, 200, "public_analyses.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(r);
	return ret;
}

enum MHD_Result
analysis_public_list(struct http_req *req)
{
	return analysis_public(req, 0);
}

enum MHD_Result
analysis_public_get(struct http_req *req)
{
	if (req->id <= 0)
		return http_error(req, 404, NULL);
	return analysis_public(req, req->id);
}

/* GET /api/v1/public/analyses: the published renditions for awareness,
 * for anyone. */
enum MHD_Result
analysis_api_public(struct http_req *req)
{
	PGresult	*r;
	char		 err[256];
	enum MHD_Result	 ret;

	if ((r = caller_db(req, "SELECT json_build_object('analyses', "
	    "council.public_analyses())::text", 0, NULL, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"public analyses failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		return api_error(req, 503, "unavailable");
	}
	ret = http_json(req, 200, PQgetvalue(r, 0, 0),
	    (size_t)PQgetlength(r, 0, 0));
	PQclear(r);
	return ret;
}
