/*
 * compose.c: writing a post (see compose.h): the composer page with its
 * audience preview ("who will be able to read this", computed by
 * create_post itself and rolled back), the submit key that makes a double
 * submit one post, and the JSON API's create and preview.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "api.h"
#include "caller.h"
#include "compose.h"
#include "depth.h"
#include "form.h"
#include "http.h"
#include "log.h"
#include "tmpl.h"
#include "util.h"

#define COMPOSE_PRINTABLE " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"

/*
 * POST /api/v1/posts and /api/v1/preview: the composer's capabilities
 * (docs/api.md).  Idempotency-Key makes a retried create return the first
 * post (council.create_post_once).
 */
static enum MHD_Result
compose_api(struct http_req *req, int preview)
{
	const char	*params[3], *key = http_header(req, "Idempotency-Key");
	char		*body;
	enum MHD_Result	 ret;

	/* The key is the client's word for "the same request": printable
	 * ASCII, at most 200 characters. */
	if (key != NULL && (*key == '\0' || strlen(key) > 200 ||
	    strspn(key, COMPOSE_PRINTABLE) != strlen(key)))
		return api_error(req, 400, "invalid_idempotency_key");
	if (!api_body(req, &body, &ret))
		return ret;
	params[0] = body;
	params[1] = key;
	params[2] = preview ? "t" : "f";
	ret = api_call(req, "SELECT status, body FROM "
	    "council.api_create_post($1, $2, $3::boolean)", 3, params);
	free(body);
	return ret;
}

enum MHD_Result
compose_api_create(struct http_req *req)
{
	return compose_api(req, 0);
}

enum MHD_Result
compose_api_preview(struct http_req *req)
{
	return compose_api(req, 1);
}



/* R-TF-7: the SQL parameter of the need-to-know statement in
 * compose_post's create call: the one after depth.h's. */
#define COMPOSE_NTK	"$24"
_Static_assert(14 + DEPTH_COMPOSE_NPARAMS + 1 == 24,
    "COMPOSE_NTK names the last parameter");

static const char *const compose_kinds[] = {
	"consultation", "analysis", "countermeasure", "alert", "report"
};
static const char *const compose_classes[] = {
	"all_members", "task_force", "type1_group", "type2", "coordinator"
};

static int
compose_in(const char *v, const char *const *set, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(v, set[i]) == 0)
			return 1;
	return 0;
}

/* 1 when s is a positive id of at most 18 digits. */
static int
compose_is_id(const char *s)
{
	return s != NULL && *s != '\0' && *s != '0' && strlen(s) <= 18 &&
	    strspn(s, "0123456789") == strlen(s);
}

/*
 * Build the scope and exclusion arguments of council.create_post from the
 * form: scope entries "class", "org", "group" (repeatable); exclusions
 * "exclude" (supervisors, investigative) and "exclude_org".  Only known
 * words and digits reach the JSON, so it needs no escaping.  Returns 0, or
 * -1 when a field holds anything else (a forged form).  An empty scope
 * gives "" in scope (NULL: no designated scope, R-SCOPE-5).  Also the
 * scope presets' form (pages/presets.c).
 */
int
compose_scope_json(const struct form *f, struct buf *scope, struct buf *excl)
{
	const char	*v;
	size_t		 i, n = 0, m = 0;

	buf_puts(scope, "[");
	for (i = 0; (v = form_get_nth(f, "class", i)) != NULL; i++) {
		if (!compose_in(v, compose_classes, UTIL_ARRAY_LEN(compose_classes)))
			return -1;
		buf_printf(scope, "%s{\"class\": \"%s\"}", n++ ? ", " : "", v);
	}
	for (i = 0; (v = form_get_nth(f, "org", i)) != NULL; i++) {
		if (!compose_is_id(v))
			return -1;
		buf_printf(scope, "%s{\"org\": %s}", n++ ? ", " : "", v);
	}
	for (i = 0; (v = form_get_nth(f, "group", i)) != NULL; i++) {
		if (!compose_is_id(v))
			return -1;
		buf_printf(scope, "%s{\"group\": %s}", n++ ? ", " : "", v);
	}
	buf_puts(scope, "]");
	if (n == 0)
		buf_reset(scope);
	buf_puts(excl, "[");
	for (i = 0; (v = form_get_nth(f, "exclude", i)) != NULL; i++) {
		if (strcmp(v, "supervisors") != 0 && strcmp(v, "investigative") != 0)
			return -1;
		buf_printf(excl, "%s{\"%s\": true}", m++ ? ", " : "", v);
	}
	for (i = 0; (v = form_get_nth(f, "exclude_org", i)) != NULL; i++) {
		if (!compose_is_id(v))
			return -1;
		buf_printf(excl, "%s{\"org\": %s}", m++ ? ", " : "", v);
	}
	buf_puts(excl, "]");
	return 0;
}

