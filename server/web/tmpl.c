/*
 * tmpl.c: the template engine (the language is described in tmpl.h).
 *
 * Loading parses every *.xhtml file of a directory once with libxml2
 * (XML_PARSE_NONET and nothing else: no entity substitution, no DTD
 * loading) and checks every rule, so that a broken template stops start-up
 * instead of failing a request.  Comments are dropped at this point.
 *
 * Rendering never changes the parsed documents, so one tmpl_set serves
 * every thread at once: it copies the page (or its layout) with
 * xmlCopyDoc, fills the copy by creating text nodes (xmlNewDocText) and
 * attributes (xmlSetProp), both of which store the value literally for the
 * serialiser to escape, removes the template namespace and serialises the
 * tree as XHTML after "<!DOCTYPE html>".
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
#include <libxml/xmlsave.h>

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

/* A variable: a text value, or (value == NULL) a list of items. */
struct tmpl_var {
	char		  *name;
	char		  *value;
	struct tmpl_vars **items;
	size_t		   nitems;
	size_t		   capitems;
};

struct tmpl_vars {
	struct tmpl_var	*v;
	size_t		 n;
	size_t		 cap;
};

/* A <t:fill> of a page; both pointers point into the page's document. */
struct tmpl_fill {
	const char	*slot;
	xmlNodePtr	 node;
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
};

struct tmpl_set {
	struct tmpl	*t;		/* sorted by name */
	size_t		 n;
};

