// SPDX-License-Identifier: GPL-2.0
/*
 * The xlb.conf lexer (agent/config/lexer.c): token kinds, text, numbers
 * and line numbers for each input, as a table. Its error messages are
 * checked through the parser in test_config_errors.c.
 */
#include <stdio.h>
#include <string.h>

#include "config/lexer.h"
#include "../lib/test.h"

/* A token list as one string: kind letter, text, line; e.g.
 * "W:router-id@1 N:7@1 ;@1 E@2". Kinds: W word, N number (value, or
 * "overflow"), S string, { } ; (the text of TOK_EOS: ';' or 'nl'), E. */
static void render(const struct tok_list *l, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < l->n && off < len; i++) {
		const struct tok *t = &l->toks[i];
		const char *sep = i ? " " : "";

		switch (t->type) {
		case TOK_WORD:
			off += snprintf(buf + off, len - off, "%sW:%s@%d", sep, t->text, t->line);
			break;
		case TOK_NUMBER:
			if (t->overflow)
				off += snprintf(buf + off, len - off, "%sN:overflow@%d", sep, t->line);
			else
				off += snprintf(buf + off, len - off, "%sN:%llu@%d", sep,
						(unsigned long long)t->num, t->line);
			break;
		case TOK_STRING:
			off += snprintf(buf + off, len - off, "%sS:%s@%d", sep, t->text, t->line);
			break;
		case TOK_EOS:
			off += snprintf(buf + off, len - off, "%s%s@%d", sep,
					t->text[0] == ';' ? ";" : "nl", t->line);
			break;
		case TOK_LBRACE:
			off += snprintf(buf + off, len - off, "%s{@%d", sep, t->line);
			break;
		case TOK_RBRACE:
			off += snprintf(buf + off, len - off, "%s}@%d", sep, t->line);
			break;
		case TOK_EOF:
			off += snprintf(buf + off, len - off, "%sE@%d", sep, t->line);
			break;
		}
	}
}

void test_config_lexer(void)
{
	static const struct {
		const char *name;
		const char *in;
		const char *want;
	} cases[] = {
		{ "empty", "", "E@1" },
		{ "only newlines", "\n\n\n", "E@4" },
		{ "words and numbers", "router-id 192.0.2.1\nlocal-as 65010",
		  "W:router-id@1 W:192.0.2.1@1 nl@1 W:local-as@2 N:65010@2 E@2" },
		{ "newlines collapse", "a\n\n\nb\n",
		  "W:a@1 nl@1 W:b@4 nl@4 E@5" },
		{ "semicolons kept", "a;;b", "W:a@1 ;@1 ;@1 W:b@1 E@1" },
		{ "braces split words", "x{y}z", "W:x@1 {@1 W:y@1 }@1 W:z@1 E@1" },
		{ "comment", "a # b { c \"\n# whole line\nd", "W:a@1 nl@1 W:d@3 E@3" },
		{ "comment ends a word", "a#b\n", "W:a@1 nl@1 E@2" },
		{ "string", "description \"leaf 1; {x} # y\"",
		  "W:description@1 S:leaf 1; {x} # y@1 E@1" },
		{ "escapes", "\"a\\\"b\\\\c\"", "S:a\"b\\c@1 E@1" },
		{ "empty string", "\"\"x", "S:@1 W:x@1 E@1" },
		{ "string ends a word", "a\"b\"c", "W:a@1 S:b@1 W:c@1 E@1" },
		{ "tab in string", "\"a\tb\"", "S:a\tb@1 E@1" },
		{ "utf-8 kept", "\"r\xc3\xa9seau\" caf\xc3\xa9", "S:r\xc3\xa9seau@1 W:caf\xc3\xa9@1 E@1" },
		{ "continuation", "a \\\n  b\nc", "W:a@1 W:b@2 nl@2 W:c@3 E@3" },
		{ "continuation crlf", "a\\\r\nb\r\n", "W:a@1 W:b@2 nl@2 E@3" },
		{ "crlf", "a b\r\nc\r\n", "W:a@1 W:b@1 nl@1 W:c@2 nl@2 E@3" },
		{ "number forms", "0 007 18446744073709551615 18446744073709551616 1s -1 1.5",
		  "N:0@1 N:7@1 N:18446744073709551615@1 N:overflow@1 W:1s@1 W:-1@1 W:1.5@1 E@1" },
		{ "one-line block", "bfd { interval 100ms multiplier 3 }",
		  "W:bfd@1 {@1 W:interval@1 W:100ms@1 W:multiplier@1 N:3@1 }@1 E@1" },
	};
	char got[1024];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tok_list l;
		char err[256] = "";

		test_ctx("%s", cases[i].name);
		if (!ASSERT_OK(lex_tokenize("t", cases[i].in, strlen(cases[i].in), &l, err,
					    sizeof(err)),
			       err))
			continue;
		render(&l, got, sizeof(got));
		ASSERT_STREQ(got, cases[i].want, "tokens");
		ASSERT_EQ(l.toks[l.n - 1].type, TOK_EOF, "ends with EOF");
		lex_free(&l);
	}
	test_ctx(NULL);
}

void test_config_lexer_describe(void)
{
	static const char in[] = "w 1 \"s\" { } ; z\n";
	struct tok_list l;
	char buf[64], err[256];

	if (!ASSERT_OK(lex_tokenize("t", in, strlen(in), &l, err, sizeof(err)), err))
		return;
	if (ASSERT_EQ(l.n, 9, "tokens")) {
		ASSERT_STREQ(lex_describe(&l.toks[0], buf, sizeof(buf)), "'w'", "word");
		ASSERT_STREQ(lex_describe(&l.toks[1], buf, sizeof(buf)), "'1'", "number");
		ASSERT_STREQ(lex_describe(&l.toks[2], buf, sizeof(buf)), "\"s\"", "string");
		ASSERT_STREQ(lex_describe(&l.toks[3], buf, sizeof(buf)), "'{'", "lbrace");
		ASSERT_STREQ(lex_describe(&l.toks[4], buf, sizeof(buf)), "'}'", "rbrace");
		ASSERT_STREQ(lex_describe(&l.toks[5], buf, sizeof(buf)), "';'", "semicolon");
		ASSERT_STREQ(lex_describe(&l.toks[7], buf, sizeof(buf)), "end of line", "newline");
		ASSERT_STREQ(lex_describe(&l.toks[8], buf, sizeof(buf)), "end of file", "eof");
	}
	lex_free(&l);
}