/* The composer page: the organisations and groups the caller may name. */
/* Whether form f has value v for a repeated field name. */
int
compose_form_has(const struct form *f, const char *name, const char *v)
{
	const char	*x;
	size_t		 i;

	for (i = 0; f != NULL && (x = form_get_nth(f, name, i)) != NULL; i++)
		if (strcmp(x, v) == 0)
			return 1;
	return 0;
}

/* "YYYY-MM-DDTHH:MM" (datetime-local, JST) or empty. */
static int
compose_is_local_time(const char *v)
{
	static const char	pat[] = "dddd-dd-ddTdd:dd";
	size_t			i;

	if (*v == '\0')
		return 1;
	if (strlen(v) != sizeof(pat) - 1)
		return 0;
	for (i = 0; pat[i] != '\0'; i++)
		if (pat[i] == 'd' ? (v[i] < '0' || v[i] > '9') : v[i] != pat[i])
			return 0;
	return 1;
}

/*
 * "12, 15 3" -> "{12,15,3}" (post ids a derived post cites, R-SCOPE-4);
 * -1 on anything but ids, commas and spaces, or more than 20 ids.
 */
static int
compose_sources(const char *v, struct buf *out)
{
	const char	*p = v;
	size_t		 n = 0, len;

	buf_puts(out, "{");
	while (p != NULL && *p != '\0') {
		p += strspn(p, ", ");
		if (*p == '\0')
			break;
		len = strspn(p, "0123456789");
		if (len == 0 || len > 18 || *p == '0' || ++n > 20)
			return -1;
		buf_printf(out, "%s%.*s", n > 1 ? "," : "", (int)len, p);
		p += len;
		if (*p != '\0' && *p != ',' && *p != ' ')
			return -1;
	}
	buf_puts(out, "}");
	return 0;
}

