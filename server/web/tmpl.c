/*
 * tmpl.c: the template engine (the language is described in tmpl.h).
 *
 * Loading parses every *.xhtml file of a directory once with libxml2
 * (XML_PARSE_NONET and nothing else: no entity substitution, no DTD
 * loading) and checks every rule, so that a broken template stops start-up
 * instead of failing a request.  Comments are dropped at this point.
 *
 * Compiling (tmpl_compile, once per template after the layouts are
 * linked) walks the tree of a page's layout with the page's fills in its
 * slots and writes a flat program: static markup becomes byte runs,
 * escaped once, in one pool; what depends on variables becomes an
 * instruction (a text, a catalog text, a start tag with variable
 * attributes, a conditional or loop jump).  Rendering (tmpl_run) only
 * appends: byte runs as they are, values through the escapers.  The set is
 * read-only after loading, so one tmpl_set serves every thread at once.
 *
 * The output is byte for byte what libxml2's XHTML serialiser wrote when
 * this engine copied and filled trees (tmpl_tag_emit lists its rules);
 * tmpl_test.c renders every real page with hostile values and checks that
 * libxml2, parsing and saving the page again, writes the same bytes.
 *
 * Variables live in one arena per tree (tmpl_vars_new's), so building a
 * page's variables is a few bump allocations, not one malloc per string.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "i18n.h"
#include "tmpl.h"
#include "util.h"

#define TMPL_NS		"urn:council-portal:template"
#define TMPL_XHTML_NS	"http://www.w3.org/1999/xhtml"
#define TMPL_SVG_NS	"http://www.w3.org/2000/svg"
#define TMPL_XML_NS	"http://www.w3.org/XML/1998/namespace"
#define TMPL_XLINK_NS	"http://www.w3.org/1999/xlink"

#define TMPL_MAX_FILES	256	/* templates in one directory */
#define TMPL_MAX_NAME	128	/* a variable, key, slot or attribute name */

/* A bump allocator: the strings and arrays of one vars tree, or of one
 * compiled template, freed all at once. */
struct tmpl_chunk {
	struct tmpl_chunk	*next;
	size_t			 used;
	size_t			 cap;
	char			 data[];
};

struct tmpl_arena {
	struct tmpl_chunk	*head;
	size_t			 next_cap;
};

/* A variable: a text value, or (value == NULL) a list of items. */
struct tmpl_var {
	const char	  *name;
	uint32_t	   h;		/* tmpl_hash(name) */
	const char	  *value;
	int		   markup;	/* value is trusted markup (tmpl_vars_set_markup) */
	struct tmpl_vars **items;
	size_t		   nitems;
	size_t		   capitems;
};

/* Everything of a tree of vars lives in its root's arena. */
struct tmpl_vars {
	struct tmpl_arena *arena;	/* the root's */
	struct tmpl_arena  own;		/* used by a root only */
	struct tmpl_var	  *v;
	size_t		   n;
	size_t		   cap;
	uint64_t	   seen;	/* bit h % 64 of each name's hash h */
};

/* A <t:fill> of a page; both pointers point into the page's document. */
struct tmpl_fill {
	const char	*slot;
	xmlNodePtr	 node;
};

/* The instructions of a compiled template. */
enum tmpl_code {
	TMPL_C_BYTES,	/* copy pool[a, a + b) */
	TMPL_C_TEXT,	/* the text of variable s, escaped (unset: nothing) */
	TMPL_C_MSG,	/* the catalog text of key s, escaped */
	TMPL_C_MARKUP,	/* s's markup as it is; s's plain text escaped */
	TMPL_C_IF,	/* unless s is truthy, go to b */
	TMPL_C_UNLESS,	/* if s is truthy, go to b */
	TMPL_C_EACH,	/* s's first item in scope; no item: go to b */
	TMPL_C_NEXT,	/* the next item and back to a + 1, or on */
	TMPL_C_TAG	/* the start tag tags[a] */
};

struct tmpl_ins {
	enum tmpl_code	 code;
	uint32_t	 a;
	uint32_t	 b;
	uint32_t	 h;	/* tmpl_hash(s) */
	const char	*s;	/* into the template's document */
	/* TMPL_C_MSG, once tmpl_bind_catalogs ran: the catalog text of key s
	 * in each language, escaped (in the program's strs). */
	const char	*msg[I18N_NLANG];
};

/* Where an attribute's value comes from. */
enum tmpl_aval {
	TMPL_A_STATIC,	/* value */
	TMPL_A_VAR,	/* variable arg (unset: value, when there is one) */
	TMPL_A_MSG	/* the catalog text of key arg */
};

/* The attributes the XHTML rules of tmpl_tag_emit look at. */
enum tmpl_role {
	TMPL_R_NONE,
	TMPL_R_ID,
	TMPL_R_NAME,
	TMPL_R_LANG,
	TMPL_R_XMLLANG,
	TMPL_R_N
};

struct tmpl_tattr {
	const char	*qname;		/* "class", "xml:lang" */
	const char	*value;		/* the static value, or NULL */
	const char	*head;		/* ' qname="' */
	const char	*full;		/* ' qname="escaped value"' or NULL */
	const char	*arg;		/* TMPL_A_VAR/TMPL_A_MSG */
	const char	*msg[I18N_NLANG];	/* TMPL_A_MSG: arg's catalog
					 * text, once bound */
	uint32_t	 argh;		/* tmpl_hash(arg) */
	enum tmpl_aval	 kind;
	enum tmpl_role	 role;
	int		 prefixed;	/* in the xml or xlink namespace */
	int		 boolean;	/* "" is written as the name */
	int		 url;		/* a variable's value is checked */
};

/* A start tag with an attribute that depends on the variables. */
struct tmpl_tag {
	const char		*open;	/* "<name" and xmlns declarations */
	struct tmpl_tattr	*attrs;
	size_t			 nattrs;
	int			 c8;	/* name also as id (a, p, div, ...) */
	int			 empty;	/* " />" */
};

struct tmpl_prog {
	struct tmpl_ins		*ins;
	size_t			 nins;
	size_t			 capins;
	size_t			 sealed; /* instructions before: no growing */
	struct tmpl_tag		*tags;
	size_t			 ntags;
	size_t			 captags;
	struct buf		 pool;	/* the static bytes */
	struct tmpl_arena	 strs;	/* the tags' strings */
	const struct i18n	*bound;	/* the catalogs of the msg texts */
};

struct tmpl {
	char		 *name;		/* "signin.xhtml" */
	char		 *path;		/* "dir/signin.xhtml", for messages */
	xmlDocPtr	  doc;		/* read-only once loaded */
	char		 *layout_name;	/* set when the root is <t:page> */
	const struct tmpl *layout;
	struct tmpl_fill *fills;
	size_t		  nfills;
	const char	**slots;	/* names of the <t:slot>s, into doc */
	size_t		  nslots;
	struct tmpl_prog  prog;		/* with the layout, when a page */
};

struct tmpl_set {
	struct tmpl	*t;		/* sorted by name */
	size_t		 n;
};

enum tmpl_op {
	TMPL_OP_UNKNOWN,
	TMPL_OP_TEXT,
	TMPL_OP_MSG,
	TMPL_OP_MARKUP,
	TMPL_OP_IF,
	TMPL_OP_UNLESS,
	TMPL_OP_EACH,
	TMPL_OP_ATTR,
	TMPL_OP_MSGATTR
};

/* Load-time checking of one template. */
struct tmpl_check {
	struct tmpl	*t;
	int		 in_page;	/* below <t:page>: no <t:slot> */
	char		*err;
	size_t		 errlen;
};

/* Compiling one template. */
struct tmpl_cc {
	struct tmpl_prog	*p;
	const struct tmpl	*page;	/* supplies the fills, or NULL */
	const char		*path;	/* of the nodes being compiled */
	char			*err;
	size_t			 errlen;
};

/* One rendering. */
struct tmpl_render {
	const struct i18n	*i18n;
	enum i18n_lang		 lang;
	int			 bound;	/* the program's msg texts are i18n's */
	const struct tmpl_vars	*scope[TMPL_MAX_DEPTH + 1];
	size_t			 nscope;
};

/* First error libxml2 reported while parsing one file. */
struct tmpl_xmlerr {
	int	set;
	int	line;
	char	msg[200];
};

static const char *const tmpl_void_elems[] = {
	"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
	"meta", "param", "source", "track", "wbr"
};

/* Attributes whose value, set from a variable, is a URL to sanitise. */
static const char *const tmpl_url_attrs[] = {
	"href", "src", "action", "formaction", "poster", "cite", "data",
	"ping", "background", "manifest"
};

/* Attributes that no t:attr/t:msgattr may set (besides on*). */
static const char *const tmpl_banned_attrs[] = {
	"style", "srcdoc", "srcset", "is", "http-equiv"
};

static const char *const tmpl_url_prefixes[] = {
	"/", "?", "#", "https://", "http://", "mailto:"
};

static int	tmpl_fail(struct tmpl_check *, const xmlNode *, const char *,
		    ...) __attribute__((format(printf, 3, 4)));
static int	tmpl_compile(struct tmpl *, char *, size_t);
static void	tmpl_prog_free(struct tmpl_prog *);
static void	tmpl_esc_text(struct buf *, const char *);
static char	*tmpl_strndup(struct tmpl_arena *, const char *, size_t);

/* "path:line: why" about node n (the file when n is NULL); returns -1. */
static int
tmpl_fail(struct tmpl_check *ck, const xmlNode *n, const char *fmt, ...)
{
	char	msg[256];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n != NULL)
		util_errf(ck->err, ck->errlen, "%s:%ld: %s", ck->t->path,
		    xmlGetLineNo(n), msg);
	else
		util_errf(ck->err, ck->errlen, "%s: %s", ck->t->path, msg);
	return -1;
}

