/*
 * tmpl.h: page templates.  A template is a well-formed XHTML file parsed
 * once by libxml2 (XML_PARSE_NONET, no entities, no DTD loading), checked,
 * and compiled at start-up into a program of static byte runs and the
 * few instructions that depend on variables (tmpl.c).  Rendering runs the
 * program into the response buffer: no tree is copied, no libxml2 call is
 * made.  A value only ever becomes escaped text or an escaped attribute
 * value (escaping by construction), so a value from the database can
 * never become markup.  The bytes are those libxml2's XHTML serialiser
 * writes for the same tree (tests/unit/tmpl_test.c).  See
 * docs/architecture.md.
 *
 * Template language, namespace xmlns:t="urn:council-portal:template":
 *   t:text="var"          replace the element's children with var's text
 *   t:msg="key"           replace the children with the catalog text of key
 *   t:markup="var"        replace the children with var's markup, as it is,
 *                         when var was set by tmpl_vars_set_markup; any
 *                         other text of that name is escaped like t:text
 *                         (the one way in for markup built by councild's
 *                         own renderers: chart.c's SVG)
 *   t:attr-NAME="var"     set attribute NAME to var's value
 *   t:msgattr-NAME="key"  set attribute NAME to the catalog text of key
 *   t:if="var"            keep the element only if var is set and not ""
 *   t:unless="var"        keep the element only if var is unset or ""
 *   t:each="list"         repeat the element once per item of list; inside,
 *                         names resolve in the item first, then outwards
 *   <t:page layout="layout.xhtml"> ... <t:fill slot="S">...</t:fill>
 *                         a page: its fills go into the layout's
 *   <t:slot name="S"/>    ... slots, which are replaced by the fill
 * Rules checked when templates load (a broken template stops start-up):
 *   no t:text/t:attr inside <script> or <style>; no t:attr-on* (event
 *   handlers); unknown t: attributes or elements are errors; at most one
 *   of t:text, t:msg, t:markup on an element, none on a void element.
 * Rules applied when rendering:
 *   URL attributes (href, src, action, formaction) set from a variable keep
 *   only values that start with "/", "?", "#", "https://", "http://" or
 *   "mailto:"; anything else becomes "#".
 *   The variable "lang" is always set to the rendering language ("ja"/"en").
 * Output: "<!DOCTYPE html>" then the tree serialised as XHTML (HTML-compatible
 * empty elements), UTF-8, with every t: attribute and namespace removed.
 * As libxml2 writes XHTML: an empty boolean attribute (checked, selected,
 * ...) has its name as value, "lang" and "xml:lang" bring each other, a
 * "name" without "id" on a, p, div, img, map, form (...) is repeated as
 * "id".
 *
 * Details (tmpl.c):
 *   On one element: t:each first; then t:if/t:unless, evaluated per item;
 *   then t:attr/t:msgattr; then t:text or t:msg (never both), else the
 *   children are processed.  An unset variable: t:text gives no text,
 *   t:attr leaves the static attribute of that name (if any) as it is,
 *   t:each (also of a text) repeats zero times.  t:if of a list is true
 *   when it has an item.  "lang_other" is implicit too (the other code).
 *   <t:fill slot="S" t:msg="key"/> (or t:text) fills S with a text, for
 *   <title>.  A slot without a fill renders empty.  URL attributes also
 *   include poster, cite, data, ping, background, manifest; prefixes are
 *   matched case-insensitively.  Comments are not copied to the output.
 *   Also refused at load: static on* and style attributes, any content
 *   in <script>/<style>, t:attr of style/srcdoc/srcset/is/http-equiv/
 *   xmlns*, t:text/t:msg on void elements, elements outside the XHTML and
 *   SVG namespaces or with a prefix, t:if/t:unless/t:each/t:text/t:msg on
 *   the root, CDATA, processing instructions, and any "<!" other than a
 *   comment or "<!DOCTYPE html>", content inside a void element (<br>,
 *   <input>, ...), namespace declarations on <t:page> other than xmlns
 *   (XHTML's) and xmlns:t.  The root is <html> or <t:page>.  t:each
 *   nesting is bounded in a page together with its layout's around the
 *   slot.
 */
#ifndef COUNCIL_TMPL_H
#define COUNCIL_TMPL_H

#include <stddef.h>

#include "i18n.h"

struct buf;
struct tmpl_set;	/* every template of a directory, parsed */
struct tmpl_vars;	/* name -> text value, or name -> list of vars */

#define TMPL_MAX_FILE	(256 * 1024)	/* a template file larger is refused */
#define TMPL_MAX_DEPTH	32		/* nesting of t:each */

/* Parse every *.xhtml file of dir.  NULL on error, with "file:line: why". */
struct tmpl_set	*tmpl_load_dir(const char *dir, char *err, size_t errlen);
void		 tmpl_set_free(struct tmpl_set *);	/* accepts NULL */

/* A tree of vars keeps every name, value and item in one arena of its
 * root: freeing the root frees all; freeing an item does nothing. */
struct tmpl_vars *tmpl_vars_new(void);
void		 tmpl_vars_free(struct tmpl_vars *);	/* accepts NULL; frees items */
/* Set name to a copy of value (NULL unsets).  Values must be UTF-8; invalid
 * bytes are replaced with U+FFFD so the output is always valid UTF-8.
 * (So are characters XML forbids: C0 controls but tab/LF/CR, U+FFFE/F.)
 * Setting a text replaces a list of that name and vice versa. */
void		 tmpl_vars_set(struct tmpl_vars *, const char *name, const char *value);
void		 tmpl_vars_setf(struct tmpl_vars *, const char *name, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
/* Set name to a followed by b (the hot paths' "/posts/" + id: no format). */
void		 tmpl_vars_set2(struct tmpl_vars *, const char *name, const char *a,
		    const char *b);
/* Set name to markup that t:markup inserts without escaping (a copy;
 * invalid UTF-8 replaced as tmpl_vars_set does).  The contract is the
 * caller's: markup must be well-formed XHTML/SVG that a module of
 * councild built itself, every text in it escaped, with no <script>,
 * <style>, style or on* attribute (the CSP allows nothing inline); never
 * bytes from a request or the database.  t:text or t:attr of the name
 * still escape it.  NULL unsets. */
void		 tmpl_vars_set_markup(struct tmpl_vars *, const char *name,
		    const char *markup);
/* Append a new item to list name and return it (owned by the parent). */
struct tmpl_vars *tmpl_vars_add_item(struct tmpl_vars *, const char *list);

/* Check that every t:msg and t:msgattr key of every template exists in
 * every catalog; call it at start-up after both are loaded.  Returns 0, or
 * -1 with "file:line: message key ... is not in the en catalog". */
int		 tmpl_check_keys(const struct tmpl_set *, const struct i18n *,
		    char *err, size_t errlen);
/* Resolve every t:msg and t:msgattr text of every template in i18n's
 * catalogs once (t:msg already escaped): renderings with the same i18n
 * then look nothing up.  At start-up, after tmpl_check_keys; i18n must
 * outlive set.  A rendering with another i18n looks its texts up. */
void		 tmpl_bind_catalogs(struct tmpl_set *, const struct i18n *);

/* Render template name (e.g. "signin.xhtml") into out (appended).
 * Returns 0, or -1 with a message in err (unknown template, etc.). */
int		 tmpl_render(const struct tmpl_set *, const char *name,
		    const struct i18n *, enum i18n_lang,
		    const struct tmpl_vars *, struct buf *out,
		    char *err, size_t errlen);

#endif