/* The composer's field values as the person left them (f may be NULL). */
static void
compose_refill(struct http_req *req, struct tmpl_vars *vars,
    const struct form *f)
{
	static const char *const radios[][2] = {
		{ "secret", "yes" }, { "secret", "no" },
		{ "confidence", "high" }, { "confidence", "low" },
		{ "exclude", "supervisors" }, { "exclude", "investigative" },
		{ "masked", "1" }
	};
	static const char *const cases[] = { "incident", "cymat_case" };
	const char	*v;
	char		 name[64];
	size_t		 i;

	/* Issue 13: the report or support case a post is drawn from. */
	for (i = 0; i < 2; i++) {
		v = f == NULL ? http_query(req, cases[i]) :
		    form_get(f, cases[i]);
		if (v == NULL || !compose_is_id(v))
			continue;
		tmpl_vars_set(vars, cases[i], v);
		tmpl_vars_setf(vars, i == 0 ? "incident_number" :
		    "cymat_number", "#%s", v);
		if (i == 0)
			tmpl_vars_setf(vars, "incident_href", "/incidents/%s", v);
	}
	if (f == NULL) {
		if ((v = http_query(req, "parent")) != NULL && compose_is_id(v))
			tmpl_vars_set(vars, "parent", v);
		if ((v = http_query(req, "kind")) != NULL &&
		    compose_in(v, compose_kinds, UTIL_ARRAY_LEN(compose_kinds))) {
			snprintf(name, sizeof(name), "sel_kind_%s", v);
			tmpl_vars_set(vars, name, "selected");
		}
		return;
	}
	if ((v = form_get(f, "title")) != NULL)
		tmpl_vars_set(vars, "title", v);
	if ((v = form_get(f, "body")) != NULL)
		tmpl_vars_set(vars, "body", v);
	if ((v = form_get(f, "parent")) != NULL && compose_is_id(v))
		tmpl_vars_set(vars, "parent", v);
	if ((v = form_get(f, "deadline")) != NULL && compose_is_local_time(v))
		tmpl_vars_set(vars, "deadline", v);
	if ((v = form_get(f, "sources")) != NULL && strlen(v) < 400)
		tmpl_vars_set(vars, "sources", v);
	if ((v = form_get(f, "need_to_know")) != NULL && strlen(v) <= 8000)
		tmpl_vars_set(vars, "need_to_know", v);	/* R-TF-7 */
	if ((v = form_get(f, "kind")) != NULL &&
	    compose_in(v, compose_kinds, UTIL_ARRAY_LEN(compose_kinds))) {
		snprintf(name, sizeof(name), "sel_kind_%s", v);
		tmpl_vars_set(vars, name, "selected");
	}
	for (i = 0; i < UTIL_ARRAY_LEN(radios); i++)
		if (compose_form_has(f, radios[i][0], radios[i][1])) {
			snprintf(name, sizeof(name), "chk_%s_%s", radios[i][0],
			    radios[i][1]);
			tmpl_vars_set(vars, name, "checked");
		}
	for (i = 0; i < UTIL_ARRAY_LEN(compose_classes); i++)
		if (compose_form_has(f, "class", compose_classes[i])) {
			snprintf(name, sizeof(name), "chk_class_%s",
			    compose_classes[i]);
			tmpl_vars_set(vars, name, "checked");
		}
}

/*
 * What the composer page shows, in one statement ($1: the preview's JSON
 * from council.audience_preview, or NULL; $2: English): the members and
 * the groups a scope can name ('org', 'group': id, name), and of the
 * preview, the organisations that will read the post ('reader': name,
 * author, category, then on each row the count, a masked member, consents
 * pending and the TLP label of what it reaches), grouped by category with
 * the author first; those the scope names that cannot receive a secret
 * ('unreachable': name, reason; R-SECRET-2, R-SECRET-3); and those it
 * names but does not reach ('left': name, reason; issue 17, the rule that
 * leaves each out).
 */
static const char COMPOSE_SQL[] =
    "SELECT 'group' AS tag, g.id AS ord, g.id::text, "
    "CASE WHEN $2 THEN g.name_en ELSE g.name_ja END, NULL, NULL, NULL, NULL, "
    "NULL FROM council.groups g "
    "UNION ALL SELECT 'org', o.id, o.id::text, "
    "CASE WHEN $2 THEN o.name_en ELSE o.name_ja END, NULL, NULL, NULL, NULL, "
    "NULL FROM council.organisations o WHERE o.status = 'member' "
    "UNION ALL SELECT 'reader', row_number() OVER (ORDER BY "
    "x.e->>'author' DESC, x.e->>'category', x.n), x.e->>'category', "
    "CASE WHEN $2 THEN x.e->>'name_en' ELSE x.e->>'name_ja' END, "
    "x.e->>'author', $1::json->>'count', $1::json->>'masked_member', "
    "$1::json->>'consents', $1::json->>'tlp' "
    "FROM json_array_elements($1::json->'orgs') WITH ORDINALITY x(e, n) "
    "UNION ALL SELECT 'unreachable', x.n, NULL, "
    "CASE WHEN $2 THEN x.e->>'name_en' ELSE x.e->>'name_ja' END, "
    "x.e->>'reason', NULL, NULL, NULL, NULL "
    "FROM json_array_elements($1::json->'secret_unreachable') "
    "WITH ORDINALITY x(e, n) "
    "UNION ALL SELECT 'zleft', x.n, NULL, "
    "CASE WHEN $2 THEN x.e->>'name_en' ELSE x.e->>'name_ja' END, "
    "x.e->>'reason', NULL, NULL, NULL, NULL "
    "FROM json_array_elements($1::json->'left_out') WITH ORDINALITY x(e, n) "
    "UNION ALL SELECT 'ntk', 0, NULL, NULL, $1::json->>'need_to_know', NULL, "
    "NULL, NULL, NULL WHERE $1 IS NOT NULL "
    "ORDER BY 1, 2";

