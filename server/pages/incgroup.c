/*
 * incgroup.c: per-incident groups on the portal (see incgroup.h): the
 * groups of one report that the caller sees, each with its members and
 * the proposals the caller sees; the form by which an authority the report
 * was delivered to (or the coordinator) opens one; the owner's form that
 * proposes a member; the reporter's grant and refusal of each proposal,
 * asked first (kit/confirm.c: neither can be undone); and the JSON API's
 * reads.  Every write goes through the JSON API's own call,
 * council.api_incident_group (policy/88_incident_groups.sql), so that the
 * page and the API refuse alike.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "caller.h"
#include "confirm.h"
#include "db.h"
#include "form.h"
#include "http.h"
#include "i18n.h"
#include "incgroup.h"
#include "log.h"
#include "tmpl.h"
#include "util.h"

/* Report $1 as the caller sees it (no row: hidden or absent), whether the
 * caller may open a group from it, and whether the caller is its
 * reporter. */
static const char IGRP_REPORT_SQL[] =
    "SELECT x.id, x.title, council.incident_may_draft(x.id), "
    "x.org_id = (SELECT me.org_id FROM council.me) "
    "FROM council.incident_reports x WHERE x.id = $1::bigint";

/* The groups of report $1 the caller sees, newest first ($2 the
 * language), and whether the caller may propose members (its owner, or
 * the coordinator; council.incident_group_propose decides again). */
static const char IGRP_GROUPS_SQL[] =
    "SELECT gr.id, gr.slug, CASE WHEN $2 = 'en' THEN gr.name_en ELSE gr.name_ja END, "
    "CASE WHEN $2 = 'en' THEN o.name_en ELSE o.name_ja END, "
    "(gr.owner_org_id = (SELECT me.org_id FROM council.me) "
    "OR coalesce((SELECT me.is_coordinator FROM council.me), false)) "
    "FROM council.incident_groups ig JOIN council.groups gr ON gr.id = ig.group_id "
    "JOIN council.organisations o ON o.id = gr.owner_org_id "
    "WHERE ig.report_id = $1::bigint ORDER BY gr.id DESC LIMIT 20";

/* The members of those groups: group, organisation, its name. */
static const char IGRP_MEMBERS_SQL[] =
    "SELECT m.group_id, m.org_id, CASE WHEN $2 = 'en' THEN o.name_en ELSE o.name_ja END "
    "FROM council.incident_groups ig JOIN council.group_members m ON m.group_id = ig.group_id "
    "JOIN council.organisations o ON o.id = m.org_id "
    "WHERE ig.report_id = $1::bigint ORDER BY m.group_id, 3";

/* The proposals of those groups the caller sees: group, organisation,
 * its name, the reporter's answer, when proposed and decided (JST). */
static const char IGRP_PROPOSALS_SQL[] =
    "SELECT p.group_id, p.org_id, CASE WHEN $2 = 'en' THEN o.name_en ELSE o.name_ja END, "
    "p.status::text, " CALLER_JST("p.proposed_at") ", "
    "coalesce(" CALLER_JST("p.decided_at") ", '') "
    "FROM council.incident_groups ig "
    "JOIN council.incident_group_proposals p ON p.group_id = ig.group_id "
    "JOIN council.organisations o ON o.id = p.org_id "
    "WHERE ig.report_id = $1::bigint ORDER BY p.group_id, 3";

/* The organisations a member may be proposed from (members of the
 * council), by name; $1 the language. */
static const char IGRP_ORGS_SQL[] =
    "SELECT o.id, CASE WHEN $1 = 'en' THEN o.name_en ELSE o.name_ja END "
    "FROM council.organisations o WHERE o.status = 'member' ORDER BY 2 LIMIT 500";

enum { IGRP_NREADS = 5 };

/* One call of the API's row: $1 what, $2 id (the report's to open, the
 * group's to act), $3 slug, $4 name_ja, $5 name_en, $6 action, $7 org
 * (digits, else left out), $8 grant ("yes" or "no", else left out).
 * NULLs are left out of the request. */
static const char IGRP_CALL_SQL[] =
    "SELECT status, body::json->>'error', body::json->>'id' "
    "FROM council.api_incident_group($1, $2::bigint, json_strip_nulls(json_build_object("
    "'slug', $3::text, 'name_ja', $4::text, 'name_en', $5::text, 'action', $6::text, "
    "'org', CASE WHEN $7::text ~ '^[0-9]{1,18}$' THEN $7::text::bigint END, "
    "'grant', CASE $8::text WHEN 'yes' THEN true WHEN 'no' THEN false END))::text)";

/* Group $1 is one of report $2's that the caller sees (no row: hidden,
 * absent or another report's), and whether the caller may decide on its
 * proposals now (then a decision is asked first). */
