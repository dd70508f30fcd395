/*
 * depth.c: depth by class (see depth.h; issue 14 item 2, R-TF-6).  The
 * database decides every field (council.post_tf_view: NULL where the
 * caller's class may not see it, no row where it sees none); this file
 * only shows what comes back.
 */
#include <stdio.h>
#include <string.h>

#include "form.h"

#include "caller.h"
#include "depth.h"
#include "http.h"
#include "log.h"
#include "tmpl.h"
#include "util.h"

/* One row or none.  Columns: DP_* below. */
static const char DEPTH_SQL[] =
    "SELECT v.depth, v.victim_name_ja, v.victim_name_en, v.victim_category, "
    "v.victim_sector_ja, v.victim_sector_en, v.damage_occurred, "
    "v.damage_details, v.attack_method, "
    "array_to_string(v.share_general, ','), v.share_general IS NOT NULL "
    "FROM council.post_tf_view($1::bigint) v";

enum { DP_DEPTH, DP_NAME_JA, DP_NAME_EN, DP_CATEGORY, DP_SECTOR_JA,
	DP_SECTOR_EN, DP_DAMAGE, DP_DETAILS, DP_METHOD, DP_SHARE,
	DP_HAS_SHARE };

/* The four fields an author may share with general members (0039). */
static const char *const depth_shareable[] = {
	"victim_masked", "damage_occurred", "damage_details", "attack_method"
};

void
depth_post_vars(struct http_req *req, long long post_id,
    struct tmpl_vars *vars, const char *note, const struct form *sent)
{
	PGresult	*r;
	const char	*params[1], *v;
	char		 err[256], id[24], key[80];
	int		 en = req->lang == I18N_EN;
	size_t		 i;