/* Columns of COMPOSE_SQL ('reader' rows: CO_ID is the category). */
enum { CO_TAG, CO_ORD, CO_ID, CO_NAME, CO_A, CO_COUNT, CO_MASKED,
    CO_CONSENTS, CO_TLP };

/* The rules that leave a named organisation out of the audience, as
 * council.audience_left_out gives them; each has compose.preview.left.*. */
static const char *const compose_left_reasons[] = {
	"excluded", "supervisors", "investigative", "not_member",
	"secretariat", "liaison", "consent"
};

/* The category group of the preview being filled (compose_reader). */
struct compose_group {
	struct tmpl_vars	*item;		/* NULL before the first */
	char			 cat[32];	/* its category, "" the author's */
};

/*
 * One reader row i of COMPOSE_SQL into the preview's variables: the first
 * sets the totals and the label; the author's organisation is a group of
 * its own, then each category starts one when it differs from the last
 * row's (g).
 */
static void
compose_reader(struct http_req *req, struct tmpl_vars *vars, PGresult *r,
    int i, int first, struct compose_group *g)
{
	struct tmpl_vars	*item;
	const char		*cat = PQgetvalue(r, i, CO_ID);
	char			 key[64];
	int			 author = strcmp(PQgetvalue(r, i, CO_A), "true") == 0;

	if (first) {
		tmpl_vars_set(vars, "preview", "1");
		tmpl_vars_set(vars, "preview_count", PQgetvalue(r, i, CO_COUNT));
		if (strcmp(PQgetvalue(r, i, CO_MASKED), "true") == 0)
			tmpl_vars_set(vars, "preview_masked", "1");
		if (atoi(PQgetvalue(r, i, CO_CONSENTS)) > 0)
			tmpl_vars_set(vars, "preview_consents",
			    PQgetvalue(r, i, CO_CONSENTS));
		if (strspn(PQgetvalue(r, i, CO_TLP),
		    "abcdefghijklmnopqrstuvwxyz_") == strlen(PQgetvalue(r, i,
		    CO_TLP)) && *PQgetvalue(r, i, CO_TLP) != '\0') {
			snprintf(key, sizeof(key), "tlp.%s",
			    PQgetvalue(r, i, CO_TLP));
			tmpl_vars_set(vars, "preview_tlp", http_text(req, key));
			tmpl_vars_setf(vars, "preview_tlp_class", "tlp tlp--%s",
			    PQgetvalue(r, i, CO_TLP));
		}
	}
	if (author)
		cat = "";
	if (g->item == NULL || strcmp(g->cat, cat) != 0) {
		g->item = tmpl_vars_add_item(vars, "preview_groups");
		snprintf(g->cat, sizeof(g->cat), "%s", cat);
		snprintf(key, sizeof(key), "roster.category.%s", cat);
		tmpl_vars_set(g->item, "label", author ?
		    http_text(req, "compose.preview.you") : http_text(req, key));
	}
	item = tmpl_vars_add_item(g->item, "members");
	tmpl_vars_set(item, "name", PQgetvalue(r, i, CO_NAME));
	if (author)
		tmpl_vars_set(item, "author", "1");
}

/* A 'left' row i: named by the scope, left out by a rule with a text. */
static void
compose_left(struct http_req *req, struct tmpl_vars *vars, PGresult *r,
    int i)
{
	struct tmpl_vars	*item;
	const char		*v = PQgetvalue(r, i, CO_A);
	char			 key[64];
	size_t			 k;

	for (k = 0; k < sizeof(compose_left_reasons) /
	    sizeof(compose_left_reasons[0]); k++)
		if (strcmp(v, compose_left_reasons[k]) == 0)
			break;
	if (k == sizeof(compose_left_reasons) / sizeof(compose_left_reasons[0]))
		return;
	item = tmpl_vars_add_item(vars, "preview_left");
	tmpl_vars_set(item, "name", PQgetvalue(r, i, CO_NAME));
	snprintf(key, sizeof(key), "compose.preview.left.%s", v);
	tmpl_vars_set(item, "reason", http_text(req, key));
}

