/*
 * log.h: one structured line per event on stderr, logfmt style
 * ("ts=... level=... msg=..." then key=value pairs).  Thread-safe: each
 * line is written with one write(2).
 */
#ifndef COUNCIL_LOG_H
#define COUNCIL_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void	log_set_level(enum log_level);
void	log_msg(enum log_level, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Unrecoverable start-up or invariant failure: log and exit(1). */
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...)	log_msg(LOG_ERROR, __VA_ARGS__)

#endif
