/*
 * depth.h: depth by class (issue 14 item 2; R-TF-6): the post page's
 * section "damage and method" of a task-force post, each field as the
 * caller's class may see it (council.post_tf_view, policy/92_depth.sql).
 */
#ifndef COUNCIL_DEPTH_H
#define COUNCIL_DEPTH_H

struct form;
struct http_req;
struct tmpl_vars;

/*
 * The post page's section (post_section_fn, post.h): sets tf_section and
 * the fields the caller may see for post post_id; nothing when the
 * database returns no row (no details, a hidden post, a class that sees
 * no field).  A database error leaves the section out and is logged.
 */
void	depth_post_vars(struct http_req *, long long post_id,
	    struct tmpl_vars *, const char *note, const struct form *sent);

/*
 * The composer's optional fields of a task-force post (compose.xhtml):
 * sets tf_sectors (list of {code, name, selected}), tf_categories (list
 * of {code, name, selected}), and, from the form f sent (NULL: a new
 * form), tf_on, tf_victim_name, tf_details, tf_method, tf_damage_yes/no,
 * tf_share_* and tselected on the "orgs" items the composer already set.
 */
void	depth_compose_vars(struct http_req *, struct tmpl_vars *,
	    const struct form *f);

/*
 * DEPTH_COMPOSE_NPARAMS parameters of council.post_tf_set's details,
 * from the form f, into params (pointers into f, or into share, which
 * must hold DEPTH_SHARE_MAX bytes): the flag (NULL: no details), victim
 * organisation, victim name, category, sector, damage (yes/no), details,
 * method, the shared fields (comma-separated); compose.c turns them into
 * post_tf_set's jsonb (nulls dropped: the database checks the rest).
 * Returns 0, or -1 when a field holds what no form sends (a forged form).
 */
#define DEPTH_COMPOSE_NPARAMS	9
#define DEPTH_SHARE_MAX		80
int	depth_compose_params(const struct form *f, const char **params,
	    char *share);

#endif
