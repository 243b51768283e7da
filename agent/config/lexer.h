/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tokens of the xlb.conf language (doc/xlb.conf.5). The whole text is cut
 * into an array of tokens before parsing, so the parser can look ahead
 * freely and every token keeps the line it started on for messages.
 *
 * A statement ends at a newline or `;` (both give TOK_EOS); a backslash
 * right before the newline joins two lines. `#` starts a comment that runs
 * to the end of the line. Words are runs of printable characters other
 * than `{ } ; " #`; a word of decimal digits only is a TOK_NUMBER.
 * Quoted strings know two escapes, \" and \\, and cannot span lines.
 */
#ifndef XLB_CONFIG_LEXER_H
#define XLB_CONFIG_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

enum tok_type {
	TOK_EOF = 0,	/* end of the text: always the last token */
	TOK_EOS,	/* end of statement: newline or ';' */
	TOK_LBRACE,	/* { */
	TOK_RBRACE,	/* } */
	TOK_WORD,	/* bare word */
	TOK_NUMBER,	/* bare word of decimal digits; also a word */
	TOK_STRING,	/* "quoted string", escapes resolved */
};

struct tok {
	enum tok_type type;
	int line;		/* line the token starts on, from 1 */
	const char *text;	/* NUL-terminated: the word, the string's content,
				 * "{", "}", ";", "\n" or "" at EOF */
	__u64 num;		/* TOK_NUMBER: its value, if !overflow */
	bool overflow;		/* TOK_NUMBER: does not fit in 64 bits */
};

struct tok_list {
	struct tok *toks;	/* n tokens, the last one TOK_EOF */
	size_t n;
	char *text;		/* storage of every token's text */
};

/*
 * Cut text[0..len-1] into tokens. Returns 0, -EINVAL with
 * "name:line: what is wrong" in err (unterminated or multi-line string,
 * unknown escape, control character), or -ENOMEM. On error *out is left
 * empty (nothing to free).
 */
int lex_tokenize(const char *name, const char *text, size_t len, struct tok_list *out,
		 char *err, size_t errlen);
void lex_free(struct tok_list *list);

/* "name:line: " and the message into err, made one printable line
 * (conf_msg_clean); returns -EINVAL. Every error of the lexer and the
 * parser (p_err) is written here. */
int lex_err_at(char *err, size_t errlen, const char *name, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* A token as messages quote it: 'word', "string", '{', end of line,
 * end of file. Returns buf. */
const char *lex_describe(const struct tok *t, char *buf, size_t len);

/* An error message quotes the words it refuses, and strings may hold tabs
 * and other bytes: make it one line of visible characters ('?' for any
 * control byte), as the log and `xlbctl reload` show it. */
static inline void conf_msg_clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

#endif
