// SPDX-License-Identifier: GPL-2.0
/*
 * Golden files of the config printer: every selftests/agent/conf/NAME.conf
 * is parsed and its normalized print (conf_print, as `xlbd -nv` shows it)
 * must equal NAME.golden byte for byte; a mismatch shows the first line
 * that differs. Then the print with secrets (conf_print_full) must parse
 * again into a config that prints the same and whose VIPs are equal to
 * the first ones (conf_vip_equal), so the print really is the config.
 *
 * test_config_manpage_examples parses the examples of doc/xlb.conf.5.
 *
 * Files are found from the top of the tree (the runner starts there) or
 * from $XLB_SRCDIR. XLB_UPDATE_GOLDEN=1 rewrites the .golden files from
 * the current printer instead of comparing; review the diff before
 * committing it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "../lib/test.h"

#define CONF_DIR "selftests/agent/conf"

static const char *srcdir(void)
{
	const char *d = getenv("XLB_SRCDIR");

	return d && *d ? d : ".";
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			char *g = realloc(buf, cap = cap * 2 + 8192);

			if (!g) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = g;
		}
		r = fread(buf + n, 1, 4096, f);
		n += r;
		if (r < 4096)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The print of conf into a malloc'ed string (full: with secrets). */
static char *print_str(const struct xlb_conf *conf, bool full)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int err;

	if (!f)
		return NULL;
	err = full ? conf_print_full(f, conf) : conf_print(f, conf);
	fclose(f);
	if (err) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Report the first line where got and want differ. */
static void show_diff(const char *what, const char *got, const char *want)
{
	int line = 1;

	while (*got && *got == *want) {
		if (*got == '\n')
			line++;
		got++;
		want++;
	}
	while (line > 1 && got[-1] != '\n') {
		got--;
		want--;
	}
	test_fail("%s differs at line %d:\n  got:  %.*s\n  want: %.*s", what, line,
		  (int)strcspn(got, "\n"), got, (int)strcspn(want, "\n"), want);
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	if (fputs(text, f) == EOF)
		err = -EIO;
	if (fclose(f) == EOF && !err)
		err = -errno;
	return err;
}

static void check_one(const char *dir, const char *name)
{
	struct xlb_conf *conf = NULL, *again = NULL;
	char path[4096], golden_path[4096 + 8], err[CONF_ERR_MAX];
	char *print = NULL, *full = NULL, *full2 = NULL, *print2 = NULL, *golden = NULL;
	size_t len, i;

	test_ctx("%s", name);
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
		test_fail("path too long");
		goto out;
	}
	snprintf(golden_path, sizeof(golden_path), "%.*s.golden", (int)(strlen(path) - 5), path);
	if (!ASSERT_OK(conf_parse_file(path, &conf, err, sizeof(err)), err))
		goto out;
	print = print_str(conf, false);
	full = print_str(conf, true);
	if (!ASSERT_OK_PTR(print, "conf_print") || !ASSERT_OK_PTR(full, "conf_print_full"))
		goto out;

	if (getenv("XLB_UPDATE_GOLDEN")) {
		ASSERT_OK(write_file(golden_path, print), golden_path);
		printf("wrote %s\n", golden_path);
	} else {
		golden = read_file(golden_path, &len);
		if (!ASSERT_OK_PTR(golden, golden_path))
			goto out;
		if (strcmp(print, golden))
			show_diff("conf_print vs .golden", print, golden);
	}

	/* the full print is a config that prints the same */
	if (!ASSERT_OK(conf_parse_string("print", full, &again, err, sizeof(err)), err))
		goto out;
	full2 = print_str(again, true);
	print2 = print_str(again, false);
	if (!ASSERT_OK_PTR(full2, "reprint") || !ASSERT_OK_PTR(print2, "reprint"))
		goto out;
	if (strcmp(full2, full))
		show_diff("full print of the reparsed print", full2, full);
	if (strcmp(print2, print))
		show_diff("print of the reparsed print", print2, print);
	if (ASSERT_EQ(again->n_vips, conf->n_vips, "vips"))
		for (i = 0; i < conf->n_vips; i++)
			ASSERT_TRUE(conf_vip_equal(&conf->vips[i], &again->vips[i]), "vip equal");
	ASSERT_EQ(again->n_neighbors, conf->n_neighbors, "neighbors");
	for (i = 0; i < conf->n_neighbors && i < again->n_neighbors; i++) {
		const struct conf_neighbor *a = &conf->neighbors[i], *b = &again->neighbors[i];

		ASSERT_TRUE((!a->password && !b->password) ||
				    (a->password && b->password && !strcmp(a->password, b->password)),
			    "password kept by conf_print_full");
	}