static int
tmpl_in_list(const char *s, const char *const *list, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcasecmp(s, list[i]) == 0)
			return 1;
	return 0;
}

static int
tmpl_is_t(const xmlNode *n)
{
	return n->ns != NULL && xmlStrEqual(n->ns->href, BAD_CAST TMPL_NS);
}

static int
tmpl_attr_is_t(const xmlAttr *a)
{
	return a->ns != NULL && xmlStrEqual(a->ns->href, BAD_CAST TMPL_NS);
}

/*
 * The value of an attribute that the checks found to be one text node;
 * "" otherwise.  The string lives as long as the attribute.
 */
static const char *
tmpl_attr_value(const xmlAttr *a)
{
	if (a == NULL || a->children == NULL ||
	    a->children->type != XML_TEXT_NODE || a->children->content == NULL)
		return "";
	return (const char *)a->children->content;
}

static int
tmpl_attr_simple(const xmlAttr *a)
{
	return a->children != NULL && a->children->type == XML_TEXT_NODE &&
	    a->children->next == NULL && a->children->content != NULL;
}

/* The t: attribute named name (in the template namespace) of n, or NULL. */
static xmlAttrPtr
tmpl_t_attr(const xmlNode *n, const char *name)
{
	xmlAttrPtr	a;

	for (a = n->properties; a != NULL; a = a->next)
		if (tmpl_attr_is_t(a) && xmlStrEqual(a->name, BAD_CAST name))
			return a;
	return NULL;
}

/* The attribute named name without a namespace, or NULL. */
static xmlAttrPtr
tmpl_plain_attr(const xmlNode *n, const char *name)
{
	xmlAttrPtr	a;

	for (a = n->properties; a != NULL; a = a->next)
		if (a->ns == NULL && xmlStrEqual(a->name, BAD_CAST name))
			return a;
	return NULL;
}

/* Classify a t: attribute; *arg gets NAME of attr-NAME/msgattr-NAME. */
static enum tmpl_op
tmpl_op(const xmlChar *name, const char **arg)
{
	const char	*s = (const char *)name;

	*arg = NULL;
	if (strcmp(s, "text") == 0)
		return TMPL_OP_TEXT;
	if (strcmp(s, "msg") == 0)
		return TMPL_OP_MSG;
	if (strcmp(s, "markup") == 0)
		return TMPL_OP_MARKUP;
	if (strcmp(s, "if") == 0)
		return TMPL_OP_IF;
	if (strcmp(s, "unless") == 0)
		return TMPL_OP_UNLESS;
	if (strcmp(s, "each") == 0)
		return TMPL_OP_EACH;
	if (strncmp(s, "attr-", 5) == 0) {
		*arg = s + 5;
		return TMPL_OP_ATTR;
	}
	if (strncmp(s, "msgattr-", 8) == 0) {
		*arg = s + 8;
		return TMPL_OP_MSGATTR;
	}
	return TMPL_OP_UNKNOWN;
}

/* A variable or slot name: [A-Za-z_][A-Za-z0-9_]*. */
static int
tmpl_name_valid(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_' ||
		    (i > 0 && s[i] >= '0' && s[i] <= '9')))
			return 0;
	}
	return i > 0 && i <= TMPL_MAX_NAME;
}

/* A catalog key: [A-Za-z0-9._-]+, as i18n.c accepts. */
static int
tmpl_key_valid(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		    s[i] == '_' || s[i] == '-'))
			return 0;
	}
	return i > 0 && i <= TMPL_MAX_NAME;
}

/* An HTML attribute name t:attr may set: [A-Za-z][A-Za-z0-9_-]*. */
static int
tmpl_attrname_valid(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || (i > 0 &&
		    ((s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '_'))))
			return 0;
	}
	return i > 0 && i <= TMPL_MAX_NAME;
}

static int
tmpl_blank(const xmlChar *s)
{
	if (s == NULL)
		return 1;
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 0;
	return 1;
}

static void
tmpl_free_node(xmlNodePtr n)
{
	xmlUnlinkNode(n);
	xmlFreeNode(n);
}

/*
 * Check the t: attributes of element el.  raw names the <script> or
 * <style> that el is or is inside (else NULL); each counts the enclosing
 * t:each, this one included.
 */
static int
tmpl_check_attrs(struct tmpl_check *ck, xmlNodePtr el, const char *raw,
    int each)
{
	xmlAttrPtr	 a, b;
	const char	*arg, *barg, *v, *el_name = (const char *)el->name;
	enum tmpl_op	 op, bop;
	int		 content = 0;

	for (a = el->properties; a != NULL; a = a->next) {
		if (a->ns == NULL) {
			if (strncasecmp((const char *)a->name, "on", 2) == 0)
				return tmpl_fail(ck, el, "event handler "
				    "attribute %s on <%s> (the CSP forbids "
				    "inline script)", a->name, el_name);
			if (strcasecmp((const char *)a->name, "style") == 0)
				return tmpl_fail(ck, el, "style attribute on "
				    "<%s> (the CSP forbids inline style)",
				    el_name);
			continue;
		}
		if (!tmpl_attr_is_t(a)) {
			if (xmlStrEqual(a->ns->href, BAD_CAST TMPL_XML_NS) ||
			    xmlStrEqual(a->ns->href, BAD_CAST TMPL_XLINK_NS))
				continue;
			return tmpl_fail(ck, el, "attribute %s:%s is in an "
			    "unsupported namespace", a->ns->prefix != NULL ?
			    (const char *)a->ns->prefix : "", a->name);
		}
		op = tmpl_op(a->name, &arg);
		if (op == TMPL_OP_UNKNOWN)
			return tmpl_fail(ck, el, "unknown template attribute "
			    "t:%s", a->name);
		if (!tmpl_attr_simple(a))
			return tmpl_fail(ck, el, "t:%s needs a plain value",
			    a->name);
		v = tmpl_attr_value(a);
		if ((op == TMPL_OP_MSG || op == TMPL_OP_MSGATTR) ?
		    !tmpl_key_valid(v) : !tmpl_name_valid(v))
			return tmpl_fail(ck, el, "t:%s=\"%.64s\": not a valid "
			    "%s", a->name, v, (op == TMPL_OP_MSG ||
			    op == TMPL_OP_MSGATTR) ? "message key" :
			    "variable name");
		switch (op) {
		case TMPL_OP_TEXT:
		case TMPL_OP_MSG:
		case TMPL_OP_MARKUP:
			if (raw != NULL)
				return tmpl_fail(ck, el, "t:%s inside <%s> "
				    "(script and style content is never "
				    "templated)", a->name, raw);
			if (content++)
				return tmpl_fail(ck, el, "t:text and t:msg "
				    "(or t:markup) on the same element");
			if (el->ns != NULL && xmlStrEqual(el->ns->href,
			    BAD_CAST TMPL_XHTML_NS) && tmpl_in_list(el_name,
			    tmpl_void_elems, UTIL_ARRAY_LEN(tmpl_void_elems)))
				return tmpl_fail(ck, el, "t:%s on the empty "
				    "element <%s>", a->name, el_name);
			break;
		case TMPL_OP_ATTR:
		case TMPL_OP_MSGATTR:
			if (raw != NULL)
				return tmpl_fail(ck, el, "t:%s inside <%s> "
				    "(script and style are never templated)",
				    a->name, raw);
			if (!tmpl_attrname_valid(arg))
				return tmpl_fail(ck, el, "t:%s: not a valid "
				    "attribute name", a->name);
			if (strncasecmp(arg, "on", 2) == 0)
				return tmpl_fail(ck, el, "t:%s sets an event "
				    "handler attribute", a->name);
			if (strncasecmp(arg, "xmlns", 5) == 0 ||
			    tmpl_in_list(arg, tmpl_banned_attrs,
			    UTIL_ARRAY_LEN(tmpl_banned_attrs)))
				return tmpl_fail(ck, el, "t:%s: attribute %s "
				    "may not be set by a template", a->name,
				    arg);
			for (b = a->next; b != NULL; b = b->next) {
				if (!tmpl_attr_is_t(b))
					continue;
				bop = tmpl_op(b->name, &barg);
				if ((bop == TMPL_OP_ATTR ||
				    bop == TMPL_OP_MSGATTR) &&
				    strcasecmp(arg, barg) == 0)
					return tmpl_fail(ck, el, "attribute %s "
					    "is set twice (t:%s, t:%s)", arg,
					    a->name, b->name);
			}
			break;
		case TMPL_OP_EACH:
			if (each > TMPL_MAX_DEPTH)
				return tmpl_fail(ck, el, "t:each nested deeper "
				    "than %d", TMPL_MAX_DEPTH);
			break;
		default:
			break;
		}
	}
	return 0;
}

static int	tmpl_check_elem(struct tmpl_check *, xmlNodePtr, const char *,
		    int);

/*
 * Check the children of el: elements recursively, comments removed,
 * text allowed except inside <script>/<style>, nothing else.
 */
static int
tmpl_check_children(struct tmpl_check *ck, xmlNodePtr el, const char *raw,
    int each)
{
	xmlNodePtr	c, next;

	for (c = el->children; c != NULL; c = next) {
		next = c->next;
		switch (c->type) {
		case XML_ELEMENT_NODE:
			if (tmpl_check_elem(ck, c, raw, each) == -1)
				return -1;
			if (raw != NULL)
				return tmpl_fail(ck, c, "markup inside <%s>",
				    raw);
			break;
		case XML_TEXT_NODE:
			if (raw != NULL && !tmpl_blank(c->content))
				return tmpl_fail(ck, c, "inline content in "
				    "<%s> (the CSP forbids it; use a file "
				    "under /static/)", raw);
			break;
		case XML_COMMENT_NODE:
			tmpl_free_node(c);
			break;
		case XML_CDATA_SECTION_NODE:
			return tmpl_fail(ck, el, "CDATA section");
		case XML_PI_NODE:
			return tmpl_fail(ck, c, "processing instruction");
		case XML_ENTITY_REF_NODE:
			return tmpl_fail(ck, el, "entity reference");
		default:
			return tmpl_fail(ck, el, "unexpected node (type %d)",
			    (int)c->type);
		}
	}
	return 0;
}

