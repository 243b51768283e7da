// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the config language (agent/config/: lexer, parser,
 * checks, printer), through conf_parse_string(), the in-memory entry point
 * that conf_parse_file() uses after reading the file.
 *
 * The input is the text of a config file (a NUL in it ends the text, as it
 * would end it for the parser). What it checks:
 *   - a refused config gives one line "fuzz:LINE: ..." (or "fuzz: ...")
 *     of printable characters: the message goes to the log and, through
 *     `xlbctl reload`, to the operator's terminal;
 *   - an accepted config prints (conf_print_full, passwords included) to a
 *     text that parses again and prints the same: `xlbd -nv` output is a
 *     valid config equal to the one read;
 *   - conf_print (the -nv print) shows every neighbor password as
 *     "<hidden>", never the password itself.
 * A failed check aborts (libFuzzer keeps the input); so do the sanitizers.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static char *print(const struct xlb_conf *c, bool full, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	CHECK(f);
	CHECK((full ? conf_print_full(f, c) : conf_print(f, c)) == 0);
	CHECK(fclose(f) == 0);
	return text;
}

static void check_err(const char *err)
{
	size_t i, n = strlen(err);

	CHECK(n > 0 && n < CONF_ERR_MAX);
	CHECK(!strncmp(err, "fuzz:", 5));
	for (i = 0; i < n; i++)
		CHECK((unsigned char)err[i] >= 0x20 && err[i] != 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char err[CONF_ERR_MAX] = "", err2[CONF_ERR_MAX] = "";
	struct xlb_conf *c, *c2;
	char *text, *p1, *p2, *shown;
	size_t n1, n2, ns, i;

	text = malloc(len + 1);
	CHECK(text);
	memcpy(text, data, len);
	text[len] = '\0';
	if (conf_parse_string("fuzz", text, &c, err, sizeof(err))) {
		check_err(err);
		free(text);
		return 0;
	}
	p1 = print(c, true, &n1);
	if (conf_parse_string("fuzz", p1, &c2, err2, sizeof(err2))) {
		fprintf(stderr, "the print does not parse: %s\n--- print:\n%s\n", err2, p1);
		abort();
	}
	p2 = print(c2, true, &n2);
	if (n1 != n2 || memcmp(p1, p2, n1)) {
		fprintf(stderr, "print changed on a second round\n--- first:\n%s\n--- second:\n%s\n",
			p1, p2);
		abort();
	}
	shown = print(c, false, &ns);
	for (i = 0; i < c->n_neighbors; i++) {
		const char *pw = c->neighbors[i].password;

		/* a password that is a word of the printed text anyway
		 * (a keyword, an address) says nothing; look for the quoted
		 * form the full print gives it */
		if (pw && *pw) {
			char q[128];

			snprintf(q, sizeof(q), "password \"%s\"", pw);
			CHECK(!strstr(shown, q));
		}
	}
	free(shown);
	free(p1);
	free(p2);
	conf_free(c2);
	conf_free(c);
	free(text);
	return 0;
}
