// SPDX-License-Identifier: GPL-2.0
/*
 * Lexer of xlb.conf: text in, array of tokens out (see lexer.h for the
 * token rules). Every token's text lives in one buffer owned by the list;
 * a word or string of n input bytes needs at most n + 1 bytes there, so a
 * buffer of twice the input length can never overflow.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/lexer.h"

struct lexer {
	const char *name;
	const char *p;		/* next input byte */
	const char *end;
	int line;
	struct tok_list *out;
	size_t cap;		/* room in out->toks */
	char *w;		/* next free byte in out->text */
	char *err;
	size_t errlen;
};

int lex_err_at(char *err, size_t errlen, const char *name, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || !errlen)
		return -EINVAL;
	n = snprintf(err, errlen, "%s:%d: ", name, line);
	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - n, fmt, ap);
		va_end(ap);
	}
	conf_msg_clean(err);
	return -EINVAL;
}

#define lex_err(lx, line, ...) lex_err_at((lx)->err, (lx)->errlen, (lx)->name, line, __VA_ARGS__)

static int push(struct lexer *lx, enum tok_type type, int line, const char *text)
{
	struct tok_list *l = lx->out;
	struct tok *t;

	if (l->n == lx->cap) {
		size_t cap = lx->cap ? lx->cap * 2 : 64;

		t = realloc(l->toks, cap * sizeof(*t));
		if (!t)
			return -ENOMEM;
		l->toks = t;
		lx->cap = cap;
	}
	t = &l->toks[l->n++];
	memset(t, 0, sizeof(*t));
	t->type = type;
	t->line = line;
	t->text = text;
	return 0;
}