enum tmpl_op {
	TMPL_OP_UNKNOWN,
	TMPL_OP_TEXT,
	TMPL_OP_MSG,
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

/* One rendering. */
struct tmpl_render {
	xmlDocPtr		 doc;		/* the copy being filled */
	const struct tmpl	*page;		/* supplies the fills, or NULL */
	const struct i18n	*i18n;
	enum i18n_lang		 lang;
	const struct tmpl_vars	*scope[TMPL_MAX_DEPTH + 1];
	size_t			 nscope;
	char			*err;
	size_t			 errlen;
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
static int	tmpl_process(struct tmpl_render *, xmlNodePtr);

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
			if (raw != NULL)
				return tmpl_fail(ck, el, "t:%s inside <%s> "
				    "(script and style content is never "
				    "templated)", a->name, raw);
			if (content++)
				return tmpl_fail(ck, el, "t:text and t:msg on "
				    "the same element");
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
		    tmpl_t_attr(root, "msg") != NULL) {
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

/* Characters XML 1.0 allows (so the output always re-parses). */
static int
tmpl_xml_char(uint32_t c)
{
	return c == 0x9 || c == 0xa || c == 0xd ||
	    (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) ||
	    (c >= 0x10000 && c <= 0x10ffff);
}

/*
 * A copy of s (free it) in which every byte that is not part of
 * well-formed UTF-8, and every character XML forbids (C0 controls but tab,
 * LF and CR; U+FFFE; U+FFFF), is replaced by U+FFFD.
 */
static char *
tmpl_utf8_clean(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	struct buf		 b;
	size_t			 len = strlen(s), i = 0, run = 0, n;
	uint32_t		 c = 0;

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
	return buf_release(&b, NULL);
}

struct tmpl_vars *
tmpl_vars_new(void)
{
	return xcalloc(1, sizeof(struct tmpl_vars));
}

/* Drop v's value or items, keeping its name. */
static void
tmpl_var_clear(struct tmpl_var *v)
{
	size_t	i;

	free(v->value);
	v->value = NULL;
	for (i = 0; i < v->nitems; i++)
		tmpl_vars_free(v->items[i]);
	free(v->items);
	v->items = NULL;
	v->nitems = v->capitems = 0;
}

void
tmpl_vars_free(struct tmpl_vars *vs)
{
	size_t	i;

	if (vs == NULL)
		return;
	for (i = 0; i < vs->n; i++) {
		tmpl_var_clear(&vs->v[i]);
		free(vs->v[i].name);
	}
	free(vs->v);
	free(vs);
}

static struct tmpl_var *
tmpl_vars_find(const struct tmpl_vars *vs, const char *name)
{
	size_t	i;

	for (i = 0; i < vs->n; i++)
		if (strcmp(vs->v[i].name, name) == 0)
			return &vs->v[i];
	return NULL;
}

/* The variable name of vs, created empty (an empty list) if absent. */
static struct tmpl_var *
tmpl_vars_get(struct tmpl_vars *vs, const char *name)
{
	struct tmpl_var	*v;

	if ((v = tmpl_vars_find(vs, name)) != NULL)
		return v;
	if (vs->n == vs->cap) {
		vs->cap = vs->cap ? vs->cap * 2 : 8;
		vs->v = xrealloc(vs->v, vs->cap * sizeof(*vs->v));
	}
	v = &vs->v[vs->n++];
	memset(v, 0, sizeof(*v));
	v->name = xstrdup(name);
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
		if ((v = tmpl_vars_find(vs, name)) == NULL)
			return;
		i = (size_t)(v - vs->v);
		tmpl_var_clear(v);
		free(v->name);
		memmove(&vs->v[i], &vs->v[i + 1],
		    (vs->n - i - 1) * sizeof(*vs->v));
		vs->n--;
		return;
	}
	v = tmpl_vars_get(vs, name);
	tmpl_var_clear(v);
	v->value = tmpl_utf8_clean(value);
}

void
tmpl_vars_setf(struct tmpl_vars *vs, const char *name, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	s = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	tmpl_vars_set(vs, name, s);
	free(s);
}

struct tmpl_vars *
tmpl_vars_add_item(struct tmpl_vars *vs, const char *list)
{
	struct tmpl_var	*v = tmpl_vars_get(vs, list);

	if (v->value != NULL)
		tmpl_var_clear(v);
	if (v->nitems == v->capitems) {
		v->capitems = v->capitems ? v->capitems * 2 : 8;
		v->items = xrealloc(v->items,
		    v->capitems * sizeof(*v->items));
	}
	v->items[v->nitems] = tmpl_vars_new();
	return v->items[v->nitems++];
}

/* name in the innermost scope that has it, or NULL. */
static const struct tmpl_var *
tmpl_lookup(const struct tmpl_render *r, const char *name)
{
	const struct tmpl_var	*v;
	size_t			 i;

	for (i = r->nscope; i-- > 0;)
		if ((v = tmpl_vars_find(r->scope[i], name)) != NULL)
			return v;
	return NULL;
}

/* The text of name; NULL when unset or a list.  "lang" and "lang_other"
 * are always the rendering language and the other one. */
static const char *
tmpl_text(const struct tmpl_render *r, const char *name)
{
	const struct tmpl_var	*v;

	if (strcmp(name, "lang") == 0)
		return i18n_lang_code(r->lang);
	if (strcmp(name, "lang_other") == 0)
		return i18n_lang_code(r->lang == I18N_JA ? I18N_EN : I18N_JA);
	v = tmpl_lookup(r, name);
	return v != NULL ? v->value : NULL;
}

/* t:if: a non-empty text, or a list with at least one item. */
static int
tmpl_truthy(const struct tmpl_render *r, const char *name)
{
	const struct tmpl_var	*v;
	const char		*s;

	if ((s = tmpl_text(r, name)) != NULL)
		return s[0] != '\0';
	v = tmpl_lookup(r, name);
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

static int
tmpl_oom(struct tmpl_render *r)
{
	util_errf(r->err, r->errlen, "out of memory");
	return -1;
}

/* Replace the children of el with the text s (literal, escaped later). */
static int
tmpl_set_text(struct tmpl_render *r, xmlNodePtr el, const char *s)
{
	xmlNodePtr	kids = el->children, tn;

	el->children = el->last = NULL;
	xmlFreeNodeList(kids);
	if (s[0] == '\0')
		return 0;
	if ((tn = xmlNewDocText(r->doc, BAD_CAST s)) == NULL)
		return tmpl_oom(r);
	if (xmlAddChild(el, tn) == NULL) {
		xmlFreeNode(tn);
		return tmpl_oom(r);
	}
	return 0;
}

/*
 * Replace <t:slot> with the page's fill of that name (nothing if none),
 * processing the inserted nodes in the current scope.
 */
static int
tmpl_slot(struct tmpl_render *r, xmlNodePtr slot)
{
	const struct tmpl_fill	*f = NULL;
	const char		*name, *s;
	xmlAttrPtr		 a;
	xmlNodePtr		 list = NULL, n, next, tn;
	size_t			 i;
	int			 rc = -1;

	name = tmpl_attr_value(tmpl_plain_attr(slot, "name"));
	for (i = 0; r->page != NULL && i < r->page->nfills; i++)
		if (strcmp(r->page->fills[i].slot, name) == 0)
			f = &r->page->fills[i];
	if (f == NULL)
		goto done;
	if ((a = tmpl_t_attr(f->node, "msg")) != NULL ||
	    (a = tmpl_t_attr(f->node, "text")) != NULL) {
		s = a->name[0] == 'm' ?
		    i18n_text(r->i18n, r->lang, tmpl_attr_value(a)) :
		    tmpl_text(r, tmpl_attr_value(a));
		if (s == NULL || s[0] == '\0')
			goto done;
		if ((tn = xmlNewDocText(r->doc, BAD_CAST s)) == NULL)
			return tmpl_oom(r);
		if (xmlAddPrevSibling(slot, tn) == NULL) {
			xmlFreeNode(tn);
			return tmpl_oom(r);
		}
		goto done;
	}
	/* Copying only reads the shared page document. */
	list = xmlDocCopyNodeList(r->doc, f->node->children);
	if (list == NULL && f->node->children != NULL)
		return tmpl_oom(r);
	for (n = list; n != NULL; n = next) {
		next = n->next;
		n->next = n->prev = NULL;
		if (next != NULL)
			next->prev = NULL;
		list = next;
		if ((tn = xmlAddPrevSibling(slot, n)) == NULL) {
			xmlFreeNode(n);
			tmpl_oom(r);
			goto out;
		}
		n = tn;
		if (n->type == XML_ELEMENT_NODE && tmpl_process(r, n) == -1)
			goto out;
	}
done:
	rc = 0;
out:
	xmlFreeNodeList(list);
	tmpl_free_node(slot);
	return rc;
}

/*
 * t:each: one processed copy of el per item of the list, placed where el
 * was; el itself goes.
 */
static int
tmpl_each(struct tmpl_render *r, xmlNodePtr el, xmlAttrPtr each)
{
	const struct tmpl_var	*v;
	xmlNodePtr		 copy;
	size_t			 i;
	int			 rc = -1;

	v = tmpl_lookup(r, tmpl_attr_value(each));
	xmlRemoveProp(each);
	if (v == NULL || v->value != NULL)
		goto done;
	if (r->nscope >= UTIL_ARRAY_LEN(r->scope)) {
		util_errf(r->err, r->errlen, "t:each nested deeper than %d",
		    TMPL_MAX_DEPTH);
		goto out;
	}
	for (i = 0; i < v->nitems; i++) {
		if ((copy = xmlDocCopyNode(el, r->doc, 1)) == NULL) {
			tmpl_oom(r);
			goto out;
		}
		if (xmlAddPrevSibling(el, copy) == NULL) {
			xmlFreeNode(copy);
			tmpl_oom(r);
			goto out;
		}
		r->scope[r->nscope++] = v->items[i];
		rc = tmpl_process(r, copy);
		r->nscope--;
		if (rc == -1)
			goto out;
	}
done:
	rc = 0;
out:
	tmpl_free_node(el);
	return rc;
}

/*
 * Apply the template attributes of el (an element of the copy) and
 * recurse.  Order: t:each, then t:if/t:unless (per item), then t:attr and
 * t:msgattr, then t:text or t:msg, else the children.  el may be freed.
 */
static int
tmpl_process(struct tmpl_render *r, xmlNodePtr el)
{
	xmlAttrPtr	 a, anext;
	xmlNodePtr	 c, next;
	const char	*arg, *v, *content = NULL;
	enum tmpl_op	 op;

	if (tmpl_is_t(el))
		return tmpl_slot(r, el);
	if ((a = tmpl_t_attr(el, "each")) != NULL)
		return tmpl_each(r, el, a);
	for (a = el->properties; a != NULL; a = a->next) {
		if (!tmpl_attr_is_t(a))
			continue;
		op = tmpl_op(a->name, &arg);
		if ((op == TMPL_OP_IF && !tmpl_truthy(r, tmpl_attr_value(a))) ||
		    (op == TMPL_OP_UNLESS && tmpl_truthy(r,
		    tmpl_attr_value(a)))) {
			tmpl_free_node(el);
			return 0;
		}
	}
	for (a = el->properties; a != NULL; a = anext) {
		anext = a->next;
		if (!tmpl_attr_is_t(a))
			continue;
		op = tmpl_op(a->name, &arg);
		v = tmpl_attr_value(a);
		switch (op) {
		case TMPL_OP_ATTR:
			/* Unset: the static attribute, if any, stays. */
			if ((v = tmpl_text(r, v)) == NULL)
				break;
			if (tmpl_in_list(arg, tmpl_url_attrs,
			    UTIL_ARRAY_LEN(tmpl_url_attrs)) && !tmpl_url_ok(v))
				v = "#";
			if (xmlSetProp(el, BAD_CAST arg, BAD_CAST v) == NULL)
				return tmpl_oom(r);
			break;
		case TMPL_OP_MSGATTR:
			if (xmlSetProp(el, BAD_CAST arg,
			    BAD_CAST i18n_text(r->i18n, r->lang, v)) == NULL)
				return tmpl_oom(r);
			break;
		case TMPL_OP_TEXT:
			content = tmpl_text(r, v);
			if (content == NULL)
				content = "";
			break;
		case TMPL_OP_MSG:
			content = i18n_text(r->i18n, r->lang, v);
			break;
		default:
			break;
		}
		xmlRemoveProp(a);
	}
	if (content != NULL)
		return tmpl_set_text(r, el, content);
	for (c = el->children; c != NULL; c = next) {
		next = c->next;
		if (c->type == XML_ELEMENT_NODE && tmpl_process(r, c) == -1)
			return -1;
	}
	return 0;
}

/*
 * Remove what is left of the template language from the finished tree:
 * t: attributes, the t namespace declaration, and the default namespace
 * declarations that copying repeated on copied nodes.  dflt is the
 * default namespace in scope; removed declarations go to *grave, freed
 * once no node can point at them.
 */
static void
tmpl_strip(xmlNodePtr el, xmlNsPtr dflt, xmlNsPtr *grave)
{
	xmlNsPtr	*pp, ns;
	xmlAttrPtr	 a, anext;
	xmlNodePtr	 c;

	for (a = el->properties; a != NULL; a = anext) {
		anext = a->next;
		if (tmpl_attr_is_t(a))
			xmlRemoveProp(a);
	}
	for (pp = &el->nsDef; (ns = *pp) != NULL;) {
		if (xmlStrEqual(ns->href, BAD_CAST TMPL_NS) ||
		    (ns->prefix == NULL && dflt != NULL &&
		    xmlStrEqual(ns->href, dflt->href))) {
			*pp = ns->next;
			ns->next = *grave;
			*grave = ns;
			continue;
		}
		if (ns->prefix == NULL)
			dflt = ns;
		pp = &ns->next;
	}
	if (el->ns != NULL && el->ns->prefix == NULL && dflt != NULL)
		el->ns = dflt;
	for (c = el->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			tmpl_strip(c, dflt, grave);
}

/* Serialise the finished tree into out after "<!DOCTYPE html>\n". */
static int
tmpl_serialise(struct tmpl_render *r, struct buf *out)
{
	xmlNodePtr	 root = xmlDocGetRootElement(r->doc);
	xmlNsPtr	 grave = NULL;
	xmlBufferPtr	 xb = NULL;
	xmlSaveCtxtPtr	 sc;
	int		 rc = -1;

	if (root == NULL) {
		util_errf(r->err, r->errlen, "empty document");
		return -1;
	}
	tmpl_strip(root, NULL, &grave);
	xmlFreeNsList(grave);
	if (r->doc->encoding == NULL)
		r->doc->encoding = xmlStrdup(BAD_CAST "UTF-8");

	if ((xb = xmlBufferCreate()) == NULL)
		return tmpl_oom(r);
	sc = xmlSaveToBuffer(xb, "UTF-8", XML_SAVE_XHTML | XML_SAVE_NO_DECL);
	if (sc == NULL) {
		tmpl_oom(r);
		goto out;
	}
	/*
	 * Saved as the document's root, <head> would gain a
	 * <meta http-equiv="Content-Type"> from the XHTML serialiser, which
	 * duplicates our <meta charset>: save the element detached instead.
	 */
	xmlUnlinkNode(root);
	xmlSaveTree(sc, root);
	xmlFreeNode(root);
	if (xmlSaveClose(sc) == -1) {
		util_errf(r->err, r->errlen, "serialising failed");
		goto out;
	}
	buf_puts(out, "<!DOCTYPE html>\n");
	buf_append(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
	buf_puts(out, "\n");
	rc = 0;
out:
	xmlBufferFree(xb);
	return rc;
}

int
tmpl_render(const struct tmpl_set *set, const char *name,
    const struct i18n *i18n, enum i18n_lang lang,
    const struct tmpl_vars *vars, struct buf *out, char *err, size_t errlen)
{
	struct tmpl_render	 r;
	const struct tmpl	*t;
	int			 rc = -1;

	memset(&r, 0, sizeof(r));
	r.err = err;
	r.errlen = errlen;
	r.i18n = i18n;
	r.lang = lang;
	util_errf(err, errlen, "%s", "");
	if ((int)lang < 0 || lang >= I18N_NLANG) {
		util_errf(err, errlen, "bad language %d", (int)lang);
		goto out;
	}
	if ((t = tmpl_find(set, name)) == NULL) {
		util_errf(err, errlen, "unknown template \"%.64s\"",
		    name != NULL ? name : "(null)");
		goto out;
	}
	if (t->layout != NULL)
		r.page = t;
	/* Copying only reads the shared document. */
	if ((r.doc = xmlCopyDoc(t->layout != NULL ? t->layout->doc : t->doc,
	    1)) == NULL) {
		tmpl_oom(&r);
		goto out;
	}
	if (vars != NULL)
		r.scope[r.nscope++] = vars;
	if (tmpl_process(&r, xmlDocGetRootElement(r.doc)) == -1)
		goto out;
	rc = tmpl_serialise(&r, out);
out:
	if (r.doc != NULL)
		xmlFreeDoc(r.doc);
	return rc;
}
