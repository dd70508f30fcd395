/*
 * i18n.h: message catalogs.  Japanese is the default language, English the
 * second.  Catalogs are gettext PO files (po/ja.po, po/en.po) whose msgids
 * are symbolic keys ("signin.title"); they are read by our own loader at
 * start-up, so a request's language needs no process locale (setlocale is
 * process-wide and not thread-safe).
 */
#ifndef COUNCIL_I18N_H
#define COUNCIL_I18N_H

#include <stddef.h>

enum i18n_lang {
	I18N_JA = 0,
	I18N_EN = 1,
	I18N_NLANG
};

#define I18N_MAX_FILE	(1024 * 1024)	/* a PO file larger than this is refused */
#define I18N_MAX_ENTRY	(16 * 1024)	/* longest msgid or msgstr, in bytes */

struct i18n;	/* opaque: both catalogs */

/* Load dir/ja.po and dir/en.po.  On error returns NULL and writes a message
 * naming file and line into err.  Every key of en.po must exist in ja.po and
 * vice versa, else loading fails (a missing translation is a build error). */
struct i18n	*i18n_load(const char *dir, char *err, size_t errlen);
void		 i18n_free(struct i18n *);	/* accepts NULL */

/* The text for key in lang; falls back to Japanese, then to the key itself.
 * The returned string lives as long as the struct i18n. */
const char	*i18n_text(const struct i18n *, enum i18n_lang, const char *key);
/* 1 when lang's own catalog has key (no fallback), else 0. */
int		 i18n_has(const struct i18n *, enum i18n_lang, const char *key);

#define I18N_MAX_ACCEPT	1024	/* a longer Accept-Language is ignored */
#define I18N_MAX_RANGES	32	/* ranges read of one Accept-Language */

/*
 * The language an Accept-Language header (RFC 9110 12.5.4) prefers among
 * ours: the range whose primary subtag is "ja" or "en" (any case, any
 * subtags: "en-GB") with the highest weight, the first of equal weights.
 * A weight of 0 ("not acceptable"), a malformed weight, "*" and other
 * languages count for nothing.  -1 when none of ours is acceptable, the
 * header is NULL, longer than I18N_MAX_ACCEPT, or its first
 * I18N_MAX_RANGES ranges name neither.
 */
int		 i18n_accept_lang(const char *);

/* "ja" -> I18N_JA, "en" -> I18N_EN; anything else (NULL included) -> -1. */
int		 i18n_lang_parse(const char *);
const char	*i18n_lang_code(enum i18n_lang);	/* "ja" / "en" */

/* Parse one PO text into a new catalog; exposed for the unit tests.
 * Supports: comments (#...), msgctxt is refused, msgid/msgstr with
 * continuation lines, C escapes \n \t \" \\.  Plural forms are refused.
 * Entries with an empty msgstr are refused (untranslated).
 * The header entry (msgid "") is accepted and ignored.
 * Returns 0, or -1 with err "line N: reason".
 * (Concretely: returns the new catalog, which the caller frees with
 * i18n_catalog_free, or NULL with err set.)  Also refused: a fuzzy entry,
 * a msgid that is not a symbolic key ([A-Za-z0-9._-], at most 128 bytes),
 * duplicate keys, a NUL byte, invalid UTF-8, raw control characters in a
 * string, any other escape, and text over I18N_MAX_FILE/I18N_MAX_ENTRY. */
struct i18n_catalog;
struct i18n_catalog *i18n_catalog_parse(const char *text, size_t len,
		    char *err, size_t errlen);
const char	*i18n_catalog_get(const struct i18n_catalog *, const char *key);
size_t		 i18n_catalog_count(const struct i18n_catalog *);
void		 i18n_catalog_free(struct i18n_catalog *);

#endif