	(void)note;
	(void)sent;
	snprintf(id, sizeof(id), "%lld", post_id);
	params[0] = id;
	if ((r = caller_db(req, DEPTH_SQL, 1, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"depth failed\" rid=%s error=\"%s\"", req->rid,
		    err);
		return;
	}
	if (PQntuples(r) != 1)
		goto out;
	tmpl_vars_set(vars, "tf_section", "1");
	v = PQgetvalue(r, 0, DP_DEPTH);
	if (strcmp(v, "full") == 0 || strcmp(v, "type1") == 0 ||
	    strcmp(v, "type2") == 0 || strcmp(v, "general") == 0) {
		snprintf(key, sizeof(key), "depth.class.%s", v);
		tmpl_vars_set(vars, "tf_depth", http_text(req, key));
	}
	/* R-TF-6: the victim's name: the full readers only. */
	if (!PQgetisnull(r, 0, en ? DP_NAME_EN : DP_NAME_JA))
		tmpl_vars_set(vars, "tf_victim",
		    PQgetvalue(r, 0, en ? DP_NAME_EN : DP_NAME_JA));
	/* The masked victim: its kind and, for an operator, its sector. */
	if (!PQgetisnull(r, 0, DP_CATEGORY)) {
		snprintf(key, sizeof(key), "roster.category.%s",
		    PQgetvalue(r, 0, DP_CATEGORY));
		if (!PQgetisnull(r, 0, en ? DP_SECTOR_EN : DP_SECTOR_JA))
			tmpl_vars_setf(vars, "tf_victim_masked", "%s (%s)",
			    http_text(req, key),
			    PQgetvalue(r, 0, en ? DP_SECTOR_EN : DP_SECTOR_JA));
		else
			tmpl_vars_set(vars, "tf_victim_masked",
			    http_text(req, key));
	}
	if (!PQgetisnull(r, 0, DP_DAMAGE))
		tmpl_vars_set(vars, "tf_damage", http_text(req,
		    *PQgetvalue(r, 0, DP_DAMAGE) == 't' ? "depth.damage.yes" :
		    "depth.damage.no"));
	if (!PQgetisnull(r, 0, DP_DETAILS))
		tmpl_vars_set(vars, "tf_details", PQgetvalue(r, 0, DP_DETAILS));
	if (!PQgetisnull(r, 0, DP_METHOD))
		tmpl_vars_set(vars, "tf_method", PQgetvalue(r, 0, DP_METHOD));
	/* What the author shares with general members: told to the full
	 * readers only (the database gives it to no one else). */
	if (*PQgetvalue(r, 0, DP_HAS_SHARE) == 't') {
		tmpl_vars_set(vars, "tf_share_known", "1");
		v = PQgetvalue(r, 0, DP_SHARE);
		for (i = 0; i < UTIL_ARRAY_LEN(depth_shareable); i++) {
			if (strstr(v, depth_shareable[i]) == NULL)
				continue;
			snprintf(key, sizeof(key), "depth.field.%s",
			    depth_shareable[i]);
			tmpl_vars_set(tmpl_vars_add_item(vars, "tf_shared"),
			    "text", http_text(req, key));
		}
	}
out:
	PQclear(r);
}

/* The composer. ------------------------------------------------------------- */

/* The kinds of organisation a victim that is not a member may be (0001). */
static const char *const depth_categories[] = {
	"national_agency", "local_government", "ci_operator", "cyber_business",
	"academia", "mutual_aid", "individual", "other"
};

static int
depth_form_has(const struct form *f, const char *name, const char *v)
{
	const char	*x;
	size_t		 i;

	for (i = 0; f != NULL && (x = form_get_nth(f, name, i)) != NULL; i++)
		if (strcmp(x, v) == 0)
			return 1;
	return 0;
}

void
depth_compose_vars(struct http_req *req, struct tmpl_vars *vars,
    const struct form *f)
{
	struct tmpl_vars	*item;
	PGresult		*r;
	const char		*params[1], *v;
	char			 err[256], key[80];
	size_t			 i;
	int			 n;

	for (i = 0; i < UTIL_ARRAY_LEN(depth_categories); i++) {
		item = tmpl_vars_add_item(vars, "tf_categories");
		tmpl_vars_set(item, "code", depth_categories[i]);
		snprintf(key, sizeof(key), "roster.category.%s",
		    depth_categories[i]);
		tmpl_vars_set(item, "name", http_text(req, key));
		if (depth_form_has(f, "tf_victim_category",
		    depth_categories[i]))
			tmpl_vars_set(item, "selected", "selected");
	}
	params[0] = req->lang == I18N_EN ? "t" : "f";
	if ((r = caller_db(req, "SELECT code, CASE WHEN $1::boolean THEN "
	    "name_en ELSE name_ja END FROM council.sectors ORDER BY code", 1,
	    params, err, sizeof(err))) == NULL)
		log_error("msg=\"sectors failed\" rid=%s error=\"%s\"",
		    req->rid, err);
	for (n = 0; r != NULL && n < PQntuples(r); n++) {
		item = tmpl_vars_add_item(vars, "tf_sectors");
		tmpl_vars_set(item, "code", PQgetvalue(r, n, 0));
		tmpl_vars_set(item, "name", PQgetvalue(r, n, 1));
		if (depth_form_has(f, "tf_victim_sector", PQgetvalue(r, n, 0)))
			tmpl_vars_set(item, "selected", "selected");
	}
	PQclear(r);
	if (f == NULL)
		return;
	if (depth_form_has(f, "tf", "1"))
		tmpl_vars_set(vars, "tf_on", "checked");
	if ((v = form_get(f, "tf_victim_name")) != NULL)
		tmpl_vars_set(vars, "tf_victim_name", v);
	if ((v = form_get(f, "tf_details")) != NULL)
		tmpl_vars_set(vars, "tf_details", v);
	if ((v = form_get(f, "tf_method")) != NULL)
		tmpl_vars_set(vars, "tf_method", v);
	if (depth_form_has(f, "tf_damage", "yes"))
		tmpl_vars_set(vars, "tf_damage_yes", "checked");
	if (depth_form_has(f, "tf_damage", "no"))
		tmpl_vars_set(vars, "tf_damage_no", "checked");
	for (i = 0; i < UTIL_ARRAY_LEN(depth_shareable); i++)
		if (depth_form_has(f, "tf_share", depth_shareable[i])) {
			snprintf(key, sizeof(key), "tf_share_%s",
			    depth_shareable[i]);
			tmpl_vars_set(vars, key, "checked");
		}
	/* The victim among the members: compose.c marks its "orgs" item
	 * (tselected). */
}

/* 1 when s is empty or a positive id of at most 18 digits. */
static int
depth_is_id(const char *s)
{
	return *s == '\0' || (*s != '0' && strlen(s) <= 18 &&
	    strspn(s, "0123456789") == strlen(s));
}

int
depth_compose_params(const struct form *f, const char **params, char *share)
{
	static const char *const names[] = { "tf_victim_org",
		"tf_victim_name", "tf_victim_category", "tf_victim_sector",
		"tf_damage", "tf_details", "tf_method" };
	const char	*v;
	size_t		 i, len = 0, k;

	for (i = 0; i < DEPTH_COMPOSE_NPARAMS; i++)
		params[i] = NULL;
	*share = '\0';
	if (!depth_form_has(f, "tf", "1"))
		return 0;
	params[0] = "t";
	for (i = 0; i < UTIL_ARRAY_LEN(names); i++)
		params[i + 1] = (v = form_get(f, names[i])) != NULL ? v : "";
	/* An id; a category and a sector are words of a-z and _. */
	if (!depth_is_id(params[1]))
		return -1;
	for (k = 3; k <= 4; k++)
		if (strlen(params[k]) > 32 || strspn(params[k],
		    "abcdefghijklmnopqrstuvwxyz_") != strlen(params[k]))
			return -1;
	v = params[5];
	if (*v != '\0' && strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
		return -1;
	for (i = 0; (v = form_get_nth(f, "tf_share", i)) != NULL; i++) {
		for (k = 0; k < UTIL_ARRAY_LEN(depth_shareable); k++)
			if (strcmp(v, depth_shareable[k]) == 0)
				break;
		if (k == UTIL_ARRAY_LEN(depth_shareable) ||
		    len + strlen(v) + 2 > DEPTH_SHARE_MAX)
			return -1;
		len += (size_t)snprintf(share + len, DEPTH_SHARE_MAX - len,
		    "%s%s", len > 0 ? "," : "", v);
	}
	params[8] = share;
	return 0;
}