out:
	test_ctx(NULL);
	free(print);
	free(full);
	free(full2);
	free(print2);
	free(golden);
	conf_free(conf);
	conf_free(again);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void test_config_golden(void)
{
	char dir[4096], *names[64];
	struct dirent *de;
	size_t n = 0, i;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", srcdir(), CONF_DIR);
	d = opendir(dir);
	if (!ASSERT_OK_PTR(d, dir))
		return;
	while ((de = readdir(d)) && n < sizeof(names) / sizeof(names[0])) {
		size_t len = strlen(de->d_name);

		if (len > 5 && !strcmp(de->d_name + len - 5, ".conf"))
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	ASSERT_GE(n, 4, "sample configs");
	for (i = 0; i < n; i++) {
		if (names[i])
			check_one(dir, names[i]);
		free(names[i]);
	}
}

/* conf_print hides passwords; conf_print_full keeps them, escaped. */
void test_config_print_secrets(void)
{
	static const char text[] = "router-id 192.0.2.1\nlocal-as 65001\n"
				   "neighbor 192.0.2.2 { remote-as 65002; password \"a\\\"b\\\\c\" }\n";
	struct xlb_conf *conf = NULL;
	char err[CONF_ERR_MAX], *print = NULL, *full = NULL;

	if (!ASSERT_OK(conf_parse_string("t", text, &conf, err, sizeof(err)), err))
		return;
	ASSERT_STREQ(conf->neighbors[0].password, "a\"b\\c", "unescaped");
	print = print_str(conf, false);
	full = print_str(conf, true);
	if (ASSERT_OK_PTR(print, "print") && ASSERT_OK_PTR(full, "full")) {
		ASSERT_TRUE(strstr(print, "    password \"<hidden>\"\n") != NULL, "hidden");
		ASSERT_TRUE(strstr(print, "a\\\"b") == NULL, "secret not in print");
		ASSERT_TRUE(strstr(full, "    password \"a\\\"b\\\\c\"\n") != NULL, "kept, escaped");
	}
	free(print);
	free(full);
	conf_free(conf);
}

/* The examples of doc/xlb.conf.5 (the `.RS 4` ... `.RE` blocks) are
 * valid configs, so the manual cannot drift from the parser. */
void test_config_manpage_examples(void)
{
	char path[4096], err[CONF_ERR_MAX], *page, *p, *end;
	struct xlb_conf *conf;
	size_t len;
	int n = 0;

	snprintf(path, sizeof(path), "%s/doc/xlb.conf.5", srcdir());
	page = read_file(path, &len);
	if (!ASSERT_OK_PTR(page, path))
		return;
	for (p = page; (p = strstr(p, "\n.RS 4\n")); p = end) {
		char *text, *line, *o;

		p += strlen("\n.RS 4\n");
		end = strstr(p, "\n.RE\n");
		if (!ASSERT_OK_PTR(end, "example ends"))
			break;
		/* the example without its .nf/.fi request lines */
		text = calloc(1, end - p + 2);
		if (!ASSERT_OK_PTR(text, "calloc"))
			break;
		for (line = p, o = text; line < end;) {
			size_t l = strcspn(line, "\n");

			if (line + l > end)
				l = end - line;
			if (line[0] != '.') {
				memcpy(o, line, l);
				o += l;
				*o++ = '\n';
			}
			line += l + 1;
		}
		test_ctx("example %d", ++n);
		conf = NULL;
		ASSERT_OK(conf_parse_string("xlb.conf.5", text, &conf, err, sizeof(err)), err);
		conf_free(conf);
		free(text);
	}
	test_ctx(NULL);
	ASSERT_GE(n, 2, "examples found");
	free(page);
}
