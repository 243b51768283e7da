// SPDX-License-Identifier: GPL-2.0
/*
 * How the parser walks the tokens (parse.h: struct parser): one token at
 * a time (p_peek, p_next, which never moves past the final TOK_EOF), the
 * end of a statement, a block's '{', and the block loop p_block() that
 * reads statements by a table of keywords (struct block). Every error
 * is written by p_err (parse.h) as file:line: what is wrong, and parsing
 * stops.
 *
 * The block loop refuses unknown keywords, repeats of non-repeatable ones
 * and keywords a block forbids (forwarding-only ones in local vips), and
 * checks that a statement ends where its handler stopped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/parse.h"

const struct tok *p_peek(const struct parser *p)
{
	return &p->tl.toks[p->pos];
}

/* Never moves past the final TOK_EOF. */
const struct tok *p_next(struct parser *p)
{
	const struct tok *t = &p->tl.toks[p->pos];

	if (t->type != TOK_EOF)
		p->pos++;
	return t;
}

bool p_at_end(const struct parser *p)
{
	enum tok_type type = p_peek(p)->type;

	return type == TOK_EOS || type == TOK_RBRACE || type == TOK_EOF;
}

int p_expect_lbrace(struct parser *p, const char *what)
{
	const struct tok *t = p_peek(p);
	char buf[96];

	if (t->type != TOK_LBRACE)
		return p_err(p, t->line, "expected '{' after %s, got %s", what,
			     lex_describe(t, buf, sizeof(buf)));
	p_next(p);
	return 0;
}

void *p_append(void *arr_ptr, size_t *n, size_t sz)
{
	void **arr = arr_ptr;
	char *grown;

	grown = realloc(*arr, (*n + 1) * sz);
	if (!grown)
		return NULL;
	*arr = grown;
	memset(grown + *n * sz, 0, sz);
	return grown + (*n)++ * sz;
}

const struct kw *p_kw_find(const struct block *b, const char *name, size_t *idx)
{
	size_t i;

	for (i = 0; i < b->n_kws; i++) {
		if (!strcmp(b->kws[i].name, name)) {
			*idx = i;
			return &b->kws[i];
		}
	}
	return NULL;
}

int p_block(struct parser *p, const struct block *b, void *obj)
{
	char where[48], buf[96];
	const struct kw *kw;
	const struct tok *t;
	size_t i;
	int err;

	if (b->name)
		snprintf(where, sizeof(where), "in %s block", b->name);
	else
		snprintf(where, sizeof(where), "at top level");
	for (;;) {
		t = p_next(p);
		switch (t->type) {
		case TOK_EOS:
			continue;
		case TOK_EOF:
			if (!b->name)
				return 0;
			return p_err(p, b->open_line,
				     "unterminated %s block (no '}' before end of file)", b->name);
		case TOK_RBRACE:
			if (b->name)
				return 0;
			return p_err(p, t->line, "unexpected '}' (no block is open)");
		case TOK_WORD:
		case TOK_NUMBER:
			break;
		default:
			return p_err(p, t->line, "expected a keyword %s, got %s", where,
				     lex_describe(t, buf, sizeof(buf)));
		}
		kw = p_kw_find(b, t->text, &i);
		if (!kw)
			return p_err(p, t->line, "unknown keyword '%s' %s", t->text, where);
		if (kw->flags & b->forbid)
			return p_err(p, t->line, "'%s' is not allowed in %s", kw->name,
				     b->forbid_in);
		if (b->seen[i] && !(kw->flags & KW_REPEAT))
			return p_err(p, t->line, "duplicate '%s' %s (first on line %d)", kw->name,
				     where, b->seen[i]);
		if (!b->seen[i])
			b->seen[i] = t->line;
		err = kw->fn(p, obj, t);
		if (err)
			return err;
		t = p_peek(p);
		if (t->type == TOK_EOS)
			p_next(p);
		else if (t->type != TOK_RBRACE && t->type != TOK_EOF && (kw->flags & KW_SECRET))
			/* what follows may be the rest of a key with a space */
			return p_err(p, t->line, "unexpected word after %s (not shown: it may be "
				     "part of the key; quote the whole key)", kw->name);
		else if (t->type != TOK_RBRACE && t->type != TOK_EOF)
			return p_err(p, t->line, "unexpected %s after %s",
				     lex_describe(t, buf, sizeof(buf)), kw->name);
	}
}