/* <t:slot name="S"/>: records S in the template. */
static int
tmpl_check_slot(struct tmpl_check *ck, xmlNodePtr el, const char *raw)
{
	struct tmpl	*t = ck->t;
	xmlAttrPtr	 a;
	const char	*name;
	size_t		 i;

	if (ck->in_page)
		return tmpl_fail(ck, el, "<t:slot> inside a page (slots "
		    "belong in layouts)");
	if (raw != NULL)
		return tmpl_fail(ck, el, "<t:slot> inside <%s>", raw);
	for (a = el->properties; a != NULL; a = a->next)
		if (a->ns != NULL || !xmlStrEqual(a->name, BAD_CAST "name"))
			return tmpl_fail(ck, el, "<t:slot> takes only a "
			    "name attribute");
	a = tmpl_plain_attr(el, "name");
	if (a == NULL || !tmpl_attr_simple(a) ||
	    !tmpl_name_valid(tmpl_attr_value(a)))
		return tmpl_fail(ck, el, "<t:slot> needs a valid name");
	if (el->children != NULL)
		return tmpl_fail(ck, el, "<t:slot> must be empty");
	name = tmpl_attr_value(a);
	for (i = 0; i < t->nslots; i++)
		if (strcmp(t->slots[i], name) == 0)
			return tmpl_fail(ck, el, "slot \"%s\" defined twice",
			    name);
	t->slots = xrealloc(t->slots, (t->nslots + 1) * sizeof(*t->slots));
	t->slots[t->nslots++] = name;
	return 0;
}

/* Check element el and its subtree; see tmpl_check_attrs for raw/each. */
static int
tmpl_check_elem(struct tmpl_check *ck, xmlNodePtr el, const char *raw,
    int each)
{
	const char	*name = (const char *)el->name;

	if (tmpl_is_t(el)) {
		if (strcmp(name, "slot") == 0)
			return tmpl_check_slot(ck, el, raw);
		if (strcmp(name, "page") == 0 || strcmp(name, "fill") == 0)
			return tmpl_fail(ck, el, "<t:%s> is only allowed %s",
			    name, name[0] == 'p' ? "as the root element" :
			    "directly inside <t:page>");
		return tmpl_fail(ck, el, "unknown template element <t:%s>",
		    name);
	}
	if (el->ns == NULL)
		return tmpl_fail(ck, el, "element <%s> has no namespace "
		    "(declare xmlns=\"" TMPL_XHTML_NS "\")", name);
	if (el->ns->prefix != NULL)
		return tmpl_fail(ck, el, "element <%s:%s>: HTML has no "
		    "namespace prefixes", el->ns->prefix, name);
	if (!xmlStrEqual(el->ns->href, BAD_CAST TMPL_XHTML_NS) &&
	    !xmlStrEqual(el->ns->href, BAD_CAST TMPL_SVG_NS))
		return tmpl_fail(ck, el, "element <%s> is in an unsupported "
		    "namespace", name);
	if (raw == NULL &&
	    (strcmp(name, "script") == 0 || strcmp(name, "style") == 0))
		raw = name;
	if (el->children != NULL &&
	    xmlStrEqual(el->ns->href, BAD_CAST TMPL_XHTML_NS) &&
	    tmpl_in_list(name, tmpl_void_elems, UTIL_ARRAY_LEN(tmpl_void_elems)))
		return tmpl_fail(ck, el, "<%s> is a void element: nothing may "
		    "go inside it", name);
	if (tmpl_t_attr(el, "each") != NULL)
		each++;
	if (tmpl_check_attrs(ck, el, raw, each) == -1)
		return -1;
	return tmpl_check_children(ck, el, raw, each);
}

/* <t:page layout="L"> whose children are <t:fill slot="S">. */
static int
tmpl_check_page(struct tmpl_check *ck, xmlNodePtr root)
{
	struct tmpl	*t = ck->t;
	xmlNodePtr	 c, next;
	xmlAttrPtr	 a;
	xmlNsPtr	 ns;
	const char	*slot, *lname;
	size_t		 i;
	int		 content;

	for (a = root->properties; a != NULL; a = a->next)
		if (a->ns != NULL || !xmlStrEqual(a->name, BAD_CAST "layout"))
			return tmpl_fail(ck, root, "<t:page> takes only a "
			    "layout attribute");
	a = tmpl_plain_attr(root, "layout");
	if (a == NULL || !tmpl_attr_simple(a))
		return tmpl_fail(ck, root, "<t:page> needs a layout");
	/* A fill goes into the layout's tree: a prefix declared here would
	 * not be declared there. */
	for (ns = root->nsDef; ns != NULL; ns = ns->next)
		if (ns->prefix != NULL ? !xmlStrEqual(ns->href,
		    BAD_CAST TMPL_NS) : !xmlStrEqual(ns->href,
		    BAD_CAST TMPL_XHTML_NS))
			return tmpl_fail(ck, root, "<t:page> may declare only "
			    "xmlns=\"" TMPL_XHTML_NS "\" and xmlns:t");
	lname = tmpl_attr_value(a);
	if (strcmp(lname, t->name) == 0)
		return tmpl_fail(ck, root, "a page cannot be its own layout");
	t->layout_name = xstrdup(lname);
	ck->in_page = 1;

	for (c = root->children; c != NULL; c = next) {
		next = c->next;
		if (c->type == XML_COMMENT_NODE) {
			tmpl_free_node(c);
			continue;
		}
		if (c->type == XML_TEXT_NODE && tmpl_blank(c->content))
			continue;
		if (c->type != XML_ELEMENT_NODE || !tmpl_is_t(c) ||
		    !xmlStrEqual(c->name, BAD_CAST "fill"))
			return tmpl_fail(ck, c, "only <t:fill> may appear "
			    "inside <t:page>");
		content = 0;
		for (a = c->properties; a != NULL; a = a->next) {
			if (a->ns == NULL &&
			    xmlStrEqual(a->name, BAD_CAST "slot"))
				continue;
			if (tmpl_attr_is_t(a) &&
			    (xmlStrEqual(a->name, BAD_CAST "msg") ||
			    xmlStrEqual(a->name, BAD_CAST "text"))) {
				if (content++)
					return tmpl_fail(ck, c, "t:text and "
					    "t:msg on the same element");
				if (!tmpl_attr_simple(a) || (a->name[0] == 'm' ?
				    !tmpl_key_valid(tmpl_attr_value(a)) :
				    !tmpl_name_valid(tmpl_attr_value(a))))
					return tmpl_fail(ck, c, "t:%s: not a "
					    "valid name", a->name);
				continue;
			}
			return tmpl_fail(ck, c, "<t:fill> takes a slot "
			    "attribute and optionally t:text or t:msg");
		}
		a = tmpl_plain_attr(c, "slot");
		if (a == NULL || !tmpl_attr_simple(a) ||
		    !tmpl_name_valid(tmpl_attr_value(a)))
			return tmpl_fail(ck, c, "<t:fill> needs a valid slot");
		slot = tmpl_attr_value(a);
		for (i = 0; i < t->nfills; i++)
			if (strcmp(t->fills[i].slot, slot) == 0)
				return tmpl_fail(ck, c, "slot \"%s\" filled "
				    "twice", slot);
		if (content && c->children != NULL)
			return tmpl_fail(ck, c, "a <t:fill> with t:text or "
			    "t:msg must be empty");
		if (tmpl_check_children(ck, c, NULL, 0) == -1)
			return -1;
		t->fills = xrealloc(t->fills, (t->nfills + 1) *
		    sizeof(*t->fills));
		t->fills[t->nfills].slot = slot;
		t->fills[t->nfills].node = c;
		t->nfills++;
	}
	return 0;
}

/*
 * Refuse every markup declaration before libxml2 sees the text: only
 * comments and a bare "<!DOCTYPE html>" may start with "<!".  (A CDATA
 * section, an internal subset, an ENTITY: all refused.)  Returns the line
 * of the first offence, or 0.
 */
static size_t
tmpl_prescan(const char *text, size_t len)
{
	const char	*p = text, *end = text + len, *q;
	size_t		 line = 1;

	while (p < end && (q = memchr(p, '<', (size_t)(end - p))) != NULL) {
		for (; p < q; p++)
			if (*p == '\n')
				line++;
		p = q + 1;
		if (end - q < 2 || q[1] != '!')
			continue;
		if (end - q >= 4 && memcmp(q, "<!--", 4) == 0) {
			q = memmem(q + 4, (size_t)(end - q - 4), "-->", 3);
			if (q == NULL)
				return line;	/* libxml2 says why */
			continue;
		}
		if (end - q >= 15 && memcmp(q, "<!DOCTYPE html>", 15) == 0)
			continue;
		return line;
	}
	return 0;
}