/* A byte no token may contain: C0 controls other than tab, and DEL. */
static bool is_control(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static bool ends_word(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '{' || c == '}' ||
	       c == ';' || c == '"' || c == '#' || c == '\\' || is_control(c);
}

/* End of input or of the line (LF or CR LF) at the next byte. */
static bool at_line_end(const struct lexer *lx)
{
	const char *p = lx->p;

	if (p < lx->end && *p == '\r')
		p++;
	return p == lx->end || *p == '\n';
}

/* The UTF-8 byte-order mark (U+FEFF) some editors put first in a file. */
static const char utf8_bom[] = "\xef\xbb\xbf";

static bool at_bom(const struct lexer *lx)
{
	return lx->end - lx->p >= 3 && !memcmp(lx->p, utf8_bom, 3);
}

static int bom_err(struct lexer *lx)
{
	return lex_err(lx, lx->line, "a UTF-8 byte-order mark (EF BB BF) inside the file (only "
		       "its first bytes may be one: files joined together?)");
}

static int lex_string(struct lexer *lx)
{
	int line = lx->line;
	char *start = lx->w;

	lx->p++; /* opening quote */
	for (;;) {
		unsigned char c;

		if (at_line_end(lx))
			return lex_err(lx, line, "unterminated string");
		c = *lx->p++;
		if (c == '"')
			break;
		if (c == '\\') {
			if (at_line_end(lx))
				return lex_err(lx, line, "unterminated string");
			c = *lx->p++;
			if (c != '"' && c != '\\') {
				if (is_control(c))
					return lex_err(lx, line, "control character 0x%02x in string",
						       c);
				/* a tab (or any byte that is not a visible
				 * character) as hex: messages stay one
				 * printable line in logs and xlbctl */
				if (c < 0x21 || c > 0x7e)
					return lex_err(lx, line,
						       "unknown escape '\\' followed by byte 0x%02x in "
						       "string (only \\\" and \\\\)", c);
				return lex_err(lx, line,
					       "unknown escape '\\%c' in string (only \\\" and \\\\)",
					       c);
			}
		} else if (is_control(c)) {
			return lex_err(lx, line, "control character 0x%02x in string", c);
		}
		*lx->w++ = c;
	}
	*lx->w++ = '\0';
	return push(lx, TOK_STRING, line, start);
}

static int lex_word(struct lexer *lx)
{
	char *start = lx->w;
	bool digits = true;
	__u64 num = 0;
	bool overflow = false;
	struct tok *t;
	int err;

	while (lx->p < lx->end && !ends_word(*lx->p)) {
		char c;

		if (at_bom(lx))
			return bom_err(lx);
		c = *lx->p++;

		if (c >= '0' && c <= '9') {
			if (num > (UINT64_MAX - (c - '0')) / 10)
				overflow = true;
			else
				num = num * 10 + (c - '0');
		} else {
			digits = false;
		}
		*lx->w++ = c;
	}
	*lx->w++ = '\0';
	err = push(lx, digits ? TOK_NUMBER : TOK_WORD, lx->line, start);
	if (err)
		return err;
	if (digits) {
		t = &lx->out->toks[lx->out->n - 1];
		t->num = overflow ? 0 : num;
		t->overflow = overflow;
	}
	return 0;
}

/* A newline ends a statement; several in a row give one TOK_EOS. */
static int lex_newline(struct lexer *lx)
{
	struct tok_list *l = lx->out;
	int err = 0;

	if (l->n && l->toks[l->n - 1].type != TOK_EOS)
		err = push(lx, TOK_EOS, lx->line, "\n");
	lx->line++;
	lx->p++;
	return err;
}

static int lex_run(struct lexer *lx)
{
	int err;

	/* skipped at the start, as editors expect; named anywhere else */
	if (at_bom(lx))
		lx->p += 3;

	while (lx->p < lx->end) {
		unsigned char c = *lx->p;

		switch (c) {
		case ' ':
		case '\t':
		case '\r':
			lx->p++;
			continue;
		case '\n':
			err = lex_newline(lx);
			break;
		case '#':
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
			continue;
		case '\\':
			/* line continuation: backslash, optional CR, newline */
			lx->p++;
			if (lx->p < lx->end && *lx->p == '\r')
				lx->p++;
			if (lx->p == lx->end || *lx->p != '\n')
				return lex_err(lx, lx->line,
					       "'\\' outside a string must end the line");
			lx->p++;
			lx->line++;
			continue;
		case ';':
			lx->p++;
			err = push(lx, TOK_EOS, lx->line, ";");
			break;
		case '{':
			lx->p++;
			err = push(lx, TOK_LBRACE, lx->line, "{");
			break;
		case '}':
			lx->p++;
			err = push(lx, TOK_RBRACE, lx->line, "}");
			break;
		case '"':
			err = lex_string(lx);
			break;
		default:
			if (is_control(c))
				return lex_err(lx, lx->line, "invalid character 0x%02x", c);
			err = lex_word(lx);
			break;
		}
		if (err)
			return err;
	}
	return push(lx, TOK_EOF, lx->line, "");
}

int lex_tokenize(const char *name, const char *text, size_t len, struct tok_list *out,
		 char *err, size_t errlen)
{
	struct lexer lx = {
		.name = name,
		.p = text,
		.end = text + len,
		.line = 1,
		.out = out,
		.err = err,
		.errlen = errlen,
	};
	int ret;

	memset(out, 0, sizeof(*out));
	if (len > (SIZE_MAX - 1) / 2)
		return -ENOMEM;
	out->text = malloc(2 * len + 1);
	if (!out->text)
		return -ENOMEM;
	lx.w = out->text;
	ret = lex_run(&lx);
	if (ret) {
		if (ret == -ENOMEM && err && errlen)
			snprintf(err, errlen, "%s: out of memory", name);
		lex_free(out);
	}
	return ret;
}

void lex_free(struct tok_list *list)
{
	free(list->toks);
	free(list->text);
	memset(list, 0, sizeof(*list));
}

const char *lex_describe(const struct tok *t, char *buf, size_t len)
{
	switch (t->type) {
	case TOK_EOF:
		snprintf(buf, len, "end of file");
		break;
	case TOK_EOS:
		snprintf(buf, len, t->text[0] == ';' ? "';'" : "end of line");
		break;
	case TOK_STRING:
		snprintf(buf, len, "\"%s\"", t->text);
		break;
	default:
		snprintf(buf, len, "'%s'", t->text);
		break;
	}
	return buf;
}