/*
 * The composer page.  preview: council.audience_preview's JSON, shown as
 * "who will be able to read this", with the members the scope names that
 * cannot receive a secret (no registered handler, opted out of secrets)
 * apart, with the reason (R-SECRET-2/3).  The submit key is the form's,
 * kept across errors and previews, so that sending it twice posts once.
 * note: an import's words above the form (compose_prefilled), or NULL.
 */
static enum MHD_Result
compose_page(struct http_req *req, unsigned status,
    const struct caller_me *me, const struct form *f, const char *error,
    const char *preview, const char *note)
{
	struct tmpl_vars	*vars = tmpl_vars_new(), *item;
	struct compose_group	 group = { NULL, "" };
	PGresult		*r;
	const char		*params[2], *tag, *v;
	char			 err[256], key[65];
	int			 i, org, readers = 0;
	enum MHD_Result		 ret;

	params[0] = preview;
	params[1] = req->lang == I18N_EN ? "t" : "f";
	if ((r = caller_db(req, COMPOSE_SQL, 2, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"composer failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	caller_frame(req, vars, me);
	for (i = 0; i < PQntuples(r); i++) {
		tag = PQgetvalue(r, i, CO_TAG);
		if (strcmp(tag, "reader") == 0) {
			compose_reader(req, vars, r, i, readers++ == 0, &group);
			continue;
		}
		if (strcmp(tag, "zleft") == 0) {
			compose_left(req, vars, r, i);
			continue;
		}
		/* R-TF-7: the post will need a need-to-know statement. */
		if (strcmp(tag, "ntk") == 0) {
			if (strcmp(PQgetvalue(r, i, CO_A), "true") == 0)
				tmpl_vars_set(vars, "preview_need_to_know",
				    "1");
			continue;
		}
		if (strcmp(tag, "unreachable") == 0) {
			/* Only the two reasons the database gives have a
			 * text. */
			v = PQgetvalue(r, i, CO_A);
			if (strcmp(v, "no_handler") != 0 &&
			    strcmp(v, "secret_opt_out") != 0)
				continue;
			tmpl_vars_set(vars, "preview_unreachable_any", "1");
			item = tmpl_vars_add_item(vars, "preview_unreachable");
			tmpl_vars_set(item, "name", PQgetvalue(r, i, CO_NAME));
			snprintf(key, sizeof(key), "compose.preview.reason.%s",
			    v);
			tmpl_vars_set(item, "reason", http_text(req, key));
			continue;
		}
		org = strcmp(tag, "org") == 0;
		item = tmpl_vars_add_item(vars, org ? "orgs" : "groups");
		tmpl_vars_set(item, "id", PQgetvalue(r, i, CO_ID));
		tmpl_vars_set(item, "name", PQgetvalue(r, i, CO_NAME));
		if (compose_form_has(f, org ? "org" : "group",
		    PQgetvalue(r, i, CO_ID)))
			tmpl_vars_set(item, "selected", "selected");
		if (org && compose_form_has(f, "exclude_org",
		    PQgetvalue(r, i, CO_ID)))
			tmpl_vars_set(item, "xselected", "selected");
		/* R-TF-6: the victim named among the members. */
		if (org && compose_form_has(f, "tf_victim_org",
		    PQgetvalue(r, i, CO_ID)))
			tmpl_vars_set(item, "tselected", "selected");
	}
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	if (note != NULL)
		tmpl_vars_set(vars, "import_note", note);
	compose_refill(req, vars, f);
	depth_compose_vars(req, vars, f);	/* R-TF-6 */
	if (f != NULL && (v = form_get(f, "submit_key")) != NULL &&
	    strlen(v) == 32 && strspn(v, "0123456789abcdef") == 32)
		tmpl_vars_set(vars, "submit_key", v);
	else if (util_random_hex(key, 16) == 0)
		tmpl_vars_set(vars, "submit_key", key);
	ret = http_page(req, status, "compose.xhtml", vars);
out:
	PQclear(r);
	tmpl_vars_free(vars);
	return ret;
}

/* Issue 15 item 4: the composer prefilled with an import's draft (MISP,
 * pages/misp.c); nothing is stored, scope and secrecy stay unchosen. */
enum MHD_Result
compose_prefilled(struct http_req *req, const struct caller_me *me,
    const struct form *f, const char *note)
{
	return compose_page(req, 200, me, f, NULL, NULL, note);
}

enum MHD_Result
compose_get(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return compose_page(req, 200, &me, NULL, NULL, NULL, NULL);
}

/* The message for a database error code err, in the person's language. */
static const char *
compose_error(struct http_req *req, const char *err)
{
	char	key[300];

	snprintf(key, sizeof(key), "compose.error.%s", err);
	return strcmp(http_text(req, key), key) != 0 ? http_text(req, key) :
	    http_text(req, "compose.error.invalid");
}

/*
 * POST /posts/new: council.create_post decides everything (R-SECRET-1 the
 * declaration, R-SCOPE-* the scope, who may post what); its error code
 * becomes a message in the person's language and nothing is stored.
 * action=preview asks council.audience_preview instead and shows the page
 * again with "who will be able to read this".  The form's submit_key
 * makes a double submit return the first post (create_post_once).
 */
enum MHD_Result
compose_post(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	struct buf		 scope, excl, srcs;
	PGresult		*r = NULL;
	const char		*params[14 + DEPTH_COMPOSE_NPARAMS + 1], *kind;
	const char		*pv[15];
	const char		*secret, *parent, *conf;
	const char		*dl, *action, *skey, *inc, *cym;
	char			 err[256], loc[40], deadline[32];
	char			 share[DEPTH_SHARE_MAX];
	int			 preview;
	enum MHD_Result		 ret;

	form_init(&f);
	buf_init(&scope);
	buf_init(&excl);
	buf_init(&srcs);
	if (!caller_require(req, &me, &ret))
		goto out;
	if (!caller_form(req, &f, &ret))
		goto out;
	kind = form_get(&f, "kind");
	secret = form_get(&f, "secret");
	parent = form_get(&f, "parent");
	conf = form_get(&f, "confidence");
	dl = form_get(&f, "deadline");
	action = form_get(&f, "action");
	skey = form_get(&f, "submit_key");
	inc = form_get(&f, "incident");
	cym = form_get(&f, "cymat_case");
	preview = action != NULL && strcmp(action, "preview") == 0;
	if (kind == NULL || !compose_in(kind, compose_kinds,
	    UTIL_ARRAY_LEN(compose_kinds)) || compose_scope_json(&f, &scope,
	    &excl) == -1 || (parent != NULL && *parent != '\0' &&
	    !compose_is_id(parent)) || (secret != NULL &&
	    strcmp(secret, "yes") != 0 && strcmp(secret, "no") != 0) ||
	    (conf != NULL && *conf != '\0' && strcmp(conf, "high") != 0 &&
	    strcmp(conf, "low") != 0) || (dl != NULL &&
	    !compose_is_local_time(dl)) || compose_sources(form_get(&f,
	    "sources"), &srcs) == -1 || (skey != NULL && (strlen(skey) != 32 ||
	    strspn(skey, "0123456789abcdef") != 32)) || (inc != NULL &&
	    *inc != '\0' && !compose_is_id(inc)) || (cym != NULL &&
	    *cym != '\0' && !compose_is_id(cym)) ||
	    depth_compose_params(&f, params + 14, share) == -1) {
		ret = compose_page(req, 400, &me, &f,
		    http_text(req, "compose.error.invalid"), NULL, NULL);
		goto out;
	}
	params[0] = kind;
	params[1] = form_get(&f, "title") ? form_get(&f, "title") : "";
	params[2] = form_get(&f, "body") ? form_get(&f, "body") : "";
	/* R-SECRET-1: no default; absent stays NULL and the database says so. */
	params[3] = secret == NULL ? NULL : strcmp(secret, "yes") == 0 ? "t" : "f";
	params[4] = form_get(&f, "masked") != NULL ? "t" : "f";
	params[5] = scope.len > 0 ? scope.data : NULL;
	params[6] = excl.data;
	params[7] = parent != NULL && *parent != '\0' ? parent : NULL;
	params[8] = strcmp(kind, "countermeasure") == 0 && conf != NULL &&
	    *conf != '\0' ? conf : NULL;
	params[9] = srcs.data;
	/* datetime-local is JST (the page says so). */
	if (dl != NULL && *dl != '\0') {
		snprintf(deadline, sizeof(deadline), "%s:00+09:00", dl);
		params[10] = deadline;
	} else
		params[10] = NULL;
	params[11] = skey;
	params[12] = inc != NULL && *inc != '\0' ? inc : NULL;
	params[13] = cym != NULL && *cym != '\0' ? cym : NULL;
	if (params[7] != NULL)		/* a reply inherits its scope */
		params[5] = NULL, params[6] = "[]", params[9] = "{}";
	/* R-TF-7: why the readers outside the task force need to know (the
	 * last parameter: COMPOSE_NTK; the preview's $15). */
	params[14 + DEPTH_COMPOSE_NPARAMS] = form_get(&f, "need_to_know");
	memcpy(pv, params, 14 * sizeof(pv[0]));
	pv[14] = params[14 + DEPTH_COMPOSE_NPARAMS];
	if (preview)
		r = caller_db(req, "SELECT council.audience_preview("
		    "$1::council.post_kind, $2, $3, $4::boolean, $5::boolean, "
		    "$6::jsonb, $7::jsonb, $10::bigint[], $8::bigint, $9, "
		    "$11::timestamptz, $13::bigint, $14::bigint, $15)::text, $12",
		    15, pv, err, sizeof(err));
	else
		/* R-TF-6: the damage and method ($15 set) in the same
		 * transaction: refused details create no post
		 * (policy/92_depth.sql; a retry changes nothing). */
		r = caller_db(req, "SELECT x.id FROM (SELECT "
		    "council.create_post_once($12, "
		    "$1::council.post_kind, $2, $3, $4::boolean, $5::boolean, "
		    "$6::jsonb, $7::jsonb, $10::bigint[], $8::bigint, $9, "
		    "$11::timestamptz, $13::bigint, $14::bigint, " COMPOSE_NTK
		    ") AS id OFFSET 0) x "
		    "LEFT JOIN LATERAL (SELECT council.post_tf_set(x.id, "
		    "jsonb_strip_nulls(jsonb_build_object("
		    "'victim_org', nullif($16, '')::bigint, "
		    "'victim_name', nullif($17, ''), "
		    "'victim_category', nullif($18, ''), "
		    "'victim_sector', nullif($19, ''), "
		    "'damage_occurred', CASE $20 WHEN 'yes' THEN true "
		    "WHEN 'no' THEN false END, "
		    "'damage_details', nullif($21, ''), "
		    "'attack_method', nullif($22, ''), "
		    "'share_general', to_jsonb(string_to_array(nullif($23, ''), "
		    "','))))) WHERE $15::boolean) t ON true", 14 +
		    DEPTH_COMPOSE_NPARAMS + 1, params, err, sizeof(err));
	if (r == NULL) {
		/* A hidden parent, source or case is an absent one: the
		 * same 404. */
		if (strcmp(err, "post_not_found") == 0 ||
		    strcmp(err, "incident_not_found") == 0 ||
		    strcmp(err, "cymat_case_not_found") == 0) {
			ret = http_error(req, 404, NULL);
			goto out;
		}
		ret = compose_page(req, 422, &me, &f,
		    compose_error(req, err), NULL, NULL);
		goto out;
	}
	if (preview) {
		ret = compose_page(req, 200, &me, &f, NULL,
		    PQgetvalue(r, 0, 0), NULL);
		goto out;
	}
	snprintf(loc, sizeof(loc), "/posts/%s", PQgetvalue(r, 0, 0));
	ret = http_redirect_done(req, loc, "post.created");
out:
	PQclear(r);
	buf_free(&scope);
	buf_free(&excl);
	buf_free(&srcs);
	form_free(&f);
	return ret;
}