/* libxml2's structured error callback: keep the first error. */
static void
tmpl_xml_error(void *data, xmlErrorPtr e)
{
	xmlParserCtxtPtr	 ctxt = data;
	struct tmpl_xmlerr	*xe;
	size_t			 n;

	if (ctxt == NULL || (xe = ctxt->_private) == NULL || e == NULL ||
	    xe->set || e->level < XML_ERR_ERROR)
		return;
	xe->set = 1;
	xe->line = e->line;
	snprintf(xe->msg, sizeof(xe->msg), "%s",
	    e->message != NULL ? e->message : "XML error");
	n = strlen(xe->msg);
	while (n > 0 && (xe->msg[n - 1] == '\n' || xe->msg[n - 1] == ' '))
		xe->msg[--n] = '\0';
}

/* Parse and check one template file into t (t->name and t->path set). */
static int
tmpl_load_file(struct tmpl *t, char *err, size_t errlen)
{
	struct tmpl_check	 ck;
	struct tmpl_xmlerr	 xe;
	xmlParserCtxtPtr	 ctxt = NULL;
	xmlDtdPtr		 dtd;
	xmlNodePtr		 root, c, next;
	char			*text = NULL;
	const char		*s, *nl;
	size_t			 len, line;
	int			 rc = -1;

	memset(&ck, 0, sizeof(ck));
	ck.t = t;
	ck.err = err;
	ck.errlen = errlen;
	memset(&xe, 0, sizeof(xe));

	if ((text = util_read_file(t->path, TMPL_MAX_FILE, &len, err,
	    errlen)) == NULL)
		goto out;
	for (s = text, line = 1; s < text + len; s = nl + 1, line++) {
		if ((nl = memchr(s, '\n', len - (size_t)(s - text))) == NULL)
			nl = text + len;
		if (memchr(s, '\0', (size_t)(nl - s)) != NULL ||
		    !util_utf8_valid(s, (size_t)(nl - s))) {
			util_errf(err, errlen, "%s:%zu: invalid UTF-8 or NUL "
			    "byte", t->path, line);
			goto out;
		}
	}
	if ((line = tmpl_prescan(text, len)) != 0) {
		util_errf(err, errlen, "%s:%zu: markup declaration (only "
		    "<!DOCTYPE html> is allowed: no DTD, no ENTITY, no "
		    "CDATA)", t->path, line);
		goto out;
	}

	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		util_errf(err, errlen, "%s: out of memory", t->path);
		goto out;
	}
	ctxt->_private = &xe;
	ctxt->sax->serror = tmpl_xml_error;
	/* NONET only: never NOENT, DTDLOAD, DTDATTR, DTDVALID, XINCLUDE,
	 * HUGE. */
	t->doc = xmlCtxtReadMemory(ctxt, text, (int)len, t->path, "UTF-8",
	    XML_PARSE_NONET);
	if (t->doc == NULL || !ctxt->wellFormed || !ctxt->nsWellFormed ||
	    xe.set) {
		if (xe.set)
			util_errf(err, errlen, "%s:%d: %s", t->path, xe.line,
			    xe.msg);
		else
			util_errf(err, errlen, "%s: not well-formed XML",
			    t->path);
		goto out;
	}

	if (t->doc->extSubset != NULL) {
		tmpl_fail(&ck, NULL, "external DTD subset");
		goto out;
	}
	if ((dtd = t->doc->intSubset) != NULL &&
	    (!xmlStrEqual(dtd->name, BAD_CAST "html") ||
	    dtd->ExternalID != NULL || dtd->SystemID != NULL ||
	    dtd->children != NULL || dtd->entities != NULL ||
	    dtd->pentities != NULL || dtd->elements != NULL ||
	    dtd->attributes != NULL || dtd->notations != NULL)) {
		tmpl_fail(&ck, NULL, "only <!DOCTYPE html> is allowed");
		goto out;
	}
	for (c = t->doc->children; c != NULL; c = next) {
		next = c->next;
		if (c->type == XML_COMMENT_NODE)
			tmpl_free_node(c);
		else if (c->type == XML_PI_NODE) {
			tmpl_fail(&ck, c, "processing instruction");
			goto out;
		}
	}
	if ((root = xmlDocGetRootElement(t->doc)) == NULL) {
		tmpl_fail(&ck, NULL, "no root element");
		goto out;
	}
	if (tmpl_is_t(root) && xmlStrEqual(root->name, BAD_CAST "page")) {
		if (tmpl_check_page(&ck, root) == -1)
			goto out;
	} else if (!tmpl_is_t(root) && root->ns != NULL &&
	    root->ns->prefix == NULL &&
	    xmlStrEqual(root->ns->href, BAD_CAST TMPL_XHTML_NS) &&
	    xmlStrEqual(root->name, BAD_CAST "html")) {
		if (tmpl_t_attr(root, "each") != NULL ||
		    tmpl_t_attr(root, "if") != NULL ||
		    tmpl_t_attr(root, "unless") != NULL ||
		    tmpl_t_attr(root, "text") != NULL ||
		    tmpl_t_attr(root, "msg") != NULL ||
		    tmpl_t_attr(root, "markup") != NULL) {
			tmpl_fail(&ck, root, "the root element may only use "
			    "t:attr and t:msgattr");
			goto out;
		}
		if (tmpl_check_elem(&ck, root, NULL, 0) == -1)
			goto out;
	} else {
		tmpl_fail(&ck, root, "the root element must be <html "
		    "xmlns=\"" TMPL_XHTML_NS "\"> or <t:page>");
		goto out;
	}
	/* Make libxml2 create the xml: namespace now, so that copying a
	 * node never has to add it to this (then shared) document. */
	xmlSearchNs(t->doc, root, BAD_CAST "xml");
	rc = 0;
out:
	if (ctxt != NULL) {
		ctxt->_private = NULL;
		xmlFreeParserCtxt(ctxt);
	}
	free(text);
	return rc;
}

static int
tmpl_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
tmpl_cmp(const void *key, const void *t)
{
	return strcmp(key, ((const struct tmpl *)t)->name);
}

static const struct tmpl *
tmpl_find(const struct tmpl_set *set, const char *name)
{
	if (set == NULL || name == NULL || set->n == 0)
		return NULL;
	return bsearch(name, set->t, set->n, sizeof(*set->t), tmpl_cmp);
}

/* Connect each page to its layout and check its fills against the slots. */
static int
tmpl_link(struct tmpl_set *set, char *err, size_t errlen)
{
	struct tmpl		*t;
	const struct tmpl	*l;
	struct tmpl_check	 ck;
	size_t			 i, j, k;

	for (i = 0; i < set->n; i++) {
		t = &set->t[i];
		if (t->layout_name == NULL)
			continue;
		memset(&ck, 0, sizeof(ck));
		ck.t = t;
		ck.err = err;
		ck.errlen = errlen;
		l = tmpl_find(set, t->layout_name);
		if (l == NULL)
			return tmpl_fail(&ck, xmlDocGetRootElement(t->doc),
			    "layout \"%s\" not found", t->layout_name);
		if (l->layout_name != NULL)
			return tmpl_fail(&ck, xmlDocGetRootElement(t->doc),
			    "layout \"%s\" is itself a page", t->layout_name);
		for (j = 0; j < t->nfills; j++) {
			for (k = 0; k < l->nslots; k++)
				if (strcmp(l->slots[k], t->fills[j].slot) == 0)
					break;
			if (k == l->nslots)
				return tmpl_fail(&ck, t->fills[j].node,
				    "layout \"%s\" has no slot \"%s\"",
				    l->name, t->fills[j].slot);
		}
		t->layout = l;
	}
	return 0;
}

/*
 * Load every *.xhtml of dir (names of letters, digits, '.', '_', '-').
 * Returns the set, or NULL with "file:line: why" in err.
 */
struct tmpl_set *
tmpl_load_dir(const char *dir, char *err, size_t errlen)
{
	struct tmpl_set	 *set = NULL;
	DIR		 *d = NULL;
	struct dirent	 *de;
	char		**names = NULL, path[PATH_MAX];
	size_t		  n = 0, i, len;
	int		  ok = 0;

	util_errf(err, errlen, "%s", "");
	xmlInitParser();
	if ((d = opendir(dir)) == NULL) {
		util_errf(err, errlen, "%s: %s", dir, strerror(errno));
		goto out;
	}
	names = xcalloc(TMPL_MAX_FILES, sizeof(*names));
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 6 ||
		    strcmp(de->d_name + len - 6, ".xhtml") != 0)
			continue;
		if (len > TMPL_MAX_NAME ||
		    strspn(de->d_name, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != len) {
			util_errf(err, errlen, "%s/%s: bad template file name",
			    dir, de->d_name);
			goto out;
		}
		if (n == TMPL_MAX_FILES) {
			util_errf(err, errlen, "%s: more than %d templates",
			    dir, TMPL_MAX_FILES);
			goto out;
		}
		names[n++] = xstrdup(de->d_name);
	}
	if (n == 0) {
		util_errf(err, errlen, "%s: no *.xhtml templates", dir);
		goto out;
	}
	qsort(names, n, sizeof(*names), tmpl_name_cmp);

	set = xcalloc(1, sizeof(*set));
	set->t = xcalloc(n, sizeof(*set->t));
	set->n = n;
	for (i = 0; i < n; i++) {
		set->t[i].name = names[i];
		names[i] = NULL;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    set->t[i].name) >= sizeof(path)) {
			util_errf(err, errlen, "%s: path too long", dir);
			goto out;
		}
		set->t[i].path = xstrdup(path);
		if (tmpl_load_file(&set->t[i], err, errlen) == -1)
			goto out;
	}
	if (tmpl_link(set, err, errlen) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if (tmpl_compile(&set->t[i], err, errlen) == -1)
			goto out;
	ok = 1;
out:
	if (names != NULL) {
		for (i = 0; i < n; i++)
			free(names[i]);
		free(names);
	}
	if (d != NULL)
		closedir(d);
	if (!ok) {
		tmpl_set_free(set);
		set = NULL;
	}
	return set;
}

