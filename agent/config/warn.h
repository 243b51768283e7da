/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Warnings about a config that parses (warn.c): what will not work as
 * written — routes a session cannot carry, and what this host lacks.
 * Each warning comes to fn with the line it is about (0: none); the
 * functions return how many there were.
 */
#ifndef XLB_CONFIG_WARN_H
#define XLB_CONFIG_WARN_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

typedef void (*conf_warn_fn)(void *arg, int line, const char *msg);

/* VIPs a neighbor's session cannot carry (no next hop of their family). */
size_t conf_warn_routes(const struct xlb_conf *c, conf_warn_fn fn, void *arg);
/* What this host lacks: interfaces (xdp: also `xdp interface`'s), exec
 * check programs and users. */
size_t conf_warn_host(const struct xlb_conf *c, bool xdp, conf_warn_fn fn, void *arg);

#endif
