/*
 * log.h: one structured line per event on stderr, logfmt style
 * ("ts=... level=... msg=..." then key=value pairs), or the same pairs as
 * one JSON object a line (log_format = json).  Thread-safe: each
 * line is written with one write(2).
 */
#ifndef COUNCIL_LOG_H
#define COUNCIL_LOG_H

#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };
/* logfmt (the default) or one JSON object a line (log_format = json). */
enum log_format { LOG_FORMAT_LOGFMT, LOG_FORMAT_JSON };

void	log_set_level(enum log_level);
void	log_set_format(enum log_format);
/*
 * The JSON line of a logfmt message kv: {"ts":ts,"level":level, then each
 * key with its value as a string}, unescaping logfmt's quoted values.
 * The length written into out (no NUL), or -1 when kv is not logfmt or
 * the object does not fit in cap bytes.  For the tests, and log.c.
 */
int	log_json(const char *ts, const char *level, const char *kv, char *out,
	    size_t cap);
void	log_msg(enum log_level, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Unrecoverable start-up or invariant failure: log and exit(1). */
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...)	log_msg(LOG_ERROR, __VA_ARGS__)

#endif