void
tmpl_set_free(struct tmpl_set *set)
{
	struct tmpl	*t;
	size_t		 i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++) {
		t = &set->t[i];
		free(t->name);
		free(t->path);
		free(t->layout_name);
		free(t->fills);
		free(t->slots);
		tmpl_prog_free(&t->prog);
		if (t->doc != NULL)
			xmlFreeDoc(t->doc);
	}
	free(set->t);
	free(set);
}

/* Check the t:msg/t:msgattr keys below n against every catalog. */
static int
tmpl_check_keys_node(struct tmpl_check *ck, const struct i18n *i18n,
    xmlNodePtr n)
{
	xmlAttrPtr	 a;
	xmlNodePtr	 c;
	const char	*arg, *key;
	enum tmpl_op	 op;
	int		 l;

	for (a = n->properties; a != NULL; a = a->next) {
		if (!tmpl_attr_is_t(a))
			continue;
		op = tmpl_op(a->name, &arg);
		if (op != TMPL_OP_MSG && op != TMPL_OP_MSGATTR)
			continue;
		key = tmpl_attr_value(a);
		for (l = 0; l < I18N_NLANG; l++)
			if (!i18n_has(i18n, (enum i18n_lang)l, key))
				return tmpl_fail(ck, n, "message key \"%s\" "
				    "is not in the %s catalog", key,
				    i18n_lang_code((enum i18n_lang)l));
	}
	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    tmpl_check_keys_node(ck, i18n, c) == -1)
			return -1;
	return 0;
}

int
tmpl_check_keys(const struct tmpl_set *set, const struct i18n *i18n,
    char *err, size_t errlen)
{
	struct tmpl_check	ck;
	size_t			i;

	for (i = 0; set != NULL && i < set->n; i++) {
		memset(&ck, 0, sizeof(ck));
		ck.t = &set->t[i];
		ck.err = err;
		ck.errlen = errlen;
		if (tmpl_check_keys_node(&ck, i18n,
		    xmlDocGetRootElement(set->t[i].doc)) == -1)
			return -1;
	}
	return 0;
}

void
tmpl_bind_catalogs(struct tmpl_set *set, const struct i18n *i18n)
{
	struct tmpl_prog	*p;
	struct tmpl_tattr	*e;
	struct buf		 esc;
	size_t			 i, j, k;
	int			 l;

	buf_init(&esc);
	for (i = 0; set != NULL && i18n != NULL && i < set->n; i++) {
		p = &set->t[i].prog;
		for (j = 0; j < p->nins; j++) {
			if (p->ins[j].code != TMPL_C_MSG)
				continue;
			for (l = 0; l < I18N_NLANG; l++) {
				esc.len = 0;
				buf_puts(&esc, "");
				tmpl_esc_text(&esc, i18n_text(i18n,
				    (enum i18n_lang)l, p->ins[j].s));
				p->ins[j].msg[l] = tmpl_strndup(&p->strs,
				    esc.data, esc.len);
			}
		}
		for (j = 0; j < p->ntags; j++)
			for (k = 0; k < p->tags[j].nattrs; k++) {
				e = &p->tags[j].attrs[k];
				if (e->kind != TMPL_A_MSG)
					continue;
				for (l = 0; l < I18N_NLANG; l++)
					e->msg[l] = i18n_text(i18n,
					    (enum i18n_lang)l, e->arg);
			}
		p->bound = i18n;
	}
	buf_free(&esc);
}

/* The arena. ---------------------------------------------------------------- */

/*
 * n bytes from arena a, 8-aligned; never NULL (xmalloc exits on OOM).
 * Chunks double from 4 KiB up to 256 KiB; a larger request gets its own.
 */
static void *
tmpl_alloc(struct tmpl_arena *a, size_t n)
{
	struct tmpl_chunk	*c = a->head;
	size_t			 cap;
	void			*p;

	n = (n + 7) & ~(size_t)7;
	if (c == NULL || c->cap - c->used < n) {
		cap = a->next_cap != 0 ? a->next_cap : 4096;
		if (cap < 256 * 1024)
			a->next_cap = cap * 2;
		if (cap < n)
			cap = n;
		c = xmalloc(sizeof(*c) + cap);
		c->next = a->head;
		c->used = 0;
		c->cap = cap;
		a->head = c;
	}
	p = c->data + c->used;
	c->used += n;
	return p;
}