static const char IGRP_OF_REPORT_SQL[] =
    "SELECT (council.incident_group(ig.group_id)::jsonb->>'may_decide')::boolean "
    "FROM council.incident_groups ig "
    "WHERE ig.group_id = $1::bigint AND ig.report_id = $2::bigint";

static const char *
igrp_lang(struct http_req *req)
{
	return req->lang == I18N_EN ? "en" : "ja";
}

/* The field a refusal code is about, or NULL. */
static const char *
igrp_bad_field(const char *code)
{
	if (strcmp(code, "invalid_slug") == 0 ||
	    strcmp(code, "slug_taken") == 0)
		return "slug";
	if (strcmp(code, "invalid_name") == 0)
		return "name";
	return NULL;
}

/* The status a refusal answers with: 403 and 409 as the API says, the
 * rest 422. */
static unsigned
igrp_refusal_status(unsigned st)
{
	return st == 403 || st == 409 ? st : 422;
}

/* The group's panel: its members, its proposals (with the reporter's
 * buttons on those pending when reporter is set) and, for one who may
 * propose, the organisations neither members nor proposed. */
static void
igrp_group(struct http_req *req, struct tmpl_vars *it, const char *gid,
    PGresult *members, PGresult *props, PGresult *orgs, int propose,
    int reporter)
{
	struct tmpl_vars	*m;
	const char		*o;
	int			 i, j, taken;

	for (i = 0; i < PQntuples(members); i++) {
		if (strcmp(PQgetvalue(members, i, 0), gid) != 0)
			continue;
		m = tmpl_vars_add_item(it, "members");
		tmpl_vars_set(m, "name", PQgetvalue(members, i, 2));
	}
	for (i = 0; i < PQntuples(props); i++) {
		if (strcmp(PQgetvalue(props, i, 0), gid) != 0)
			continue;
		m = tmpl_vars_add_item(it, "proposals");
		tmpl_vars_set(m, "org", PQgetvalue(props, i, 1));
		tmpl_vars_set(m, "name", PQgetvalue(props, i, 2));
		tmpl_vars_set(m, "status", http_text_of(req, "igroup.status",
		    PQgetvalue(props, i, 3), NULL));
		tmpl_vars_set(m, "status_class",
		    strcmp(PQgetvalue(props, i, 3), "granted") == 0 ?
		    "badge badge--passed" : strcmp(PQgetvalue(props, i, 3),
		    "refused") == 0 ? "badge badge--failed" : "badge");
		tmpl_vars_set(m, "proposed", PQgetvalue(props, i, 4));
		if (*PQgetvalue(props, i, 5) != '\0')
			tmpl_vars_set(m, "decided", PQgetvalue(props, i, 5));
		if (reporter && strcmp(PQgetvalue(props, i, 3), "pending") == 0)
			tmpl_vars_set(m, "may_decide", "1");
	}
	if (!propose)
		return;
	tmpl_vars_set(it, "may_propose", "1");
	tmpl_vars_setf(it, "select_id", "igroup-org-%s", gid);
	for (i = 0; i < PQntuples(orgs); i++) {
		o = PQgetvalue(orgs, i, 0);
		taken = 0;
		for (j = 0; !taken && j < PQntuples(members); j++)
			taken = strcmp(PQgetvalue(members, j, 0), gid) == 0 &&
			    strcmp(PQgetvalue(members, j, 1), o) == 0;
		for (j = 0; !taken && j < PQntuples(props); j++)
			taken = strcmp(PQgetvalue(props, j, 0), gid) == 0 &&
			    strcmp(PQgetvalue(props, j, 1), o) == 0 &&
			    strcmp(PQgetvalue(props, j, 3), "granted") != 0;
		if (taken)
			continue;
		m = tmpl_vars_add_item(it, "candidates");
		tmpl_vars_set(m, "value", o);
		tmpl_vars_set(m, "label", PQgetvalue(orgs, i, 1));
	}
}

/*
 * The groups of report n (404 when hidden or absent, as an absent id),
 * with the forms the caller may use: f (when not NULL) the refused form,
 * shown again as sent, error above it, bad the field it is about.
 */
