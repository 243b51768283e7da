// SPDX-License-Identifier: GPL-2.0
/*
 * Values of xlb.conf statements, one token each: bounded numbers,
 * durations with a unit, IPv4/IPv6 addresses and prefixes, words, strings
 * and paths. Each getter consumes its token only when the value is good
 * and names the statement in its message (parse.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/parse.h"

/* Room for a token quoted in a message; longer ones are cut. */
#define TOKSTR	96

static int missing(struct parser *p, const char *what)
{
	return p_err(p, p_peek(p)->line, "missing argument for %s", what);
}

/* No value here: end of statement or a brace. */
static bool no_value(const struct tok *t)
{
	return t->type != TOK_WORD && t->type != TOK_NUMBER && t->type != TOK_STRING;
}

int get_u32(struct parser *p, const char *what, __u32 min, __u32 max, __u32 *out)
{
	const struct tok *t = p_peek(p);
	char buf[TOKSTR];

	if (no_value(t))
		return missing(p, what);
	if (t->type != TOK_NUMBER)
		return p_err(p, t->line, "%s: %s is not a number", what,
			     lex_describe(t, buf, sizeof(buf)));
	if (t->overflow || t->num < min || t->num > max)
		return p_err(p, t->line, "%s %s out of range %u..%u", what, t->text, min, max);
	*out = t->num;
	p_next(p);
	return 0;
}

/* "100ms", "1s", "2m", "1h" -> milliseconds; false if malformed. */
static bool duration_parse(const char *s, __u64 *ms, bool *overflow)
{
	static const struct {
		const char *unit;
		__u64 ms;
	} units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
	};
	__u64 v = 0;
	const char *q = s;
	size_t i;

	*overflow = false;
	while (*q >= '0' && *q <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			*overflow = true;
		else
			v = v * 10 + (*q - '0');
		q++;
	}
	if (q == s)
		return false;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(q, units[i].unit))
			continue;
		if (v > UINT64_MAX / units[i].ms)
			*overflow = true;
		*ms = v * units[i].ms;
		return true;
	}
	return false;
}

int get_duration(struct parser *p, const char *what, __u32 min_ms, __u32 max_ms, __u32 *out)
{
	const struct tok *t = p_peek(p);
	char buf[TOKSTR], lo[32], hi[32];
	bool overflow;
	__u64 ms;

	if (no_value(t))
		return missing(p, what);
	if (t->type == TOK_NUMBER)
		return p_err(p, t->line, "%s: '%s' has no unit (ms, s, m or h)", what, t->text);
	if (t->type != TOK_WORD || !duration_parse(t->text, &ms, &overflow))
		return p_err(p, t->line, "%s: %s is not a duration", what,
			     lex_describe(t, buf, sizeof(buf)));
	if (overflow || ms < min_ms || ms > max_ms)
		return p_err(p, t->line, "%s %s out of range %s..%s", what, t->text,
			     conf_duration_str(min_ms, lo, sizeof(lo)),
			     conf_duration_str(max_ms, hi, sizeof(hi)));
	*out = ms;
	p_next(p);
	return 0;
}

int get_seconds(struct parser *p, const char *what, __u32 min, __u32 max, __u32 *out)
{
	const struct tok *t = p_peek(p);
	char buf[TOKSTR];
	bool overflow = false;
	__u64 secs, ms;

	if (no_value(t))
		return missing(p, what);
	if (t->type == TOK_NUMBER) {
		/* a bare number is seconds, as it always was */
		secs = t->num;
		overflow = t->overflow;
	} else if (t->type == TOK_WORD && duration_parse(t->text, &ms, &overflow)) {
		if (!overflow && ms % 1000)
			return p_err(p, t->line, "%s %s is not a whole number of seconds", what,
				     t->text);
		secs = ms / 1000;
	} else {
		return p_err(p, t->line, "%s: %s is not a duration", what,
			     lex_describe(t, buf, sizeof(buf)));
	}
	if (overflow || secs < min || secs > max)
		return p_err(p, t->line, "%s %s out of range %u..%u seconds", what, t->text, min,
			     max);
	*out = secs;
	p_next(p);
	return 0;
}

static const char *family_noun(__u8 family)
{
	switch (family) {
	case XLB_FAMILY_V4:
		return "an IPv4 address";
	case XLB_FAMILY_V6:
		return "an IPv6 address";
	default:
		return "an IP address";
	}
}