static char *
tmpl_strndup(struct tmpl_arena *a, const char *s, size_t n)
{
	char	*p = tmpl_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void
tmpl_arena_free(struct tmpl_arena *a)
{
	struct tmpl_chunk	*c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
	a->next_cap = 0;
}

/* Variables. ---------------------------------------------------------------- */

/* Characters XML 1.0 allows (so the output always re-parses). */
static int
tmpl_xml_char(uint32_t c)
{
	return c == 0x9 || c == 0xa || c == 0xd ||
	    (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) ||
	    (c >= 0x10000 && c <= 0x10ffff);
}

/*
 * A copy of s in arena a in which every byte that is not part of
 * well-formed UTF-8, and every character XML forbids (C0 controls but tab,
 * LF and CR; U+FFFE; U+FFFF), is replaced by U+FFFD.  Clean text (nearly
 * all of it) is copied in one piece.
 */
static char *
tmpl_utf8_clean(struct tmpl_arena *a, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	struct buf		 b;
	char			*copy;
	size_t			 len, i = 0, run = 0, n;
	uint32_t		 c = 0;

	for (; p[i] != '\0'; i++) {
		if (p[i] >= 0x80 || (p[i] < 0x20 && p[i] != '\t' &&
		    p[i] != '\n' && p[i] != '\r'))
			break;
	}
	if (p[i] == '\0')
		return tmpl_strndup(a, s, i);
	len = i + strlen(s + i);
	/* Well-formed text beyond ASCII (Japanese: most of it) is copied in
	 * one piece too: check first, rebuild only what needs a U+FFFD. */
	for (n = i; n < len; n += run) {
		/* ASCII text, and the 3-byte characters of Japanese (U+0800
		 * to U+FFFD but surrogates) inline; the rest by the decoder. */
		if (p[n] >= 0x20 && p[n] < 0x80) {
			run = 1;
			continue;
		}
		if ((p[n] & 0xf0) == 0xe0 && n + 2 < len &&
		    (p[n + 1] & 0xc0) == 0x80 && (p[n + 2] & 0xc0) == 0x80) {
			c = (uint32_t)(p[n] & 0x0f) << 12 |
			    (uint32_t)(p[n + 1] & 0x3f) << 6 | (p[n + 2] & 0x3f);
			if (c >= 0x800 && tmpl_xml_char(c)) {
				run = 3;
				continue;
			}
		}
		run = util_utf8_char(p + n, len - n, &c);
		if (run == 0 || !tmpl_xml_char(c))
			break;
	}
	if (n >= len)
		return tmpl_strndup(a, s, len);
	run = 0;
	buf_init(&b);
	while (i < len) {
		n = util_utf8_char(p + i, len - i, &c);
		if (n != 0 && tmpl_xml_char(c)) {
			i += n;
			continue;
		}
		buf_append(&b, s + run, i - run);
		buf_append(&b, "\xef\xbf\xbd", 3);
		i += n != 0 ? n : 1;
		run = i;
	}
	buf_append(&b, s + run, i - run);
	copy = tmpl_strndup(a, b.data != NULL ? b.data : "", b.len);
	buf_free(&b);
	return copy;
}

struct tmpl_vars *
tmpl_vars_new(void)
{
	struct tmpl_vars	*vs = xcalloc(1, sizeof(*vs));

	vs->arena = &vs->own;
	return vs;
}

/* An item is freed with its root: only a root frees anything. */
void
tmpl_vars_free(struct tmpl_vars *vs)
{
	if (vs == NULL || vs->arena != &vs->own)
		return;
	tmpl_arena_free(&vs->own);
	free(vs);
}

/* The hash that lookups compare before the names. */
static uint32_t
tmpl_hash(const char *name)
{
	return (uint32_t)util_fnv1a(name);
}

static struct tmpl_var *
tmpl_vars_find(const struct tmpl_vars *vs, const char *name, uint32_t h)
{
	size_t	i;

	/* A name never set here has its bit clear: most lookups of an
	 * item's scope for a page's variable, and most sets, stop here. */
	if ((vs->seen & ((uint64_t)1 << (h % 64))) == 0)
		return NULL;
	for (i = 0; i < vs->n; i++)
		if (vs->v[i].h == h && strcmp(vs->v[i].name, name) == 0)
			return &vs->v[i];
	return NULL;
}

/* The variable name of vs, created empty (an empty list) if absent. */
static struct tmpl_var *
tmpl_vars_get(struct tmpl_vars *vs, const char *name)
{
	struct tmpl_var	*v;
	uint32_t	 h = tmpl_hash(name);

	if ((v = tmpl_vars_find(vs, name, h)) != NULL)
		return v;
	if (vs->n == vs->cap) {
		/* The old array stays in the arena until the root goes. */
		vs->cap = vs->cap != 0 ? vs->cap * 2 : 16;
		v = tmpl_alloc(vs->arena, vs->cap * sizeof(*v));
		if (vs->n > 0)
			memcpy(v, vs->v, vs->n * sizeof(*v));
		vs->v = v;
	}
	v = &vs->v[vs->n++];
	memset(v, 0, sizeof(*v));
	v->name = tmpl_strndup(vs->arena, name, strlen(name));
	v->h = h;
	vs->seen |= (uint64_t)1 << (h % 64);
	return v;
}

void
tmpl_vars_set(struct tmpl_vars *vs, const char *name, const char *value)
{
	struct tmpl_var	*v;
	size_t		 i;

	if (vs == NULL || name == NULL)
		return;
	if (value == NULL) {
		if ((v = tmpl_vars_find(vs, name, tmpl_hash(name))) == NULL)
			return;
		i = (size_t)(v - vs->v);
		memmove(&vs->v[i], &vs->v[i + 1],
		    (vs->n - i - 1) * sizeof(*vs->v));
		vs->n--;
		return;
	}
	v = tmpl_vars_get(vs, name);
	v->items = NULL;
	v->nitems = v->capitems = 0;
	v->markup = 0;
	v->value = tmpl_utf8_clean(vs->arena, value);
}

void
tmpl_vars_set_markup(struct tmpl_vars *vs, const char *name,
    const char *markup)
{
	struct tmpl_var	*v;

	if (vs == NULL || name == NULL)
		return;
	if (markup == NULL) {
		tmpl_vars_set(vs, name, NULL);
		return;
	}
	tmpl_vars_set(vs, name, markup);
	if ((v = tmpl_vars_find(vs, name, tmpl_hash(name))) != NULL)
		v->markup = 1;
}

void
tmpl_vars_setf(struct tmpl_vars *vs, const char *name, const char *fmt, ...)
{
	va_list	 ap;
	char	 small[256], *s = small;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(small)) {
		s = xmalloc((size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(s, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	tmpl_vars_set(vs, name, s);
	if (s != small)
		free(s);
}

void
tmpl_vars_set2(struct tmpl_vars *vs, const char *name, const char *a,
    const char *b)
{
	char	 small[256], *s = small;
	size_t	 na = strlen(a), nb = strlen(b);

	if (na + nb >= sizeof(small))
		s = xmalloc(na + nb + 1);
	memcpy(s, a, na);
	memcpy(s + na, b, nb + 1);
	tmpl_vars_set(vs, name, s);
	if (s != small)
		free(s);
}

struct tmpl_vars *
tmpl_vars_add_item(struct tmpl_vars *vs, const char *list)
{
	struct tmpl_var		 *v = tmpl_vars_get(vs, list);
	struct tmpl_vars	**items, *item;

	v->value = NULL;
	v->markup = 0;
	if (v->nitems == v->capitems) {
		v->capitems = v->capitems != 0 ? v->capitems * 2 : 8;
		items = tmpl_alloc(vs->arena, v->capitems * sizeof(*items));
		if (v->nitems > 0)
			memcpy(items, v->items, v->nitems * sizeof(*items));
		v->items = items;
	}
	item = tmpl_alloc(vs->arena, sizeof(*item));
	memset(item, 0, sizeof(*item));
	item->arena = vs->arena;
	v->items[v->nitems] = item;
	return v->items[v->nitems++];
}

/* Escaping, as libxml2's XHTML serialiser does it. ------------------------- */

/* The reference libxml2 writes for a character it escapes. */
static const char *
tmpl_ref(char c)
{
	switch (c) {
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '&':
		return "&amp;";
	case '"':
		return "&quot;";
	case '\t':
		return "&#9;";
	case '\n':
		return "&#10;";
	default:
		return "&#13;";		/* '\r' */
	}
}

/* Append s with every character of set (a subset of tmpl_ref's) written
 * as its reference. */
static void
tmpl_esc(struct buf *out, const char *s, const char *set)
{
	size_t	n;

	for (;;) {
		n = strcspn(s, set);
		buf_append(out, s, n);
		s += n;
		if (*s == '\0')
			return;
		buf_puts(out, tmpl_ref(*s++));
	}
}

/*
 * Append s as element text: "<", ">", "&" and CR become references, as
 * libxml2 writes text (xmlEscapeContent), so that a page parsed and saved
 * again by libxml2 comes out byte for byte the same (tmpl_test.c checks).
 */
static void
tmpl_esc_text(struct buf *out, const char *s)
{
	tmpl_esc(out, s, "<>&\r");
}

/* Append s as an attribute value between double quotes: also '"', and
 * tab, LF and CR (which attribute parsing would turn into spaces). */
static void
tmpl_esc_attr(struct buf *out, const char *s)
{
	tmpl_esc(out, s, "<>&\"\t\n\r");
}

/* Rendering. ---------------------------------------------------------------- */

/* name in the innermost scope that has it, or NULL. */
static const struct tmpl_var *
tmpl_lookup(const struct tmpl_render *r, const char *name, uint32_t h)
{
	const struct tmpl_var	*v;
	size_t			 i;

	for (i = r->nscope; i-- > 0;)
		if ((v = tmpl_vars_find(r->scope[i], name, h)) != NULL)
			return v;
	return NULL;
}

/* The text of name; NULL when unset or a list.  "lang" and "lang_other"
 * are always the rendering language and the other one. */
static const char *
tmpl_text(const struct tmpl_render *r, const char *name, uint32_t h)
{
	const struct tmpl_var	*v;

	if (name[0] == 'l' && strcmp(name, "lang") == 0)
		return i18n_lang_code(r->lang);
	if (name[0] == 'l' && strcmp(name, "lang_other") == 0)
		return i18n_lang_code(r->lang == I18N_JA ? I18N_EN : I18N_JA);
	v = tmpl_lookup(r, name, h);
	return v != NULL ? v->value : NULL;
}

/* t:if: a non-empty text, or a list with at least one item. */
static int
tmpl_truthy(const struct tmpl_render *r, const char *name, uint32_t h)
{
	const struct tmpl_var	*v;
	const char		*s;

	if ((s = tmpl_text(r, name, h)) != NULL)
		return s[0] != '\0';
	v = tmpl_lookup(r, name, h);
	return v != NULL && v->value == NULL && v->nitems > 0;
}

/*
 * 1 when a URL from a variable may stand in an attribute as it is: a path
 * of this site, a query or fragment of this page, or an absolute http(s)
 * or mailto URL.  A path that starts "//" or "/\" is not one: browsers
 * read both as a network-path reference to another host (issue 10 item 7);
 * nor is anything with a control character.
 */
static int
tmpl_url_ok(const char *u)
{
	size_t	i, n;

	if (u[0] == '/' && (u[1] == '/' || u[1] == '\\'))
		return 0;
	/* Browsers drop tabs and line feeds inside a URL ("/\t/host"). */
	for (i = 0; u[i] != '\0'; i++)
		if ((unsigned char)u[i] < 0x20 || u[i] == 0x7f)
			return 0;
	for (i = 0; i < UTIL_ARRAY_LEN(tmpl_url_prefixes); i++) {
		n = strlen(tmpl_url_prefixes[i]);
		if (strncasecmp(u, tmpl_url_prefixes[i], n) == 0)
			return 1;
	}
	return 0;
}

/*
 * Write start tag tag.  With r NULL only static attributes may be there
 * (the compiler writes static tags once this way).  The rules are those
 * of libxml2's XHTML serialiser (xhtmlAttrListDumpOutput), so that the
 * output is what the tree engine wrote before: an empty boolean attribute
 * (checked, selected, ...) gets its name as value; a "name" without "id"
 * on a, p, div, img, map, applet, form, frame or iframe is repeated as
 * "id" (XHTML 1.0 C.8); "lang" without "xml:lang" is repeated as
 * "xml:lang" and the other way round (C.7).
 */
static void
tmpl_tag_emit(const struct tmpl_tag *tag, const struct tmpl_render *r,
    struct buf *out)
{
	const struct tmpl_tattr	*e;
	const char		*v, *role[TMPL_R_N];
	size_t			 i;

	memset(role, 0, sizeof(role));
	buf_puts(out, tag->open);
	for (i = 0; i < tag->nattrs; i++) {
		e = &tag->attrs[i];
		v = e->value;
		if (e->kind == TMPL_A_VAR) {
			if ((v = tmpl_text(r, e->arg, e->argh)) == NULL)
				v = e->value;	/* unset: the static one */
			else if (e->url && !tmpl_url_ok(v))
				v = "#";
		} else if (e->kind == TMPL_A_MSG)
			v = r->bound ? e->msg[r->lang] :
			    i18n_text(r->i18n, r->lang, e->arg);
		if (v == NULL)
			continue;
		role[e->role] = v;
		if (v == e->value) {
			buf_puts(out, e->full);
			continue;
		}
		if (e->boolean && v[0] == '\0')
			v = e->qname;
		buf_puts(out, e->head);
		tmpl_esc_attr(out, v);
		buf_append(out, "\"", 1);
	}
	if (tag->c8 && role[TMPL_R_NAME] != NULL && role[TMPL_R_ID] == NULL) {
		buf_append(out, " id=\"", 5);
		tmpl_esc_attr(out, role[TMPL_R_NAME]);
		buf_append(out, "\"", 1);
	}
	if (role[TMPL_R_LANG] != NULL && role[TMPL_R_XMLLANG] == NULL) {
		buf_append(out, " xml:lang=\"", 11);
		tmpl_esc_attr(out, role[TMPL_R_LANG]);
		buf_append(out, "\"", 1);
	} else if (role[TMPL_R_XMLLANG] != NULL && role[TMPL_R_LANG] == NULL) {
		buf_append(out, " lang=\"", 7);
		tmpl_esc_attr(out, role[TMPL_R_XMLLANG]);
		buf_append(out, "\"", 1);
	}
	if (tag->empty)
		buf_append(out, " />", 3);
	else
		buf_append(out, ">", 1);
}

/* Compiling. ---------------------------------------------------------------- */

/*
 * A page's program is its layout's tree with the fills in the slots, as
 * byte runs and the few instructions that depend on the variables.  The
 * output is that of the tree engine it replaced (libxml2's XHTML
 * serialiser on a filled copy): the same escaping, namespace declarations
 * only where the default namespace changes, " />" on empty XHTML void
 * elements, the C.7/C.8 attributes (tmpl_tag_emit).  tmpl_test.c proves it
 * by parsing pages and saving them again with libxml2.
 */

/* Elements libxml2 writes as "<x />" when they are empty (xhtmlIsEmpty). */
static const char *const tmpl_empty_elems[] = {
	"area", "br", "base", "basefont", "col", "frame", "hr", "img",
	"input", "isindex", "link", "meta", "param"
};

/* Elements whose "name" is repeated as "id" (XHTML 1.0 C.8). */
static const char *const tmpl_c8_elems[] = {
	"a", "p", "div", "img", "map", "applet", "form", "frame", "iframe"
};

/* Attributes that HTML reads as booleans (htmlIsBooleanAttr). */
static const char *const tmpl_bool_attrs[] = {
	"checked", "compact", "declare", "defer", "disabled", "ismap",
	"multiple", "nohref", "noresize", "noshade", "nowrap", "readonly",
	"selected"
};

static int
tmpl_in_list_exact(const char *s, const char *const *list, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* 1 when libxml2 would write el as "<x />": an empty XHTML element of
 * tmpl_empty_elems (the load checks keep void elements empty). */
static int
tmpl_cc_empty(const xmlNode *el)
{
	return el->children == NULL && el->ns != NULL &&
	    el->ns->prefix == NULL &&
	    xmlStrEqual(el->ns->href, BAD_CAST TMPL_XHTML_NS) &&
	    tmpl_in_list_exact((const char *)el->name, tmpl_empty_elems,
	    UTIL_ARRAY_LEN(tmpl_empty_elems));
}

/* Append instruction code to p; returns its index. */
static size_t
tmpl_cc_ins(struct tmpl_prog *p, enum tmpl_code code, const char *s)
{
	struct tmpl_ins	*in;

	if (p->nins == p->capins) {
		p->capins = p->capins != 0 ? p->capins * 2 : 64;
		p->ins = xrealloc(p->ins, p->capins * sizeof(*p->ins));
	}
	in = &p->ins[p->nins];
	memset(in, 0, sizeof(*in));
	in->code = code;
	in->s = s;
	if (s != NULL)
		in->h = tmpl_hash(s);
	return p->nins++;
}

/* No instruction before here may grow: one after it is a jump target. */
static void
tmpl_cc_seal(struct tmpl_prog *p)
{
	p->sealed = p->nins;
}

/* Append static bytes, into the last run when nothing jumps between. */
static void
tmpl_cc_bytes(struct tmpl_prog *p, const char *s, size_t n)
{
	struct tmpl_ins	*last;
	size_t		 i;

	if (n == 0)
		return;
	last = p->nins > p->sealed ? &p->ins[p->nins - 1] : NULL;
	if (last != NULL && last->code == TMPL_C_BYTES &&
	    last->a + last->b == p->pool.len) {
		last->b += (uint32_t)n;
	} else {
		i = tmpl_cc_ins(p, TMPL_C_BYTES, NULL);
		p->ins[i].a = (uint32_t)p->pool.len;
		p->ins[i].b = (uint32_t)n;
	}
	buf_append(&p->pool, s, n);
}

static void
tmpl_cc_text(struct tmpl_prog *p, const char *s)
{
	struct buf	b;

	buf_init(&b);
	tmpl_esc_text(&b, s);
	tmpl_cc_bytes(p, b.data, b.len);
	buf_free(&b);
}

/* The entry of tag for attribute qname without a namespace, or NULL. */
static struct tmpl_tattr *
tmpl_cc_find_attr(struct tmpl_tag *tag, const char *qname)
{
	size_t	i;

	for (i = 0; i < tag->nattrs; i++)
		if (!tag->attrs[i].prefixed &&
		    strcmp(tag->attrs[i].qname, qname) == 0)
			return &tag->attrs[i];
	return NULL;
}

static struct tmpl_tattr *
tmpl_cc_add_attr(struct tmpl_prog *p, struct tmpl_tag *tag,
    const char *prefix, const char *name)
{
	struct tmpl_tattr	*e;
	struct buf		 b;

	tag->attrs = xrealloc(tag->attrs, (tag->nattrs + 1) *
	    sizeof(*tag->attrs));
	e = &tag->attrs[tag->nattrs++];
	memset(e, 0, sizeof(*e));
	buf_init(&b);
	if (prefix != NULL)
		buf_printf(&b, "%s:", prefix);
	buf_puts(&b, name);
	e->qname = tmpl_strndup(&p->strs, b.data, b.len);
	e->prefixed = prefix != NULL;
	buf_free(&b);
	if (prefix == NULL) {
		e->boolean = tmpl_in_list(name, tmpl_bool_attrs,
		    UTIL_ARRAY_LEN(tmpl_bool_attrs));
		if (strcmp(name, "id") == 0)
			e->role = TMPL_R_ID;
		else if (strcmp(name, "name") == 0)
			e->role = TMPL_R_NAME;
		else if (strcmp(name, "lang") == 0)
			e->role = TMPL_R_LANG;
	} else if (strcmp(prefix, "xml") == 0 && strcmp(name, "lang") == 0)
		e->role = TMPL_R_XMLLANG;
	return e;
}

/* Fill in the precomputed parts of e: ' qname="' and, when it has a
 * static value, the whole attribute as written. */
static void
tmpl_cc_finish_attr(struct tmpl_prog *p, struct tmpl_tattr *e)
{
	struct buf	b;

	buf_init(&b);
	buf_printf(&b, " %s=\"", e->qname);
	e->head = tmpl_strndup(&p->strs, b.data, b.len);
	if (e->value != NULL) {
		tmpl_esc_attr(&b, e->boolean && e->value[0] == '\0' ?
		    e->qname : e->value);
		buf_append(&b, "\"", 1);
		e->full = tmpl_strndup(&p->strs, b.data, b.len);
	}
	buf_free(&b);
}

/*
 * The start tag of el: written into the program when it is static, else
 * a TMPL_C_TAG.  *dflt is the default namespace in scope, updated for
 * el's children.  Attribute order is the tree engine's: the static ones
 * in document order (a t:attr of the same name takes the place of its
 * static value), then those only t:attr/t:msgattr set, in document order.
 */
static void
tmpl_cc_tag(struct tmpl_cc *cc, xmlNodePtr el, const xmlChar **dflt)
{
	struct tmpl_prog	*p = cc->p;
	struct tmpl_tag		 tag, *tp;
	struct tmpl_tattr	*e;
	struct buf		 b;
	xmlAttrPtr		 a;
	xmlNsPtr		 ns;
	xmlChar			*value;
	const char		*arg, *name = (const char *)el->name;
	enum tmpl_op		 op;
	size_t			 i;
	int			 dynamic = 0;

	memset(&tag, 0, sizeof(tag));
	buf_init(&b);
	buf_printf(&b, "<%s", name);
	for (ns = el->nsDef; ns != NULL; ns = ns->next) {
		if (xmlStrEqual(ns->href, BAD_CAST TMPL_NS))
			continue;
		if (ns->prefix == NULL) {
			if (*dflt != NULL && xmlStrEqual(ns->href, *dflt))
				continue;
			*dflt = ns->href;
			buf_printf(&b, " xmlns=\"%s\"", ns->href);
		} else
			buf_printf(&b, " xmlns:%s=\"%s\"", ns->prefix,
			    ns->href);
	}
	tag.open = tmpl_strndup(&p->strs, b.data, b.len);
	buf_free(&b);

	for (a = el->properties; a != NULL; a = a->next) {
		if (tmpl_attr_is_t(a))
			continue;
		e = tmpl_cc_add_attr(p, &tag, a->ns != NULL ?
		    (const char *)a->ns->prefix : NULL, (const char *)a->name);
		value = xmlNodeGetContent((xmlNodePtr)a);
		e->value = tmpl_strndup(&p->strs, value != NULL ?
		    (const char *)value : "", value != NULL ?
		    strlen((const char *)value) : 0);
		xmlFree(value);
	}
	for (a = el->properties; a != NULL; a = a->next) {
		if (!tmpl_attr_is_t(a))
			continue;
		op = tmpl_op(a->name, &arg);
		if (op != TMPL_OP_ATTR && op != TMPL_OP_MSGATTR)
			continue;
		if ((e = tmpl_cc_find_attr(&tag, arg)) == NULL)
			e = tmpl_cc_add_attr(p, &tag, NULL, arg);
		e->kind = op == TMPL_OP_ATTR ? TMPL_A_VAR : TMPL_A_MSG;
		e->arg = tmpl_attr_value(a);
		e->argh = tmpl_hash(e->arg);
		e->url = tmpl_in_list(arg, tmpl_url_attrs,
		    UTIL_ARRAY_LEN(tmpl_url_attrs));
		if (e->kind == TMPL_A_MSG)
			e->value = NULL;
		dynamic = 1;
	}
	for (i = 0; i < tag.nattrs; i++)
		tmpl_cc_finish_attr(p, &tag.attrs[i]);
	tag.c8 = tmpl_in_list_exact(name, tmpl_c8_elems,
	    UTIL_ARRAY_LEN(tmpl_c8_elems));
	tag.empty = tmpl_cc_empty(el);

	if (!dynamic) {
		buf_init(&b);
		tmpl_tag_emit(&tag, NULL, &b);
		tmpl_cc_bytes(p, b.data, b.len);
		buf_free(&b);
		free(tag.attrs);
		return;
	}
	if (p->ntags == p->captags) {
		p->captags = p->captags != 0 ? p->captags * 2 : 16;
		p->tags = xrealloc(p->tags, p->captags * sizeof(*p->tags));
	}
	tp = &p->tags[p->ntags];
	*tp = tag;
	i = tmpl_cc_ins(p, TMPL_C_TAG, NULL);
	p->ins[i].a = (uint32_t)p->ntags++;
}

static int	tmpl_cc_elem(struct tmpl_cc *, xmlNodePtr, const xmlChar *,
		    int);

/* The text and elements from first on. */
static int
tmpl_cc_nodes(struct tmpl_cc *cc, xmlNodePtr first, const xmlChar *dflt,
    int depth)
{
	xmlNodePtr	c;

	for (c = first; c != NULL; c = c->next) {
		if (c->type == XML_TEXT_NODE && c->content != NULL)
			tmpl_cc_text(cc->p, (const char *)c->content);
		else if (c->type == XML_ELEMENT_NODE &&
		    tmpl_cc_elem(cc, c, dflt, depth) == -1)
			return -1;
	}
	return 0;
}

/* <t:slot name="S"/>: the page's fill of S, compiled in place. */
static int
tmpl_cc_slot(struct tmpl_cc *cc, xmlNodePtr slot, const xmlChar *dflt,
    int depth)
{
	const struct tmpl_fill	*f = NULL;
	const char		*src = cc->path;
	const char		*name;
	xmlAttrPtr		 a;
	size_t			 i;
	int			 rc;

	name = tmpl_attr_value(tmpl_plain_attr(slot, "name"));
	for (i = 0; cc->page != NULL && i < cc->page->nfills; i++)
		if (strcmp(cc->page->fills[i].slot, name) == 0)
			f = &cc->page->fills[i];
	if (f == NULL)
		return 0;
	if ((a = tmpl_t_attr(f->node, "msg")) != NULL) {
		tmpl_cc_ins(cc->p, TMPL_C_MSG, tmpl_attr_value(a));
		return 0;
	}
	if ((a = tmpl_t_attr(f->node, "text")) != NULL) {
		tmpl_cc_ins(cc->p, TMPL_C_TEXT, tmpl_attr_value(a));
		return 0;
	}
	cc->path = cc->page->path;
	rc = tmpl_cc_nodes(cc, f->node->children, dflt, depth);
	cc->path = src;
	return rc;
}

/*
 * Element el.  Instructions in the order the language applies them:
 * t:each, then t:if and t:unless inside it (per item), then the start
 * tag, then t:text, t:msg or the children, then the end tag.
 */
static int
tmpl_cc_elem(struct tmpl_cc *cc, xmlNodePtr el, const xmlChar *dflt,
    int depth)
{
	struct tmpl_prog	*p = cc->p;
	xmlAttrPtr		 a;
	size_t			 each = SIZE_MAX, jif = SIZE_MAX;
	size_t			 junless = SIZE_MAX, i;

	if (tmpl_is_t(el))
		return tmpl_cc_slot(cc, el, dflt, depth);
	if ((a = tmpl_t_attr(el, "each")) != NULL) {
		if (depth >= TMPL_MAX_DEPTH)
		{
			util_errf(cc->err, cc->errlen, "%s:%ld: t:each nested "
			    "deeper than %d (with the layout)", cc->path,
			    xmlGetLineNo(el), TMPL_MAX_DEPTH);
			return -1;
		}
		each = tmpl_cc_ins(p, TMPL_C_EACH, tmpl_attr_value(a));
		depth++;
	}
	if ((a = tmpl_t_attr(el, "if")) != NULL)
		jif = tmpl_cc_ins(p, TMPL_C_IF, tmpl_attr_value(a));
	if ((a = tmpl_t_attr(el, "unless")) != NULL)
		junless = tmpl_cc_ins(p, TMPL_C_UNLESS, tmpl_attr_value(a));

	tmpl_cc_tag(cc, el, &dflt);
	if ((a = tmpl_t_attr(el, "text")) != NULL)
		tmpl_cc_ins(p, TMPL_C_TEXT, tmpl_attr_value(a));
	else if ((a = tmpl_t_attr(el, "markup")) != NULL)
		tmpl_cc_ins(p, TMPL_C_MARKUP, tmpl_attr_value(a));
	else if ((a = tmpl_t_attr(el, "msg")) != NULL)
		tmpl_cc_ins(p, TMPL_C_MSG, tmpl_attr_value(a));
	else if (tmpl_cc_nodes(cc, el->children, dflt, depth) == -1)
		return -1;
	if (!tmpl_cc_empty(el)) {
		tmpl_cc_bytes(p, "</", 2);
		tmpl_cc_bytes(p, (const char *)el->name,
		    strlen((const char *)el->name));
		tmpl_cc_bytes(p, ">", 1);
	}

	tmpl_cc_seal(p);
	if (jif != SIZE_MAX)
		p->ins[jif].b = (uint32_t)p->nins;
	if (junless != SIZE_MAX)
		p->ins[junless].b = (uint32_t)p->nins;
	if (each != SIZE_MAX) {
		i = tmpl_cc_ins(p, TMPL_C_NEXT, NULL);
		p->ins[i].a = (uint32_t)each;
		p->ins[each].b = (uint32_t)p->nins;
		tmpl_cc_seal(p);
	}
	return 0;
}

/* Compile t (a page with its layout, or a template of its own). */
static int
tmpl_compile(struct tmpl *t, char *err, size_t errlen)
{
	const struct tmpl	*top = t->layout != NULL ? t->layout : t;
	struct tmpl_cc		 cc;
	xmlNodePtr		 root;
	int			 rc;

	memset(&cc, 0, sizeof(cc));
	cc.p = &t->prog;
	cc.path = top->path;
	cc.err = err;
	cc.errlen = errlen;
	cc.page = t->layout != NULL ? t : NULL;
	buf_init(&t->prog.pool);
	root = xmlDocGetRootElement(top->doc);
	tmpl_cc_bytes(cc.p, "<!DOCTYPE html>\n", 16);
	rc = tmpl_cc_elem(&cc, root, NULL, 0);
	tmpl_cc_bytes(cc.p, "\n", 1);
	return rc;
}

static void
tmpl_prog_free(struct tmpl_prog *p)
{
	size_t	i;

	for (i = 0; i < p->ntags; i++)
		free(p->tags[i].attrs);
	free(p->tags);
	free(p->ins);
	buf_free(&p->pool);
	tmpl_arena_free(&p->strs);
}

/* Run template t's program into out. */
static void
tmpl_run(struct tmpl_render *r, const struct tmpl_prog *p, struct buf *out)
{
	struct {
		const struct tmpl_var	*list;
		size_t			 i;
	}			 each[TMPL_MAX_DEPTH];
	const struct tmpl_ins	*in;
	const struct tmpl_var	*v;
	const char		*s;
	size_t			 pc = 0, ne = 0;

	while (pc < p->nins) {
		in = &p->ins[pc];
		switch (in->code) {
		case TMPL_C_BYTES:
			buf_append(out, p->pool.data + in->a, in->b);
			break;
		case TMPL_C_TEXT:
			if ((s = tmpl_text(r, in->s, in->h)) != NULL)
				tmpl_esc_text(out, s);
			break;
		case TMPL_C_MARKUP:
			/* Only tmpl_vars_set_markup's values go out as they
			 * are; any other text of that name is escaped. */
			v = tmpl_lookup(r, in->s, in->h);
			if (v != NULL && v->value != NULL) {
				if (v->markup)
					buf_puts(out, v->value);
				else
					tmpl_esc_text(out, v->value);
			}
			break;
		case TMPL_C_MSG:
			if (r->bound)
				buf_puts(out, in->msg[r->lang]);
			else
				tmpl_esc_text(out,
				    i18n_text(r->i18n, r->lang, in->s));
			break;
		case TMPL_C_IF:
			if (!tmpl_truthy(r, in->s, in->h)) {
				pc = in->b;
				continue;
			}
			break;
		case TMPL_C_UNLESS:
			if (tmpl_truthy(r, in->s, in->h)) {
				pc = in->b;
				continue;
			}
			break;
		case TMPL_C_EACH:
			v = tmpl_lookup(r, in->s, in->h);
			if (v == NULL || v->value != NULL || v->nitems == 0) {
				pc = in->b;
				continue;
			}
			/* The compiler bounds the nesting (TMPL_MAX_DEPTH). */
			each[ne].list = v;
			each[ne++].i = 0;
			r->scope[r->nscope++] = v->items[0];
			break;
		case TMPL_C_NEXT:
			r->nscope--;
			if (++each[ne - 1].i < each[ne - 1].list->nitems) {
				r->scope[r->nscope++] =
				    each[ne - 1].list->items[each[ne - 1].i];
				pc = in->a + 1;
				continue;
			}
			ne--;
			break;
		case TMPL_C_TAG:
			tmpl_tag_emit(&p->tags[in->a], r, out);
			break;
		}
		pc++;
	}
}

int
tmpl_render(const struct tmpl_set *set, const char *name,
    const struct i18n *i18n, enum i18n_lang lang,
    const struct tmpl_vars *vars, struct buf *out, char *err, size_t errlen)
{
	struct tmpl_render	 r;
	const struct tmpl	*t;

	memset(&r, 0, sizeof(r));
	r.i18n = i18n;
	r.lang = lang;
	util_errf(err, errlen, "%s", "");
	if ((int)lang < 0 || lang >= I18N_NLANG) {
		util_errf(err, errlen, "bad language %d", (int)lang);
		return -1;
	}
	if ((t = tmpl_find(set, name)) == NULL) {
		util_errf(err, errlen, "unknown template \"%.64s\"",
		    name != NULL ? name : "(null)");
		return -1;
	}
	if (vars != NULL)
		r.scope[r.nscope++] = vars;
	r.bound = i18n != NULL && t->prog.bound == i18n;
	tmpl_run(&r, &t->prog, out);
	return 0;
}
