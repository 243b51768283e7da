/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of the config parser shared by its files: cursor.c (the walk
 * over the tokens, the block loop, errors), parser.c (entry points,
 * global and neighbor statements), parse_value.c (one token to one value:
 * numbers, durations, addresses, words), parse_vip.c (vip blocks),
 * parse_health.c (the health statement) and validate.c (checks that need
 * the whole file). The model they fill, and its text forms, are
 * config.h's (conf.c).
 *
 * Every function returns 0 or -errno; on -EINVAL the message is already in
 * the parser's error buffer as "file:line: what is wrong". Parsing stops
 * at the first error.
 */
#ifndef XLB_CONFIG_PARSE_H
#define XLB_CONFIG_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "config/lexer.h"

/* Defaults that are not in config.h's shared headers. */
#define CONF_PIN_PATH		"/sys/fs/bpf/xlb"
#define CONF_SOCKET_PATH	"/run/xlb/xlbd.sock"
#define CONF_STATE_FILE		"/var/lib/xlb/state"
#define CONF_HOLD_TIME		90
#define CONF_BGP_PORT		179
#define CONF_HOLD_DOWN_MS	10000
#define CONF_BFD_INTERVAL_MS	300
#define CONF_BFD_MULTIPLIER	3
#define CONF_HC_INTERVAL_MS	1000
#define CONF_HC_TIMEOUT_MAX_MS	1000	/* default timeout: min(this, interval / 2) */
#define CONF_HC_FAST_MIN_MS	100	/* default fast-interval: max(this, interval / 4) */
#define CONF_HC_RISE		2
#define CONF_HC_FALL		2
#define CONF_HC_USER		"nobody"
#define CONF_HTTP_PATH		"/"
#define CONF_DNS_PORT		53
#define CONF_WEIGHT		100
#define CONF_SC_KEEP_MS		CONF_HOUR_MS
#define CONF_ETCD_PORT		2379
#define CONF_DEPOOL_THRESHOLD	50	/* percent, as PyBal's 0.5 */

/* Limits (doc/xlb.conf.5 lists them). */
#define CONF_WEIGHT_MAX		1000000
#define CONF_RING_MAX		4194304		/* slots of one Maglev table */
#define CONF_FLOWS_MIN		1024
#define CONF_FLOWS_MAX		(1U << 28)
#define CONF_PREPEND_MAX	32
#define CONF_PASSWORD_MAX	80		/* TCP_MD5SIG_MAXKEYLEN */
#define CONF_NAME_MAX		63
#define CONF_HOUR_MS		3600000U
#define CONF_SC_KEEP_MAX_MS	(7 * 24 * CONF_HOUR_MS)	/* second-chance keep */
#define CONF_FILE_MAX		(16U << 20)	/* bytes of a config file */
#define CONF_AS_TRANS		23456		/* RFC 6793 */
#define CONF_ENDPOINTS_MAX	16		/* etcd endpoints */

struct parser {
	const char *name;	/* file name for messages */
	struct tok_list tl;
	size_t pos;		/* next token */
	struct xlb_conf *conf;
	size_t n_fwd_vips;	/* forwarding vips so far (ids in the datapath) */
	size_t n_fwd_backends;	/* backends of forwarding vips so far */
	char *err;
	size_t errlen;
};

/* --- cursor.c --- */

/* "file:line: what is wrong" into the parser's error buffer; -EINVAL. */
#define p_err(p, line, ...) lex_err_at((p)->err, (p)->errlen, (p)->name, line, __VA_ARGS__)
const struct tok *p_peek(const struct parser *p);
const struct tok *p_next(struct parser *p);
/* The next token ends the statement: ';', newline, '}' or end of file. */
bool p_at_end(const struct parser *p);
/* Consume '{' or fail with "expected '{' after WHAT, got ...". */
int p_expect_lbrace(struct parser *p, const char *what);
/* grow *arr (of *n elements of size sz) by one zeroed element */
void *p_append(void *arr_ptr, size_t *n, size_t sz);

#define KW_REPEAT	(1U << 0)	/* may appear more than once */
#define KW_FORWARD	(1U << 1)	/* vip block: forwarding vips only */
#define KW_LOCAL	(1U << 2)	/* vip block: local (host mode) vips only */
#define KW_SECRET	(1U << 3)	/* its argument is a secret: never quoted in a message */

struct kw {
	const char *name;
	/* kw is the keyword token; the handler consumes its arguments (and a
	 * whole block if it has one), not the end of the statement */
	int (*fn)(struct parser *p, void *obj, const struct tok *kw);
	unsigned flags;
};

struct block {
	const char *name;	/* "vip", "neighbor", ...; NULL at top level */
	int open_line;		/* line of its '{' */
	const struct kw *kws;
	size_t n_kws;
	int *seen;		/* n_kws lines of the first use of each; 0 = not yet */
	unsigned forbid;	/* KW_* flags refused here ... */
	const char *forbid_in;	/* ... with "'X' is not allowed in FORBID_IN" */
};

/* The row of b's table for keyword `name` (its index in *idx), or NULL. */
const struct kw *p_kw_find(const struct block *b, const char *name, size_t *idx);
/* Statements until the block's '}' (consumed) or, at top level, EOF. */
int p_block(struct parser *p, const struct block *b, void *obj);

/* --- parse_value.c: each consumes one token (two for "none") --- */

/* WHAT is named in messages: "missing argument for WHAT",
 * "WHAT: 'x' is not a number", "WHAT 0 out of range 1..10". */
int get_u32(struct parser *p, const char *what, __u32 min, __u32 max, __u32 *out);
int get_duration(struct parser *p, const char *what, __u32 min_ms, __u32 max_ms, __u32 *out);
/* Whole seconds: a bare number (seconds) or a duration ("9s", "1m");
 * the range is in seconds, in one message whichever form was used. */
int get_seconds(struct parser *p, const char *what, __u32 min, __u32 max, __u32 *out);
/* family 0 takes either */
int get_addr(struct parser *p, const char *what, __u8 family, struct conf_addr *out);
int get_prefix(struct parser *p, const char *what, struct conf_prefix *out);
/* A bare word (or number) */
int get_word(struct parser *p, const char *what, const struct tok **out);
/* A string, quoted or bare, copied into *out (freed first if set) */
int get_text(struct parser *p, const char *what, char **out);
/* One of choices[0..n-1]: "WHAT: 'x' is not one of a, b, c" */
int get_choice(struct parser *p, const char *what, const char *const *choices, size_t n,
	       size_t *out);
/* An absolute path */
int get_path(struct parser *p, const char *what, char **out);

/* --- parse_vip.c, parse_health.c, parse_pool.c --- */

int parse_vip(struct parser *p, void *conf, const struct tok *kw);
int parse_pool_state(struct parser *p, void *conf, const struct tok *kw);
int parse_health(struct parser *p, struct conf_vip *vip, const struct tok *kw);

/* --- validate.c --- */

int conf_validate(struct parser *p);

#endif