/* s as an address of the family asked for (0: either). */
static bool addr_parse(const char *s, __u8 family, struct conf_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (family != XLB_FAMILY_V6 && inet_pton(AF_INET, s, &out->addr.v4) == 1) {
		out->family = XLB_FAMILY_V4;
		return true;
	}
	if (family != XLB_FAMILY_V4 && inet_pton(AF_INET6, s, out->addr.bytes) == 1) {
		out->family = XLB_FAMILY_V6;
		return true;
	}
	memset(out, 0, sizeof(*out));
	return false;
}

int get_addr(struct parser *p, const char *what, __u8 family, struct conf_addr *out)
{
	const struct tok *t = p_peek(p);
	char buf[TOKSTR];

	if (no_value(t))
		return missing(p, what);
	if (t->type == TOK_STRING || !addr_parse(t->text, family, out))
		return p_err(p, t->line, "%s: %s is not %s", what,
			     lex_describe(t, buf, sizeof(buf)), family_noun(family));
	p_next(p);
	return 0;
}

/* Are the bits of a past the first len zero? */
static bool host_bits_zero(const struct conf_addr *a, unsigned len)
{
	unsigned bits = a->family == XLB_FAMILY_V4 ? 32 : 128;
	unsigned i;

	for (i = len; i < bits; i++)
		if (a->addr.bytes[i / 8] & (0x80 >> (i % 8)))
			return false;
	return true;
}

int get_prefix(struct parser *p, const char *what, struct conf_prefix *out)
{
	const struct tok *t = p_peek(p);
	char buf[TOKSTR], addr[CONF_ADDR_STRLEN];
	const char *slash, *q;
	unsigned len = 0, bits;

	memset(out, 0, sizeof(*out));
	if (no_value(t))
		return missing(p, what);
	slash = t->type == TOK_WORD ? strchr(t->text, '/') : NULL;
	if (!slash || slash - t->text >= CONF_ADDR_STRLEN || !slash[1] || strlen(slash + 1) > 3)
		goto bad;
	memcpy(addr, t->text, slash - t->text);
	addr[slash - t->text] = '\0';
	if (!addr_parse(addr, 0, &out->net))
		goto bad;
	for (q = slash + 1; *q; q++) {
		if (*q < '0' || *q > '9')
			goto bad;
		len = len * 10 + (*q - '0');
	}
	bits = out->net.family == XLB_FAMILY_V4 ? 32 : 128;
	if (len > bits)
		return p_err(p, t->line, "%s: prefix length %u of %s out of range 0..%u", what,
			     len, t->text, bits);
	if (!host_bits_zero(&out->net, len))
		return p_err(p, t->line, "%s: %s has host bits set", what, t->text);
	out->len = len;
	out->max_len = bits;
	p_next(p);
	return 0;
bad:
	return p_err(p, t->line, "%s: %s is not a prefix (ADDRESS/LENGTH)", what,
		     lex_describe(t, buf, sizeof(buf)));
}

int get_word(struct parser *p, const char *what, const struct tok **out)
{
	const struct tok *t = p_peek(p);
	char buf[TOKSTR];

	if (no_value(t))
		return missing(p, what);
	if (t->type == TOK_STRING)
		return p_err(p, t->line, "%s: %s must not be quoted", what,
			     lex_describe(t, buf, sizeof(buf)));
	*out = p_next(p);
	return 0;
}

int get_text(struct parser *p, const char *what, char **out)
{
	const struct tok *t = p_peek(p);
	char *s;

	if (no_value(t))
		return missing(p, what);
	s = strdup(t->text);
	if (!s)
		return -ENOMEM;
	free(*out);
	*out = s;
	p_next(p);
	return 0;
}

int get_choice(struct parser *p, const char *what, const char *const *choices, size_t n,
	       size_t *out)
{
	const struct tok *t;
	char list[256], buf[TOKSTR];
	size_t i, off = 0;
	int err;

	err = get_word(p, what, &t);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		if (!strcmp(t->text, choices[i])) {
			*out = i;
			return 0;
		}
	}
	list[0] = '\0';
	for (i = 0; i < n && off < sizeof(list); i++)
		off += snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "", choices[i]);
	return p_err(p, t->line, "%s: %s is not one of %s", what, lex_describe(t, buf, sizeof(buf)),
		     list);
}

int get_path(struct parser *p, const char *what, char **out)
{
	const struct tok *t = p_peek(p);
	char buf[TOKSTR];

	if (!no_value(t) && t->text[0] != '/')
		return p_err(p, t->line, "%s: %s is not an absolute path", what,
			     lex_describe(t, buf, sizeof(buf)));
	return get_text(p, what, out);
}
