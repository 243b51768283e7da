// SPDX-License-Identifier: GPL-2.0
/*
 * Runtime state file: what the operator changed with xlbctl (disabled
 * VIPs, depooled backends, weight overrides) so it survives an xlbd
 * restart. One line per fact, VIPs written as conf_vip_format prints them:
 *
 *   disable 203.0.113.10:53/udp
 *   disable-address 203.0.113.10
 *   depool 203.0.113.10:53/udp 198.51.100.11 drain|now|inactive
 *   weight 203.0.113.10:53/udp 198.51.100.11 50
 *   etcd-revision 1234
 *
 * With `pool-state etcd` the same file holds the pool state last applied
 * from etcd and the revision it was applied at (core/pool.c writes it
 * after every change), so a node restarted while etcd is unreachable
 * comes up with what it had, not with the config's defaults.
 *
 * and, for VIPs with second chance, their current and previous Maglev
 * tables (second_chance.c writes and reads those lines):
 *
 *   table 203.0.113.10:80/tcp since MS size 65537 198.51.100.11@100 ...
 *   previous 203.0.113.10:80/tcp until MS size 65537 198.51.100.11@100 ...
 *
 * Written to a temporary file, synced and renamed, so a crash leaves the
 * old or the new file, never half of one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>

#include "core/xlbd.h"
#include "lib/log.h"

#define STATE_MAX (1024 * 1024)

static int addr_str(const struct conf_addr *a, char *buf, size_t len)
{
	return inet_ntop(a->family == XLB_FAMILY_V4 ? AF_INET : AF_INET6, &a->addr, buf, len) ?
		       0 : -errno;
}

int xlbd_state_format(struct xlbd *d, char *buf, size_t len)
{
	size_t off = 0, i, k;
	int n;

#define PUT(...)                                                   \
	do {                                                       \
		n = snprintf(buf + off, len - off, __VA_ARGS__);   \
		if (n < 0 || (size_t)n >= len - off)               \
			return -ENOBUFS;                           \
		off += n;                                          \
	} while (0)

	PUT("# xlbd runtime state (%s); rewritten by xlbd\n",
	    d->conf->pool.etcd ? "pool state last applied from etcd" : "xlbctl changes");
	if (d->conf->pool.etcd && d->pool_revision)
		PUT("etcd-revision %lld\n", (long long)d->pool_revision);
	for (i = 0; i < d->n_addrs_disabled; i++) {
		char a[64];

		addr_str(&d->addrs_disabled[i], a, sizeof(a));
		PUT("disable-address %s\n", a);
	}
	for (i = 0; i < d->n_vips; i++) {
		struct rt_vip *v = &d->vips[i];
		char vip[96], be[64];

		conf_vip_format(v->conf, vip, sizeof(vip));
		if (v->disabled)
			PUT("disable %s\n", vip);
		for (k = 0; k < v->n_backends; k++) {
			struct rt_backend *b = &v->backends[k];

			if (b->pool == RT_POOLED && !b->has_weight)
				continue;
			addr_str(&b->conf->addr, be, sizeof(be));
			if (b->pool != RT_POOLED)
				PUT("depool %s %s %s\n", vip, be,
				    b->pool == RT_DEPOOLED_NOW ? "now" :
				    b->pool == RT_INACTIVE     ? "inactive" :
								 "drain");
			if (b->has_weight)
				PUT("weight %s %s %u\n", vip, be, b->weight);
		}
		if (xlbd_sc_state_format(v, buf, len, &off))
			return -ENOBUFS;
	}
#undef PUT
	return 0;
}

/* A second chance's table line: as many words as the table has
 * backends. */
static int table_line(struct xlbd *d, char *line)
{
	size_t max = strlen(line) / 2 + 1;
	char **w = calloc(max, sizeof(*w)), *save = NULL, *tok;
	int nw = 0, rc;

	if (!w)
		return -ENOMEM;
	for (tok = strtok_r(line, " \t", &save); tok && (size_t)nw < max;
	     tok = strtok_r(NULL, " \t", &save))
		w[nw++] = tok;
	rc = xlbd_sc_state_line(d, w, nw);
	free(w);
	return rc;
}

