/*
 * routes.h: THE table of every URL councild answers (site/routes.c): per
 * route its pattern, methods, who may reach it, its body kind and its
 * handler, handed to the HTTP front (web/http.h) with the hooks of the
 * layers between (kit: the credential and the same-site check).
 */
#ifndef COUNCIL_ROUTES_H
#define COUNCIL_ROUTES_H

#include <stddef.h>

struct http_server;
struct http_route;

/* Give srv the route table and the kit's hooks (before http_start). */
void	routes_install(struct http_server *srv);

/* The table and its length, for the tests and the documentation. */
const struct http_route *routes_table(size_t *n);

#endif