static enum MHD_Result
igrp_page(struct http_req *req, long long n, unsigned status,
    const char *error, const struct form *f, const char *bad)
{
	struct caller_me	 me;
	struct db_stmt		 s[IGRP_NREADS];
	struct tmpl_vars	*vars = NULL, *it;
	const char		*p2[2], *v, *a;
	PGresult		*rep, *groups, *members, *props, *orgs;
	char			 id[24], key[32];
	int			 i, reporter;
	enum MHD_Result		 ret;

	snprintf(id, sizeof(id), "%lld", n);
	p2[0] = id;
	p2[1] = igrp_lang(req);
	memset(s, 0, sizeof(s));
	s[0].sql = IGRP_REPORT_SQL;
	s[1].sql = IGRP_GROUPS_SQL;
	s[2].sql = IGRP_MEMBERS_SQL;
	s[3].sql = IGRP_PROPOSALS_SQL;
	s[4].sql = IGRP_ORGS_SQL;
	for (i = 0; i < IGRP_NREADS - 1; i++) {
		s[i].nparams = i == 0 ? 1 : 2;
		s[i].params = p2;
	}
	s[4].nparams = 1;
	s[4].params = p2 + 1;
	if (!caller_page_db(req, &me, s, IGRP_NREADS, &ret))
		return ret;
	if ((rep = s[0].result) == NULL || (groups = s[1].result) == NULL ||
	    (members = s[2].result) == NULL || (props = s[3].result) == NULL ||
	    (orgs = s[4].result) == NULL) {
		log_error("msg=\"incident groups failed\" rid=%s "
		    "error=\"%s%s%s%s%s\"", req->rid, s[0].err, s[1].err,
		    s[2].err, s[3].err, s[4].err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	if (PQntuples(rep) == 0) {
		ret = http_error(req, 404, NULL);
		goto out;
	}
	reporter = *PQgetvalue(rep, 0, 3) == 't';
	vars = tmpl_vars_new();
	caller_frame(req, vars, &me);
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	if (bad != NULL) {
		snprintf(key, sizeof(key), "bad_%s", bad);
		tmpl_vars_set(vars, key, "true");
	}
	tmpl_vars_set(vars, "report_id", id);
	tmpl_vars_set(vars, "report_title", PQgetvalue(rep, 0, 1));
	tmpl_vars_setf(vars, "report_href", "/incidents/%s", id);
	tmpl_vars_setf(vars, "action", "/incidents/%s/groups", id);
	for (i = 0; i < PQntuples(groups); i++) {
		it = tmpl_vars_add_item(vars, "groups");
		tmpl_vars_set(it, "gid", PQgetvalue(groups, i, 0));
		tmpl_vars_setf(it, "anchor", "igroup-%s",
		    PQgetvalue(groups, i, 0));
		tmpl_vars_setf(it, "heading_id", "igroup-%s-heading",
		    PQgetvalue(groups, i, 0));
		tmpl_vars_set(it, "slug", PQgetvalue(groups, i, 1));
		tmpl_vars_set(it, "name", PQgetvalue(groups, i, 2));
		tmpl_vars_set(it, "owner", PQgetvalue(groups, i, 3));
		igrp_group(req, it, PQgetvalue(groups, i, 0), members, props,
		    orgs, *PQgetvalue(groups, i, 4) == 't', reporter);
	}
	if (*PQgetvalue(rep, 0, 2) == 't') {
		tmpl_vars_set(vars, "may_open", "1");
		a = f != NULL ? form_get(f, "action") : NULL;
		if (a != NULL && strcmp(a, "open") == 0) {
			if ((v = form_get(f, "slug")) != NULL)
				tmpl_vars_set(vars, "slug", v);
			if ((v = form_get(f, "name_ja")) != NULL)
				tmpl_vars_set(vars, "name_ja", v);
			if ((v = form_get(f, "name_en")) != NULL)
				tmpl_vars_set(vars, "name_en", v);
		}
	}
	ret = http_page(req, status, "incident_groups.xhtml", vars);
out:
	tmpl_vars_free(vars);
	for (i = 0; i < IGRP_NREADS; i++)
		PQclear(s[i].result);
	return ret;
}

enum MHD_Result
incgroup_list(struct http_req *req)
{
	return igrp_page(req, req->id, 200, NULL, NULL, NULL);
}

/* What a decision asks first carries (confirm.h). */
static const char *const igrp_carry[] = { "action", "group", "org", "grant",
    NULL };

/* Ask before the reporter grants or refuses (grant "yes" or not) a
 * proposal of group gid on report rid's page. */
static enum MHD_Result
igrp_ask(struct http_req *req, const struct caller_me *me, const char *rid,
    const char *gid, const struct form *f)
{
	struct confirm_ask	 ask;
	const char		*g = form_get(f, "grant");
	int			 yes = g != NULL && strcmp(g, "yes") == 0;
	char			 loc[64], subject[128];

	snprintf(loc, sizeof(loc), "/incidents/%s/groups", rid);
	snprintf(subject, sizeof(subject), "%s #%s",
	    http_text(req, "igroup.group"), gid);
	ask.action = loc;
	ask.heading = yes ? "confirm.igroup.grant.heading" :
	    "confirm.igroup.refuse.heading";
	ask.consequence = yes ? "confirm.igroup.grant.consequence" :
	    "confirm.igroup.refuse.consequence";
	ask.submit = yes ? "igroup.grant" : "igroup.refuse";
	ask.subject = subject;
	ask.back = loc;
	ask.carry = igrp_carry;
	return confirm_page(req, me, f, &ask);
}

/* The one-time message after act a (grant g). */
static const char *
igrp_done(const char *a, const char *g)
{
	if (strcmp(a, "open") == 0)
		return "igroup.opened";
	if (strcmp(a, "propose") == 0)
		return "igroup.proposed";
	return g != NULL && strcmp(g, "yes") == 0 ? "igroup.granted" :
	    "igroup.refused";
}

/*
 * POST /incidents/N/groups: action = open (slug, name_ja, name_en) |
 * propose (group, org) | decide (group, org, grant = yes | no; asked
 * first), through council.api_incident_group.  A hidden report, or a group
 * hidden, absent or of another report, answers like an absent one (404);
 * a refusal shows the page again with the form as sent, nothing changed.
 */
enum MHD_Result
incgroup_post(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	const char		*a, *g, *code, *params[8];
	char			 err[256], rid[24], gid[24], loc[80];
	unsigned		 st;
	long long		 gn;
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	snprintf(rid, sizeof(rid), "%lld", req->id);
	a = form_get(&f, "action");
	if (a == NULL || (strcmp(a, "open") != 0 &&
	    strcmp(a, "propose") != 0 && strcmp(a, "decide") != 0)) {
		ret = igrp_page(req, req->id, 422, http_text(req,
		    "igroup.error.invalid"), NULL, NULL);
		goto out;
	}
	if (strcmp(a, "open") != 0) {
		/* The group must be one of this report's that the caller
		 * sees: else the absent 404, whatever it is. */
		g = form_get(&f, "group");
		gn = g != NULL && strspn(g, "0123456789") == strlen(g) &&
		    strlen(g) > 0 && strlen(g) <= 18 ? atoll(g) : 0;
		snprintf(gid, sizeof(gid), "%lld", gn);
		params[0] = gid;
		params[1] = rid;
		if ((r = caller_db(req, IGRP_OF_REPORT_SQL, 2, params, err,
		    sizeof(err))) == NULL) {
			log_error("msg=\"incident group check failed\" rid=%s "
			    "error=\"%s\"", req->rid, err);
			ret = http_error(req, 503, NULL);
			goto out;
		}
		if (PQntuples(r) == 0) {
			ret = http_error(req, 404, NULL);
			goto out;
		}
		if (strcmp(a, "decide") == 0 && !confirm_given(&f) &&
		    *PQgetvalue(r, 0, 0) == 't') {
			ret = igrp_ask(req, &me, rid, gid, &f);
			goto out;
		}
		PQclear(r);
		r = NULL;
	}
	params[0] = strcmp(a, "open") == 0 ? "open" : "act";
	params[1] = strcmp(a, "open") == 0 ? rid : gid;
	params[2] = form_get(&f, "slug");
	params[3] = form_get(&f, "name_ja");
	params[4] = form_get(&f, "name_en");
	params[5] = strcmp(a, "open") == 0 ? NULL : a;
	params[6] = form_get(&f, "org");
	params[7] = form_get(&f, "grant");
	if ((r = caller_db(req, IGRP_CALL_SQL, 8, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"incident group act failed\" rid=%s "
		    "error=\"%s\"", req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	st = (unsigned)atoi(PQgetvalue(r, 0, 0));
	if (st == 404) {
		ret = http_error(req, 404, NULL);
		goto out;
	}
	if (st >= 300) {
		code = PQgetvalue(r, 0, 1);
		ret = igrp_page(req, req->id, igrp_refusal_status(st),
		    http_text_of(req, "igroup.error", code,
		    "igroup.error.invalid"), &f, igrp_bad_field(code));
		goto out;
	}
	snprintf(loc, sizeof(loc), "/incidents/%s/groups#igroup-%s", rid,
	    PQgetvalue(r, 0, 2));
	ret = http_redirect_done(req, loc, igrp_done(a,
	    form_get(&f, "grant")));
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

/* GET /api/v1/incidents/N/groups, /api/v1/incident-groups/N: through the
 * door, so that a hidden report or group answers like an absent one. */
static enum MHD_Result
igrp_api_read(struct http_req *req, const char *what)
{
	const char	*params[2];
	char		 id[24];

	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	snprintf(id, sizeof(id), "%lld", req->id);
	params[0] = what;
	params[1] = id;
	return api_call(req, "SELECT status, body FROM "
	    "council.api_incident_group($1, $2::bigint, NULL)", 2, params);
}

enum MHD_Result
incgroup_api_list(struct http_req *req)
{
	return igrp_api_read(req, "list");
}

enum MHD_Result
incgroup_api_get(struct http_req *req)
{
	return igrp_api_read(req, "get");
}