/* One line; unknown VIPs/backends are skipped (config changed since). */
static int state_line(struct xlbd *d, char *line, char *err, size_t errlen)
{
	char *w[5], *save = NULL, *tok, *end;
	struct rt_backend *b;
	struct rt_vip *v;
	unsigned long n;
	int nw = 0;

	line += strspn(line, " \t");
	if (!*line || *line == '#')
		return 0;
	if (!strncmp(line, "table ", 6) || !strncmp(line, "previous ", 9)) {
		if (!table_line(d, line))
			return 0;
		goto bad;
	}
	for (tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (nw == 5)
			goto bad;
		w[nw++] = tok;
	}
	if (nw < 2)
		goto bad;
	if (!strcmp(w[0], "etcd-revision") && nw == 2) {
		long long rev;

		errno = 0;
		rev = strtoll(w[1], &end, 10);
		if (errno || *end || rev < 0)
			goto bad;
		d->pool_revision = rev;
		return 0;
	}
	if (!strcmp(w[0], "disable-address") && nw == 2) {
		struct conf_addr a = {};

		if (inet_pton(AF_INET, w[1], &a.addr.v4) == 1)
			a.family = XLB_FAMILY_V4;
		else if (inet_pton(AF_INET6, w[1], a.addr.bytes) == 1)
			a.family = XLB_FAMILY_V6;
		else
			goto bad;
		/* kept even when no VIP has the address now: a reload may
		 * bring one back, and the operator took the address out */
		return xlbd_addr_mark_disabled(d, &a, true);
	}
	v = rt_vip_find(d, w[1]);
	if (!strcmp(w[0], "disable") && nw == 2) {
		if (v)
			v->disabled = true;
		return 0;
	}
	if (nw != 4 || (strcmp(w[0], "depool") && strcmp(w[0], "weight")))
		goto bad;
	b = v ? rt_backend_find(v, w[2]) : NULL;
	if (!strcmp(w[0], "depool")) {
		if (strcmp(w[3], "drain") && strcmp(w[3], "now") && strcmp(w[3], "inactive"))
			goto bad;
		if (b)
			b->pool = !strcmp(w[3], "now")	    ? RT_DEPOOLED_NOW :
				  !strcmp(w[3], "inactive") ? RT_INACTIVE :
							      RT_DEPOOLED;
		return 0;
	}
	errno = 0;
	n = strtoul(w[3], &end, 10);
	if (errno || *end || end == w[3] || n > 1000000)
		goto bad;
	if (b) {
		b->has_weight = true;
		b->weight = n;
	}
	return 0;
bad:
	snprintf(err, errlen, "unreadable line");
	return -EINVAL;
}

int xlbd_state_parse(struct xlbd *d, const char *text, char *err, size_t errlen)
{
	char *copy = strdup(text), *line, *save = NULL;
	int lineno = 0, rc = 0;
	char msg[64];

	if (!copy)
		return -ENOMEM;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (state_line(d, line, msg, sizeof(msg))) {
			snprintf(err, errlen, "%s:%d: %s", d->conf->state_file, lineno, msg);
			rc = -EINVAL;
			break;
		}
	}
	free(copy);
	return rc;
}

int xlbd_state_load(struct xlbd *d)
{
	char err[CONF_ERR_MAX], *text = NULL;
	size_t len = 0;
	struct stat st;
	FILE *f;
	int fd, rc;

	/* O_NONBLOCK: a FIFO there must not stop the start-up */
	fd = open(d->conf->state_file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		log_warnx("state file %s: not a regular file (ignored)", d->conf->state_file);
		return -EINVAL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	text = malloc(STATE_MAX + 1);
	if (!text) {
		fclose(f);
		return -ENOMEM;
	}
	len = fread(text, 1, STATE_MAX, f);
	fclose(f);
	text[len] = '\0';
	rc = xlbd_state_parse(d, text, err, sizeof(err));
	if (rc)
		log_warnx("state file: %s (the rest of it is ignored)", err);
	free(text);
	return 0;
}

static int mkdir_parent(const char *path)
{
	char dir[4096], *slash;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) && errno != EEXIST) {
		int err = -errno;

		if (mkdir_parent(dir) || mkdir(dir, 0755))
			return err;
	}
	return 0;
}

int xlbd_state_save(struct xlbd *d)
{
	char tmp[4096], *text;
	int fd, err = 0;
	ssize_t n;

	text = malloc(STATE_MAX);
	if (!text)
		return -ENOMEM;
	err = xlbd_state_format(d, text, STATE_MAX);
	if (err)
		goto out;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", d->conf->state_file) >= (int)sizeof(tmp)) {
		err = -ENAMETOOLONG;
		goto out;
	}
	err = mkdir_parent(d->conf->state_file);
	if (err)
		goto out;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	n = write(fd, text, strlen(text));
	if (n != (ssize_t)strlen(text) || fsync(fd))
		err = n < 0 ? -errno : -EIO;
	close(fd);
	if (!err && rename(tmp, d->conf->state_file))
		err = -errno;
	if (err)
		unlink(tmp);
out:
	if (err)
		log_warnx("cannot write state file %s: %s", d->conf->state_file, strerror(-err));
	free(text);
	return err;
}

void xlbd_state_flush(struct xlbd *d)
{
	if (!d->sc_state_dirty || !d->conf)
		return;
	d->sc_state_dirty = false;
	/* it logs its failures */
	xlbd_state_save(d);
}
